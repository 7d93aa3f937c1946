/*
 * niddquota: limits parsed (and refused), messages and bytes counted in
 * fixed windows that start anew, nothing counted for a refused downlink,
 * the JSON of what is set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>

#include "niddquota.h"

static void test_parse(void **state)
{
	struct niddquota_limit l;
	static const char *const bad[] = {
		"x",      "3",     "3/",      "3/week",  "-3/hour",
		"0/hour", "/hour", "3/hours", " 3/hour", "99999999999999999999999/day"
	};

	assert_int_equal(niddquota_parse("10/minute", &l), 0);
	assert_true(l.max == 10 && l.window_s == 60);
	assert_int_equal(niddquota_parse("2000/day", &l), 0);
	assert_true(l.max == 2000 && l.window_s == 86400);
	assert_int_equal(niddquota_parse("", &l), 0);
	assert_int_equal(l.max, 0);
	assert_int_equal(niddquota_parse("0", &l), 0);
	assert_int_equal(niddquota_parse(NULL, &l), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (niddquota_parse(bad[i], &l) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
}

static void test_windows(void **state)
{
	struct niddquota q = { 0 };
	time_t t = 3600 * 1000 + 10; /* 10 s into an hour */
	json_t *o;

	assert_null(niddquota_json(&q, t));
	assert_true(niddquota_take(&q, 5000, t)); /* no limits */
	assert_int_equal(niddquota_parse("3/hour", &q.messages), 0);
	assert_int_equal(niddquota_parse("100/minute", &q.bytes), 0);
	assert_true(niddquota_take(&q, 40, t));
	assert_true(niddquota_take(&q, 40, t + 1));
	/* 120 bytes in this minute would pass 100: refused, nothing counted */
	assert_false(niddquota_take(&q, 40, t + 2));
	assert_int_equal(q.messages_used, 2);
	/* the next minute: bytes anew, the third message of the hour */
	assert_true(niddquota_take(&q, 40, t + 60));
	assert_false(niddquota_take(&q, 1, t + 61));
	o = niddquota_json(&q, t + 61);
	assert_int_equal(json_integer_value(
				 json_object_get(json_object_get(o, "downlink_messages"), "used")),
			 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "downlink_messages"),
							    "resets_in")),
			 3600 - 71);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(o, "downlink_bytes"), "per")),
		"minute");
	json_decref(o);
	/* the next hour */
	assert_true(niddquota_take(&q, 1, t + 3600));
	o = niddquota_json(&q, t + 7200);
	assert_int_equal(json_integer_value(
				 json_object_get(json_object_get(o, "downlink_messages"), "used")),
			 0);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_windows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
