#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "coap/midstore.h"

static const char peer_a[] = "[2001:db8::1]:5683";
static const char peer_b[] = "[2001:db8::2]:5683";

static int check(struct midstore *ms, const char *peer, uint16_t mid, uint64_t t)
{
	return midstore_check(ms, peer, strlen(peer), mid, t);
}

/* A deterministic generator, so that failures reproduce. */
static uint32_t rng_state = 12345;
static uint16_t rnd16(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (uint16_t)(rng_state >> 16);
}

static void test_sequential_peer(void **state)
{
	struct midstore *ms = midstore_new(NULL);
	struct midstore_stats st;

	for (unsigned i = 0; i < 1000; i++)
		assert_int_equal(check(ms, peer_a, (uint16_t)(1000 + i), i * 100), 0);
	assert_int_equal(midstore_peer_mode(ms, peer_a, strlen(peer_a)), MIDSTORE_BITFIELD);
	/* every one of them is now a duplicate, a retransmission a little later */
	for (unsigned i = 0; i < 1000; i++)
		assert_int_equal(check(ms, peer_a, (uint16_t)(1000 + i), 100000 + i), 1);
	assert_int_equal(check(ms, peer_a, 2000, 100000), 0);
	midstore_get_stats(ms, &st);
	assert_int_equal(st.mids_stored, 1001);
	assert_int_equal(st.duplicates, 1000);
	assert_int_equal(st.sequential_peers, 1);
	/* rows of 16 bytes hold 65 MIDs: well under a byte per MID */
	assert_true(st.rows <= 1001 / 65 + 2);
	midstore_free(ms);
}

static void test_random_peer(void **state)
{
	struct midstore *ms = midstore_new(NULL);
	uint16_t mids[400];
	unsigned n = 0;

	while (n < 400) {
		uint16_t m = rnd16();
		bool seen = false;

		for (unsigned j = 0; j < n; j++)
			seen |= mids[j] == m;
		if (seen)
			continue;
		mids[n++] = m;
		assert_int_equal(check(ms, peer_a, m, n), 0);
	}
	assert_int_equal(midstore_peer_mode(ms, peer_a, strlen(peer_a)), MIDSTORE_LIST);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(check(ms, peer_a, mids[i], 1000 + i), 1);
	midstore_free(ms);
}

/* Lost and reordered messages from a sequential peer: no false duplicate, no miss. */
static void test_reordered_and_lost(void **state)
{
	struct midstore *ms = midstore_new(NULL);
	struct midstore_stats st;
	uint8_t seen[3000] = { 0 };

	for (unsigned i = 0; i < 3000; i += 4) {
		/* each group of four arrives as 2, 0, 3; the 1 is lost */
		static const unsigned order[] = { 2, 0, 3 };

		for (unsigned j = 0; j < 3; j++) {
			unsigned m = i + order[j];

			assert_int_equal(check(ms, peer_a, (uint16_t)(5000 + m), i), 0);
			seen[m] = 1;
		}
	}
	assert_int_equal(midstore_peer_mode(ms, peer_a, strlen(peer_a)), MIDSTORE_BITFIELD);
	for (unsigned m = 0; m < 3000; m++)
		assert_int_equal(check(ms, peer_a, (uint16_t)(5000 + m), 4000), seen[m]);
	midstore_get_stats(ms, &st);
	assert_int_equal(st.evictions, 0);
	printf("reordered sequential peer: %u rows for %llu MIDs, %.2f bytes/MID\n", st.rows,
	       (unsigned long long)st.mids_stored, (double)st.bytes / (double)st.mids_stored);
	midstore_free(ms);
}

static void test_wrap_around(void **state)
{
	struct midstore *ms = midstore_new(NULL);

	for (unsigned i = 0; i < 200; i++)
		assert_int_equal(check(ms, peer_a, (uint16_t)(65500 + i), i), 0);
	assert_int_equal(midstore_peer_mode(ms, peer_a, strlen(peer_a)), MIDSTORE_BITFIELD);
	assert_int_equal(check(ms, peer_a, 65535, 300), 1);
	assert_int_equal(check(ms, peer_a, 0, 300), 1);
	assert_int_equal(check(ms, peer_a, 163, 300), 1);
	assert_int_equal(check(ms, peer_a, 164, 300), 0);
	assert_int_equal(check(ms, peer_a, 65499, 300), 0);
	midstore_free(ms);
}

static void test_lifetime(void **state)
{
	struct midstore_config cfg = { .lifetime_ms = 10000 };
	struct midstore *ms = midstore_new(&cfg);
	struct midstore_stats st;

	assert_int_equal(check(ms, peer_a, 42, 0), 0);
	assert_int_equal(check(ms, peer_a, 42, 9999), 1);
	/* after the lifetime the peer may reuse the MID */
	assert_int_equal(check(ms, peer_a, 42, 10001), 0);
	midstore_expire(ms, 30000);
	midstore_get_stats(ms, &st);
	assert_int_equal(st.peers, 0);
	assert_int_equal(st.mids_stored, 0);
	midstore_free(ms);
}

/* A row whose time keeps moving must still expire: it stops growing at half the lifetime. */
static void test_rows_do_not_live_forever(void **state)
{
	struct midstore_config cfg = { .lifetime_ms = 10000 };
	struct midstore *ms = midstore_new(&cfg);

	/* one MID every second: MIDs 0..63 would fit one row, but rows stop at 5 s */
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(check(ms, peer_a, (uint16_t)i, i * 1000ull), 0);
	/* MID 0 was seen 63 s ago: forgotten, although MID 5's row is young */
	assert_int_equal(check(ms, peer_a, 0, 64000), 0);
	assert_int_equal(check(ms, peer_a, 60, 64000), 1);
	midstore_free(ms);
}

static void test_peers_are_separate(void **state)
{
	struct midstore *ms = midstore_new(NULL);

	assert_int_equal(check(ms, peer_a, 7, 0), 0);
	assert_int_equal(check(ms, peer_b, 7, 0), 0);
	assert_int_equal(check(ms, peer_a, 7, 1), 1);
	assert_int_equal(check(ms, peer_b, 7, 1), 1);
	assert_int_equal(midstore_peer_mode(ms, "[::3]:1", 7), -ENOENT);
	assert_int_equal(midstore_check(ms, peer_a, 0, 1, 0), -EINVAL);
	assert_int_equal(midstore_check(ms, peer_a, MIDSTORE_MAX_KEY + 1, 1, 0), -EINVAL);
	midstore_free(ms);
}

static void test_bounds(void **state)
{
	struct midstore_config cfg = { .max_peers = 8, .max_entries = 16, .max_rows = 2 };
	struct midstore *ms = midstore_new(&cfg);
	struct midstore_stats st;
	char key[16];

	for (unsigned i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "peer-%u", i);
		check(ms, key, 1, i);
	}
	midstore_get_stats(ms, &st);
	assert_int_equal(st.peers, 8);
	/* the oldest peers went first */
	assert_int_equal(midstore_peer_mode(ms, "peer-0", 6), -ENOENT);
	assert_int_equal(midstore_peer_mode(ms, "peer-19", 7), MIDSTORE_LIST);

	for (unsigned i = 0; i < 40; i++)
		check(ms, peer_a, rnd16(), 100 + i);
	for (unsigned i = 0; i < 1000; i++)
		check(ms, peer_b, (uint16_t)i, 200 + i);
	midstore_get_stats(ms, &st);
	assert_true(st.entries <= 7 * 16 + 16);
	assert_true(st.rows <= 2);
	assert_true(st.evictions > 0);
	midstore_free(ms);
}

/* A peer that restarts with random MIDs falls back to list mode and loses nothing. */
static void test_mode_switch_back(void **state)
{
	struct midstore *ms = midstore_new(NULL);
	uint16_t random_mids[64];

	for (unsigned i = 0; i < 100; i++)
		check(ms, peer_a, (uint16_t)(300 + i), i);
	assert_int_equal(midstore_peer_mode(ms, peer_a, strlen(peer_a)), MIDSTORE_BITFIELD);
	for (unsigned i = 0; i < 64; i++) {
		random_mids[i] = (uint16_t)(20000 + i * 617);
		assert_int_equal(check(ms, peer_a, random_mids[i], 200 + i), 0);
	}
	assert_int_equal(midstore_peer_mode(ms, peer_a, strlen(peer_a)), MIDSTORE_LIST);
	for (unsigned i = 0; i < 100; i++)
		assert_int_equal(check(ms, peer_a, (uint16_t)(300 + i), 400), 1);
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(check(ms, peer_a, random_mids[i], 400), 1);
	midstore_free(ms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequential_peer),
		cmocka_unit_test(test_random_peer),
		cmocka_unit_test(test_reordered_and_lost),
		cmocka_unit_test(test_wrap_around),
		cmocka_unit_test(test_lifetime),
		cmocka_unit_test(test_rows_do_not_live_forever),
		cmocka_unit_test(test_peers_are_separate),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_mode_switch_back),
	};

	return cmocka_run_group_tests_name("midstore", tests, NULL, NULL);
}
