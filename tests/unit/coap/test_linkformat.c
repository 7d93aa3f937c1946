/*
 * linkformat: the examples of RFC 6690 §5 and RFC 9176 as vectors, every
 * error class with its offset, serialisation round trips, and reference
 * resolution against all of RFC 3986 §5.4.
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

static int parse(const char *s, struct linkformat *lf)
{
	return linkformat_parse((const uint8_t *)s, strlen(s), lf);
}

static void assert_attr(const struct linkformat_link *l, size_t i, const char *name,
			const char *value, bool quoted)
{
	assert_true(i < l->attr_count);
	assert_string_equal(l->attrs[i].name, name);
	if (value)
		assert_string_equal(l->attrs[i].value, value);
	else
		assert_null(l->attrs[i].value);
	assert_int_equal(l->attrs[i].quoted, quoted);
}

/* RFC 6690 §5, the second example (a link with an anchor and rel). */
static void test_rfc6690_examples(void **state)
{
	const char *doc = "</sensors>;ct=40;title=\"Sensor Index\","
			  "</sensors/temp>;rt=\"temperature-c\";if=\"sensor\","
			  "</sensors/light>;rt=\"light-lux\";if=\"sensor\","
			  "<http://www.example.com/sensors/t123>;anchor=\"/sensors/temp\""
			  ";rel=\"describedby\","
			  "</t>;anchor=\"/sensors/temp\";rel=\"alternate\"";
	struct linkformat lf;
	char out[512];
	size_t len;

	assert_int_equal(parse(doc, &lf), 0);
	assert_int_equal(lf.count, 5);
	assert_int_equal(lf.attr_total, 10);
	assert_string_equal(lf.links[0].target, "/sensors");
	assert_attr(&lf.links[0], 0, "ct", "40", false);
	assert_attr(&lf.links[0], 1, "title", "Sensor Index", true);
	assert_string_equal(lf.links[3].target, "http://www.example.com/sensors/t123");
	assert_attr(&lf.links[3], 0, "anchor", "/sensors/temp", true);
	assert_attr(&lf.links[3], 1, "rel", "describedby", true);
	assert_string_equal(linkformat_find(&lf.links[1], "if")->value, "sensor");
	assert_null(linkformat_find(&lf.links[1], "ct"));
	/* written back byte for byte: the quoting of each value is kept */
	assert_int_equal(linkformat_format(lf.links, lf.count, out, sizeof(out), &len), 0);
	assert_string_equal(out, doc);
	assert_int_equal(len, strlen(doc));
	linkformat_fini(&lf);
	linkformat_fini(&lf); /* finishing twice is harmless */
}

/* RFC 9176 §5.3: the registration payload, with its line break after ",". */
static void test_rfc9176_registration_payload(void **state)
{
	const char *doc = "</sensors/temp>;rt=\"temperature-c\";if=\"sensor\",\n"
			  "</sensors/light>;rt=\"light-lux\";if=\"sensor\"";
	struct linkformat lf;

	assert_int_equal(parse(doc, &lf), 0);
	assert_int_equal(lf.count, 2);
	assert_string_equal(lf.links[1].target, "/sensors/light");
	assert_attr(&lf.links[1], 0, "rt", "light-lux", true);
	assert_attr(&lf.links[1], 1, "if", "sensor", true);
	linkformat_fini(&lf);
}

static void test_values_and_space(void **state)
{
	struct linkformat lf;
	char out[256];
	size_t len;

	assert_int_equal(
		parse(" <a> ; obs ; sz=12 ;title=\"say \\\"hi\\\" \\\\o/\";title*=UTF-8'de'x"
		      " ,\r\n\t<b>;e=\"\"  ",
		      &lf),
		0);
	assert_int_equal(lf.count, 2);
	assert_attr(&lf.links[0], 0, "obs", NULL, false);
	assert_attr(&lf.links[0], 1, "sz", "12", false);
	assert_attr(&lf.links[0], 2, "title", "say \"hi\" \\o/", true);
	assert_attr(&lf.links[0], 3, "title*", "UTF-8'de'x", false);
	assert_attr(&lf.links[1], 0, "e", "", true);
	assert_int_equal(linkformat_format(lf.links, lf.count, out, sizeof(out), &len), 0);
	assert_string_equal(out, "<a>;obs;sz=12;title=\"say \\\"hi\\\" \\\\o/\";title*=UTF-8'de'x,"
				 "<b>;e=\"\"");
	linkformat_fini(&lf);

	assert_int_equal(parse("", &lf), 0);
	assert_int_equal(lf.count, 0);
	assert_null(lf.links);
	assert_int_equal(parse(" \n ", &lf), 0);
	assert_int_equal(lf.count, 0);
	assert_int_equal(parse("<>", &lf), 0);
	assert_string_equal(lf.links[0].target, "");
	linkformat_fini(&lf);
}

static void test_errors_with_offsets(void **state)
{
	static const struct {
		const char *doc;
		int err;
		size_t offset;
	} cases[] = {
		{ "x", LINKFORMAT_E_TARGET, 0 },
		{ "</a", LINKFORMAT_E_TARGET, 3 },
		{ "</a b>", LINKFORMAT_E_TARGET, 3 },
		{ "<</a>", LINKFORMAT_E_TARGET, 1 },
		{ "</a>;", LINKFORMAT_E_PARAM, 5 },
		{ "</a>;=1", LINKFORMAT_E_PARAM, 5 },
		{ "</a>;r@t=1", LINKFORMAT_E_SEPARATOR, 6 },
		{ "</a>;rt=", LINKFORMAT_E_VALUE, 8 },
		{ "</a>;rt=,</b>", LINKFORMAT_E_VALUE, 8 },
		{ "</a>;rt=\"open", LINKFORMAT_E_VALUE, 13 },
		{ "</a>;rt=\"bad\\", LINKFORMAT_E_VALUE, 13 },
		{ "</a>;rt=\"a\x01\"", LINKFORMAT_E_VALUE, 10 },
		{ "</a>;rt=a b", LINKFORMAT_E_SEPARATOR, 10 },
		{ "</a></b>", LINKFORMAT_E_SEPARATOR, 4 },
		{ "</a>,", LINKFORMAT_E_TARGET, 5 },
		{ "</a>,,</b>", LINKFORMAT_E_TARGET, 5 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct linkformat lf;
		int rc = parse(cases[i].doc, &lf);

		if (rc != cases[i].err || lf.error_offset != cases[i].offset)
			fail_msg("\"%s\": got %d at %zu, want %d at %zu", cases[i].doc, rc,
				 lf.error_offset, cases[i].err, cases[i].offset);
		assert_null(lf.mem);
		assert_non_null(linkformat_strerror(rc));
	}
	/* a NUL inside the input is not a terminator but a bad byte */
	{
		struct linkformat lf;

		assert_int_equal(linkformat_parse((const uint8_t *)"</a\0>", 5, &lf),
				 LINKFORMAT_E_TARGET);
	}
}

static void test_format_truncation_and_quoting(void **state)
{
	struct linkformat_attr attrs[] = {
		{ "rt", "a b", false }, /* not a ptoken: quoted although it was not */
		{ "ct", "40", false },
		{ "anchor", "coap://[::1]", true },
	};
	struct linkformat_link link = { "/x", attrs, 3 };
	const char *want = "</x>;rt=\"a b\";ct=40;anchor=\"coap://[::1]\"";
	char small[8], big[64];
	size_t len;

	assert_int_equal(linkformat_format(&link, 1, small, sizeof(small), &len), -ENOSPC);
	assert_int_equal(len, strlen(want));
	assert_string_equal(small, "</x>;rt");
	assert_int_equal(linkformat_format(&link, 1, big, sizeof(big), &len), 0);
	assert_string_equal(big, want);
	assert_int_equal(linkformat_format(&link, 1, NULL, 0, &len), -ENOSPC);
	assert_int_equal(len, strlen(want));
	assert_int_equal(linkformat_format(&link, 0, big, sizeof(big), &len), 0);
	assert_string_equal(big, "");
	assert_true(linkformat_is_ptoken("core.rd"));
	assert_false(linkformat_is_ptoken(""));
	assert_false(linkformat_is_ptoken("a,b"));
	assert_true(linkformat_is_parmname("title*"));
	assert_false(linkformat_is_parmname("a=b"));
}

/* RFC 3986 §5.4.1 and §5.4.2, base "http://a/b/c/d;p?q". */
static void test_resolve_rfc3986(void **state)
{
	static const char *const vectors[][2] = {
		{ "g:h", "g:h" },
		{ "g", "http://a/b/c/g" },
		{ "./g", "http://a/b/c/g" },
		{ "g/", "http://a/b/c/g/" },
		{ "/g", "http://a/g" },
		{ "//g", "http://g" },
		{ "?y", "http://a/b/c/d;p?y" },
		{ "g?y", "http://a/b/c/g?y" },
		{ "#s", "http://a/b/c/d;p?q#s" },
		{ "g#s", "http://a/b/c/g#s" },
		{ "g?y#s", "http://a/b/c/g?y#s" },
		{ ";x", "http://a/b/c/;x" },
		{ "g;x", "http://a/b/c/g;x" },
		{ "g;x?y#s", "http://a/b/c/g;x?y#s" },
		{ "", "http://a/b/c/d;p?q" },
		{ ".", "http://a/b/c/" },
		{ "./", "http://a/b/c/" },
		{ "..", "http://a/b/" },
		{ "../", "http://a/b/" },
		{ "../g", "http://a/b/g" },
		{ "../..", "http://a/" },
		{ "../../", "http://a/" },
		{ "../../g", "http://a/g" },
		{ "../../../g", "http://a/g" },
		{ "../../../../g", "http://a/g" },
		{ "/./g", "http://a/g" },
		{ "/../g", "http://a/g" },
		{ "g.", "http://a/b/c/g." },
		{ ".g", "http://a/b/c/.g" },
		{ "g..", "http://a/b/c/g.." },
		{ "..g", "http://a/b/c/..g" },
		{ "./../g", "http://a/b/g" },
		{ "./g/.", "http://a/b/c/g/" },
		{ "g/./h", "http://a/b/c/g/h" },
		{ "g/../h", "http://a/b/c/h" },
		{ "g;x=1/./y", "http://a/b/c/g;x=1/y" },
		{ "g;x=1/../y", "http://a/b/c/y" },
		{ "g?y/./x", "http://a/b/c/g?y/./x" },
		{ "g?y/../x", "http://a/b/c/g?y/../x" },
		{ "g#s/./x", "http://a/b/c/g#s/./x" },
		{ "g#s/../x", "http://a/b/c/g#s/../x" },
		{ "http:g", "http:g" },
	};
	char out[128];

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		assert_int_equal(
			linkformat_resolve("http://a/b/c/d;p?q", vectors[i][0], out, sizeof(out)),
			0);
		if (strcmp(out, vectors[i][1]) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", vectors[i][0], out,
				 vectors[i][1]);
	}
}

/* RFC 9176 Appendix C: links resolved against a registration's base. */
static void test_resolve_rd_base(void **state)
{
	char out[128];

	assert_int_equal(
		linkformat_resolve("coap://[2001:db8:3::123]:61616", "/temp", out, sizeof(out)), 0);
	assert_string_equal(out, "coap://[2001:db8:3::123]:61616/temp");
	assert_int_equal(
		linkformat_resolve("coap://[2001:db8:3::123]:61616", "temp", out, sizeof(out)), 0);
	assert_string_equal(out, "coap://[2001:db8:3::123]:61616/temp");
	assert_int_equal(linkformat_resolve("coap://h/dev/", "../x", out, sizeof(out)), 0);
	assert_string_equal(out, "coap://h/x");
	assert_int_equal(linkformat_resolve("coap://h", "", out, sizeof(out)), 0);
	assert_string_equal(out, "coap://h");
	assert_int_equal(linkformat_resolve("/relative", "x", out, sizeof(out)), -EINVAL);
	assert_int_equal(linkformat_resolve("coap://h", "/long/path", out, 12), -ENOSPC);
	assert_string_equal(out, "coap://h/lo");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6690_examples),
		cmocka_unit_test(test_rfc9176_registration_payload),
		cmocka_unit_test(test_values_and_space),
		cmocka_unit_test(test_errors_with_offsets),
		cmocka_unit_test(test_format_truncation_and_quoting),
		cmocka_unit_test(test_resolve_rfc3986),
		cmocka_unit_test(test_resolve_rd_base),
	};

	return cmocka_run_group_tests_name("linkformat", tests, NULL, NULL);
}
