/*
 * cliargs: command-line words as a command's arguments, placed by the
 * table a daemon's "help" reports (here lwm2md's read and write as
 * lwm2mctl.c declares them, in the JSON the daemon sends).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cliargs.h"

static const char help[] =
	"[{\"command\":\"read\",\"args\":["
	"{\"name\":\"ep\",\"type\":\"string\",\"required\":false,\"positional\":true},"
	"{\"name\":\"external_id\",\"type\":\"string\",\"required\":false,\"positional\":false},"
	"{\"name\":\"app_id\",\"type\":\"string\",\"required\":false,\"positional\":false},"
	"{\"name\":\"path\",\"type\":\"string\",\"required\":true,\"positional\":true},"
	"{\"name\":\"format\",\"type\":\"string\",\"required\":false,\"positional\":true}]},"
	"{\"command\":\"write\",\"args\":["
	"{\"name\":\"ep\",\"type\":\"string\",\"required\":false,\"positional\":true},"
	"{\"name\":\"path\",\"type\":\"string\",\"required\":true,\"positional\":true},"
	"{\"name\":\"value\",\"type\":\"any\",\"required\":false,\"positional\":true},"
	"{\"name\":\"values\",\"type\":\"object\",\"required\":false,\"positional\":false}]},"
	"{\"command\":\"clients\",\"args\":[]}]";

/* Parse @words (NULL-terminated) for @cmd; returns the rc, *out the compact JSON or why. */
static int parse(const char *cmd, const char **words, char *out, size_t len)
{
	json_t *h = json_loads(help, 0, NULL), *args = NULL;
	json_t *entry = cmd ? cliargs_command(h, cmd) : NULL;
	int argc = 0, rc;

	assert_non_null(h);
	while (words[argc])
		argc++;
	rc = cliargs_parse(entry ? json_object_get(entry, "args") : NULL, argc, (char **)words,
			   &args, out, len);
	if (rc == 0) {
		char *s = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);

		snprintf(out, len, "%s", s);
		free(s);
		json_decref(args);
	}
	json_decref(h);
	return rc;
}

#define EXPECT(cmd, json, ...)                                        \
	do {                                                          \
		const char *w[] = { __VA_ARGS__, NULL };              \
		char got[512];                                        \
		assert_int_equal(parse(cmd, w, got, sizeof(got)), 0); \
		assert_string_equal(got, json);                       \
	} while (0)

#define REFUSED(cmd, why, ...)                                              \
	do {                                                                \
		const char *w[] = { __VA_ARGS__, NULL };                    \
		char got[512];                                              \
		assert_int_equal(parse(cmd, w, got, sizeof(got)), -EINVAL); \
		if (!strstr(got, why))                                      \
			fail_msg("\"%s\" lacks \"%s\"", got, why);          \
	} while (0)

static void positional_in_table_order(void **state)
{
	EXPECT("read", "{\"ep\":\"dev7\",\"format\":\"senml-json\",\"path\":\"/3/0\"}", "dev7",
	       "/3/0", "--format", "senml-json");
	EXPECT("read", "{\"ep\":\"dev7\",\"format\":\"tlv\",\"path\":\"/3/0\"}", "dev7", "/3/0",
	       "tlv");
	EXPECT("write", "{\"ep\":\"dev7\",\"path\":\"/1/0/1\",\"value\":\"120\"}", "dev7", "/1/0/1",
	       "120");
	/* named ones keep their place wherever they are; the words fill the rest */
	EXPECT("read", "{\"ep\":\"dev7\",\"path\":\"/3/0\"}", "/3/0", "ep=dev7");
	EXPECT("read", "{\"ep\":\"dev7\",\"path\":\"/3/0\"}", "path=/3/0", "dev7");
	EXPECT("read", "{\"external_id\":\"x\",\"path\":\"/3/0\"}", "external_id=x", "path=/3/0");
}

static void named_forms(void **state)
{
	EXPECT("read", "{\"ep\":\"dev7\",\"path\":\"/3/0\"}", "--ep", "dev7", "--path=/3/0");
	EXPECT("write", "{\"ep\":\"d\",\"path\":\"/3/0\",\"values\":{\"/3/0/14\":\"+02\"}}", "d",
	       "/3/0", "values:={\"/3/0/14\": \"+02\"}");
	EXPECT("write", "{\"ep\":\"d\",\"path\":\"/1/0/1\",\"value\":120}", "d", "/1/0/1",
	       "value:=120");
	/* a value with "=" in it is a value: only declared keys are names */
	EXPECT("write", "{\"ep\":\"d\",\"path\":\"/5/0/0\",\"value\":\"AAE=\"}", "d", "/5/0/0",
	       "AAE=");
	EXPECT("write", "{\"ep\":\"d\",\"path\":\"/3/0/4\",\"value\":\"0='x',1\"}", "d", "/3/0/4",
	       "0='x',1");
	/* after --, even a word that looks like an option or a name */
	EXPECT("write", "{\"ep\":\"d\",\"path\":\"/1/0/1\",\"value\":\"--5\"}", "d", "--", "/1/0/1",
	       "--5");
	EXPECT("write", "{\"ep\":\"d\",\"path\":\"/1/0/1\",\"value\":\"value=3\"}", "d", "/1/0/1",
	       "--", "value=3");
}

static void refusals(void **state)
{
	REFUSED("read", "\"extra\": one word too many (by position: [EP] PATH [FORMAT]", "dev7",
		"/3/0", "tlv", "extra");
	REFUSED("read", "argument \"ep\" given twice", "ep=a", "--ep", "b");
	REFUSED("read", "no argument --fromat", "dev7", "/3/0", "--fromat", "tlv");
	REFUSED("read", "--format needs a value", "dev7", "/3/0", "--format");
	REFUSED("write", "values: bad JSON", "d", "/3/0", "values:={");
	REFUSED("clients", "\"ep=x\": no such argument", "ep=x");
	REFUSED("clients", "\"x\" is not key=value", "x");
}

/* A command the daemon does not describe: key=value only, as before help told the order. */
static void without_a_table(void **state)
{
	EXPECT("nosuch", "{\"a\":\"1\",\"b\":[1]}", "a=1", "b:=[1]");
	EXPECT(NULL, "{\"q\":\"rt=x&count=2\"}", "q=rt=x&count=2");
	REFUSED(NULL, "\"word\" is not key=value", "word");
}

static void synopsis(void **state)
{
	json_t *h = json_loads(help, 0, NULL);
	char buf[64];

	cliargs_synopsis(json_object_get(cliargs_command(h, "read"), "args"), buf, sizeof(buf));
	assert_string_equal(buf, "[EP] PATH [FORMAT]");
	cliargs_synopsis(json_object_get(cliargs_command(h, "read"), "args"), buf, 12);
	assert_string_equal(buf, "[EP] PATH");
	cliargs_synopsis(json_object_get(cliargs_command(h, "clients"), "args"), buf, sizeof(buf));
	assert_string_equal(buf, "");
	assert_null(cliargs_command(h, "nosuch"));
	assert_true(
		cliargs_declares(json_object_get(cliargs_command(h, "write"), "args"), "values"));
	assert_false(
		cliargs_declares(json_object_get(cliargs_command(h, "write"), "args"), "format"));
	json_decref(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(positional_in_table_order),
		cmocka_unit_test(named_forms),
		cmocka_unit_test(refusals),
		cmocka_unit_test(without_a_table),
		cmocka_unit_test(synopsis),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
