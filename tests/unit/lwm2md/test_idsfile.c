/*
 * idsfile: the endpoint ID mapping file, line by line: the forms it takes
 * (URN endpoint names with ':', one or both names, comments, spaces, CRLF,
 * no final newline) and each malformed line with its reason and number.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "idsfile.h"

struct got {
	char lines[8][160];
	int n;
};

static int collect(void *arg, const struct idsfile_entry *e)
{
	struct got *g = arg;

	if (g->n == 8)
		return -ENOSPC;
	snprintf(g->lines[g->n++], sizeof(g->lines[0]), "%u|%.*s|%.*s|%.*s", e->line,
		 (int)e->ep_len, e->ep, e->app_id ? (int)e->app_len : 1,
		 e->app_id ? e->app_id : "-", e->external_id ? (int)e->ext_len : 1,
		 e->external_id ? e->external_id : "-");
	return 0;
}

static int parse(const char *text, struct got *g, char *why, unsigned *line)
{
	memset(g, 0, sizeof(*g));
	return idsfile_parse(text, strlen(text), collect, g, why, 128, line);
}

static void test_good_file(void **state)
{
	static const char text[] =
		"# lwm2md endpoint IDs\n"
		"\n"
		"meter-1 = app_id=metering, external_id=ext-0001@nidd.example\n"
		"; another comment\n"
		"  urn:imei:490154203237518=external_id=490154203237518@nidd.example\r\n"
		"\tlamp 7 =  app_id = lighting  \n"
		"gw=external_id=x,app_id=y";
	struct got g;
	char why[128];
	unsigned line;

	(void)state;
	assert_int_equal(parse(text, &g, why, &line), 0);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.lines[0], "3|meter-1|metering|ext-0001@nidd.example");
	assert_string_equal(g.lines[1],
			    "5|urn:imei:490154203237518|-|490154203237518@nidd.example");
	assert_string_equal(g.lines[2], "6|lamp 7|lighting|-");
	assert_string_equal(g.lines[3], "7|gw|y|x");
	assert_int_equal(parse("", &g, why, &line), 0);
	assert_int_equal(g.n, 0);
}

static void test_bad_lines(void **state)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *why;
	} cases[] = {
		{ "ok = app_id=a\nno equals sign\n", 2, "'no equals sign' is not EP = " },
		{ " = app_id=a\n", 1, "the endpoint name must be 1 to 255 bytes" },
		{ "ep =\n", 1, "ep: give app_id= and/or external_id=" },
		{ "ep = app_id\n", 1, "'app_id' is not name=value" },
		{ "ep = app_id=\n", 1, "app_id: the value must be 1 to 255 bytes" },
		{ "ep = app_id=a=b\n", 1, "app_id: the value must be 1 to 255 bytes, without '='" },
		{ "ep = app_id=a, app_id=b\n", 1, "app_id given twice" },
		{ "ep = external_id=a,external_id=b\n", 1, "external_id given twice" },
		{ "ep = imsi=1\n", 1, "'imsi' is not app_id or external_id" },
		{ "ep = app_id=a,\n", 1, "a ',' with nothing after it" },
	};
	struct got g;
	char why[128];
	unsigned line;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].text, &g, why, &line), -EINVAL);
		assert_int_equal(line, cases[i].line);
		if (strncmp(why, cases[i].why, strlen(cases[i].why)) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, why, cases[i].why);
	}
}

static void test_long_and_nul(void **state)
{
	char text[600], why[128];
	struct got g;
	unsigned line;

	(void)state;
	memset(text, 'e', 256);
	strcpy(text + 256, " = app_id=a\n");
	assert_int_equal(parse(text, &g, why, &line), -EINVAL);
	assert_string_equal(why, "the endpoint name must be 1 to 255 bytes");
	strcpy(text + 255, " = app_id=a\n");
	assert_int_equal(parse(text, &g, why, &line), 0);
	assert_int_equal(g.n, 1);
	/* a NUL inside a line is refused, not taken as its end */
	assert_int_equal(
		idsfile_parse("ep = app_id=a\0b\n", 16, collect, &g, why, sizeof(why), &line),
		-EINVAL);
	assert_string_equal(why, "a NUL byte");
}

static int stop_at_second(void *arg, const struct idsfile_entry *e)
{
	return e->line == 2 ? -EEXIST : 0;
}

static void test_callback_error(void **state)
{
	char why[128];
	unsigned line;

	(void)state;
	assert_int_equal(idsfile_parse("a = app_id=1\nb = app_id=2\nc = app_id=3\n", 39,
				       stop_at_second, NULL, why, sizeof(why), &line),
			 -EEXIST);
	assert_int_equal(line, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_long_and_nul),
		cmocka_unit_test(test_callback_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
