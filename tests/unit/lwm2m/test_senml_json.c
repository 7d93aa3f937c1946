#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_senml_json.h"
#include "lwm2m_test.h"

/* LwM2M TS Core 7.4.4: Read /3/0 in SenML JSON (whitespace removed) */
static const char DEVICE_SENML[] =
	"[{\"bn\":\"/3/0/\",\"n\":\"0\",\"vs\":\"Open Mobile Alliance\"},"
	"{\"n\":\"1\",\"vs\":\"Lightweight M2M Client\"},{\"n\":\"2\",\"vs\":\"345000123\"},"
	"{\"n\":\"3\",\"vs\":\"1.0\"},{\"n\":\"6/0\",\"v\":1},{\"n\":\"6/1\",\"v\":5},"
	"{\"n\":\"7/0\",\"v\":3800},{\"n\":\"7/1\",\"v\":5000},{\"n\":\"8/0\",\"v\":125},"
	"{\"n\":\"8/1\",\"v\":900},{\"n\":\"9\",\"v\":100},{\"n\":\"10\",\"v\":15},"
	"{\"n\":\"11/0\",\"v\":0},{\"n\":\"13\",\"v\":1367491215},{\"n\":\"14\",\"vs\":\"+02:00\"},"
	"{\"n\":\"16\",\"vs\":\"U\"}]";

static int decode(const char *json, const char *base, struct lwm2m_doc *doc,
		  struct lwm2m_error *err)
{
	return decode_str_with(lwm2m_senml_json_decode, json, base, doc, err);
}

static void test_spec_device(void **state)
{
	check_device_vector(lwm2m_senml_json_decode, lwm2m_senml_json_encode, DEVICE_SENML,
			    strlen(DEVICE_SENML));
}

static void test_base_time_and_value(void **state)
{
	struct lwm2m_doc doc;
	struct lwm2m_error err;

	lwm2m_doc_init(&doc);
	/* RFC 8428 5.1.4-style series with base time and base value */
	assert_int_equal(decode("[{\"bn\":\"/3303/0/\",\"bt\":1.276020076e+09,\"bv\":20,"
				"\"n\":\"5700\",\"v\":1.5},{\"n\":\"5700\",\"t\":10,\"v\":2}]",
				"/3303", &doc, &err),
			 0);
	assert_int_equal(doc.count, 2);
	assert_int_equal(doc.entries[0].value.type, LWM2M_TYPE_FLOAT);
	assert_true(doc.entries[0].value.v.f == 21.5);
	assert_true(doc.entries[0].has_time);
	assert_true(doc.entries[0].time == 1276020076.0);
	assert_true(doc.entries[1].value.v.f == 22.0);
	assert_true(doc.entries[1].time == 1276020086.0);
	lwm2m_doc_fini(&doc);
}

static void test_any_order_types_and_composite(void **state)
{
	struct lwm2m_doc doc;
	struct lwm2m_error err;
	struct lwm2m_buf out;

	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&out);
	assert_int_equal(decode("[{\"n\":\"/3/0/9\",\"v\":87},{\"n\":\"/3/0/0\",\"vs\":\"ACME\"},"
				"{\"bn\":\"/3/0/\",\"n\":\"22/0\",\"vlo\":\"3:1\"},"
				"{\"bn\":\"/5/0/\",\"n\":\"0\",\"vd\":\"AQID\"},"
				"{\"n\":\"/3311/0/5850\",\"bn\":\"\",\"vb\":true},"
				"{\"n\":\"/9999/0/1\",\"v\":2.25}]",
				"/", &doc, &err),
			 0);
	assert_int_equal(doc.count, 6);
	assert_int_equal(doc.entries[0].value.type, LWM2M_TYPE_INTEGER);
	assert_int_equal(doc.entries[2].value.type, LWM2M_TYPE_OBJLNK);
	assert_int_equal(doc.entries[2].value.v.lnk.inst, 1);
	assert_int_equal(doc.entries[3].value.type, LWM2M_TYPE_OPAQUE);
	assert_memory_equal(doc.entries[3].value.v.bytes.data, "\x01\x02\x03", 3);
	assert_true(doc.entries[4].value.v.b);
	assert_int_equal(doc.entries[5].value.type, LWM2M_TYPE_FLOAT); /* unknown object */
	assert_int_equal(lwm2m_senml_json_encode(&doc, &out, &err), 0);
	assert_string_equal(
		lwm2m_buf_cstr(&out),
		"[{\"n\":\"/3/0/9\",\"v\":87},{\"n\":\"/3/0/0\",\"vs\":\"ACME\"},"
		"{\"n\":\"/3/0/22/0\",\"vlo\":\"3:1\"},{\"n\":\"/5/0/0\",\"vd\":\"AQID\"},"
		"{\"n\":\"/3311/0/5850\",\"vb\":true},{\"n\":\"/9999/0/1\",\"v\":2.25}]");
	/* Read-Composite request: names only */
	assert_int_equal(decode("[{\"n\":\"/3/0/9\"},{\"n\":\"/1/0\"}]", "/", &doc, &err), 0);
	assert_int_equal(doc.entries[1].value.type, LWM2M_TYPE_NONE);
	assert_int_equal(doc.entries[1].path.len, 2);
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&doc);
}

static void test_escapes_and_big_numbers(void **state)
{
	struct lwm2m_doc doc;
	struct lwm2m_error err;

	lwm2m_doc_init(&doc);
	assert_int_equal(decode("[{\"\\u0062n\":\"/3/0/"
				"\",\"n\":\"0\",\"vs\":\"A\\\"\\u00e9\\ud83d\\ude00\\n\"},"
				"{\"n\":\"/1/0/11\",\"bn\":\"\",\"v\":18446744073709551615}]",
				"/", &doc, &err),
			 0);
	assert_int_equal(doc.entries[0].value.v.bytes.len, 9);
	assert_memory_equal(doc.entries[0].value.v.bytes.data, "A\"\xc3\xa9\xf0\x9f\x98\x80\n", 9);
	assert_int_equal(doc.entries[1].value.type, LWM2M_TYPE_UNSIGNED);
	assert_true(doc.entries[1].value.v.u == UINT64_MAX);
	lwm2m_doc_fini(&doc);
}

static void test_single_resource_names(void **state)
{
	struct lwm2m_doc doc;
	struct lwm2m_error err;
	struct lwm2m_buf out;

	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&out);
	assert_int_equal(decode("[{\"bn\":\"/3/0/9\",\"v\":87}]", "/3/0/9", &doc, &err), 0);
	assert_int_equal(lwm2m_senml_json_encode(&doc, &out, &err), 0);
	assert_string_equal(lwm2m_buf_cstr(&out), "[{\"bn\":\"/3/0/9\",\"v\":87}]");
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&doc);
}

static void expect_bad(const char *json, const char *base, const char *msg)
{
	expect_bad_str(lwm2m_senml_json_decode, json, base, msg);
}

static void test_malformed(void **state)
{
	expect_bad("[{\"n\":\"/3/0/9\",\"v\":1}", "/",
		   "offset 21: JSON: ',' or ']' expected, input ended");
	expect_bad("[{\"n\":\"/3/0/9\",\"v\":1}] x", "/",
		   "offset 23: JSON: end of input expected, found 'x'");
	expect_bad("[{\"n\":\"/3/0/9\",\"v\":01}]", "/",
		   "offset 20: JSON: leading zero in a number, found '1'");
	expect_bad("[{\"n\":\"/3/0/9\",\"n\":\"/3/0/9\"}]", "/",
		   "offset 15: record 0: duplicate field \"n\"");
	expect_bad("[{\"n\":\"/3/0/0\",\"vs\":\"\\ud800\"}]", "/",
		   "offset 20: JSON: lone UTF-16 surrogate");
	expect_bad("{}", "/", "offset 0: a SenML pack is a JSON array of records");
	expect_bad("[1]", "/", "record 0: not a JSON object");
	expect_bad("[{\"n\":\"/3/0/9\",\"v\":1,\"vs\":\"x\"}]", "/",
		   "record 0: more than one value field");
	expect_bad("[{\"n\":\"/3/0/9\",\"v\":1,\"foo_\":1}]", "/",
		   "record 0: unknown must-understand field \"foo_\"");
	/* RFC 8428 example names are not LwM2M paths */
	expect_bad("[{\"bn\":\"urn:dev:ow:10e2073a01080063:\",\"n\":\"voltage\",\"u\":\"V\","
		   "\"v\":120.1}]",
		   "/",
		   "record 0: name \"urn:dev:ow:10e2073a01080063:voltage\" is not an LwM2M path");
	expect_bad("[{\"n\":\"/3/0/9\",\"vs\":\"x\"}]", "/",
		   "record 0: /3/0/9 is Integer but the record carries String");
	expect_bad("[{\"n\":\"/3/0/9\",\"v\":1.5}]", "/",
		   "record 0: /3/0/9 is Integer but the record carries Float out of range");
	expect_bad("[{\"n\":\"/3/0/22/0\",\"vlo\":\"3-1\"}]", "/",
		   "record 0: /3/0/22/0: vlo \"3-1\" is not an object link O:I");
	expect_bad("[{\"n\":\"/4/0/9\",\"v\":1}]", "/3",
		   "record 0: /4/0/9 is outside the request path /3");
	expect_bad("[{\"v\":1}]", "/", "record 0: no name and no base name");
	expect_bad("[{\"n\":\"/5/0/0\",\"vd\":\"A$==\"}]", "/",
		   "record 0: \"vd\" is not base64url (character 1)");
	expect_bad("[{\"n\":\"/3/0\",\"v\":1}]", "/",
		   "record 0: /3/0: a value needs a resource path");
	expect_bad("[{\"n\":\"/3/0/0\",\"vs\":\"a\"},{\"n\":5}]", "/",
		   "record 1: \"n\" must be a string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_device),
		cmocka_unit_test(test_base_time_and_value),
		cmocka_unit_test(test_any_order_types_and_composite),
		cmocka_unit_test(test_escapes_and_big_numbers),
		cmocka_unit_test(test_single_resource_names),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
