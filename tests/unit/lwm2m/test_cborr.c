#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_cborr.h"
#include "lwm2m_test.h"

static struct lwm2m_cborr_item one(const char *hex)
{
	static uint8_t buf[64];
	size_t n = unhex(hex, buf, sizeof(buf));
	struct lwm2m_cborr r;
	struct lwm2m_cborr_item it;
	struct lwm2m_error err;

	lwm2m_cborr_init(&r, buf, n);
	if (lwm2m_cborr_next(&r, &it, &err) != 0)
		fail_msg("%s: %s", hex, err.msg);
	return it;
}

/* RFC 8949 Appendix A examples, through the inline one-byte path and through libcbor */
static void test_rfc8949_vectors(void **state)
{
	struct lwm2m_cborr_item it;

	it = one("17");
	assert_int_equal(it.kind, LWM2M_CBORR_UINT);
	assert_int_equal(it.u, 23);
	it = one("1818");
	assert_int_equal(it.u, 24);
	it = one("1bffffffffffffffff");
	assert_true(it.u == UINT64_MAX);
	it = one("20");
	assert_int_equal(it.kind, LWM2M_CBORR_NEGINT);
	assert_int_equal(it.u, 0); /* -1 */
	it = one("3903e7");
	assert_int_equal(it.u, 999); /* -1000 */
	it = one("f93e00");
	assert_int_equal(it.kind, LWM2M_CBORR_FLOAT);
	assert_true(it.f == 1.5);
	it = one("fb3ff199999999999a");
	assert_true(it.f == 1.1);
	it = one("f4");
	assert_int_equal(it.kind, LWM2M_CBORR_BOOL);
	assert_false(it.b);
	it = one("f5");
	assert_true(it.b);
	it = one("f6");
	assert_int_equal(it.kind, LWM2M_CBORR_NULL);
	it = one("f7");
	assert_int_equal(it.kind, LWM2M_CBORR_UNDEF);
	it = one("6449455446");
	assert_int_equal(it.kind, LWM2M_CBORR_TEXT);
	assert_int_equal(it.len, 4);
	assert_memory_equal(it.data, "IETF", 4);
	it = one("7818"
		 "616161616161616161616161616161616161616161616161");
	assert_int_equal(it.len, 24);
	it = one("4401020304");
	assert_int_equal(it.kind, LWM2M_CBORR_BYTES);
	it = one("83010203");
	assert_int_equal(it.kind, LWM2M_CBORR_ARRAY);
	assert_int_equal(it.u, 3);
	it = one("9f");
	assert_true(it.indefinite);
	it = one("a201020304");
	assert_int_equal(it.kind, LWM2M_CBORR_MAP);
	assert_int_equal(it.u, 2);
	it = one("c11a514b67b0");
	assert_int_equal(it.kind, LWM2M_CBORR_TAG);
	assert_int_equal(it.u, 1);
	it = one("7f");
	assert_int_equal(it.kind, LWM2M_CBORR_INDEF_STRING);
}

static int run(const char *hex, struct lwm2m_error *err)
{
	static uint8_t buf[64];
	size_t n = unhex(hex, buf, sizeof(buf));
	struct lwm2m_cborr r;
	struct lwm2m_cborr_item it;
	int rc;

	lwm2m_cborr_init(&r, buf, n);
	rc = lwm2m_cborr_next(&r, &it, err);
	if (rc == 0)
		rc = lwm2m_cborr_skip(&r, &it, err);
	if (rc == 0 && !lwm2m_cborr_at_end(&r))
		return 1;
	return rc;
}

static void test_skip_and_errors(void **state)
{
	struct lwm2m_error err;

	/* RFC 8949: [1, [2, 3], [4, 5]] and {_ "a": 1, "b": [_ 2, 3]} */
	assert_int_equal(run("8301820203820405", &err), 0);
	assert_int_equal(run("bf61610161629f0203ffff", &err), 0);
	assert_int_equal(run("62 61", &err), -EBADMSG);
	assert_string_equal(err.msg, "offset 0: CBOR item truncated: needs 3 bytes, 2 left");
	assert_int_equal(run("83 01 02", &err), -EBADMSG);
	assert_string_equal(err.msg, "offset 3: CBOR item expected, payload ended");
	assert_int_equal(run("1c", &err), -EBADMSG);
	assert_string_equal(err.msg, "offset 0: malformed CBOR (initial byte 0x1c)");
	assert_int_equal(run("82 01 ff", &err), -EBADMSG);
	assert_string_equal(err.msg, "offset 2: unexpected CBOR break");
	assert_int_equal(run("818181818181818181818181818181818101", &err), -EBADMSG);
	assert_string_equal(err.msg, "offset 16: CBOR nested more than 16 levels");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8949_vectors),
		cmocka_unit_test(test_skip_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
