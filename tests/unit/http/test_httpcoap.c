#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/httpcoap.h"

/* RFC 7252 Appendix A's first example: CON GET /temperature, MID 0x7d34, no token */
static const uint8_t get_temp[] = { 0x40, 0x01, 0x7d, 0x34, 0xbb, 't', 'e', 'm',
				    'p',  'e',  'r',  'a',  't',  'u', 'r', 'e' };

static void test_decode_rfc_example(void **state)
{
	struct httpcoap_msg m;
	char t[64];
	assert_int_equal(httpcoap_decode(get_temp, sizeof(get_temp), &m), 0);
	assert_int_equal(m.type, HTTPCOAP_CON);
	assert_int_equal(m.code, 1);
	assert_int_equal(m.mid, 0x7d34);
	assert_int_equal(m.token_len, 0);
	assert_int_equal(m.n_opt, 1);
	assert_true(httpcoap_is_request(&m));
	assert_int_equal(
		httpcoap_target(&m, HTTPCOAP_OPT_URI_PATH, HTTPCOAP_OPT_URI_QUERY, t, sizeof(t)),
		12);
	assert_string_equal(t, "/temperature");
	uint8_t out[64];
	assert_int_equal(httpcoap_encode(&m, out, sizeof(out)), (int)sizeof(get_temp));
	assert_memory_equal(out, get_temp, sizeof(get_temp));
}

static void test_build_register(void **state)
{
	struct httpcoap_msg m, d;
	uint8_t out[512], tok[8];
	char t[256];
	httpcoap_msg_init(&m);
	m.code = 2;
	m.mid = 7;
	m.token_len = (size_t)httpcoap_token_parse("a1b2c3", m.token);
	assert_int_equal(m.token_len, 3);
	/* added out of order: the encoder sorts by number, keeping repeats in order */
	assert_int_equal(httpcoap_add_uint(&m, HTTPCOAP_OPT_CONTENT_FORMAT, 40), 0);
	assert_int_equal(httpcoap_add_target(&m, "/rd", "ep=dev%201&lt=300&b=U"), 0);
	m.payload = (const uint8_t *)"</3/0>";
	m.payload_len = 6;
	int n = httpcoap_encode(&m, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(httpcoap_decode(out, (size_t)n, &d), 0);
	assert_int_equal(d.n_opt, 5);
	assert_int_equal(d.opt[0].number, HTTPCOAP_OPT_URI_PATH);
	assert_int_equal(d.opt[1].number, HTTPCOAP_OPT_CONTENT_FORMAT);
	assert_int_equal(httpcoap_uint(&d, HTTPCOAP_OPT_CONTENT_FORMAT), 40);
	assert_int_equal(httpcoap_uint(&d, HTTPCOAP_OPT_ACCEPT), HTTPCOAP_NO_FORMAT);
	assert_int_equal(d.opt[2].len, 8);
	assert_memory_equal(d.opt[2].value, "ep=dev 1", 8);
	assert_int_equal(
		httpcoap_target(&d, HTTPCOAP_OPT_URI_PATH, HTTPCOAP_OPT_URI_QUERY, t, sizeof(t)),
		(int)strlen("/rd?ep=dev%201&lt=300&b=U"));
	assert_string_equal(t, "/rd?ep=dev%201&lt=300&b=U");
	assert_int_equal(d.payload_len, 6);
	assert_memory_equal(d.payload, "</3/0>", 6);
	assert_int_equal(httpcoap_token_parse("a1b2c3", tok), 3);
	assert_memory_equal(d.token, tok, 3);
	char hex[17];
	httpcoap_token_hex(d.token, d.token_len, hex);
	assert_string_equal(hex, "a1b2c3");
	/* too small a buffer is refused, not overrun */
	assert_int_equal(httpcoap_encode(&m, out, 20), -EMSGSIZE);
}

static void test_long_options(void **state)
{
	struct httpcoap_msg m, d;
	uint8_t out[1500], v[300];
	memset(v, 'x', sizeof(v));
	httpcoap_msg_init(&m);
	m.code = 1;
	assert_int_equal(httpcoap_add_option(&m, 11, v, 12), 0);
	assert_int_equal(httpcoap_add_option(&m, 11, v, 13), 0);
	assert_int_equal(httpcoap_add_option(&m, 11, v, 300), 0);
	assert_int_equal(httpcoap_add_uint(&m, 2000, 70000), 0);
	int n = httpcoap_encode(&m, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(httpcoap_decode(out, (size_t)n, &d), 0);
	assert_int_equal(d.n_opt, 4);
	assert_int_equal(d.opt[0].len, 12);
	assert_int_equal(d.opt[1].len, 13);
	assert_int_equal(d.opt[2].len, 300);
	assert_int_equal(d.opt[3].number, 2000);
	assert_int_equal(httpcoap_uint(&d, 2000), 70000);
	assert_int_equal(httpcoap_add_option(&m, 11, v, 1035), -EMSGSIZE);
}

static void test_decode_corrupt(void **state)
{
	struct httpcoap_msg m;
	const uint8_t v2[] = { 0x80, 1, 0, 0 };
	const uint8_t tkl9[] = { 0x49, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	const uint8_t short_tok[] = { 0x44, 1, 0, 0, 1 };
	const uint8_t marker_only[] = { 0x40, 1, 0, 0, 0xff };
	const uint8_t opt_past[] = { 0x40, 1, 0, 0, 0xb5, 'a' };
	const uint8_t nib15[] = { 0x40, 1, 0, 0, 0xf1, 'a' };
	const uint8_t ext_past[] = { 0x40, 1, 0, 0, 0xd0 };
	assert_int_equal(httpcoap_decode(v2, 3, &m), -EBADMSG);
	assert_int_equal(httpcoap_decode(v2, sizeof(v2), &m), -EBADMSG);
	assert_int_equal(httpcoap_decode(tkl9, sizeof(tkl9), &m), -EBADMSG);
	assert_int_equal(httpcoap_decode(short_tok, sizeof(short_tok), &m), -EBADMSG);
	assert_int_equal(httpcoap_decode(marker_only, sizeof(marker_only), &m), -EBADMSG);
	assert_int_equal(httpcoap_decode(opt_past, sizeof(opt_past), &m), -EBADMSG);
	assert_int_equal(httpcoap_decode(nib15, sizeof(nib15), &m), -EBADMSG);
	assert_int_equal(httpcoap_decode(ext_past, sizeof(ext_past), &m), -EBADMSG);
	uint8_t many[4 + 40] = { 0x40, 1, 0, 0 };
	memset(many + 4, 0x00, 40); /* 40 empty options of number 0 */
	assert_int_equal(httpcoap_decode(many, sizeof(many), &m), -E2BIG);
}

static void test_methods_and_codes(void **state)
{
	assert_int_equal(httpcoap_method_code("GET"), 1);
	assert_int_equal(httpcoap_method_code("iPATCH"), 7);
	assert_int_equal(httpcoap_method_code("get"), -ENOTSUP);
	assert_int_equal(httpcoap_method_code("OPTIONS"), -ENOTSUP);
	assert_string_equal(httpcoap_method_name(5), "FETCH");
	assert_null(httpcoap_method_name(0));
	assert_null(httpcoap_method_name(8));
	/* RFC 8075 §7 */
	assert_int_equal(httpcoap_http_status(HTTPCOAP_CODE(2, 1), false), 201);
	assert_int_equal(httpcoap_http_status(HTTPCOAP_CODE(2, 2), false), 204);
	assert_int_equal(httpcoap_http_status(HTTPCOAP_CODE(2, 4), true), 200);
	assert_int_equal(httpcoap_http_status(HTTPCOAP_CODE(2, 3), false), 304);
	assert_int_equal(httpcoap_http_status(HTTPCOAP_CODE(2, 5), true), 200);
	assert_int_equal(httpcoap_http_status(HTTPCOAP_CODE(4, 1), false), 403);
	assert_int_equal(httpcoap_http_status(HTTPCOAP_CODE(4, 2), false), 400);
	assert_int_equal(httpcoap_http_status(HTTPCOAP_CODE(4, 4), false), 404);
	assert_int_equal(httpcoap_http_status(HTTPCOAP_CODE(4, 6), false), 406);
	assert_int_equal(httpcoap_http_status(HTTPCOAP_CODE(4, 15), false), 415);
	assert_int_equal(httpcoap_http_status(HTTPCOAP_CODE(4, 31), false), 400);
	assert_int_equal(httpcoap_http_status(HTTPCOAP_CODE(5, 5), false), 502);
	assert_int_equal(httpcoap_http_status(HTTPCOAP_CODE(5, 3), false), 503);
	assert_int_equal(httpcoap_http_status(1, false), 0);
	assert_int_equal(httpcoap_http_status(0, false), 0);
	/* and back, per the request's method */
	assert_int_equal(httpcoap_coap_code(200, 1), HTTPCOAP_CODE(2, 5));
	assert_int_equal(httpcoap_coap_code(200, 4), HTTPCOAP_CODE(2, 2));
	assert_int_equal(httpcoap_coap_code(200, 3), HTTPCOAP_CODE(2, 4));
	assert_int_equal(httpcoap_coap_code(204, 2), HTTPCOAP_CODE(2, 4));
	assert_int_equal(httpcoap_coap_code(204, 4), HTTPCOAP_CODE(2, 2));
	assert_int_equal(httpcoap_coap_code(201, 2), HTTPCOAP_CODE(2, 1));
	assert_int_equal(httpcoap_coap_code(304, 1), HTTPCOAP_CODE(2, 3));
	assert_int_equal(httpcoap_coap_code(401, 1), HTTPCOAP_CODE(4, 1));
	assert_int_equal(httpcoap_coap_code(404, 1), HTTPCOAP_CODE(4, 4));
	assert_int_equal(httpcoap_coap_code(405, 2), HTTPCOAP_CODE(4, 5));
	assert_int_equal(httpcoap_coap_code(418, 2), HTTPCOAP_CODE(4, 0));
	assert_int_equal(httpcoap_coap_code(599, 2), HTTPCOAP_CODE(5, 0));
	assert_int_equal(httpcoap_coap_code(302, 1), -EINVAL);
	assert_int_equal(httpcoap_coap_code(100, 1), -EINVAL);
	assert_int_equal(httpcoap_coap_code(600, 1), -EINVAL);
}

static void test_media_types(void **state)
{
	assert_int_equal(httpcoap_content_format("application/vnd.oma.lwm2m+tlv"), 11542);
	assert_int_equal(httpcoap_content_format("Application/SenML+CBOR"), 112);
	assert_int_equal(httpcoap_content_format(" application/link-format ; ct=1"), 40);
	assert_int_equal(httpcoap_content_format("text/plain"), 0);
	assert_int_equal(httpcoap_content_format("text/plain; charset=UTF-8"), 0);
	assert_int_equal(httpcoap_content_format("text/plain; charset=\"us-ascii\""), 0);
	assert_int_equal(httpcoap_content_format("text/plain; charset=latin1"), -ENOENT);
	assert_int_equal(httpcoap_content_format("text/plainx"), -ENOENT);
	assert_int_equal(httpcoap_content_format("application/xml"), -ENOENT);
	assert_int_equal(httpcoap_content_format(""), -ENOENT);
	assert_string_equal(httpcoap_media_type(0), "text/plain; charset=utf-8");
	assert_string_equal(httpcoap_media_type(11543), "application/vnd.oma.lwm2m+json");
	assert_string_equal(httpcoap_media_type(60), "application/cbor");
	assert_null(httpcoap_media_type(9999));
}

static void test_targets(void **state)
{
	struct httpcoap_msg m;
	char t[64];
	httpcoap_msg_init(&m);
	assert_int_equal(httpcoap_add_target(&m, "/", NULL), 0);
	assert_int_equal(m.n_opt, 0);
	assert_int_equal(httpcoap_target(&m, 11, 15, t, sizeof(t)), 1);
	assert_string_equal(t, "/");
	assert_int_equal(httpcoap_add_target(&m, "/a//b", NULL), -EBADMSG);
	httpcoap_msg_init(&m);
	assert_int_equal(httpcoap_add_target(&m, "/a/", NULL), -EBADMSG);
	httpcoap_msg_init(&m);
	assert_int_equal(httpcoap_add_target(&m, "a", NULL), -EBADMSG);
	assert_int_equal(httpcoap_add_target(&m, "/a%2", NULL), -EBADMSG);
	httpcoap_msg_init(&m);
	assert_int_equal(httpcoap_add_target(&m, "/a%zz", NULL), -EBADMSG);
	httpcoap_msg_init(&m);
	/* a Location-Path from the server, as a Location field */
	assert_int_equal(httpcoap_add_option(&m, HTTPCOAP_OPT_LOCATION_PATH, "rd", 2), 0);
	assert_int_equal(httpcoap_add_option(&m, HTTPCOAP_OPT_LOCATION_PATH, "a b/c", 5), 0);
	assert_int_equal(httpcoap_add_option(&m, HTTPCOAP_OPT_LOCATION_QUERY, "x=a&b", 5), 0);
	assert_true(httpcoap_target(&m, 8, 20, t, sizeof(t)) > 0);
	assert_string_equal(t, "/rd/a%20b%2Fc?x=a%26b");
	assert_int_equal(httpcoap_target(&m, 8, 20, t, 10), -EMSGSIZE);
}

static void test_copy(void **state)
{
	struct httpcoap_msg m, c;
	uint8_t a[64], b[64];
	httpcoap_msg_init(&m);
	m.code = 2;
	assert_int_equal(httpcoap_add_target(&m, "/dp", "x=1"), 0);
	m.payload = (const uint8_t *)"p";
	m.payload_len = 1;
	httpcoap_msg_copy(&c, &m);
	/* the copy's options are its own: changing the original's store leaves them */
	int n = httpcoap_encode(&c, a, sizeof(a));
	memset(m.store, 'z', sizeof(m.store));
	assert_int_equal(httpcoap_encode(&c, b, sizeof(b)), n);
	assert_memory_equal(a, b, (size_t)n);
	assert_ptr_equal(c.opt[0].value, c.store);
	assert_ptr_equal(c.payload, m.payload);
}

static void test_tokens(void **state)
{
	uint8_t tok[8];
	assert_int_equal(httpcoap_token_parse("00", tok), 1);
	assert_int_equal(httpcoap_token_parse("0011223344556677", tok), 8);
	assert_int_equal(httpcoap_token_parse("001122334455667788", tok), -EBADMSG);
	assert_int_equal(httpcoap_token_parse("abc", tok), -EBADMSG);
	assert_int_equal(httpcoap_token_parse("", tok), -EBADMSG);
	assert_int_equal(httpcoap_token_parse("zz", tok), -EBADMSG);
	assert_int_equal(httpcoap_token_parse("AB", tok), 1);
	assert_int_equal(tok[0], 0xab);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_rfc_example),
		cmocka_unit_test(test_build_register),
		cmocka_unit_test(test_long_options),
		cmocka_unit_test(test_decode_corrupt),
		cmocka_unit_test(test_methods_and_codes),
		cmocka_unit_test(test_media_types),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
