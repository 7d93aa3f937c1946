/*
 * respcache: a stored response comes back for the same (peer, MID) only,
 * within the lifetime; bounds evict the oldest; the table grows past its
 * first size without losing entries.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "coap/respcache.h"

static const char peer_a[] = "peer-a", peer_b[] = "peer-b";

static void get_str(struct respcache *rc, const char *peer, uint16_t mid, uint64_t now,
		    const char *want)
{
	const void *data;
	size_t len;

	assert_int_equal(respcache_get(rc, peer, strlen(peer), mid, now, &data, &len), 0);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(data, want, len);
}

static int get_rc(struct respcache *rc, const char *peer, uint16_t mid, uint64_t now)
{
	const void *data;
	size_t len;

	return respcache_get(rc, peer, strlen(peer), mid, now, &data, &len);
}

static void test_same_peer_same_mid_only(void **state)
{
	struct respcache *rc = respcache_new(NULL);
	struct respcache_stats st;

	assert_int_equal(respcache_put(rc, peer_a, 6, 100, "created", 7, 1000), 0);
	get_str(rc, peer_a, 100, 1001, "created");
	assert_int_equal(get_rc(rc, peer_a, 101, 1001), -ENOENT);
	assert_int_equal(get_rc(rc, peer_b, 100, 1001), -ENOENT);
	/* a second response for the same exchange replaces the first */
	assert_int_equal(respcache_put(rc, peer_a, 6, 100, "changed", 7, 1002), 0);
	get_str(rc, peer_a, 100, 1003, "changed");
	respcache_get_stats(rc, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.hits, 2);
	assert_int_equal(st.misses, 2);
	respcache_free(rc);
}

static void test_lifetime(void **state)
{
	struct respcache_config cfg = { .lifetime_ms = 1000 };
	struct respcache *rc = respcache_new(&cfg);
	struct respcache_stats st;

	assert_int_equal(respcache_put(rc, peer_a, 6, 1, "x", 1, 5000), 0);
	assert_int_equal(respcache_put(rc, peer_a, 6, 2, "y", 1, 5500), 0);
	get_str(rc, peer_a, 1, 5999, "x");
	assert_int_equal(get_rc(rc, peer_a, 1, 6000), -ENOENT);
	respcache_expire(rc, 6000);
	respcache_get_stats(rc, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.expired, 1);
	get_str(rc, peer_a, 2, 6000, "y");
	/* a clock that went backwards expires rather than keeps */
	assert_int_equal(get_rc(rc, peer_a, 2, 100), -ENOENT);
	respcache_free(rc);
}

static void test_bounds_evict_oldest(void **state)
{
	struct respcache_config cfg = { .max_entries = 3, .max_bytes = 10 };
	struct respcache *rc = respcache_new(&cfg);
	struct respcache_stats st;

	for (uint16_t mid = 0; mid < 5; mid++)
		assert_int_equal(respcache_put(rc, peer_a, 6, mid, "ab", 2, mid), 0);
	respcache_get_stats(rc, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.evictions, 2);
	assert_int_equal(get_rc(rc, peer_a, 1, 10), -ENOENT);
	get_str(rc, peer_a, 2, 10, "ab");
	/* 8 bytes do not fit next to 6: two entries go */
	assert_int_equal(respcache_put(rc, peer_b, 6, 9, "12345678", 8, 11), 0);
	respcache_get_stats(rc, &st);
	assert_int_equal(st.entries, 2);
	get_str(rc, peer_a, 4, 12, "ab");
	assert_int_equal(respcache_put(rc, peer_b, 6, 10, "12345678901", 11, 12), -EMSGSIZE);
	respcache_free(rc);
}

static void test_bad_keys(void **state)
{
	struct respcache *rc = respcache_new(NULL);
	char long_key[RESPCACHE_MAX_KEY + 1] = { 0 };

	assert_int_equal(respcache_put(rc, long_key, sizeof(long_key), 1, "x", 1, 0), -EINVAL);
	assert_int_equal(respcache_put(rc, peer_a, 0, 1, "x", 1, 0), -EINVAL);
	assert_int_equal(get_rc(rc, "", 1, 0), -EINVAL);
	respcache_free(rc);
}

static void test_many_peers_grow(void **state)
{
	struct respcache *rc = respcache_new(NULL);
	struct respcache_stats st;
	char key[16], val[16];

	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "p%d", i);
		snprintf(val, sizeof(val), "v%d", i);
		assert_int_equal(
			respcache_put(rc, key, strlen(key), (uint16_t)i, val, strlen(val), i), 0);
	}
	for (int i = 0; i < 5000; i += 7) {
		snprintf(key, sizeof(key), "p%d", i);
		snprintf(val, sizeof(val), "v%d", i);
		get_str(rc, key, (uint16_t)i, 5000, val);
		assert_int_equal(get_rc(rc, key, (uint16_t)(i + 1), 5000), -ENOENT);
	}
	respcache_get_stats(rc, &st);
	assert_int_equal(st.entries, 5000);
	assert_true(st.bytes > 5000 * sizeof(uint64_t));
	respcache_free(rc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_peer_same_mid_only), cmocka_unit_test(test_lifetime),
		cmocka_unit_test(test_bounds_evict_oldest),     cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_many_peers_grow),
	};

	return cmocka_run_group_tests_name("respcache", tests, NULL, NULL);
}
