#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_buf.h"

static void test_append_grow_reset(void **state)
{
	struct lwm2m_buf b;

	lwm2m_buf_init(&b);
	assert_null(b.data);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(lwm2m_buf_append_byte(&b, (uint8_t)i), 0);
	assert_int_equal(b.len, 1000);
	assert_int_equal(b.data[999], (uint8_t)999);
	assert_int_equal(lwm2m_buf_printf(&b, "%s-%d", "x", 42), 0);
	assert_memory_equal(b.data + 1000, "x-42", 4);
	lwm2m_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_true(b.cap >= 1004);
	assert_int_equal(lwm2m_buf_append_str(&b, "abc"), 0);
	assert_string_equal(lwm2m_buf_cstr(&b), "abc");
	assert_int_equal(b.len, 3);
	assert_int_equal(lwm2m_buf_reserve(&b, SIZE_MAX), -ENOMEM);
	lwm2m_buf_fini(&b);
	assert_null(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_grow_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
