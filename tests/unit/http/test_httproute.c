#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/httproute.h"

static void test_literal_and_one(void **state)
{
	struct httproute_match m;
	assert_int_equal(httproute_match("/api/clients", "/api/clients", &m), 0);
	assert_int_equal(m.n, 0);
	assert_int_equal(httproute_match("/api/clients", "/api/clients/x", &m), -ENOENT);
	assert_int_equal(httproute_match("/api/clients", "/api/client", &m), -ENOENT);
	assert_int_equal(httproute_match("/api/clients", "/api/clients/", &m), -ENOENT);
	assert_int_equal(httproute_match("/api/clients/{ep}", "/api/clients/dev%207", &m), 0);
	assert_string_equal(httproute_get(&m, "ep"), "dev 7");
	assert_null(httproute_get(&m, "path"));
	assert_int_equal(httproute_match("/api/clients/{ep}", "/api/clients//", &m), -ENOENT);
	assert_int_equal(httproute_match("/", "/", &m), 0);
}

static void test_rest(void **state)
{
	struct httproute_match m;
	const char *p = "/api/clients/{ep}/{path*}/discover";
	assert_int_equal(httproute_match(p, "/api/clients/a/3/0/discover", &m), 0);
	assert_string_equal(httproute_get(&m, "ep"), "a");
	assert_string_equal(httproute_get(&m, "path"), "3/0");
	assert_int_equal(httproute_match(p, "/api/clients/a/discover", &m), -ENOENT);
	assert_int_equal(httproute_match(p, "/api/clients/a/3/0", &m), -ENOENT);
	assert_int_equal(httproute_match("/x/{path*}", "/x/3/0/1", &m), 0);
	assert_string_equal(httproute_get(&m, "path"), "3/0/1");
	assert_int_equal(httproute_match("/x/{path*}", "/x", &m), -ENOENT);
	assert_int_equal(httproute_match("/x/{path*}", "/x/3//1", &m), -ENOENT);
}

static void test_escapes(void **state)
{
	struct httproute_match m;
	/* an encoded '/' would let a capture name another path */
	assert_int_equal(httproute_match("/c/{ep}", "/c/a%2Fb", &m), -EBADMSG);
	assert_int_equal(httproute_match("/c/{ep}", "/c/a%00", &m), -EBADMSG);
	assert_int_equal(httproute_match("/c/{ep}", "/c/a%4", &m), -EBADMSG);
	assert_int_equal(httproute_match("/c/{ep}", "/c/a%g0", &m), -EBADMSG);
	assert_int_equal(httproute_match("/c/{ep}", "/c/caf%C3%A9", &m), 0);
	assert_string_equal(httproute_get(&m, "ep"), "caf\xc3\xa9");
	assert_int_equal(httproute_match("/c/{ep}", "/c/a%89", &m), -EBADMSG);
	assert_int_equal(httproute_match("/c/{ep}", "/c/%C0%AF", &m), -EBADMSG); /* overlong '/' */
	assert_int_equal(httproute_match("/c/{ep}", "/c/%ED%A0%80", &m), -EBADMSG); /* surrogate */
	assert_int_equal(httproute_match("/c/{ep}", "/c/a%0A", &m), -EBADMSG);
	char long_path[600] = "/c/";
	memset(long_path + 3, 'a', 300);
	assert_int_equal(httproute_match("/c/{ep}", long_path, &m), -EMSGSIZE);
	assert_int_equal(httproute_match("/{a*}", "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17", &m),
			 -EMSGSIZE);
}

/* the bridge's rule: of the routes matching a path, those with most literals own it */
static void test_literals(void **state)
{
	assert_int_equal(httproute_literals("/"), 0);
	assert_int_equal(httproute_literals("/{a*}"), 0);
	assert_int_equal(httproute_literals("/api/clients/{ep}/{path*}"), 2);
	assert_int_equal(httproute_literals("/api/clients/{ep}/{path*}/attributes"), 3);
	assert_int_equal(httproute_literals("/api/clients/{ep}/composite/observe"), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literal_and_one),
		cmocka_unit_test(test_rest),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_literals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
