#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_text.h"
#include "lwm2m_test.h"

/* decode @text for @path, re-encode, and expect @back */
static const struct lwm2m_value *roundtrip(struct lwm2m_doc *doc, const char *path,
					   const char *text, const char *back)
{
	struct lwm2m_path p = tp(path);
	struct lwm2m_buf out;
	struct lwm2m_error err;

	lwm2m_doc_reset(doc);
	lwm2m_buf_init(&out);
	if (lwm2m_text_decode((const uint8_t *)text, strlen(text), &p, reg, doc, &err) != 0)
		fail_msg("%s \"%s\": %s", path, text, err.msg);
	assert_int_equal(lwm2m_text_encode(doc, &out, &err), 0);
	assert_string_equal(lwm2m_buf_cstr(&out), back);
	lwm2m_buf_fini(&out);
	return &doc->entries[0].value;
}

static void test_types(void **state)
{
	struct lwm2m_doc doc;
	const struct lwm2m_value *v;

	lwm2m_doc_init(&doc);
	v = roundtrip(&doc, "/3/0/0", "Open Mobile Alliance", "Open Mobile Alliance");
	assert_int_equal(v->type, LWM2M_TYPE_STRING);
	v = roundtrip(&doc, "/3/0/9", "-42", "-42");
	assert_int_equal(v->v.i, -42);
	v = roundtrip(&doc, "/3/0/13", "1367491215", "1367491215");
	assert_int_equal(v->type, LWM2M_TYPE_TIME);
	v = roundtrip(&doc, "/3303/0/5700", "22.5", "22.5");
	assert_true(v->v.f == 22.5);
	v = roundtrip(&doc, "/3303/0/5700", "1e3", "1000");
	v = roundtrip(&doc, "/1/0/11", "18446744073709551615", "18446744073709551615");
	assert_int_equal(v->type, LWM2M_TYPE_UNSIGNED);
	v = roundtrip(&doc, "/3311/0/5850", "1", "1");
	assert_true(v->v.b);
	v = roundtrip(&doc, "/3/0/22/0", "3:1", "3:1");
	assert_int_equal(v->type, LWM2M_TYPE_OBJLNK);
	v = roundtrip(&doc, "/0/0/3", "AQID", "AQID");
	assert_int_equal(v->type, LWM2M_TYPE_OPAQUE);
	assert_int_equal(v->v.bytes.len, 3);
	v = roundtrip(&doc, "/9999/0/0", "hello", "hello");
	assert_int_equal(v->type, LWM2M_TYPE_STRING);
	lwm2m_doc_fini(&doc);
}

static void expect_bad(const char *path, const char *text, const char *msg)
{
	struct lwm2m_doc doc;
	struct lwm2m_path p = tp(path);
	struct lwm2m_error err;
	int rc;

	lwm2m_doc_init(&doc);
	rc = lwm2m_text_decode((const uint8_t *)text, strlen(text), &p, reg, &doc, &err);
	if (rc >= 0)
		fail_msg("%s \"%s\" decoded", path, text);
	assert_string_equal(err.msg, msg);
	lwm2m_doc_fini(&doc);
}

static void test_malformed(void **state)
{
	expect_bad("/3/0/9", "12a", "/3/0/9: \"12a\" is not an Integer");
	expect_bad("/3/0/9", "+1", "/3/0/9: \"+1\" is not an Integer");
	expect_bad("/3/0/9", "", "/3/0/9: \"\" is not an Integer");
	expect_bad("/3/0/9", "99999999999999999999",
		   "/3/0/9: \"99999999999999999999\" is not an Integer (out of range)");
	expect_bad("/3303/0/5700", "inf", "/3303/0/5700: \"inf\" is not a Float");
	expect_bad("/3303/0/5700", "0x10", "/3303/0/5700: \"0x10\" is not a Float");
	expect_bad("/3303/0/5700", "1e999",
		   "/3303/0/5700: \"1e999\" is not a Float (out of range)");
	expect_bad("/1/0/11", "-1", "/1/0/11: \"-1\" is not a Unsigned Integer");
	expect_bad("/3311/0/5850", "true", "/3311/0/5850: Boolean text must be \"0\" or \"1\"");
	expect_bad("/3/0/22/0", "3", "/3/0/22/0: \"3\" is not an object link O:I");
	expect_bad("/0/0/3", "A$", "offset 1: /0/0/3: Opaque text must be base64");
	expect_bad("/3/0/0", "\xff", "/3/0/0: text is not UTF-8");
	expect_bad("/3/0", "x", "text/plain carries one resource: the path needs /O/I/R");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
