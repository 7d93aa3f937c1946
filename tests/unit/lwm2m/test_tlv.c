#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_tlv.h"
#include "lwm2m_test.h"

static void test_decode_spec_device(void **state)
{
	uint8_t buf[256];
	size_t n = unhex(DEVICE_TLV_HEX, buf, sizeof(buf));
	struct lwm2m_doc got, want;
	struct lwm2m_path base = tp("/3/0");
	struct lwm2m_error err;

	lwm2m_doc_init(&got);
	lwm2m_doc_init(&want);
	device_doc(&want);
	assert_int_equal(lwm2m_tlv_decode(buf, n, &base, reg, &got, &err), 0);
	assert_docs_equal(&got, &want);
	assert_true(lwm2m_path_equal(&got.base, &base));
	lwm2m_doc_fini(&got);
	lwm2m_doc_fini(&want);
}

static void test_encode_spec_device(void **state)
{
	uint8_t want[256];
	size_t n = unhex(DEVICE_TLV_HEX, want, sizeof(want));
	struct lwm2m_doc doc;
	struct lwm2m_buf out;

	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&out);
	device_doc(&doc);
	assert_int_equal(lwm2m_tlv_encode(&doc, &out, NULL), 0);
	assert_int_equal(out.len, n);
	assert_memory_equal(out.data, want, n);
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&doc);
}

/* Read /2: two Access Control instances, one with a 16-bit resource instance ID */
static const char ACL_HEX[] = "08 00 0E C1 00 01 C1 01 00 83 02 41 7F 07 C1 03 7F"
			      "08 02 12 C1 00 03 C1 01 00 87 02 41 7F 07 61 01 36 01 C1 03 7F";

static void test_object_instances_roundtrip(void **state)
{
	uint8_t buf[64];
	size_t n = unhex(ACL_HEX, buf, sizeof(buf));
	struct lwm2m_doc doc;
	struct lwm2m_buf out;
	struct lwm2m_path base = tp("/2");
	const struct lwm2m_entry *e;

	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&out);
	assert_int_equal(lwm2m_tlv_decode(buf, n, &base, reg, &doc, NULL), 0);
	assert_int_equal(doc.count, 9);
	struct lwm2m_path p = tp("/2/2/2/310");
	e = lwm2m_doc_find(&doc, &p);
	assert_non_null(e);
	assert_int_equal(e->value.type, LWM2M_TYPE_INTEGER);
	assert_int_equal(e->value.v.i, 1);
	assert_int_equal(lwm2m_tlv_encode(&doc, &out, NULL), 0);
	assert_int_equal(out.len, n);
	assert_memory_equal(out.data, buf, n);
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&doc);
}

static void test_single_resource_and_instance(void **state)
{
	uint8_t buf[32], ri[8];
	size_t n = unhex("88 07 08 42 00 0E D8 42 01 13 88", buf, sizeof(buf));
	size_t m = unhex("42 01 13 88", ri, sizeof(ri));
	struct lwm2m_doc doc;
	struct lwm2m_buf out;
	struct lwm2m_path base = tp("/3/0/7");

	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&out);
	assert_int_equal(lwm2m_tlv_decode(buf, n, &base, reg, &doc, NULL), 0);
	assert_int_equal(doc.count, 2);
	assert_int_equal(doc.entries[1].value.v.i, 5000);
	assert_int_equal(lwm2m_tlv_encode(&doc, &out, NULL), 0);
	assert_int_equal(out.len, n);
	assert_memory_equal(out.data, buf, n);
	/* the same bytes read for /3/0/7/1 are outside the request path */
	base = tp("/3/0/7/1");
	lwm2m_doc_reset(&doc);
	assert_int_equal(lwm2m_tlv_decode(buf, n, &base, reg, &doc, NULL), -EBADMSG);
	lwm2m_doc_reset(&doc);
	assert_int_equal(lwm2m_tlv_decode(ri, m, &base, reg, &doc, NULL), 0);
	assert_int_equal(doc.count, 1);
	lwm2m_buf_reset(&out);
	assert_int_equal(lwm2m_tlv_encode(&doc, &out, NULL), 0);
	assert_int_equal(out.len, m);
	assert_memory_equal(out.data, ri, m);
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&doc);
}

static void test_types_and_wide_headers(void **state)
{
	struct lwm2m_doc doc, back;
	struct lwm2m_buf out;
	char big[300];
	uint8_t want[8];

	memset(big, 'a', sizeof(big));
	lwm2m_doc_init(&doc);
	lwm2m_doc_init(&back);
	lwm2m_buf_init(&out);
	doc.base = tp("/3303/0");
	add_entry(&doc, "/3303/0/5700", lwm2m_value_float(22.5));
	assert_int_equal(lwm2m_tlv_encode(&doc, &out, NULL), 0);
	/* 16-bit identifier, 4-byte float */
	assert_int_equal(out.len, unhex("E4 16 44 41 B4 00 00", want, sizeof(want)));
	assert_memory_equal(out.data, want, out.len);
	lwm2m_doc_reset(&doc);
	lwm2m_buf_reset(&out);
	doc.base = tp("/3/0");
	add_entry(&doc, "/3/0/0", lwm2m_value_bytes(LWM2M_TYPE_STRING, big, sizeof(big)));
	add_entry(&doc, "/3/0/9", lwm2m_value_int(-129));
	add_entry(&doc, "/3/0/13", lwm2m_value_time(INT64_MIN));
	add_entry(&doc, "/3/0/22/0", lwm2m_value_objlnk(3, 1));
	assert_int_equal(lwm2m_tlv_encode(&doc, &out, NULL), 0);
	assert_int_equal(out.data[0], 0xD0); /* 16-bit length */
	assert_int_equal(out.data[2], 0x01);
	assert_int_equal(out.data[3], 0x2C);
	assert_int_equal(lwm2m_tlv_decode(out.data, out.len, &doc.base, reg, &back, NULL), 0);
	assert_docs_equal(&doc, &back);
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&doc);
	lwm2m_doc_fini(&back);
}

static void test_unknown_object_is_opaque(void **state)
{
	uint8_t buf[8];
	size_t n = unhex("C2 05 12 34", buf, sizeof(buf));
	struct lwm2m_doc doc;
	struct lwm2m_path base = tp("/9999/0");

	lwm2m_doc_init(&doc);
	assert_int_equal(lwm2m_tlv_decode(buf, n, &base, reg, &doc, NULL), 0);
	assert_int_equal(doc.entries[0].value.type, LWM2M_TYPE_OPAQUE);
	assert_int_equal(doc.entries[0].value.v.bytes.len, 2);
	lwm2m_doc_reset(&doc);
	/* no registry at all: everything is opaque */
	base = tp("/3/0");
	assert_int_equal(lwm2m_tlv_decode(buf, n, &base, NULL, &doc, NULL), 0);
	assert_int_equal(doc.entries[0].value.type, LWM2M_TYPE_OPAQUE);
	lwm2m_doc_fini(&doc);
}

static void expect_bad(const char *hex, const char *base, const char *msg)
{
	expect_bad_hex(lwm2m_tlv_decode, hex, base, msg);
}

static void test_malformed(void **state)
{
	expect_bad("C8", "/3/0", "offset 0: TLV header needs 3 bytes, only 1 left");
	expect_bad("C3 09 64", "/3/0",
		   "offset 0: TLV value length 3 runs past the end (1 bytes left)");
	expect_bad("C1 09 64 C2 09", "/3/0",
		   "offset 3: TLV value length 2 runs past the end (0 bytes left)");
	expect_bad("C3 09 00 00 01", "/3/0",
		   "offset 0: /3/0/9: 3 bytes is not a valid Integer length");
	expect_bad("E1 16 DA 02", "/3311/0",
		   "offset 0: /3311/0/5850: Boolean value 2 is neither 0 nor 1");
	expect_bad("C1 0A 0F", "/3/0/9",
		   "offset 0: Resource TLV with ID 10 is outside the request path");
	expect_bad("41 00 01", "/3/0",
		   "offset 0: Resource Instance TLV cannot appear at the top level of "
		   "a payload for a path of depth 2");
	expect_bad("83 06 C1 00 01", "/3/0",
		   "offset 2: Resource TLV cannot appear inside this TLV");
	expect_bad("C2 00 C3 28", "/3/0", "offset 0: /3/0/0: String value is not UTF-8");
	expect_bad("E1 FF FF 01", "/3/0", "offset 0: TLV identifier 65535 is reserved");
	expect_bad("C4 0D 00", "/3/0",
		   "offset 0: TLV value length 4 runs past the end (1 bytes left)");
}

static void test_encode_rejects(void **state)
{
	struct lwm2m_doc doc;
	struct lwm2m_buf out;
	struct lwm2m_error err;

	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&out);
	add_entry(&doc, "/3/0/9", lwm2m_value_int(1));
	assert_int_equal(lwm2m_tlv_encode(&doc, &out, &err), -EINVAL); /* root base */
	doc.base = tp("/3/0");
	add_entry(&doc, "/3/0/9", lwm2m_value_int(2));
	assert_int_equal(lwm2m_tlv_encode(&doc, &out, &err), -EINVAL); /* duplicate */
	assert_string_equal(err.msg,
			    "entry 1: TLV needs sorted, distinct leaf paths under the base");
	assert_int_equal(out.len, 0);
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_spec_device),
		cmocka_unit_test(test_encode_spec_device),
		cmocka_unit_test(test_object_instances_roundtrip),
		cmocka_unit_test(test_single_resource_and_instance),
		cmocka_unit_test(test_types_and_wide_headers),
		cmocka_unit_test(test_unknown_object_is_opaque),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_encode_rejects),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
