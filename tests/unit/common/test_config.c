#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/config.h"

struct test_config {
	char *name;
	int port;
	bool enabled;
	int mode;
	char *path;
};

static const char *const modes[] = { "fast", "safe", NULL };

static const struct config_key keys[] = {
	{ "main", "name", CONFIG_STRING, offsetof(struct test_config, name), "gateway", 0, 0, NULL,
	  false, "a name" },
	{ "main", "port", CONFIG_INT, offsetof(struct test_config, port), "5683", 1, 65535, NULL,
	  true, "UDP port" },
	{ "main", "enabled", CONFIG_BOOL, offsetof(struct test_config, enabled), "yes", 0, 0, NULL,
	  true, "on or off" },
	{ "store", "mode", CONFIG_ENUM, offsetof(struct test_config, mode), "safe", 0, 0, modes,
	  false, "how to store" },
	{ "store", "path", CONFIG_STRING, offsetof(struct test_config, path), "", 0, 0, NULL, false,
	  "where" },
	CONFIG_KEY_END,
};

static char path[64];

static const char *write_file(const char *text)
{
	int fd;

	strcpy(path, "/tmp/test_config_XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static int teardown(void **state)
{
	if (path[0])
		unlink(path);
	path[0] = '\0';
	return 0;
}

/* Load @text and expect failure at @line on @key with @what in the message. */
static void expect_error(const char *text, unsigned line, const char *key, const char *what)
{
	struct test_config c = { 0 };
	struct config_error err;
	char where[96];

	assert_int_equal(config_load(keys, &c, write_file(text), NULL, &err), -EINVAL);
	assert_int_equal(err.line, line);
	assert_string_equal(err.key, key);
	snprintf(where, sizeof(where), "%s:%u:", path, line);
	assert_non_null(strstr(err.message, where));
	assert_non_null(strstr(err.message, what));
	assert_null(c.name); /* cleared on error */
	teardown(NULL);
}

static void test_defaults(void **state)
{
	struct test_config c = { 0 };
	struct config_error err;

	assert_int_equal(config_load(keys, &c, NULL, NULL, &err), 0);
	assert_string_equal(c.name, "gateway");
	assert_int_equal(c.port, 5683);
	assert_true(c.enabled);
	assert_int_equal(c.mode, 1);
	assert_string_equal(c.path, "");
	config_clear(keys, &c);
}

static void test_good_file(void **state)
{
	struct test_config c = { 0 };
	struct config_error err;
	const char *f = write_file("; comment\n# another\n[main]\nname = pi-gw\nport=61616\n"
				   "enabled = off\n\n[store]\nmode = fast ; inline comment\n");

	assert_int_equal(config_load(keys, &c, f, NULL, &err), 0);
	assert_string_equal(c.name, "pi-gw");
	assert_int_equal(c.port, 61616);
	assert_false(c.enabled);
	assert_int_equal(c.mode, 0);
	config_clear(keys, &c);
}

static void test_unknown_key(void **state)
{
	expect_error("[main]\nname = x\nnope = 1\n", 3, "main.nope", "unknown key");
}

static void test_unknown_section(void **state)
{
	expect_error("[main]\nport = 1\n[bogus]\nport = 2\n", 3, "", "[bogus]: unknown section");
}

static void test_unknown_empty_section(void **state)
{
	expect_error("[main]\n\n[empty]\n", 3, "", "unknown section");
}

static void test_bad_number(void **state)
{
	expect_error("[main]\nport = 12ab\n", 2, "main.port", "not a whole number");
	expect_error("[main]\nport =\n", 2, "main.port", "not a whole number");
	expect_error("[main]\nport = 99999999999999999999\n", 2, "main.port", "not a whole number");
}

static void test_out_of_range(void **state)
{
	expect_error("[main]\n\nport = 0\n", 3, "main.port", "out of range [1, 65535]");
	expect_error("[main]\nport = 65536\n", 2, "main.port", "out of range");
	expect_error("[main]\nport = -1\n", 2, "main.port", "out of range");
}

static void test_bad_bool_and_enum(void **state)
{
	expect_error("[main]\nenabled = maybe\n", 2, "main.enabled", "not a boolean");
	expect_error("[store]\nmode = slow\n", 2, "store.mode", "not one of: fast, safe");
}

static void test_twice(void **state)
{
	expect_error("[main]\nport = 1\nport = 2\n", 3, "main.port", "given twice");
}

static void test_syntax_error(void **state)
{
	expect_error("[main]\nport = 1\nthis line has no equals\n", 3, "", "syntax error");
}

static void test_long_line(void **state)
{
	char text[512];

	snprintf(text, sizeof(text), "[main]\nname = %0300d\n", 7);
	expect_error(text, 2, "", "line too long");
}

static void test_missing_file(void **state)
{
	struct test_config c = { 0 };
	struct config_error err;

	assert_int_equal(config_load(keys, &c, "/nonexistent/lwgate.ini", NULL, &err), -ENOENT);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.message,
			    "/nonexistent/lwgate.ini: cannot open: No such file or directory");
}

static void test_overrides(void **state)
{
	struct test_config c = { 0 };
	struct config_error err;
	const char *good[] = { "main.port=7", "store.path=/var/x", NULL };
	const char *bad_key[] = { "main.port=7", "main.porrt=8", NULL };
	const char *bad_form[] = { "port=7", NULL };
	const char *bad_value[] = { "main.port=0", NULL };

	assert_int_equal(config_load(keys, &c, write_file("[main]\nport = 9\n"), good, &err), 0);
	assert_int_equal(c.port, 7);
	assert_string_equal(c.path, "/var/x");
	config_clear(keys, &c);
	assert_int_equal(config_load(keys, &c, NULL, bad_key, &err), -EINVAL);
	assert_string_equal(err.message, "command line: [main] porrt: unknown key");
	assert_int_equal(config_load(keys, &c, NULL, bad_form, &err), -EINVAL);
	assert_non_null(strstr(err.message, "not section.key=value"));
	assert_int_equal(config_load(keys, &c, NULL, bad_value, &err), -EINVAL);
	assert_string_equal(err.key, "main.port");
}

/* --print-config output must load back to the same configuration. */
static void test_print_round_trip(void **state)
{
	struct test_config a = { 0 }, b = { 0 };
	struct config_error err;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	assert_int_equal(config_load(keys, &a,
				     write_file("[main]\nname = edge 7\nport = 1\nenabled = no\n"
						"[store]\nmode = fast\npath =;srv/db\n"),
				     NULL, &err),
			 0);
	config_print(keys, &a, "test", mem);
	fclose(mem);
	teardown(NULL);
	assert_non_null(strstr(text, "# UDP port\n# default: 5683; range: 1..65535; applied on "
				     "reload (SIGHUP)\nport = 1\n"));
	assert_int_equal(config_load(keys, &b, write_file(text), NULL, &err), 0);
	for (const struct config_key *k = keys; k->section; k++)
		assert_true(config_key_equal(k, &a, &b));
	free(text);
	config_clear(keys, &a);
	config_clear(keys, &b);
}

static void test_swap_key(void **state)
{
	struct test_config a = { 0 }, b = { 0 };
	struct config_error err;
	const char *over[] = { "main.name=other", "main.port=9", NULL };

	assert_int_equal(config_load(keys, &a, NULL, NULL, &err), 0);
	assert_int_equal(config_load(keys, &b, NULL, over, &err), 0);
	assert_false(config_key_equal(&keys[0], &a, &b));
	config_swap_key(&keys[0], &a, &b);
	config_swap_key(&keys[1], &a, &b);
	assert_string_equal(a.name, "other");
	assert_string_equal(b.name, "gateway");
	assert_int_equal(a.port, 9);
	assert_int_equal(b.port, 5683);
	config_clear(keys, &a);
	config_clear(keys, &b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test_teardown(test_good_file, teardown),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_unknown_section),
		cmocka_unit_test(test_unknown_empty_section),
		cmocka_unit_test(test_bad_number),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_bad_bool_and_enum),
		cmocka_unit_test(test_twice),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test_teardown(test_overrides, teardown),
		cmocka_unit_test(test_print_round_trip),
		cmocka_unit_test(test_swap_key),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
