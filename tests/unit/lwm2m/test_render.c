#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_render.h"
#include "lwm2m_test.h"

static void test_render_device_and_back(void **state)
{
	struct lwm2m_doc doc, back;
	struct lwm2m_buf out;
	struct lwm2m_error err;
	const char *s;

	lwm2m_doc_init(&doc);
	lwm2m_doc_init(&back);
	lwm2m_buf_init(&out);
	device_doc(&doc);
	assert_int_equal(lwm2m_render_doc(&doc, reg, LWM2M_RENDER_NAMES, &out), 0);
	s = lwm2m_buf_cstr(&out);
	assert_non_null(
		strstr(s, "{\n  \"base\": \"/3/0\",\n  \"/3/0/0\": \"Open Mobile Alliance\",\n"));
	assert_non_null(strstr(s, "\n  \"/3/0/9\": 100,\n"));
	assert_non_null(strstr(s, "\n    \"/3\": \"Device\",\n"));
	assert_non_null(strstr(s, "\n    \"/3/x/9\": \"Battery Level\""));
	assert_int_equal(lwm2m_render_parse(s, strlen(s), NULL, reg, &back, &err), 0);
	assert_true(lwm2m_path_equal(&back.base, &doc.base));
	assert_docs_equal(&back, &doc); /* the Time resource comes back as Time */
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&doc);
	lwm2m_doc_fini(&back);
}

static void test_special_values(void **state)
{
	struct lwm2m_doc doc, back;
	struct lwm2m_buf out;
	struct lwm2m_error err;
	struct lwm2m_path p = tp("/3303/0/5700");
	struct lwm2m_value v = lwm2m_value_float(21);

	lwm2m_doc_init(&doc);
	lwm2m_doc_init(&back);
	lwm2m_buf_init(&out);
	add_entry(&doc, "/0/0/3", lwm2m_value_bytes(LWM2M_TYPE_OPAQUE, "\x01\xab", 2));
	add_entry(&doc, "/9999/0/1", lwm2m_value_objlnk(3, 1));
	add_entry(&doc, "/3/0/4", lwm2m_value_none());
	assert_int_equal(lwm2m_doc_add_timed(&doc, &p, &v, 1000), 0);
	v = lwm2m_value_float(22.5);
	assert_int_equal(lwm2m_doc_add_timed(&doc, &p, &v, 1010), 0);
	assert_int_equal(lwm2m_render_doc(&doc, NULL, 0, &out), 0);
	assert_string_equal(lwm2m_buf_cstr(&out),
			    "{\n  \"base\": \"/\",\n  \"/0/0/3\": {\"hex\": \"01ab\"},\n"
			    "  \"/9999/0/1\": {\"objlnk\": \"3:1\"},\n  \"/3/0/4\": null,\n"
			    "  \"/3303/0/5700\": [{\"t\": 1000, \"v\": 21.0}, {\"t\": 1010, \"v\": "
			    "22.5}]\n}\n");
	assert_int_equal(
		lwm2m_render_parse((const char *)out.data, out.len, NULL, NULL, &back, &err), 0);
	assert_docs_equal(&back, &doc);
	assert_true(back.entries[4].has_time);
	assert_true(back.entries[4].time == 1010);
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&doc);
	lwm2m_doc_fini(&back);
}

static void expect_bad(const char *json, const char *msg)
{
	struct lwm2m_doc doc;
	struct lwm2m_error err;

	lwm2m_doc_init(&doc);
	lwm2m_error_clear(&err);
	assert_int_equal(lwm2m_render_parse(json, strlen(json), NULL, reg, &doc, &err), -EBADMSG);
	assert_string_equal(err.msg, msg);
	lwm2m_doc_fini(&doc);
}

static void test_parse_errors(void **state)
{
	expect_bad("[]", "expected a JSON object of \"/path\": value members");
	expect_bad("{\"/3/0/9\": \"x\"}", "\"/3/0/9\": the resource is Integer, not String");
	expect_bad("{\"/3/0/x\": 1}", "\"/3/0/x\" is not an LwM2M path");
	expect_bad("{\"base\": \"/4\", \"/3/0/9\": 1}", "\"/3/0/9\": outside the base path");
	expect_bad("{\"/0/0/3\": {\"hex\": \"0g\"}}", "\"/0/0/3\": \"hex\" holds a non-hex digit");
	expect_bad("{\"/3/0/22/0\": \"31\"}", "\"/3/0/22/0\": an Objlnk must be \"O:I\"");
	expect_bad("{\"/3/0/9\": {\"x\": 1}}", "\"/3/0/9\": objects must be {\"hex\": ...}, "
					       "{\"objlnk\": ...} or {\"t\": ..., \"v\": ...}");
}

static void test_links(void **state)
{
	static const char text[] = "</>;rt=\"oma.lwm2m\";ct=11543,</3/0>;ver=1.1,"
				   "</3/0/7>;dim=2;pmin=10;gt=50.5,</3303/0>;obs";
	struct lwm2m_link_list l, back;
	struct lwm2m_buf out, enc;
	struct lwm2m_error err;

	lwm2m_link_list_init(&l);
	lwm2m_link_list_init(&back);
	lwm2m_buf_init(&out);
	lwm2m_buf_init(&enc);
	assert_int_equal(lwm2m_link_decode((const uint8_t *)text, strlen(text), &l, &err), 0);
	assert_int_equal(lwm2m_render_links(&l, reg, &out), 0);
	assert_string_equal(
		lwm2m_buf_cstr(&out),
		"[\n  {\"link\": \"/\", \"rt\": \"oma.lwm2m\", \"ct\": \"11543\"},\n"
		"  {\"link\": \"/3/0\", \"name\": \"Device\", \"ver\": \"1.1\"},\n"
		"  {\"link\": \"/3/0/7\", \"name\": \"Power Source Voltage\", \"dim\": 2, "
		"\"pmin\": 10, \"gt\": 50.5},\n"
		"  {\"link\": \"/3303/0\", \"name\": \"Temperature\", \"obs\": true}\n]\n");
	assert_int_equal(lwm2m_render_parse_links((const char *)out.data, out.len, &back, &err), 0);
	assert_int_equal(lwm2m_link_encode(&back, &enc), 0);
	assert_string_equal(lwm2m_buf_cstr(&enc), text);
	lwm2m_buf_fini(&out);
	lwm2m_buf_fini(&enc);
	lwm2m_link_list_fini(&l);
	lwm2m_link_list_fini(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_device_and_back),
		cmocka_unit_test(test_special_values),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_links),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
