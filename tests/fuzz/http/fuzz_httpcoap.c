/*
 * The RFC 8075 mapping codec and application/http pipelines: a CoAP
 * message that decodes must encode to the same bytes and map to an HTTP
 * status or method; the input as media type, token, target and pipeline
 * of responses.  The first byte picks the part.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/httpcoap.h"
#include "http/httppipe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void coap(const uint8_t *d, size_t n)
{
	struct httpcoap_msg m, again;
	uint8_t out[2048];
	char t[512];

	if (httpcoap_decode(d, n, &m) < 0)
		return;
	int len = httpcoap_encode(&m, out, sizeof(out));
	if (n <= sizeof(out) - 8 && (len != (int)n || memcmp(out, d, n) != 0))
		__builtin_trap(); /* the option encoding is canonical: it must round-trip */
	if (len > 0 && httpcoap_decode(out, (size_t)len, &again) < 0)
		__builtin_trap();
	httpcoap_target(&m, HTTPCOAP_OPT_URI_PATH, HTTPCOAP_OPT_URI_QUERY, t, sizeof(t));
	httpcoap_target(&m, HTTPCOAP_OPT_LOCATION_PATH, HTTPCOAP_OPT_LOCATION_QUERY, t, 16);
	httpcoap_http_status(m.code, m.payload_len > 0);
	httpcoap_coap_code((int)httpcoap_uint(&m, HTTPCOAP_OPT_CONTENT_FORMAT), m.code);
	httpcoap_method_name(m.code);
}

static void text(const uint8_t *d, size_t n)
{
	char *s = malloc(n + 1);
	struct httpcoap_msg m;
	uint8_t tok[HTTPCOAP_TOKEN_MAX];

	memcpy(s, d, n);
	s[n] = '\0';
	int cf = httpcoap_content_format(s);
	if (cf >= 0 && !httpcoap_media_type(cf))
		__builtin_trap(); /* every media type we take has a name back */
	httpcoap_token_parse(s, tok);
	httpcoap_method_code(s);
	httpcoap_msg_init(&m);
	char *q = strchr(s, '?');
	if (q)
		*q++ = '\0';
	if (httpcoap_add_target(&m, s, q) == 0) {
		char t[4096];
		struct httpcoap_msg back;
		/* the target written back names the same options */
		if (httpcoap_target(&m, HTTPCOAP_OPT_URI_PATH, HTTPCOAP_OPT_URI_QUERY, t,
				    sizeof(t)) > 0) {
			char *bq = strchr(t, '?');
			if (bq)
				*bq++ = '\0';
			httpcoap_msg_init(&back);
			if (httpcoap_add_target(&back, t, bq) != 0 || back.n_opt != m.n_opt)
				__builtin_trap();
		}
	}
	free(s);
}

static void pipeline(const uint8_t *d, size_t n)
{
	struct httppipe_response r[4];
	size_t count;

	if (httppipe_parse_responses(d, n, r, 4, &count) < 0)
		return;
	for (size_t i = 0; i < count; i++) {
		if (r[i].body_len && (r[i].body < d || r[i].body + r[i].body_len > d + n))
			__builtin_trap();
		httppipe_field(&r[i], "lwm2m-token");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		coap(data + 1, size - 1);
		break;
	case 1:
		text(data + 1, size - 1);
		break;
	default:
		pipeline(data + 1, size - 1);
	}
	return 0;
}
