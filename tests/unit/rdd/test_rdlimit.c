/*
 * rdlimit: token buckets with the clock driven by the test (burst, refill,
 * the Max-Age of a refusal, addresses and not ports, IPv4 and IPv6 apart,
 * a clock set back), the table's bound and eviction, and the caps.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rdlimit.h"

static struct sockaddr_in6 v6(const char *text, uint16_t port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	assert_int_equal(inet_pton(AF_INET6, text, &sa.sin6_addr), 1);
	return sa;
}

static uint32_t take(struct rdlimit *l, const struct sockaddr_in6 *sa, int64_t now_ms)
{
	return rdlimit_take(l, (const struct sockaddr *)sa, now_ms);
}

static void test_bucket(void **state)
{
	struct rdlimit_config cfg = { .rate = 2, .burst = 3, .sources = 16 };
	struct sockaddr_in6 a = v6("2001:db8::1", 5683), a2 = v6("2001:db8::1", 40000);
	struct sockaddr_in6 b = v6("2001:db8::2", 5683);
	struct rdlimit *l;
	struct rdlimit_stats st;

	assert_int_equal(rdlimit_new(&cfg, &l), 0);
	/* a burst of 3 at once, then refused with Max-Age 1 (half a second to a token at 2/s) */
	for (int i = 0; i < 3; i++)
		assert_int_equal(take(l, &a, 1000), 0);
	assert_int_equal(take(l, &a, 1000), 1);
	/* another port of the same address shares the bucket; another address does not */
	assert_int_equal(take(l, &a2, 1000), 1);
	assert_int_equal(take(l, &b, 1000), 0);
	/* 499 ms refill 0.998 of a token: not yet; 500 ms one */
	assert_int_equal(take(l, &a, 1499), 1);
	assert_int_equal(take(l, &a, 1500), 0);
	assert_int_equal(take(l, &a, 1500), 1);
	/* a long pause fills the bucket to the burst, not beyond */
	for (int i = 0; i < 3; i++)
		assert_int_equal(take(l, &a, 100000), 0);
	assert_int_equal(take(l, &a, 100000), 1);
	/* a clock set back refills nothing */
	assert_int_equal(take(l, &a, 5000), 1);
	rdlimit_get_stats(l, &st);
	assert_int_equal(st.rate_limited, 6);
	assert_int_equal(st.sources, 2);
	rdlimit_free(l);
}

static void test_max_age_rounds_up(void **state)
{
	struct rdlimit_config cfg = { .rate = 1, .burst = 1, .sources = 4 };
	struct sockaddr_in6 a = v6("::1", 1);
	struct rdlimit *l;

	assert_int_equal(rdlimit_new(&cfg, &l), 0);
	assert_int_equal(take(l, &a, 0), 0);
	assert_int_equal(take(l, &a, 1), 1); /* 999 ms to wait: 1 s */
	/* off: everything passes, nothing is tracked */
	cfg.rate = 0;
	rdlimit_set_config(l, &cfg);
	for (int i = 0; i < 100; i++)
		assert_int_equal(take(l, &a, 2), 0);
	rdlimit_free(l);
}

static void test_ipv4_and_mapped(void **state)
{
	struct rdlimit_config cfg = { .rate = 1, .burst = 1, .sources = 8 };
	struct sockaddr_in v4 = { .sin_family = AF_INET };
	struct sockaddr_in6 mapped = v6("::ffff:192.0.2.7", 1), other = v6("2001:db8::7", 1);
	struct rdlimit *l;

	assert_int_equal(inet_pton(AF_INET, "192.0.2.7", &v4.sin_addr), 1);
	assert_int_equal(rdlimit_new(&cfg, &l), 0);
	assert_int_equal(rdlimit_take(l, (const struct sockaddr *)&v4, 0), 0);
	/* the same host over a dual-stack socket is the same source */
	assert_int_equal(take(l, &mapped, 0), 1);
	assert_int_equal(take(l, &other, 0), 0);
	rdlimit_free(l);
}

static void test_table_is_bounded(void **state)
{
	struct rdlimit_config cfg = { .rate = 1, .burst = 1, .sources = 8 };
	struct rdlimit *l;
	struct rdlimit_stats st;
	char text[64];

	assert_int_equal(rdlimit_new(&cfg, &l), 0);
	for (int i = 0; i < 1000; i++) {
		struct sockaddr_in6 sa;

		snprintf(text, sizeof(text), "2001:db8::%x", i + 1);
		sa = v6(text, 1);
		assert_int_equal(take(l, &sa, i), 0);
	}
	rdlimit_get_stats(l, &st);
	assert_int_equal(st.sources, 8);
	assert_int_equal(st.evictions, 1000 - 8);
	rdlimit_free(l);
}

static void test_caps(void **state)
{
	struct rdlimit_config cfg = { .max_registrations = 2, .max_links = 10, .sources = 4 };
	struct rdlimit *l;
	struct rdlimit_stats st;

	assert_int_equal(rdlimit_new(&cfg, &l), 0);
	assert_int_equal(rdlimit_room(l, 1, 5, 1, 5, 0), 0);
	assert_int_equal(rdlimit_room(l, 2, 5, 1, 0, 0), RDLIMIT_FULL_RETRY_S);
	assert_int_equal(rdlimit_room(l, 2, 5, 0, 5, 0), 0); /* a replacement, to exactly the cap */
	assert_int_equal(rdlimit_room(l, 2, 10, 0, 1, 0), RDLIMIT_FULL_RETRY_S);
	assert_int_equal(rdlimit_room(l, 3, 12, 0, -1, 0), 0); /* fewer is fine, even past a cap */
	cfg.max_registrations = cfg.max_links = 0;             /* no caps */
	rdlimit_set_config(l, &cfg);
	assert_int_equal(rdlimit_room(l, 1000000, 1000000, 1, 1000, 0), 0);
	rdlimit_get_stats(l, &st);
	assert_int_equal(st.full_registrations, 1);
	assert_int_equal(st.full_links, 1);
	rdlimit_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket),
		cmocka_unit_test(test_max_age_rounds_up),
		cmocka_unit_test(test_ipv4_and_mapped),
		cmocka_unit_test(test_table_is_bounded),
		cmocka_unit_test(test_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
