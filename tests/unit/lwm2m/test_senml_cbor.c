#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_senml_cbor.h"
#include "lwm2m_test.h"

/*
 * The TS Read /3/0 example as SenML CBOR, encoded by Python's cbor2 from
 * [{-2: "/3/0/", 0: "0", 3: "Open Mobile Alliance"}, {0: "1", ...}, ...].
 */
static const char DEVICE_SENML_CBOR[] =
	"90a321652f332f302f00613003744f70656e204d6f62696c6520416c6c69616e6365a200613103764c69"
	"676874776569676874204d324d20436c69656e74a20061320369333435303030313233a20061330363312e"
	"30a20063362f300201a20063362f310205a20063372f3002190ed8a20063372f3102191388a20063382f30"
	"02187da20063382f3102190384a2006139021864a200623130020fa2006431312f300200a20062313302"
	"1a5182428fa20062313403662b30323a3030a200623136036155";

static int decode_hex(const char *hex, const char *base, struct lwm2m_doc *doc,
		      struct lwm2m_error *err)
{
	return decode_hex_with(lwm2m_senml_cbor_decode, hex, base, doc, err);
}

static void test_device_against_cbor2(void **state)
{
	uint8_t bytes[512];
	size_t n = unhex(DEVICE_SENML_CBOR, bytes, sizeof(bytes));

	check_device_vector(lwm2m_senml_cbor_decode, lwm2m_senml_cbor_encode, bytes, n);
}

static void test_types_half_float_vlo(void **state)
{
	struct lwm2m_doc doc, back;
	struct lwm2m_error err;
	struct lwm2m_buf out;

	lwm2m_doc_init(&doc);
	lwm2m_doc_init(&back);
	lwm2m_buf_init(&out);
	/* cbor2 canonical: 22.5 as a half float */
	assert_int_equal(
		decode_hex("84a2006c2f333330332f302f3537303002f94da0a200662f352f302f3008430102"
			   "03a2006c2f333331312f302f3538353004f5a200692f332f302f32322f306376"
			   "6c6f63333a31",
			   "/", &doc, &err),
		0);
	assert_int_equal(doc.count, 4);
	assert_int_equal(doc.entries[0].value.type, LWM2M_TYPE_FLOAT);
	assert_true(doc.entries[0].value.v.f == 22.5);
	assert_int_equal(doc.entries[1].value.type, LWM2M_TYPE_OPAQUE);
	assert_int_equal(doc.entries[1].value.v.bytes.len, 3);
	assert_true(doc.entries[2].value.v.b);
	assert_int_equal(doc.entries[3].value.type, LWM2M_TYPE_OBJLNK);
	assert_int_equal(doc.entries[3].value.v.lnk.obj, 3);
	assert_int_equal(lwm2m_senml_cbor_encode(&doc, &out, &err), 0);
	assert_int_equal(lwm2m_senml_cbor_decode(out.data, out.len, &doc.base, reg, &back, &err),
			 0);
	assert_docs_equal(&doc, &back);
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&doc);
	lwm2m_doc_fini(&back);
}

static void test_base_fields_and_indefinite(void **state)
{
	struct lwm2m_doc doc;
	struct lwm2m_error err;

	lwm2m_doc_init(&doc);
	/* bn, bt, bv, an ignored text label, then a relative time (cbor2) */
	assert_int_equal(
		decode_hex("82a621682f333330332f302f221a4c0e856c24fb4034000000000000006435373030"
			   "02fb3ff800000000000069785f69676e6f72656407a3006435373030060a0202",
			   "/3303/0", &doc, &err),
		0);
	assert_int_equal(doc.count, 2);
	assert_true(doc.entries[0].value.v.f == 21.5);
	assert_true(doc.entries[0].time == 1276020076.0);
	assert_true(doc.entries[1].value.v.f == 22.0);
	assert_true(doc.entries[1].time == 1276020086.0);
	/* [_ {_ 0: "/3/0/9", 2: 87}] */
	assert_int_equal(
		decode_hex("9f bf 00 66 2f 33 2f 30 2f 39 02 18 57 ff ff", "/", &doc, &err), 0);
	assert_int_equal(doc.count, 1);
	assert_int_equal(doc.entries[0].value.v.i, 87);
	lwm2m_doc_fini(&doc);
}

static void expect_bad(const char *hex, const char *msg)
{
	expect_bad_hex(lwm2m_senml_cbor_decode, hex, "/", msg);
}

static void test_malformed(void **state)
{
	/* RFC 8428 names are not LwM2M paths (cbor2 encoding of the 5.1.2 example record) */
	expect_bad("81a421781c75726e3a6465763a6f773a313065323037336130313038303036333a0067766f6c746"
		   "16765"
		   "01615602fb405e066666666666",
		   "record 0: name \"urn:dev:ow:10e2073a01080063:voltage\" is not an LwM2M path");
	expect_bad("a0", "offset 0: a SenML pack is a CBOR array of records");
	expect_bad("81 a2 00 66 2f 33 2f 30 2f 39 02",
		   "offset 11: CBOR item expected, payload ended");
	expect_bad("81 a2 00 66 2f 33 2f 30 2f",
		   "offset 3: CBOR item truncated: needs 7 bytes, 6 left");
	expect_bad("81 a2 00 66 2f 33 2f 30 2f 39 02 18 57 00",
		   "offset 13: 1 bytes after the SenML pack");
	expect_bad("81 a3 00 66 2f 33 2f 30 2f 39 02 01 03 61 78",
		   "offset 13: record 0: more than one value field");
	expect_bad("81 a2 00 66 2f 33 2f 30 2f 39 03 01",
		   "offset 11: record 0: \"vs\" must be a text string");
	expect_bad("81 a2 00 66 2f 33 2f 30 2f 39 03 61 78",
		   "record 0: /3/0/9 is Integer but the record carries String");
	expect_bad("81 01", "offset 1: record 0: not a CBOR map");
	expect_bad("81 a1 f5 01", "offset 2: record 0: labels must be integers or text strings");
	expect_bad("81 a1 00 7f 61 61 ff", "offset 3: indefinite-length strings are not supported");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_against_cbor2),
		cmocka_unit_test(test_types_half_float_vlo),
		cmocka_unit_test(test_base_fields_and_indefinite),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
