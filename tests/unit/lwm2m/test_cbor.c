#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_cbor.h"
#include "lwm2m_test.h"

/*
 * Read /3/0 in LwM2M CBOR, encoded by Python's cbor2 from
 * {3: {0: {0: "Open Mobile Alliance", ..., 6: {0: 1, 1: 5}, ..., 13: CBORTag(1, 1367491215), ...}}}
 */
static const char DEVICE_CBOR[] =
	"a103a100ad00744f70656e204d6f62696c6520416c6c69616e636501764c69676874776569676874204d324d"
	"20436c69656e7402693334353030303132330363312e3006a20001010507a200190ed80119138808a20018"
	"7d011903840918640a0f0ba100000dc11a5182428f0e662b30323a3030106155";

static int decode_hex(const char *hex, const char *base, struct lwm2m_doc *doc,
		      struct lwm2m_error *err)
{
	return decode_hex_with(lwm2m_cbor_decode, hex, base, doc, err);
}

static void test_device_against_cbor2(void **state)
{
	uint8_t bytes[512];
	size_t n = unhex(DEVICE_CBOR, bytes, sizeof(bytes));

	check_device_vector(lwm2m_cbor_decode, lwm2m_cbor_encode, bytes, n);
}

static void test_keys_types_indefinite(void **state)
{
	struct lwm2m_doc doc, back;
	struct lwm2m_buf out;
	struct lwm2m_error err;

	lwm2m_doc_init(&doc);
	lwm2m_doc_init(&back);
	lwm2m_buf_init(&out);
	/* {[3, 0]: {9: 87}}: a path-fragment key */
	if (decode_hex("a1 82 03 00 a1 09 18 57", "/3", &doc, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(doc.count, 1);
	assert_int_equal(doc.entries[0].path.len, 3);
	assert_int_equal(doc.entries[0].value.v.i, 87);
	/* indefinite maps, as some clients write them: {_ 8: {_ 8: {_ 0: 25}}} */
	assert_int_equal(decode_hex("bf 08 bf 08 bf 00 18 19 ff ff ff", "/", &doc, &err), 0);
	assert_int_equal(doc.entries[0].value.v.i, 25);
	/* cbor2: {3303: {0: {5700: 22.5}}, 5: {0: {0: h'0102'}}, 3: {0: {22: {0: "3:1"}}}} */
	assert_int_equal(
		decode_hex("a3190ce7a100a1191644fb403680000000000005a100a10042010203a100a116"
			   "a10063333a31",
			   "/", &doc, &err),
		0);
	assert_int_equal(doc.count, 3);
	assert_true(doc.entries[0].value.v.f == 22.5);
	assert_int_equal(doc.entries[1].value.type, LWM2M_TYPE_OPAQUE);
	assert_int_equal(doc.entries[2].value.type, LWM2M_TYPE_OBJLNK);
	lwm2m_doc_sort(&doc);
	assert_int_equal(lwm2m_cbor_encode(&doc, &out, &err), 0);
	assert_int_equal(lwm2m_cbor_decode(out.data, out.len, &doc.base, reg, &back, &err), 0);
	assert_docs_equal(&doc, &back);
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&doc);
	lwm2m_doc_fini(&back);
}

static void expect_bad(const char *hex, const char *base, const char *msg)
{
	expect_bad_hex(lwm2m_cbor_decode, hex, base, msg);
}

static void test_malformed(void **state)
{
	expect_bad("80", "/", "offset 0: LwM2M CBOR is a CBOR map keyed by path IDs");
	expect_bad("a1 03 a1 00 a1 09", "/", "offset 6: CBOR item expected, payload ended");
	expect_bad("a1 03 a1 00 a1 09 18 57 00", "/", "offset 8: 1 bytes after the CBOR map");
	expect_bad("a1 61 33 01", "/",
		   "offset 1: map keys must be path IDs (0..65534) or arrays of them");
	expect_bad("a1 19 ff ff 01", "/",
		   "offset 1: map keys must be path IDs (0..65534) or arrays of them");
	expect_bad("a1 85 01 02 03 04 05 00", "/", "offset 1: a path key holds 1 to 4 IDs");
	expect_bad("a1 03 01", "/", "offset 2: /3: a value needs a resource path");
	expect_bad("a1 83 03 00 09 18 57", "/4", "offset 5: /3/0/9 is outside the request path /4");
	expect_bad("a1 83 03 00 09 61 78", "/",
		   "offset 5: /3/0/9 is Integer but the payload carries String");
	expect_bad("a1 83 03 00 0d c2 01", "/",
		   "offset 5: /3/0/13: only tag 1 (epoch time) on an integer is allowed");
	expect_bad("a1 84 03 00 16 00 61 78", "/",
		   "offset 6: /3/0/22/0: text is not an object link O:I");
	expect_bad("a1 83 03 00 00 80", "/", "offset 5: /3/0/0: not a resource value");
	expect_bad("a1 84 03 00 07 00 a1 01 02", "/", "offset 7: path deeper than 4 levels");
}

static void test_encode_rejects_non_tree(void **state)
{
	struct lwm2m_doc doc;
	struct lwm2m_buf out;
	struct lwm2m_error err;

	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&out);
	add_entry(&doc, "/3/0/9", lwm2m_value_int(1));
	add_entry(&doc, "/3/0/0", lwm2m_value_int(1));
	assert_int_equal(lwm2m_cbor_encode(&doc, &out, &err), -EINVAL);
	assert_int_equal(out.len, 0);
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_against_cbor2),
		cmocka_unit_test(test_keys_types_indefinite),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_encode_rejects_non_tree),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
