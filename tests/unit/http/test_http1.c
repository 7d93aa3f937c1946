#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http/http1.h"

static const struct http1_limits lim = { .max_header_bytes = 512, .max_body = 64 };

/* Feed all of @s at once; returns feed's result, *@used what it consumed. */
static int feed(struct http1_parser *p, const char *s, size_t *used)
{
	return http1_parser_feed(p, (const uint8_t *)s, strlen(s), used);
}

static void test_byte_by_byte(void **state)
{
	const char *s = "GET /hello?x=1 HTTP/1.1\r\nHost: example.com\r\n"
			"Accept: text/plain\r\n\r\n";
	struct http1_parser *p = http1_parser_new(&lim);
	size_t n = strlen(s), used;
	for (size_t i = 0; i < n; i++) {
		int rc = http1_parser_feed(p, (const uint8_t *)s + i, 1, &used);
		assert_int_equal(used, 1);
		assert_int_equal(rc, i + 1 == n ? 1 : 0);
	}
	struct http_request *r = http1_parser_take(p);
	assert_string_equal(r->method, "GET");
	assert_string_equal(r->path, "/hello");
	assert_string_equal(r->query, "x=1");
	assert_int_equal(r->version, 11);
	assert_string_equal(http_request_header(r, "host"), "example.com");
	assert_string_equal(http_request_header(r, "accept"), "text/plain");
	assert_true(http1_parser_keep_alive(p));
	assert_false(http1_parser_upgrade(p));
	http_request_free(r);
	http1_parser_free(p);
}

static void test_pipelined(void **state)
{
	const char *s = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
			"GET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
	struct http1_parser *p = http1_parser_new(&lim);
	size_t used;
	assert_int_equal(feed(p, s, &used), 1);
	struct http_request *r = http1_parser_take(p);
	assert_string_equal(r->path, "/a");
	assert_int_equal(r->body_len, 5);
	assert_memory_equal(r->body, "hello", 5);
	http_request_free(r);
	assert_int_equal(feed(p, s + used, &used), 1);
	r = http1_parser_take(p);
	assert_string_equal(r->path, "/b");
	assert_false(http1_parser_keep_alive(p));
	http_request_free(r);
	http1_parser_free(p);
}

/* The chunked example of RFC 9112 §7.1's grammar, with an extension and a trailer. */
static void test_chunked(void **state)
{
	const char *s = "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
			"4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nExpires: never\r\n\r\n";
	struct http1_parser *p = http1_parser_new(&lim);
	size_t used;
	assert_int_equal(feed(p, s, &used), 1);
	assert_int_equal(used, strlen(s));
	struct http_request *r = http1_parser_take(p);
	assert_int_equal(r->body_len, 9);
	assert_string_equal((char *)r->body, "Wikipedia");
	http_request_free(r);
	http1_parser_free(p);
}

static void expect_error(const char *s, int err, int status)
{
	struct http1_parser *p = http1_parser_new(&lim);
	size_t used;
	int rc = feed(p, s, &used);
	if (rc != err)
		print_error("request: %.60s\n", s);
	assert_int_equal(rc, err);
	assert_int_equal(http1_error_status(err), status);
	/* the error sticks: the connection cannot be resynchronised */
	assert_int_equal(feed(p, "GET / HTTP/1.1\r\n\r\n", &used), err);
	assert_null(http1_parser_take(p));
	http1_parser_free(p);
}

static void test_limits(void **state)
{
	char big[1024];
	snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nX-Long: %0600d\r\n\r\n", 0);
	expect_error(big, -E2BIG, 431);
	snprintf(big, sizeof(big), "GET /%0600d HTTP/1.1\r\n\r\n", 0);
	expect_error(big, -ENAMETOOLONG, 414);
	expect_error("POST / HTTP/1.1\r\nContent-Length: 65\r\n\r\n", -EMSGSIZE, 413);
	expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n", -EMSGSIZE, 413);
	/* a body within the limit in two chunks, then over it */
	expect_error("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		     "20\r\n12345678901234567890123456789012\r\n"
		     "21\r\n123456789012345678901234567890123\r\n",
		     -EMSGSIZE, 413);
	char many[2048] = "GET / HTTP/1.1\r\n";
	for (int i = 0; i <= HTTP_MAX_HEADERS; i++)
		strcat(many, "a:\r\n");
	strcat(many, "\r\n");
	struct http1_limits roomy = { 4096, 64 };
	struct http1_parser *p = http1_parser_new(&roomy);
	size_t used;
	assert_int_equal(feed(p, many, &used), -E2BIG);
	http1_parser_free(p);
}

static void test_malformed(void **state)
{
	expect_error("GET / HTTP/1.1\r\nHost x\r\n\r\n", -EBADMSG, 400);
	expect_error("GET  HTTP/1.1\r\n\r\n", -EBADMSG, 400);
	expect_error("GET http://h/ HTTP/1.1\r\n\r\n", -EBADMSG, 400);
	expect_error("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", -EBADMSG,
		     400);
	/* both framings: the classic request-smuggling ambiguity (RFC 9112 §6.1) */
	expect_error("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
		     "0\r\n\r\n",
		     -EBADMSG, 400);
	expect_error("\x16\x03\x01\x02\x00", -EBADMSG, 400);
	expect_error("BREW /pot HTTP/1.1\r\n\r\n", -ENOTSUP, 501);
	expect_error("GET / HTTP/1.1\r\nX: a\x01"
		     "b\r\n\r\n",
		     -EBADMSG, 400);
}

/* RFC 7540 §3.2's upgrade request; what follows it is HTTP/2, not for us. */
static void test_upgrade(void **state)
{
	const char *s = "GET / HTTP/1.1\r\nHost: server.example.com\r\n"
			"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
			"HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n"
			"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	struct http1_parser *p = http1_parser_new(&lim);
	size_t used;
	assert_int_equal(feed(p, s, &used), 1);
	assert_int_equal(used, strlen(s) - 24);
	assert_true(http1_parser_upgrade(p));
	assert_false(http1_parser_keep_alive(p));
	struct http_request *r = http1_parser_take(p);
	assert_string_equal(http_request_header(r, "upgrade"), "h2c");
	assert_string_equal(http_request_header(r, "http2-settings"), "AAMAAABkAAQCAAAAAAIAAAAA");
	http_request_free(r);
	http1_parser_free(p);
}

static void test_http10(void **state)
{
	struct http1_parser *p = http1_parser_new(&lim);
	size_t used;
	assert_int_equal(feed(p, "GET / HTTP/1.0\r\n\r\n", &used), 1);
	struct http_request *r = http1_parser_take(p);
	assert_int_equal(r->version, 10);
	assert_false(http1_parser_keep_alive(p));
	http_request_free(r);
	http1_parser_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_byte_by_byte), cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_chunked),      cmocka_unit_test(test_limits),
		cmocka_unit_test(test_malformed),    cmocka_unit_test(test_upgrade),
		cmocka_unit_test(test_http10),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
