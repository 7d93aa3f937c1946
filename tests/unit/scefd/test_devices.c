/*
 * test_devices — scefd's device list: items with their options (state,
 * loss, PSM/eDRX cycle, quotas), the [devices] defaults, refusals.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "devices.h"

static void test_cycle_parse(void **state)
{
	(void)state;
	unsigned s = 9, a = 9;
	assert_int_equal(device_cycle_parse("30/5", &s, &a), 0);
	assert_int_equal(s, 30);
	assert_int_equal(a, 5);
	assert_int_equal(device_cycle_parse("", &s, &a), 0);
	assert_int_equal(s, 0);
	assert_int_equal(device_cycle_parse("off", &s, &a), 0);
	const char *bad[] = { "30", "0/5", "30/", "/5", "30/5x", "-1/5", "2678401/1", "1/86401" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(device_cycle_parse(bad[i], &s, &a), -EINVAL);
}

static void test_items_and_defaults(void **state)
{
	(void)state;
	struct device_defaults def = {
		.loss = 7, .sleep = 100, .active = 10, .sleeps = DEVICE_EDRX
	};
	quota_set(def.quota, "plmn_ul", "4");
	struct device *v;
	size_t n;
	char why[160];
	assert_int_equal(devices_parse("a@x,49170000001,1000 "
				       "b@x,49170000002,1001,psm,loss=50,psm=30/5,plmn_ul=,"
				       "bytes_dl=100/day",
				       &def, &v, &n, why, sizeof(why)),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].state, DEVICE_REACHABLE);
	assert_int_equal(v[0].loss, 7);
	assert_int_equal(v[0].sleeps, DEVICE_EDRX);
	assert_int_equal(v[0].sleep, 100);
	assert_int_equal(v[0].quota.lim[QUOTA_PLMN_UL].n, 4);
	assert_int_equal(v[1].state, DEVICE_PSM);
	assert_int_equal(v[1].loss, 50);
	assert_int_equal(v[1].sleeps, DEVICE_PSM);
	assert_int_equal(v[1].sleep, 30);
	assert_int_equal(v[1].active, 5);
	assert_int_equal(v[1].quota.lim[QUOTA_PLMN_UL].n, 0);
	assert_int_equal(v[1].quota.lim[QUOTA_BYTES_DL].n, 100);
	free(v);
}

static void test_refusals(void **state)
{
	(void)state;
	struct device_defaults def = { 0 };
	struct device *v;
	size_t n;
	char why[160];
	const char *bad[] = {
		"a@x,49170000001,1000,loss=101",
		"a@x,49170000001,1000,psm=0/1",
		"a@x,49170000001,1000,sleepy",
		"a@x,49170000001,1000,apn_ul=5",
		"a@x,49170000001,1000,1,2,3,4,5,6,7,8,9,10,11,12,13,14",
		"a@x,49170000001,1000 b@x,49170000002,1000",
		"a@x,49170000001",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(devices_parse(bad[i], &def, &v, &n, why, sizeof(why)), -EINVAL);
		assert_true(why[0] != '\0');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cycle_parse),
		cmocka_unit_test(test_items_and_defaults),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
