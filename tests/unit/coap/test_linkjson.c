/*
 * linkjson: the RFC 6690 §5 example in the JSON and CBOR of
 * draft-ietf-core-links-json, repeated and value-less attributes, every
 * error class for both representations, and the merge patch.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "coap/linkformat.h"
#include "coap/linkjson.h"

static const char example_lf[] =
	"</sensors>;ct=40;title=\"Sensor Index\","
	"</sensors/temp>;rt=\"temperature-c\";if=\"sensor\","
	"</sensors/light>;rt=\"light-lux\";if=\"sensor\","
	"<http://www.example.com/sensors/t123>;anchor=\"/sensors/temp\";rel=\"describedby\","
	"</t>;anchor=\"/sensors/temp\";rel=\"alternate\"";

static const char example_json[] =
	"[{\"href\":\"/sensors\",\"ct\":\"40\",\"title\":\"Sensor Index\"},"
	"{\"href\":\"/sensors/temp\",\"rt\":\"temperature-c\",\"if\":\"sensor\"},"
	"{\"href\":\"/sensors/light\",\"rt\":\"light-lux\",\"if\":\"sensor\"},"
	"{\"href\":\"http://www.example.com/sensors/t123\",\"anchor\":\"/sensors/temp\","
	"\"rel\":\"describedby\"},"
	"{\"href\":\"/t\",\"anchor\":\"/sensors/temp\",\"rel\":\"alternate\"}]";

/* [{1: "/sensors", 12: "40", 7: "Sensor Index"}] */
static const uint8_t first_cbor[] = { 0x81, 0xa3, 0x01, 0x68, '/', 's', 'e',  'n',  's', 'o',
				      'r',  's',  0x0c, 0x62, '4', '0', 0x07, 0x6c, 'S', 'e',
				      'n',  's',  'o',  'r',  ' ', 'I', 'n',  'd',  'e', 'x' };

static void parse_lf(const char *s, struct linkformat *lf)
{
	assert_int_equal(linkformat_parse((const uint8_t *)s, strlen(s), lf), 0);
}

static char *to_lf(const struct linkformat *lf)
{
	size_t len;
	char *t;

	linkformat_format(lf->links, lf->count, NULL, 0, &len);
	t = malloc(len + 1);
	assert_non_null(t);
	linkformat_format(lf->links, lf->count, t, len + 1, &len);
	return t;
}

static void test_example_json(void **state)
{
	struct linkformat lf, back;
	size_t len;
	char *json, *text;

	parse_lf(example_lf, &lf);
	assert_int_equal(linkjson_encode_json(lf.links, lf.count, &json, &len), 0);
	assert_string_equal(json, example_json);
	assert_int_equal(len, strlen(example_json));
	assert_int_equal(linkjson_decode_json((const uint8_t *)json, len, &back), 0);
	assert_int_equal(back.count, 5);
	assert_string_equal(back.links[3].target, "http://www.example.com/sensors/t123");
	assert_string_equal(back.links[3].attrs[1].name, "rel");
	assert_string_equal(back.links[3].attrs[1].value, "describedby");
	/* quoting is not carried by JSON: values are quoted only where needed */
	text = to_lf(&back);
	assert_string_equal(text, "</sensors>;ct=40;title=\"Sensor Index\","
				  "</sensors/temp>;rt=temperature-c;if=sensor,"
				  "</sensors/light>;rt=light-lux;if=sensor,"
				  "<http://www.example.com/sensors/t123>;anchor=/sensors/temp;"
				  "rel=describedby,</t>;anchor=/sensors/temp;rel=alternate");
	free(text);
	free(json);
	linkformat_fini(&lf);
	linkformat_fini(&back);
}

static void test_example_cbor(void **state)
{
	struct linkformat lf, back;
	uint8_t *cbor;
	size_t len;

	parse_lf(example_lf, &lf);
	assert_int_equal(linkjson_encode_cbor(lf.links, 1, &cbor, &len), 0);
	assert_int_equal(len, sizeof(first_cbor));
	assert_memory_equal(cbor, first_cbor, len);
	free(cbor);
	assert_int_equal(linkjson_decode_cbor(first_cbor, sizeof(first_cbor), &back), 0);
	assert_int_equal(back.count, 1);
	assert_string_equal(back.links[0].target, "/sensors");
	assert_int_equal(back.links[0].attr_count, 2);
	assert_string_equal(back.links[0].attrs[0].name, "ct");
	assert_string_equal(back.links[0].attrs[0].value, "40");
	assert_string_equal(back.links[0].attrs[1].name, "title");
	assert_string_equal(back.links[0].attrs[1].value, "Sensor Index");
	linkformat_fini(&back);
	/* the whole example survives CBOR */
	assert_int_equal(linkjson_encode_cbor(lf.links, lf.count, &cbor, &len), 0);
	assert_int_equal(linkjson_decode_cbor(cbor, len, &back), 0);
	assert_int_equal(back.count, lf.count);
	assert_int_equal(back.attr_total, lf.attr_total);
	free(cbor);
	linkformat_fini(&back);
	linkformat_fini(&lf);
}

static void test_repeated_and_bare(void **state)
{
	static const uint8_t want[] = { 0x81, 0xa4, 0x01, 0x62, '/',  'a',  0x0d,
					0xf5, 0x09, 0x82, 0x61, 'x',  0x61, 'y',
					0x63, 'f',  'o',  'o',  0x62, '1',  '2' };
	struct linkformat lf, back;
	uint8_t *cbor;
	size_t len;
	char *json, *text;

	parse_lf("</a>;obs;rt=x;foo=12;rt=y", &lf);
	assert_int_equal(linkjson_encode_json(lf.links, lf.count, &json, &len), 0);
	assert_string_equal(json,
			    "[{\"href\":\"/a\",\"obs\":true,\"rt\":[\"x\",\"y\"],\"foo\":\"12\"}]");
	assert_int_equal(linkjson_decode_json((const uint8_t *)json, len, &back), 0);
	text = to_lf(&back);
	assert_string_equal(text, "</a>;obs;rt=x;rt=y;foo=12");
	free(text);
	free(json);
	linkformat_fini(&back);
	assert_int_equal(linkjson_encode_cbor(lf.links, lf.count, &cbor, &len), 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(cbor, want, len);
	assert_int_equal(linkjson_decode_cbor(cbor, len, &back), 0);
	text = to_lf(&back);
	assert_string_equal(text, "</a>;obs;rt=x;rt=y;foo=12");
	free(text);
	free(cbor);
	linkformat_fini(&back);
	linkformat_fini(&lf);
	/* the empty document */
	assert_int_equal(linkjson_decode_json((const uint8_t *)"[]", 2, &back), 0);
	assert_int_equal(back.count, 0);
	linkformat_fini(&back);
}

static void expect_json(const char *in, int err)
{
	struct linkformat lf;

	assert_int_equal(linkjson_decode_json((const uint8_t *)in, strlen(in), &lf), err);
	assert_null(lf.mem);
	assert_int_equal(lf.count, 0);
}

static void test_json_errors(void **state)
{
	expect_json("", LINKJSON_E_SYNTAX);
	expect_json("[", LINKJSON_E_SYNTAX);
	expect_json("[{\"href\":\"/a\",\"href\":\"/b\"}]", LINKJSON_E_SYNTAX);
	expect_json("{}", LINKJSON_E_SHAPE);
	expect_json("[1]", LINKJSON_E_SHAPE);
	expect_json("[[]]", LINKJSON_E_SHAPE);
	expect_json("[{\"rt\":\"x\"}]", LINKJSON_E_HREF);
	expect_json("[{\"href\":7}]", LINKJSON_E_HREF);
	expect_json("[{\"href\":\"a b\"}]", LINKJSON_E_HREF);
	expect_json("[{\"href\":\"/a>;rt=x,</b\"}]", LINKJSON_E_HREF);
	expect_json("[{\"href\":\"/a\",\"r t\":\"x\"}]", LINKJSON_E_NAME);
	expect_json("[{\"href\":\"/a\",\"\":\"x\"}]", LINKJSON_E_NAME);
	expect_json("[{\"href\":\"/a\",\"rt\":1}]", LINKJSON_E_VALUE);
	expect_json("[{\"href\":\"/a\",\"rt\":false}]", LINKJSON_E_VALUE);
	expect_json("[{\"href\":\"/a\",\"rt\":null}]", LINKJSON_E_VALUE);
	expect_json("[{\"href\":\"/a\",\"rt\":[]}]", LINKJSON_E_VALUE);
	expect_json("[{\"href\":\"/a\",\"rt\":[[\"x\"]]}]", LINKJSON_E_VALUE);
	expect_json("[{\"href\":\"/a\",\"rt\":\"x\\u0001\"}]", LINKJSON_E_VALUE);
	expect_json("[{\"href\":\"/a\",\"rt\":\"x\\u0000y\"}]", LINKJSON_E_SYNTAX);
}

static void expect_cbor(const uint8_t *in, size_t len, int err)
{
	struct linkformat lf;

	assert_int_equal(linkjson_decode_cbor(in, len, &lf), err);
	assert_null(lf.mem);
}

static void test_cbor_errors(void **state)
{
	static const uint8_t trailing[] = { 0x80, 0x00 };
	static const uint8_t truncated[] = { 0x81, 0xa1, 0x01, 0x62, '/' };
	static const uint8_t lie[] = { 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t map_lie[] = { 0x81, 0xbb, 0xff, 0xff, 0xff,
					   0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t indefinite[] = { 0x9f, 0xff };
	static const uint8_t unknown_key[] = { 0x81, 0xa2, 0x01, 0x61, '/', 0x18, 0x63, 0x61, 'x' };
	static const uint8_t neg_key[] = { 0x81, 0xa2, 0x01, 0x61, '/', 0x20, 0x61, 'x' };
	static const uint8_t bytes_value[] = { 0x81, 0xa2, 0x01, 0x61, '/', 0x09, 0x41, 'x' };
	static const uint8_t dup_key[] = { 0x81, 0xa3, 0x01, 0x61, '/',  0x09, 0x61,
					   'x',  0x62, 'r',  't',  0x61, 'y' };
	static const uint8_t no_href[] = { 0x81, 0xa1, 0x09, 0x61, 'x' };
	static const uint8_t bad_utf8[] = { 0x81, 0xa1, 0x01, 0x61, 0xff };
	static const uint8_t nul_text[] = { 0x81, 0xa2, 0x01, 0x61, '/', 0x09, 0x61, 0x00 };
	static const uint8_t not_map[] = { 0x81, 0x01 };

	expect_cbor(trailing, 0, LINKJSON_E_SYNTAX);
	expect_cbor(trailing, sizeof(trailing), LINKJSON_E_SYNTAX);
	expect_cbor(truncated, sizeof(truncated), LINKJSON_E_SYNTAX);
	expect_cbor(lie, sizeof(lie), LINKJSON_E_SHAPE);
	expect_cbor(map_lie, sizeof(map_lie), LINKJSON_E_SHAPE);
	expect_cbor(indefinite, sizeof(indefinite), LINKJSON_E_SHAPE);
	expect_cbor(unknown_key, sizeof(unknown_key), LINKJSON_E_NAME);
	expect_cbor(neg_key, sizeof(neg_key), LINKJSON_E_NAME);
	expect_cbor(bytes_value, sizeof(bytes_value), LINKJSON_E_VALUE);
	expect_cbor(dup_key, sizeof(dup_key), LINKJSON_E_NAME);
	expect_cbor(no_href, sizeof(no_href), LINKJSON_E_HREF);
	expect_cbor(bad_utf8, sizeof(bad_utf8), LINKJSON_E_VALUE);
	expect_cbor(nul_text, sizeof(nul_text), LINKJSON_E_VALUE);
	expect_cbor(not_map, sizeof(not_map), LINKJSON_E_SHAPE);
}

static void expect_patch(const char *cur, const char *patch, int err, const char *want)
{
	struct linkformat lf, out;
	char *text;

	parse_lf(cur, &lf);
	assert_int_equal(linkjson_merge_patch(&lf, (const uint8_t *)patch, strlen(patch), &out),
			 err);
	if (err == 0) {
		text = to_lf(&out);
		assert_string_equal(text, want);
		free(text);
		linkformat_fini(&out);
	} else {
		assert_null(out.mem);
	}
	linkformat_fini(&lf);
}

static void test_merge_patch(void **state)
{
	const char *cur = "</a>;rt=x;ct=0,</b>;rt=y,</c>";

	expect_patch(
		cur,
		"{\"/b\":null,\"/a\":{\"ct\":null,\"if\":\"s\"},\"/d\":{\"rt\":\"n\",\"x\":null}}",
		0, "</a>;rt=x;if=s,</c>,</d>;rt=n");
	expect_patch(cur, "{}", 0, "</a>;rt=x;ct=0,</b>;rt=y,</c>");
	expect_patch(cur, "{\"/zz\":null}", 0, "</a>;rt=x;ct=0,</b>;rt=y,</c>");
	expect_patch(cur, "{\"/c\":{\"rt\":[\"p\",\"q\"],\"obs\":true}}", 0,
		     "</a>;rt=x;ct=0,</b>;rt=y,</c>;rt=p;rt=q;obs");
	expect_patch(cur, "{\"/a\":{\"rt\":\"z\"}}", 0, "</a>;ct=0;rt=z,</b>;rt=y,</c>");
	/* idempotent, as iPATCH needs */
	expect_patch("</a>;ct=0;rt=z,</b>;rt=y,</c>", "{\"/a\":{\"rt\":\"z\"}}", 0,
		     "</a>;ct=0;rt=z,</b>;rt=y,</c>");
	expect_patch(cur, "[]", LINKJSON_E_SHAPE, NULL);
	expect_patch(cur, "{\"/a\":1}", LINKJSON_E_SHAPE, NULL);
	expect_patch(cur, "{\"/a\":[]}", LINKJSON_E_SHAPE, NULL);
	expect_patch(cur, "{\"/a\":{\"href\":\"/z\"}}", LINKJSON_E_NAME, NULL);
	expect_patch(cur, "{\"a b\":{}}", LINKJSON_E_HREF, NULL);
	expect_patch(cur, "{\"/a\":{\"rt\":2}}", LINKJSON_E_VALUE, NULL);
	expect_patch(cur, "{\"/e\":{\"r t\":\"x\"}}", LINKJSON_E_NAME, NULL);
	expect_patch(cur, "{\"/a\":", LINKJSON_E_SYNTAX, NULL);
	expect_patch(cur, "{\"/a\":null,\"/a\":null}", LINKJSON_E_SYNTAX, NULL);
	expect_patch("</a>;rt=1,</a>;rt=2", "{\"/a\":null}", LINKJSON_E_AMBIGUOUS, NULL);
	expect_patch("</a>;rt=1,</a>;rt=2", "{\"/b\":{}}", 0, "</a>;rt=1,</a>;rt=2,</b>");
}

/* link-format carries any octet; JSON and CBOR text must be UTF-8 */
static void test_not_utf8(void **state)
{
	static const char *const bad[] = {
		"</caf\xe9>",                      /* Latin-1 */
		"</a>;title=\"\xc0\xaf\"",         /* overlong "/" */
		"</a>;title=\"\xed\xa0\x80\"",     /* a surrogate */
		"</a>;title=\"\xf4\x90\x80\x80\"", /* past U+10FFFF */
		"</a>;title=\"\xe2\x82\"",         /* truncated */
	};
	struct linkformat lf;
	uint8_t *cbor;
	size_t len;
	char *json;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		parse_lf(bad[i], &lf);
		assert_int_equal(linkjson_encode_json(lf.links, lf.count, &json, &len),
				 LINKJSON_E_UTF8);
		assert_int_equal(linkjson_encode_cbor(lf.links, lf.count, &cbor, &len),
				 LINKJSON_E_UTF8);
		linkformat_fini(&lf);
	}
	parse_lf("</caf\xc3\xa9>;title=\"\xe2\x82\xac \xf0\x9f\x92\xa1\"", &lf);
	assert_int_equal(linkjson_encode_json(lf.links, lf.count, &json, &len), 0);
	assert_string_equal(json, "[{\"href\":\"/caf\xc3\xa9\",\"title\":\"\xe2\x82\xac "
				  "\xf0\x9f\x92\xa1\"}]");
	free(json);
	assert_int_equal(linkjson_encode_cbor(lf.links, lf.count, &cbor, &len), 0);
	free(cbor);
	linkformat_fini(&lf);
}

static void test_strerror(void **state)
{
	for (int e = LINKJSON_E_UTF8; e <= LINKJSON_E_SYNTAX; e++)
		assert_string_not_equal(linkjson_strerror(e), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_json),      cmocka_unit_test(test_example_cbor),
		cmocka_unit_test(test_repeated_and_bare), cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_cbor_errors),       cmocka_unit_test(test_merge_patch),
		cmocka_unit_test(test_not_utf8),          cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
