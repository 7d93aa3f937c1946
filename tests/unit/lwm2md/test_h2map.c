#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "h2map.h"

static void make_req(struct http_request *r, const char *method, const char *target, const char *ct,
		     const char *accept, const char *body)
{
	http_request_init(r);
	assert_int_equal(http_request_set_method(r, method, strlen(method)), 0);
	assert_int_equal(http_request_set_target(r, target, strlen(target)), 0);
	if (ct)
		assert_int_equal(http_request_add_header(r, "content-type", 12, ct, strlen(ct)), 0);
	if (accept)
		assert_int_equal(http_request_add_header(r, "accept", 6, accept, strlen(accept)),
				 0);
	if (body)
		assert_int_equal(http_request_append_body(r, body, strlen(body), 4096), 0);
}

static void test_register_request(void **state)
{
	struct http_request r;
	struct httpcoap_msg m;
	char t[256];
	make_req(&r, "POST", "/rd?ep=dev7&lt=300&b=H", "application/link-format", NULL, "</3/0>");
	assert_int_equal(h2map_request(&r, (const uint8_t *)"\x0a\x1b", 2, 77, &m), 0);
	assert_int_equal(m.type, HTTPCOAP_CON);
	assert_int_equal(m.code, 2);
	assert_int_equal(m.mid, 77);
	assert_int_equal(m.token_len, 2);
	assert_int_equal(httpcoap_uint(&m, HTTPCOAP_OPT_CONTENT_FORMAT), 40);
	assert_int_equal(httpcoap_uint(&m, HTTPCOAP_OPT_ACCEPT), HTTPCOAP_NO_FORMAT);
	httpcoap_target(&m, HTTPCOAP_OPT_URI_PATH, HTTPCOAP_OPT_URI_QUERY, t, sizeof(t));
	assert_string_equal(t, "/rd?ep=dev7&lt=300&b=H");
	assert_int_equal(m.payload_len, 6);
	http_request_fini(&r);
}

static void test_request_refusals(void **state)
{
	struct http_request r;
	struct httpcoap_msg m;
	make_req(&r, "OPTIONS", "/rd", NULL, NULL, NULL);
	assert_int_equal(h2map_request(&r, NULL, 0, 1, &m), -ENOTSUP);
	http_request_fini(&r);
	make_req(&r, "POST", "/dp", "application/xml", NULL, "<a/>");
	assert_int_equal(h2map_request(&r, NULL, 0, 1, &m), -EPROTO);
	http_request_fini(&r);
	make_req(&r, "GET", "/3/0", NULL, "image/png", NULL);
	assert_int_equal(h2map_request(&r, NULL, 0, 1, &m), -EPROTO);
	http_request_fini(&r);
	make_req(&r, "GET", "/3//0", NULL, NULL, NULL);
	assert_int_equal(h2map_request(&r, NULL, 0, 1, &m), -EBADMSG);
	http_request_fini(&r);
	char big[H2MAP_MAX_PAYLOAD + 2];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	make_req(&r, "POST", "/dp", "text/plain", NULL, big);
	assert_int_equal(h2map_request(&r, NULL, 0, 1, &m), -EMSGSIZE);
	http_request_fini(&r);
	/* a wildcard Accept asks for nothing in particular */
	make_req(&r, "GET", "/", NULL, "*/*", NULL);
	assert_int_equal(h2map_request(&r, NULL, 0, 1, &m), 0);
	assert_int_equal(m.n_opt, 0);
	http_request_fini(&r);
}

static void test_server_answer(void **state)
{
	struct httpcoap_msg m;
	struct h2map_answer a;
	httpcoap_msg_init(&m);
	m.code = HTTPCOAP_CODE(2, 1);
	httpcoap_add_option(&m, HTTPCOAP_OPT_LOCATION_PATH, "rd", 2);
	httpcoap_add_option(&m, HTTPCOAP_OPT_LOCATION_PATH, "0f25", 4);
	assert_int_equal(h2map_response(&m, &a), 0);
	assert_int_equal(a.status, 201);
	assert_string_equal(a.location, "/rd/0f25");
	assert_null(a.content_type);
	httpcoap_msg_init(&m);
	m.code = HTTPCOAP_CODE(4, 3);
	m.payload = (const uint8_t *)"ep: no";
	m.payload_len = 6;
	assert_int_equal(h2map_response(&m, &a), 0);
	assert_int_equal(a.status, 403);
	assert_string_equal(a.content_type, "text/plain; charset=utf-8");
	assert_string_equal(a.location, "");
	m.code = 1;
	assert_int_equal(h2map_response(&m, &a), -EINVAL);
}

static void test_downlink_message(void **state)
{
	struct httpcoap_msg m;
	uint8_t out[512];
	httpcoap_msg_init(&m);
	m.code = 1;
	m.token_len = 2;
	m.token[0] = 0xab;
	m.token[1] = 0x01;
	httpcoap_add_uint(&m, HTTPCOAP_OPT_OBSERVE, 0);
	httpcoap_add_target(&m, "/3/0/9", NULL);
	httpcoap_add_uint(&m, HTTPCOAP_OPT_ACCEPT, 11542);
	int n = h2map_downlink(&m, out, sizeof(out));
	const char *want = "GET /3/0/9 HTTP/1.1\r\nLwm2m-Token: ab01\r\nLwm2m-Observe: 0\r\n"
			   "Accept: application/vnd.oma.lwm2m+tlv\r\nContent-Length: 0\r\n\r\n";
	assert_int_equal(n, (int)strlen(want));
	assert_memory_equal(out, want, strlen(want));
	m.code = HTTPCOAP_CODE(2, 5);
	assert_int_equal(h2map_downlink(&m, out, sizeof(out)), -ENOTSUP);
	m.code = 3;
	assert_int_equal(h2map_downlink(&m, out, 20), -EMSGSIZE);
}

static void test_device_answers(void **state)
{
	struct httppipe_response r[3];
	struct httpcoap_msg m;
	size_t n;
	const char *p = "HTTP/1.1 201 Created\r\nLwm2m-Token: 01\r\nLocation: /3303/1\r\n"
			"Content-Length: 0\r\n\r\n"
			"HTTP/1.1 200 OK\r\nLwm2m-Token: 02\r\nLwm2m-Observe: 7\r\n"
			"Content-Type: application/senml+json\r\nContent-Length: 2\r\n\r\n[]"
			"HTTP/1.1 200 OK\r\nLwm2m-Observe: -1\r\nContent-Length: 0\r\n\r\n";
	assert_int_equal(httppipe_parse_responses((const uint8_t *)p, strlen(p), r, 3, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(h2map_answer(&r[0], 2, &m), 0);
	assert_int_equal(m.code, HTTPCOAP_CODE(2, 1));
	char t[64];
	httpcoap_target(&m, HTTPCOAP_OPT_LOCATION_PATH, HTTPCOAP_OPT_LOCATION_QUERY, t, sizeof(t));
	assert_string_equal(t, "/3303/1");
	assert_int_equal(h2map_answer(&r[1], 1, &m), 0);
	assert_int_equal(m.code, HTTPCOAP_CODE(2, 5));
	assert_int_equal(httpcoap_uint(&m, HTTPCOAP_OPT_OBSERVE), 7);
	assert_int_equal(httpcoap_uint(&m, HTTPCOAP_OPT_CONTENT_FORMAT), 110);
	assert_int_equal(m.payload_len, 2);
	/* the same 200 answers a DELETE as 2.02, a PUT as 2.04 */
	assert_int_equal(h2map_answer(&r[1], 4, &m), 0);
	assert_int_equal(m.code, HTTPCOAP_CODE(2, 2));
	assert_int_equal(h2map_answer(&r[1], 3, &m), 0);
	assert_int_equal(m.code, HTTPCOAP_CODE(2, 4));
	assert_int_equal(h2map_answer(&r[2], 1, &m), -EBADMSG);
	r[0].status = 302;
	assert_int_equal(h2map_answer(&r[0], 1, &m), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_request), cmocka_unit_test(test_request_refusals),
		cmocka_unit_test(test_server_answer),    cmocka_unit_test(test_downlink_message),
		cmocka_unit_test(test_device_answers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
