#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_cborw.h"
#include "lwm2m_test.h"

static void expect(struct lwm2m_buf *b, const char *hex)
{
	uint8_t want[32];
	size_t n = unhex(hex, want, sizeof(want));

	assert_int_equal(b->len, n);
	assert_memory_equal(b->data, want, n);
	lwm2m_buf_reset(b);
}

/* RFC 8949 Appendix A examples */
static void test_rfc8949_vectors(void **state)
{
	struct lwm2m_buf b;

	lwm2m_buf_init(&b);
	lwm2m_cborw_uint(&b, 0);
	expect(&b, "00");
	lwm2m_cborw_uint(&b, 23);
	expect(&b, "17");
	lwm2m_cborw_uint(&b, 24);
	expect(&b, "1818");
	lwm2m_cborw_uint(&b, 1000);
	expect(&b, "1903e8");
	lwm2m_cborw_uint(&b, 1000000);
	expect(&b, "1a000f4240");
	lwm2m_cborw_uint(&b, 1000000000000);
	expect(&b, "1b000000e8d4a51000");
	lwm2m_cborw_uint(&b, UINT64_MAX);
	expect(&b, "1bffffffffffffffff");
	lwm2m_cborw_int(&b, -1);
	expect(&b, "20");
	lwm2m_cborw_int(&b, -100);
	expect(&b, "3863");
	lwm2m_cborw_int(&b, -1000);
	expect(&b, "3903e7");
	lwm2m_cborw_int(&b, INT64_MIN);
	expect(&b, "3b7fffffffffffffff");
	lwm2m_cborw_float(&b, 1.1);
	expect(&b, "fb3ff199999999999a");
	lwm2m_cborw_float(&b, 100000.0);
	expect(&b, "fa47c35000");
	lwm2m_cborw_float(&b, 3.4028234663852886e+38);
	expect(&b, "fa7f7fffff");
	lwm2m_cborw_float(&b, 1.0e+300);
	expect(&b, "fb7e37e43c8800759c");
	lwm2m_cborw_bool(&b, false);
	expect(&b, "f4");
	lwm2m_cborw_bool(&b, true);
	expect(&b, "f5");
	lwm2m_cborw_text(&b, "IETF", 4);
	expect(&b, "6449455446");
	lwm2m_cborw_bytes(&b, "\x01\x02\x03\x04", 4);
	expect(&b, "4401020304");
	lwm2m_cborw_array(&b, 3);
	lwm2m_cborw_uint(&b, 1);
	lwm2m_cborw_uint(&b, 2);
	lwm2m_cborw_uint(&b, 3);
	expect(&b, "83010203");
	lwm2m_cborw_map(&b, 2);
	lwm2m_cborw_uint(&b, 1);
	lwm2m_cborw_uint(&b, 2);
	lwm2m_cborw_uint(&b, 3);
	lwm2m_cborw_uint(&b, 4);
	expect(&b, "a201020304");
	lwm2m_cborw_tag(&b, 1);
	lwm2m_cborw_uint(&b, 1363896240);
	expect(&b, "c11a514b67b0");
	lwm2m_cborw_indef_map(&b);
	lwm2m_cborw_break(&b);
	expect(&b, "bfff");
	lwm2m_buf_fini(&b);
}

static void test_long_string_head(void **state)
{
	struct lwm2m_buf b;
	char s[300];

	memset(s, 'x', sizeof(s));
	lwm2m_buf_init(&b);
	assert_int_equal(lwm2m_cborw_text(&b, s, sizeof(s)), 0);
	assert_int_equal(b.len, 3 + sizeof(s));
	assert_int_equal(b.data[0], 0x79);
	assert_int_equal(b.data[1], 0x01);
	assert_int_equal(b.data[2], 0x2c);
	lwm2m_buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8949_vectors),
		cmocka_unit_test(test_long_string_head),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
