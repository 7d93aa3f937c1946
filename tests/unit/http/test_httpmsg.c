#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "http/httpmsg.h"

static void test_target_split(void **state)
{
	struct http_request r;
	http_request_init(&r);
	assert_int_equal(http_request_set_target(&r, "/api/clients?ep=a%20b&x", 23), 0);
	assert_string_equal(r.path, "/api/clients");
	assert_string_equal(r.query, "ep=a%20b&x");
	assert_int_equal(http_request_set_target(&r, "/a", 2), 0);
	assert_string_equal(r.path, "/a");
	assert_null(r.query);
	/* absolute-form, asterisk-form, blanks, controls and fragments are refused */
	assert_int_equal(http_request_set_target(&r, "http://x/", 9), -EBADMSG);
	assert_int_equal(http_request_set_target(&r, "*", 1), -EBADMSG);
	assert_int_equal(http_request_set_target(&r, "/a b", 4), -EBADMSG);
	assert_int_equal(http_request_set_target(&r, "/a\x01", 3), -EBADMSG);
	assert_int_equal(http_request_set_target(&r, "/a#f", 4), -EBADMSG);
	assert_int_equal(http_request_set_target(&r, "", 0), -EBADMSG);
	assert_string_equal(r.path, "/a"); /* unchanged by a refusal */
	http_request_fini(&r);
}

static void test_method(void **state)
{
	struct http_request r;
	http_request_init(&r);
	assert_int_equal(http_request_set_method(&r, "GET", 3), 0);
	assert_string_equal(r.method, "GET");
	assert_int_equal(http_request_set_method(&r, "", 0), -EBADMSG);
	assert_int_equal(http_request_set_method(&r, "G T", 3), -EBADMSG);
	assert_int_equal(http_request_set_method(&r, "ABCDEFGHIJKLMNOPQ", 17), -ENOTSUP);
	http_request_fini(&r);
}

static void test_headers(void **state)
{
	struct http_request r;
	http_request_init(&r);
	assert_int_equal(http_request_add_header(&r, "Content-Type", 12, "  text/plain \t", 14), 0);
	assert_string_equal(http_request_header(&r, "content-type"), "text/plain");
	assert_null(http_request_header(&r, "Content-Type")); /* callers ask in lower case */
	assert_int_equal(http_request_add_header(&r, "Bad Name", 8, "v", 1), -EBADMSG);
	assert_int_equal(http_request_add_header(&r, "x", 1, "a\r\nb", 4), -EBADMSG);
	assert_int_equal(http_request_add_header(&r, "x", 1, "a\0b", 3), -EBADMSG);
	assert_int_equal(http_request_add_header(&r, "", 0, "v", 1), -EBADMSG);
	while (r.n_headers < HTTP_MAX_HEADERS)
		assert_int_equal(http_request_add_header(&r, "x-a", 3, "1", 1), 0);
	assert_int_equal(http_request_add_header(&r, "x-b", 3, "1", 1), -E2BIG);
	http_request_fini(&r);
}

static void test_body_limit(void **state)
{
	struct http_request r;
	http_request_init(&r);
	assert_int_equal(http_request_append_body(&r, "abcd", 4, 6), 0);
	assert_int_equal(http_request_append_body(&r, "ef", 2, 6), 0);
	assert_int_equal(http_request_append_body(&r, "g", 1, 6), -EMSGSIZE);
	assert_int_equal(r.body_len, 6);
	assert_string_equal((char *)r.body, "abcdef"); /* NUL-terminated for JSON parsers */
	http_request_fini(&r);
}

static void test_query_param(void **state)
{
	char v[8];
	const char *q = "format=senml%2Bjson&timeout=5&flag&e=&sp=a+b";
	assert_int_equal(http_query_param(q, "timeout", v, sizeof(v)), 0);
	assert_string_equal(v, "5");
	assert_int_equal(http_query_param(q, "flag", v, sizeof(v)), 0);
	assert_string_equal(v, "");
	assert_int_equal(http_query_param(q, "e", v, sizeof(v)), 0);
	assert_string_equal(v, "");
	assert_int_equal(http_query_param(q, "sp", v, sizeof(v)), 0);
	assert_string_equal(v, "a b");
	assert_int_equal(http_query_param(q, "format", v, sizeof(v)), -EMSGSIZE);
	char big[16];
	assert_int_equal(http_query_param(q, "format", big, sizeof(big)), 0);
	assert_string_equal(big, "senml+json");
	assert_int_equal(http_query_param(q, "time", v, sizeof(v)), -ENOENT);
	assert_int_equal(http_query_param(NULL, "x", v, sizeof(v)), -ENOENT);
	assert_int_equal(http_query_param("x=%4", "x", v, sizeof(v)), -EBADMSG);
	assert_int_equal(http_query_param("x=%zz", "x", v, sizeof(v)), -EBADMSG);
	assert_int_equal(http_query_param("x=a%00", "x", v, sizeof(v)), -EBADMSG);
}

static void test_problem(void **state)
{
	char *s = http_problem_json(404, NULL, "no client \"x\"");
	json_error_t err;
	json_t *o = json_loads(s, 0, &err);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "type")), "about:blank");
	assert_string_equal(json_string_value(json_object_get(o, "title")), "Not Found");
	assert_int_equal(json_integer_value(json_object_get(o, "status")), 404);
	assert_string_equal(json_string_value(json_object_get(o, "detail")), "no client \"x\"");
	json_decref(o);
	free(s);
	s = http_problem_json(499, "Custom", NULL);
	o = json_loads(s, 0, &err);
	assert_string_equal(json_string_value(json_object_get(o, "title")), "Custom");
	assert_null(json_object_get(o, "detail"));
	json_decref(o);
	free(s);
	assert_string_equal(http_status_reason(431), "Request Header Fields Too Large");
	assert_string_equal(http_status_reason(299), "Unknown");
}

/* Connection/Upgrade lists: a whole token, any case, any place in the list. */
static void test_header_token(void **state)
{
	(void)state;
	assert_true(http_header_has_token("Upgrade", "upgrade"));
	assert_true(http_header_has_token("keep-alive, Upgrade", "upgrade"));
	assert_true(http_header_has_token("HTTP2-Settings,upgrade ,close", "upgrade"));
	assert_true(http_header_has_token("h2c", "h2c"));
	assert_false(http_header_has_token("upgrades", "upgrade"));
	assert_false(http_header_has_token("keep-alive, xupgrade", "upgrade"));
	assert_false(http_header_has_token("", "upgrade"));
	assert_false(http_header_has_token(",, ,", "upgrade"));
	assert_false(http_header_has_token(NULL, "upgrade"));
	assert_false(http_header_has_token("websocket", "h2c"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_split), cmocka_unit_test(test_method),
		cmocka_unit_test(test_headers),      cmocka_unit_test(test_body_limit),
		cmocka_unit_test(test_query_param),  cmocka_unit_test(test_problem),
		cmocka_unit_test(test_header_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
