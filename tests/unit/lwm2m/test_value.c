#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_value.h"

static void test_type_names(void **state)
{
	enum lwm2m_type t;

	for (int i = LWM2M_TYPE_STRING; i <= LWM2M_TYPE_CORELNK; i++) {
		assert_int_equal(lwm2m_type_parse(lwm2m_type_name((enum lwm2m_type)i), &t), 0);
		assert_int_equal(t, i);
	}
	assert_int_equal(lwm2m_type_parse("", &t), 0);
	assert_int_equal(t, LWM2M_TYPE_NONE);
	assert_int_equal(lwm2m_type_parse("unsigned integer", &t), 0);
	assert_int_equal(t, LWM2M_TYPE_UNSIGNED);
	assert_int_equal(lwm2m_type_parse("Strng", &t), -EINVAL);
}

static void test_coerce(void **state)
{
	struct lwm2m_value v = lwm2m_value_int(42);

	assert_int_equal(lwm2m_value_coerce(&v, LWM2M_TYPE_FLOAT), 0);
	assert_true(v.v.f == 42.0);
	assert_int_equal(lwm2m_value_coerce(&v, LWM2M_TYPE_UNSIGNED), 0);
	assert_int_equal(v.v.u, 42);
	v = lwm2m_value_float(1.5);
	assert_int_equal(lwm2m_value_coerce(&v, LWM2M_TYPE_INTEGER), -ERANGE);
	v = lwm2m_value_int(-1);
	assert_int_equal(lwm2m_value_coerce(&v, LWM2M_TYPE_UNSIGNED), -ERANGE);
	v = lwm2m_value_uint(UINT64_MAX);
	assert_int_equal(lwm2m_value_coerce(&v, LWM2M_TYPE_INTEGER), -ERANGE);
	v = lwm2m_value_int(1367491215);
	assert_int_equal(lwm2m_value_coerce(&v, LWM2M_TYPE_TIME), 0);
	assert_int_equal(v.type, LWM2M_TYPE_TIME);
	v = lwm2m_value_bytes(LWM2M_TYPE_STRING, "x", 1);
	assert_int_equal(lwm2m_value_coerce(&v, LWM2M_TYPE_INTEGER), -EINVAL);
	assert_int_equal(lwm2m_value_coerce(&v, LWM2M_TYPE_CORELNK), 0);
	v = lwm2m_value_float(NAN);
	assert_int_equal(lwm2m_value_coerce(&v, LWM2M_TYPE_INTEGER), -ERANGE);
}

static void test_objlnk(void **state)
{
	struct lwm2m_objlnk l;
	char buf[12];

	assert_int_equal(lwm2m_objlnk_parse("3:0", 3, &l), 0);
	assert_int_equal(l.obj, 3);
	assert_int_equal(l.inst, 0);
	assert_int_equal(lwm2m_objlnk_parse("65535:65535", 11, &l), 0);
	assert_int_equal(lwm2m_objlnk_format(l, buf, sizeof(buf)), 11);
	assert_string_equal(buf, "65535:65535");
	assert_int_equal(lwm2m_objlnk_parse("65536:0", 7, &l), -EINVAL);
	assert_int_equal(lwm2m_objlnk_parse(":1", 2, &l), -EINVAL);
	assert_int_equal(lwm2m_objlnk_parse("1:", 2, &l), -EINVAL);
	assert_int_equal(lwm2m_objlnk_parse("1:2:3", 5, &l), -EINVAL);
	assert_int_equal(lwm2m_objlnk_parse("12", 2, &l), -EINVAL);
}

static void test_utf8(void **state)
{
	assert_true(lwm2m_utf8_valid((const uint8_t *)"h\xc3\xa9llo \xe2\x82\xac", 11));
	assert_true(lwm2m_utf8_valid((const uint8_t *)"\xf0\x9f\x98\x80", 4));
	assert_false(lwm2m_utf8_valid((const uint8_t *)"\xc3", 1));         /* truncated */
	assert_false(lwm2m_utf8_valid((const uint8_t *)"\xc0\xaf", 2));     /* overlong */
	assert_false(lwm2m_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3)); /* surrogate */
	assert_false(lwm2m_utf8_valid((const uint8_t *)"\xff", 1));
}

static void test_equal(void **state)
{
	struct lwm2m_value a = lwm2m_value_bytes(LWM2M_TYPE_OPAQUE, "\x01\x02", 2);
	struct lwm2m_value b = lwm2m_value_bytes(LWM2M_TYPE_OPAQUE, "\x01\x02", 2);
	struct lwm2m_value c = lwm2m_value_bytes(LWM2M_TYPE_STRING, "\x01\x02", 2);

	assert_true(lwm2m_value_equal(&a, &b));
	assert_false(lwm2m_value_equal(&a, &c));
	a = lwm2m_value_objlnk(3, 0);
	b = lwm2m_value_objlnk(3, 1);
	assert_false(lwm2m_value_equal(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_names), cmocka_unit_test(test_coerce),
		cmocka_unit_test(test_objlnk),     cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_equal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
