/*
 * test_quota — scefd's rate control and byte quotas: parsing of the
 * limits, fixed windows, every limit of a direction checked before any
 * is counted, refusals counted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "quota.h"

static void test_parse(void **state)
{
	(void)state;
	struct quota_limit l[QUOTA_COUNT] = { 0 };
	assert_int_equal(quota_set(l, "plmn_ul", "10"), 0);
	assert_int_equal(l[QUOTA_PLMN_UL].n, 10);
	assert_int_equal(l[QUOTA_PLMN_UL].period, 360);
	assert_int_equal(quota_set(l, "apn_dl", "5/minute"), 0);
	assert_int_equal(l[QUOTA_APN_DL].period, 60);
	assert_int_equal(quota_option(l, "bytes_ul=2000/day"), 0);
	assert_int_equal(l[QUOTA_BYTES_UL].n, 2000);
	assert_int_equal(l[QUOTA_BYTES_UL].period, 86400);
	assert_int_equal(quota_set(l, "bytes_ul", ""), 0);
	assert_int_equal(l[QUOTA_BYTES_UL].n, 0);
	assert_int_equal(quota_set(l, "apn_dl", "0"), 0);
	assert_int_equal(l[QUOTA_APN_DL].n, 0);
	assert_int_equal(quota_set(l, "nope", "1"), -ENOENT);
	assert_int_equal(quota_option(l, "loss=5"), -ENOENT);
	assert_int_equal(quota_option(l, "reachable"), -ENOENT);
	const char *bad[][2] = { { "plmn_ul", "1/hour" }, { "apn_ul", "5" },
				 { "apn_ul", "5/week" },  { "bytes_dl", "-1/day" },
				 { "bytes_dl", "x" },     { "plmn_dl", "99999999999999999999" } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(quota_set(l, bad[i][0], bad[i][1]), -EINVAL);
}

static void test_plmn_window(void **state)
{
	(void)state;
	struct device_quota q = { 0 };
	struct quota_hit hit;
	quota_set(q.lim, "plmn_dl", "2");
	time_t t = 3600 * 1000 + 10; /* 10 s into a 6-minute interval */
	assert_true(quota_take(&q, false, 5, t, &hit));
	assert_true(quota_take(&q, false, 5, t + 100, &hit));
	assert_false(quota_take(&q, false, 5, t + 200, &hit));
	assert_int_equal(hit.kind, QUOTA_PLMN_DL);
	assert_int_equal(hit.limit, 2);
	assert_int_equal(hit.used, 2);
	assert_int_equal(hit.resets, t - 10 + 360);
	assert_int_equal(q.refused_dl, 1);
	/* Uplink is another count. */
	assert_true(quota_take(&q, true, 5, t + 200, &hit));
	/* The next interval starts from nothing. */
	assert_true(quota_take(&q, false, 5, t - 10 + 360, &hit));
}

static void test_bytes_and_rate_together(void **state)
{
	(void)state;
	struct device_quota q = { 0 };
	struct quota_hit hit;
	quota_set(q.lim, "bytes_ul", "10/hour");
	quota_set(q.lim, "apn_ul", "3/hour");
	time_t t = 7200;
	assert_true(quota_take(&q, true, 6, t, &hit));
	/* 6 + 5 bytes is over: refused, and the APN count not taken either. */
	assert_false(quota_take(&q, true, 5, t + 1, &hit));
	assert_int_equal(hit.kind, QUOTA_BYTES_UL);
	assert_int_equal(hit.used, 6);
	assert_true(quota_take(&q, true, 4, t + 2, &hit));
	assert_true(quota_take(&q, true, 0, t + 3, &hit));
	assert_false(quota_take(&q, true, 0, t + 4, &hit));
	assert_int_equal(hit.kind, QUOTA_APN_UL);
	assert_int_equal(q.refused_ul, 2);
	json_t *o = quota_json(&q, t + 5);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "apn_ul"), "used")),
			 3);
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(o, "bytes_ul"), "resets_in")),
		3600 - 5);
	assert_true(json_is_null(json_object_get(json_object_get(o, "plmn_dl"), "limit")));
	json_decref(o);
	/* A day later everything is back. */
	assert_true(quota_take(&q, true, 10, t + 86400, &hit));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_plmn_window),
		cmocka_unit_test(test_bytes_and_rate_together),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
