#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/httppipe.h"

#define S(x) (const uint8_t *)(x), strlen(x)

static void test_two_responses(void **state)
{
	struct httppipe_response r[4];
	size_t n;
	const char *p = "HTTP/1.1 200 OK\r\nLwm2m-Token: 0a0b\r\nContent-Type: text/plain\r\n"
			"Content-Length: 5\r\n\r\nhello"
			"HTTP/1.1 204 No Content\r\nlwm2m-token: ff\r\n\r\n"
			"HTTP/1.1 404 Not Found\r\nLWM2M-TOKEN: 01\r\nContent-Length: 0\r\n\r\n";
	assert_int_equal(httppipe_parse_responses(S(p), r, 4, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(r[0].status, 200);
	assert_string_equal(httppipe_field(&r[0], "lwm2m-token"), "0a0b");
	assert_string_equal(httppipe_field(&r[0], "content-type"), "text/plain");
	assert_int_equal(r[0].body_len, 5);
	assert_memory_equal(r[0].body, "hello", 5);
	assert_int_equal(r[1].status, 204);
	assert_string_equal(httppipe_field(&r[1], "lwm2m-token"), "ff");
	assert_int_equal(r[1].body_len, 0);
	assert_int_equal(r[2].status, 404);
	assert_string_equal(httppipe_field(&r[2], "lwm2m-token"), "01");
	assert_null(httppipe_field(&r[2], "content-type"));
	/* room for two only */
	assert_int_equal(httppipe_parse_responses(S(p), r, 2, &n), -E2BIG);
}

static void test_refused(void **state)
{
	struct httppipe_response r[2];
	size_t n;
	/* no length: it would swallow what follows */
	assert_int_equal(httppipe_parse_responses(S("HTTP/1.1 200 OK\r\n\r\nabc"), r, 2, &n),
			 -EBADMSG);
	assert_int_equal(httppipe_parse_responses(S("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
						    "chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
						  r, 2, &n),
			 -EBADMSG);
	/* truncated */
	assert_int_equal(httppipe_parse_responses(
				 S("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab"), r, 2, &n),
			 -EBADMSG);
	assert_int_equal(httppipe_parse_responses(S("HTTP/1.1 200 OK\r\nContent-Le"), r, 2, &n),
			 -EBADMSG);
	assert_int_equal(httppipe_parse_responses(S("GET / HTTP/1.1\r\n\r\n"), r, 2, &n), -EBADMSG);
	assert_int_equal(httppipe_parse_responses(S("HTTP/1.1 100 Continue\r\n\r\n"), r, 2, &n),
			 -EBADMSG);
	assert_int_equal(httppipe_parse_responses((const uint8_t *)"", 0, r, 2, &n), -EBADMSG);
	char big[600];
	snprintf(big, sizeof(big), "HTTP/1.1 204 No Content\r\nX: %0300d\r\n\r\n", 0);
	assert_int_equal(httppipe_parse_responses(S(big), r, 2, &n), -EMSGSIZE);
	char many[1024] = "HTTP/1.1 204 No Content\r\n";
	for (int i = 0; i < 17; i++)
		strcat(many, "A: b\r\n");
	strcat(many, "\r\n");
	assert_int_equal(httppipe_parse_responses(S(many), r, 2, &n), -E2BIG);
}

static void test_write_request(void **state)
{
	uint8_t out[256];
	struct httppipe_field f[2] = { { "Lwm2m-Token", "0a" }, { "Accept", "text/plain" } };
	int n = httppipe_write_request("PUT", "/3/0/14", f, 2, (const uint8_t *)"+02", 3, out,
				       sizeof(out));
	const char *want = "PUT /3/0/14 HTTP/1.1\r\nLwm2m-Token: 0a\r\nAccept: text/plain\r\n"
			   "Content-Length: 3\r\n\r\n+02";
	assert_int_equal(n, (int)strlen(want));
	assert_memory_equal(out, want, strlen(want));
	assert_int_equal(httppipe_write_request("GET", "/a b", NULL, 0, NULL, 0, out, sizeof(out)),
			 -EINVAL);
	struct httppipe_field bad = { "X", "a\r\nY: b" };
	assert_int_equal(httppipe_write_request("GET", "/", &bad, 1, NULL, 0, out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(httppipe_write_request("PUT", "/3/0/14", f, 2, (const uint8_t *)"+02", 3,
						out, (size_t)n - 1),
			 -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_responses),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_write_request),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
