#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_jsonw.h"

static const char *dbl(struct lwm2m_buf *b, double d, int keep)
{
	lwm2m_buf_reset(b);
	assert_int_equal(lwm2m_jsonw_double(b, d, keep), 0);
	return lwm2m_buf_cstr(b);
}

static void test_numbers(void **state)
{
	struct lwm2m_buf b;

	lwm2m_buf_init(&b);
	assert_string_equal(dbl(&b, 1.1, 0), "1.1");
	assert_string_equal(dbl(&b, 0.1 + 0.2, 0), "0.30000000000000004");
	assert_string_equal(dbl(&b, 22, 1), "22.0");
	assert_string_equal(dbl(&b, 22, 0), "22");
	assert_string_equal(dbl(&b, 1e300, 1), "1e+300");
	assert_string_equal(dbl(&b, -0.5, 1), "-0.5");
	assert_int_equal(lwm2m_jsonw_double(&b, NAN, 0), -EDOM);
	lwm2m_buf_reset(&b);
	assert_int_equal(lwm2m_jsonw_int(&b, INT64_MIN), 0);
	assert_string_equal(lwm2m_buf_cstr(&b), "-9223372036854775808");
	lwm2m_buf_reset(&b);
	assert_int_equal(lwm2m_jsonw_uint(&b, UINT64_MAX), 0);
	assert_string_equal(lwm2m_buf_cstr(&b), "18446744073709551615");
	lwm2m_buf_fini(&b);
}

static void test_strings(void **state)
{
	struct lwm2m_buf b;

	lwm2m_buf_init(&b);
	assert_int_equal(lwm2m_jsonw_string(&b, "a\"b\\c\n\x01\xc3\xa9", 9), 0);
	assert_string_equal(lwm2m_buf_cstr(&b), "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"");
	lwm2m_buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
