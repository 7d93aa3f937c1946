#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_error.h"

static void test_set_and_clear(void **state)
{
	struct lwm2m_error err;
	char long_msg[400];

	assert_int_equal(lwm2m_error_set(&err, -EBADMSG, 12, "bad %s", "thing"), -EBADMSG);
	assert_string_equal(err.msg, "offset 12: bad thing");
	assert_int_equal(err.offset, 12);
	assert_int_equal(lwm2m_error_set(&err, -EINVAL, SIZE_MAX, "no offset"), -EINVAL);
	assert_string_equal(err.msg, "no offset");
	assert_int_equal(lwm2m_error_set(NULL, -ENOMEM, 0, "ignored"), -ENOMEM);
	memset(long_msg, 'a', sizeof(long_msg) - 1);
	long_msg[sizeof(long_msg) - 1] = '\0';
	lwm2m_error_set(&err, -EBADMSG, 1, "%s", long_msg);
	assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1); /* truncated, terminated */
	lwm2m_error_clear(&err);
	assert_int_equal(err.code, 0);
	assert_string_equal(err.msg, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_and_clear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
