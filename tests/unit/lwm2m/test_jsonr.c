#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_jsonr.h"

/* Token kinds of @json as letters: { } [ ] k s n t f 0 (null) $ (end). */
static void expect_tokens(const char *json, const char *want)
{
	static const char letters[] = "{}[]ksntf0$";
	struct lwm2m_jsonr r;
	struct lwm2m_jsonr_token t;
	struct lwm2m_error err;
	char got[64];
	size_t n = 0;

	lwm2m_jsonr_init(&r, json, strlen(json));
	do {
		if (lwm2m_jsonr_next(&r, &t, &err) != 0)
			fail_msg("%s: %s", json, err.msg);
		got[n++] = letters[t.kind];
	} while (t.kind != LWM2M_JSONR_END && n < sizeof(got) - 1);
	got[n] = '\0';
	assert_string_equal(got, want);
}

static void test_grammar(void **state)
{
	expect_tokens("{}", "{}$");
	expect_tokens(" [ ] ", "[]$");
	expect_tokens("[1,\"a\",true,false,null,{\"k\":[{}]}]", "[nstf0{k[{}]}]$");
	expect_tokens("{\"a\":{\"b\":[1,[2,[3]]]},\"c\":-0.5e+3}", "{k{k[n[n[n]]]}kn}$");
	expect_tokens("42", "n$");
}

static void expect_error(const char *json, const char *msg)
{
	struct lwm2m_jsonr r;
	struct lwm2m_jsonr_token t;
	struct lwm2m_error err;
	int rc;

	lwm2m_jsonr_init(&r, json, strlen(json));
	do {
		rc = lwm2m_jsonr_next(&r, &t, &err);
	} while (rc == 0 && t.kind != LWM2M_JSONR_END);
	if (rc != -EBADMSG)
		fail_msg("%s: accepted", json);
	assert_string_equal(err.msg, msg);
}

static void test_errors(void **state)
{
	expect_error("", "offset 0: JSON: value expected, input ended");
	expect_error("[1,]", "offset 3: JSON: value expected, found ']'");
	expect_error("[1 2]", "offset 3: JSON: ',' or ']' expected, found '2'");
	expect_error("{\"a\" 1}", "offset 5: JSON: ':' expected, found '1'");
	expect_error("{1:2}", "offset 1: JSON: member name expected, found '1'");
	expect_error("{\"a\":1,}", "offset 7: JSON: member name expected, found '}'");
	expect_error("[1]]", "offset 3: JSON: end of input expected, found ']'");
	expect_error("\"a\\x\"", "offset 3: JSON: unknown escape, found 'x'");
	expect_error("\"a\\u12\"", "offset 3: JSON: \\u needs four hex digits, found 'u'");
	expect_error("\"a\nb\"", "offset 2: JSON: control character in a string, found '?'");
	expect_error("\"\xff\"", "offset 0: JSON: string is not UTF-8");
	expect_error("\"abc", "offset 0: JSON: unterminated string");
	expect_error("-", "offset 1: JSON: digit expected, input ended");
	expect_error("1.", "offset 2: JSON: digit expected after '.', input ended");
	expect_error("1e", "offset 2: JSON: digit expected in the exponent, input ended");
	expect_error("tru", "offset 0: JSON: value expected, found 't'");
	expect_error("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
		     "offset 32: JSON: nested too deeply, found '['");
}

static void test_numbers_and_strings(void **state)
{
	struct lwm2m_jsonr r;
	struct lwm2m_jsonr_token t;
	const char *json =
		"[-9223372036854775808, 18446744073709551615, 18446744073709551616, 1.5e2,"
		" \"a\\\"\\u00e9\\ud83d\\ude00\", \"plain\"]";
	char out[32];

	lwm2m_jsonr_init(&r, json, strlen(json));
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_true(t.is_int);
	assert_true(t.i == INT64_MIN);
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_true(t.is_uint);
	assert_true(t.u == UINT64_MAX);
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_false(t.is_int || t.is_uint);
	assert_true(t.f == 18446744073709551616.0);
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_false(t.is_int);
	assert_true(t.f == 150.0);
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_true(t.escaped);
	assert_int_equal(lwm2m_jsonr_unescape(&t, out), 8);
	assert_memory_equal(out, "a\"\xc3\xa9\xf0\x9f\x98\x80", 8);
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_false(t.escaped);
	assert_true(lwm2m_jsonr_key_is(&t, "plain"));
}

static void test_skip(void **state)
{
	struct lwm2m_jsonr r;
	struct lwm2m_jsonr_token t;
	const char *json = "{\"skip\":{\"a\":[1,{\"b\":2}]},\"keep\":7}";

	lwm2m_jsonr_init(&r, json, strlen(json));
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_true(lwm2m_jsonr_key_is(&t, "skip"));
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_int_equal(lwm2m_jsonr_skip(&r, &t, NULL), 0);
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_true(lwm2m_jsonr_key_is(&t, "keep"));
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_int_equal(t.i, 7);
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_int_equal(t.kind, LWM2M_JSONR_OBJECT_END);
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_int_equal(t.kind, LWM2M_JSONR_END);
}

static void test_text_into_doc(void **state)
{
	static const char json[] = "[\"plain\",\"a\\u00e9\\n\",\"\\ud800\"]";
	struct lwm2m_jsonr r;
	struct lwm2m_jsonr_token t;
	struct lwm2m_doc doc;
	struct lwm2m_error err;
	const char *s;
	size_t n;

	lwm2m_doc_init(&doc);
	lwm2m_jsonr_init(&r, json, strlen(json));
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	/* no escapes: the text is the input itself */
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_int_equal(lwm2m_jsonr_text(&t, &doc, &s, &n, &err), 0);
	assert_ptr_equal(s, json + 2);
	assert_int_equal(n, 5);
	/* escapes: unescaped into the document */
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_int_equal(lwm2m_jsonr_text(&t, &doc, &s, &n, &err), 0);
	assert_true(s < json || s >= json + sizeof(json));
	assert_int_equal(n, 4);
	assert_memory_equal(s, "a\xc3\xa9\n", 4);
	assert_int_equal(lwm2m_jsonr_next(&r, &t, NULL), 0);
	assert_int_equal(lwm2m_jsonr_text(&t, &doc, &s, &n, &err), -EBADMSG);
	assert_string_equal(err.msg, "offset 21: JSON: lone UTF-16 surrogate");
	lwm2m_doc_fini(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grammar),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_numbers_and_strings),
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_text_into_doc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
