#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/config.h"

struct test_config {
	char *name;
	int port;
	bool enabled;
	int mode;
	char *path;
	char *listen;
	char *peer;
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
	{ "main", "listen", CONFIG_ADDRESS, offsetof(struct test_config, listen), "::", 0, 0, NULL,
	  false, "where to listen", 0 },
	{ "store", "peer", CONFIG_ADDRESS, offsetof(struct test_config, peer), "", 0, 0, NULL,
	  false, "the replica", CONFIG_ADDR_PORT | CONFIG_ADDR_EMPTY },
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

/* "-c /etc": fopen() of a folder succeeds, the read fails, and that is no empty file. */
static void test_directory_is_a_read_error(void **state)
{
	struct test_config c = { 0 };
	struct config_error err;

	assert_int_equal(config_load(keys, &c, "/tmp", NULL, &err), -EISDIR);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.message, "/tmp: cannot read: Is a directory");
	assert_null(c.name);
}

static void test_unclosed_section(void **state)
{
	expect_error("[main]\nport = 1\n[store\nmode = fast\n", 3, "",
		     "section header \"[store\" lacks its closing ']'");
	expect_error("  [main\r\n", 1, "", "\"[main\" lacks");
}

static void test_address_keys(void **state)
{
	struct test_config c = { 0 };
	struct config_error err;

	assert_int_equal(config_load(keys, &c,
				     write_file("[main]\nlisten = 192.0.2.7\n[store]\n"
						"peer = [2001:db8::1]:5684\n"),
				     NULL, &err),
			 0);
	assert_string_equal(c.listen, "192.0.2.7");
	assert_string_equal(c.peer, "[2001:db8::1]:5684");
	config_clear(keys, &c);
	teardown(NULL);
	expect_error("[main]\nport = 2\nlisten = localhost\n", 3, "main.listen",
		     "\"localhost\" is not a numeric IPv4 or IPv6 address");
	expect_error("[main]\nlisten =\n", 2, "main.listen", "is not a numeric");
	expect_error("[store]\npeer = 2001:db8::1:5684\n", 2, "store.peer",
		     "is not a numeric IPv4 or IPv6 address and port (192.0.2.1:5683, "
		     "[2001:db8::1]:5683), or empty");
}

struct addr_case {
	const char *text;
	unsigned flags;
	int family; /* 0: refused */
	unsigned port, prefix_len;
	const char *zone;
};

static void test_address_parse(void **state)
{
	static const struct addr_case cases[] = {
		{ "::", 0, AF_INET6, 0, 0, "" },
		{ "0.0.0.0", 0, AF_INET, 0, 0, "" },
		{ "2001:db8::1", CONFIG_ADDR_IPV6, AF_INET6, 0, 0, "" },
		{ "192.0.2.1", CONFIG_ADDR_IPV6, 0, 0, 0, "" },
		{ "::ffff:192.0.2.1", CONFIG_ADDR_IPV6, AF_INET6, 0, 0, "" },
		{ "", 0, 0, 0, 0, "" },
		{ "", CONFIG_ADDR_EMPTY, AF_UNSPEC, 0, 0, "" },
		{ " ::1", 0, 0, 0, 0, "" },
		{ "::1 ", 0, 0, 0, 0, "" },
		{ "1.2.3", 0, 0, 0, 0, "" },
		{ "256.1.1.1", 0, 0, 0, 0, "" },
		{ "[::1]", 0, 0, 0, 0, "" },
		{ "fe80::1%eth0", 0, 0, 0, 0, "" },
		{ "fe80::1%eth0", CONFIG_ADDR_ZONE, AF_INET6, 0, 0, "eth0" },
		{ "192.0.2.1%eth0", CONFIG_ADDR_ZONE, 0, 0, 0, "" },
		{ "fe80::1%", CONFIG_ADDR_ZONE, 0, 0, 0, "" },
		{ "192.0.2.1:5683", CONFIG_ADDR_PORT, AF_INET, 5683, 0, "" },
		{ "[2001:db8::1]:65535", CONFIG_ADDR_PORT, AF_INET6, 65535, 0, "" },
		{ "[fe80::1%lo]:1", CONFIG_ADDR_PORT | CONFIG_ADDR_ZONE, AF_INET6, 1, 0, "lo" },
		{ "2001:db8::1:5683", CONFIG_ADDR_PORT, 0, 0, 0, "" },
		{ "[192.0.2.1]:5683", CONFIG_ADDR_PORT, 0, 0, 0, "" },
		{ "192.0.2.1:0", CONFIG_ADDR_PORT, 0, 0, 0, "" },
		{ "192.0.2.1:65536", CONFIG_ADDR_PORT, 0, 0, 0, "" },
		{ "192.0.2.1:+80", CONFIG_ADDR_PORT, 0, 0, 0, "" },
		{ "192.0.2.1:", CONFIG_ADDR_PORT, 0, 0, 0, "" },
		{ "192.0.2.1", CONFIG_ADDR_PORT, 0, 0, 0, "" },
		{ "[]:80", CONFIG_ADDR_PORT, 0, 0, 0, "" },
		{ ":80", CONFIG_ADDR_PORT, 0, 0, 0, "" },
		{ "fd00::1/64", CONFIG_ADDR_PREFIX | CONFIG_ADDR_IPV6, AF_INET6, 0, 64, "" },
		{ "fd00::/128", CONFIG_ADDR_PREFIX, AF_INET6, 0, 128, "" },
		{ "10.0.0.0/8", CONFIG_ADDR_PREFIX, AF_INET, 0, 8, "" },
		{ "10.0.0.0/33", CONFIG_ADDR_PREFIX, 0, 0, 0, "" },
		{ "fd00::/129", CONFIG_ADDR_PREFIX, 0, 0, 0, "" },
		{ "fd00::/0", CONFIG_ADDR_PREFIX, 0, 0, 0, "" },
		{ "fd00::", CONFIG_ADDR_PREFIX, 0, 0, 0, "" },
		{ "fd00::/64x", CONFIG_ADDR_PREFIX, 0, 0, 0, "" },
		{ "fd00::1", CONFIG_ADDR_PREFIX | CONFIG_ADDR_EMPTY, 0, 0, 0, "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct addr_case *t = &cases[i];
		struct config_address a;
		int rc = config_address_parse(t->text, t->flags, &a);

		print_message("\"%s\" flags=%#x\n", t->text, t->flags);
		if (t->family == 0 && !(t->text[0] == '\0' && t->flags & CONFIG_ADDR_EMPTY)) {
			assert_int_equal(rc, -EINVAL);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(a.family, t->family);
		assert_int_equal(a.port, t->port);
		assert_int_equal(a.prefix_len, t->prefix_len);
		assert_string_equal(a.zone, t->zone);
	}
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
		cmocka_unit_test(test_directory_is_a_read_error),
		cmocka_unit_test(test_unclosed_section),
		cmocka_unit_test_teardown(test_address_keys, teardown),
		cmocka_unit_test(test_address_parse),
		cmocka_unit_test_teardown(test_overrides, teardown),
		cmocka_unit_test(test_print_round_trip),
		cmocka_unit_test(test_swap_key),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
