/* httpstatic: which console file a path names, and which it must refuse. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "http/httpstatic.h"

static void served_names(void **state)
{
	(void)state;
	char name[64];
	static const char *const cases[][2] = {
		{ "/ui/", "index.html" },
		{ "/ui", "index.html" },
		{ "/ui/app.js", "app.js" },
		{ "/ui/style.css", "style.css" },
		{ "/ui/a-b_c.1.svg", "a-b_c.1.svg" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(httpstatic_name("/ui/", cases[i][0], name, sizeof(name)), 0);
		assert_string_equal(name, cases[i][1]);
	}
}

static void refused_names(void **state)
{
	(void)state;
	char name[16];
	/* climbing out, hidden files, escapes, subfolders, control bytes, too long */
	static const char *const bad[] = {
		"/ui/../main.c", "/ui/..",
		"/ui/.hidden",   "/ui/%2e%2e%2fx",
		"/ui/sub/x.js",  "/ui//etc/passwd",
		"/ui/a\tb",      "/ui/x.js?y",
		"/ui/a\\b",      "/ui/0123456789abcdef.js",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(httpstatic_name("/ui/", bad[i], name, sizeof(name)), -EINVAL);
	/* not under the prefix at all: the API's, not ours */
	assert_int_equal(httpstatic_name("/ui/", "/api/status", name, sizeof(name)), -ENOENT);
	assert_int_equal(httpstatic_name("/ui/", "/uix", name, sizeof(name)), -ENOENT);
}

static void types(void **state)
{
	(void)state;
	assert_string_equal(httpstatic_type("index.html"), "text/html; charset=utf-8");
	assert_string_equal(httpstatic_type("app.js"), "text/javascript; charset=utf-8");
	assert_string_equal(httpstatic_type("style.css"), "text/css; charset=utf-8");
	assert_string_equal(httpstatic_type("README"), "application/octet-stream");
	assert_string_equal(httpstatic_type("x.html.bak"), "application/octet-stream");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(served_names),
		cmocka_unit_test(refused_names),
		cmocka_unit_test(types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
