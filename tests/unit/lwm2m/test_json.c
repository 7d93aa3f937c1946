#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_json.h"
#include "lwm2m_test.h"

/* LwM2M TS: Read /3/0 in application/vnd.oma.lwm2m+json (whitespace removed) */
static const char DEVICE_JSON[] =
	"{\"bn\":\"/3/0/\",\"e\":[{\"n\":\"0\",\"sv\":\"Open Mobile Alliance\"},"
	"{\"n\":\"1\",\"sv\":\"Lightweight M2M Client\"},{\"n\":\"2\",\"sv\":\"345000123\"},"
	"{\"n\":\"3\",\"sv\":\"1.0\"},{\"n\":\"6/0\",\"v\":1},{\"n\":\"6/1\",\"v\":5},"
	"{\"n\":\"7/0\",\"v\":3800},{\"n\":\"7/1\",\"v\":5000},{\"n\":\"8/0\",\"v\":125},"
	"{\"n\":\"8/1\",\"v\":900},{\"n\":\"9\",\"v\":100},{\"n\":\"10\",\"v\":15},"
	"{\"n\":\"11/0\",\"v\":0},{\"n\":\"13\",\"v\":1367491215},{\"n\":\"14\",\"sv\":\"+02:00\"},"
	"{\"n\":\"16\",\"sv\":\"U\"}]}";

static int decode(const char *json, const char *base, struct lwm2m_doc *doc,
		  struct lwm2m_error *err)
{
	return decode_str_with(lwm2m_json_decode, json, base, doc, err);
}

static void test_spec_device(void **state)
{
	check_device_vector(lwm2m_json_decode, lwm2m_json_encode, DEVICE_JSON, strlen(DEVICE_JSON));
}

static void test_types_and_time(void **state)
{
	struct lwm2m_doc doc, back;
	struct lwm2m_buf out;
	struct lwm2m_error err;

	lwm2m_doc_init(&doc);
	lwm2m_doc_init(&back);
	lwm2m_buf_init(&out);
	assert_int_equal(
		decode("{\"e\":[{\"n\":\"/0/0/3\",\"sv\":\"AQID\"},"
		       "{\"n\":\"/3/0/22/0\",\"ov\":\"3:1\"},{\"n\":\"/3311/0/5850\",\"bv\":false},"
		       "{\"n\":\"/3303/0/5700\",\"v\":21,\"t\":-5}],\"bt\":1000}",
		       "/", &doc, &err),
		0);
	assert_int_equal(doc.entries[0].value.type, LWM2M_TYPE_OPAQUE); /* base64 in "sv" */
	assert_memory_equal(doc.entries[0].value.v.bytes.data, "\x01\x02\x03", 3);
	assert_int_equal(doc.entries[1].value.type, LWM2M_TYPE_OBJLNK);
	assert_false(doc.entries[2].value.v.b);
	assert_int_equal(doc.entries[3].value.type, LWM2M_TYPE_FLOAT);
	assert_true(doc.entries[3].time == 995);
	assert_true(doc.entries[0].has_time); /* "bt" applies to every entry */
	assert_int_equal(lwm2m_json_encode(&doc, &out, &err), 0);
	assert_string_equal(lwm2m_buf_cstr(&out),
			    "{\"e\":[{\"n\":\"/0/0/3\",\"sv\":\"AQID\",\"t\":1000},"
			    "{\"n\":\"/3/0/22/0\",\"ov\":\"3:1\",\"t\":1000},"
			    "{\"n\":\"/3311/0/5850\",\"bv\":false,\"t\":1000},"
			    "{\"n\":\"/3303/0/5700\",\"v\":21.0,\"t\":995}]}");
	assert_int_equal(lwm2m_json_decode(out.data, out.len, &doc.base, reg, &back, &err), 0);
	assert_docs_equal(&doc, &back);
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&doc);
	lwm2m_doc_fini(&back);
}

static void expect_bad(const char *json, const char *msg)
{
	expect_bad_str(lwm2m_json_decode, json, "/", msg);
}

static void test_malformed(void **state)
{
	expect_bad("[]", "offset 0: LwM2M JSON is an object with an \"e\" array of entries");
	expect_bad("{\"e\":[{\"n\":\"/3/0/9\",\"v\":1,\"sv\":\"x\"}]}",
		   "entry 0: more than one value field");
	expect_bad("{\"bn\":3,\"e\":[]}", "\"bn\" must be a string and \"bt\" a number");
	expect_bad("{\"e\":[{\"n\":\"/0/0/3\",\"sv\":\"*\"}]}",
		   "entry 0: Opaque \"sv\" is not base64 (character 0)");
	expect_bad("{\"e\":[{\"n\":\"/3/0/9\",\"sv\":\"x\"}]}",
		   "entry 0: /3/0/9 is Integer but the record carries String");
	expect_bad("{\"e\":[{\"n\":\"3/0/9\",\"v\":1}]}",
		   "entry 0: name \"3/0/9\" is not an LwM2M path");
	expect_bad("{\"e\":[{\"n\":\"/3/0/9\",\"v\":true}]}", "entry 0: \"v\" must be a number");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_device),
		cmocka_unit_test(test_types_and_time),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
