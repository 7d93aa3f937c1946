/*
 * Binding H's device-facing translation (h2map.c, what h2dev.c's handler
 * runs on every device message): a request built from the input
 * (method, target, Content-Type, Accept, body) into CoAP, whose encoding
 * must decode again; the input as a pipeline of answers into CoAP
 * responses; the input as the server's CoAP message into a downlink
 * message (which must parse as HTTP/1.1), an HTTP answer, and a request
 * for a block of a kept large answer (h2block.c).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "h2block.h"
#include "h2map.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next piece of the input, up to a NUL (or the end). */
static const char *piece(const uint8_t **d, size_t *n, size_t *len)
{
	const uint8_t *z = memchr(*d, 0, *n);
	const char *p = (const char *)*d;

	*len = z ? (size_t)(z - *d) : *n;
	*d += *len + (z ? 1 : 0);
	*n -= *len + (z ? 1 : 0);
	return p;
}

static void device_request(const uint8_t *d, size_t n)
{
	struct http_request req;
	struct httpcoap_msg m, back;
	uint8_t out[4096]; /* the most a mapped request takes: options, their store, 1 KiB */
	size_t ml, tl, cl, al;
	const char *method = piece(&d, &n, &ml), *target = piece(&d, &n, &tl);
	const char *ct = piece(&d, &n, &cl), *accept = piece(&d, &n, &al);

	http_request_init(&req);
	if (http_request_set_method(&req, method, ml) == 0 &&
	    http_request_set_target(&req, target, tl) == 0 &&
	    http_request_add_header(&req, "content-type", 12, ct, cl) == 0 &&
	    http_request_add_header(&req, "accept", 6, accept, al) == 0 &&
	    http_request_append_body(&req, d, n, 4096) == 0 &&
	    h2map_request(&req, (const uint8_t *)"\1\2\3\4", 4, 7, &m) == 0) {
		int len = httpcoap_encode(&m, out, sizeof(out));
		if (len < 0 || httpcoap_decode(out, (size_t)len, &back) < 0)
			__builtin_trap(); /* a mapped request always makes a datagram */
	}
	http_request_fini(&req);
}

static void answers(const uint8_t *d, size_t n)
{
	struct httppipe_response r[4];
	struct httpcoap_msg m;
	uint8_t out[2048];
	size_t count;

	if (httppipe_parse_responses(d, n, r, 4, &count) < 0)
		return;
	for (size_t i = 0; i < count; i++)
		if (h2map_answer(&r[i], (uint8_t)(1 + i % 7), &m) == 0 &&
		    httpcoap_encode(&m, out, sizeof(out)) < 0)
			__builtin_trap();
}

static void server_message(const uint8_t *d, size_t n)
{
	struct httpcoap_msg m;
	struct h2map_answer a;
	uint8_t out[2048];

	if (httpcoap_decode(d, n, &m) < 0)
		return;
	h2map_response(&m, &a);
	/* as a later-block request for a large answer to the same target */
	struct h2block_body big = { 0 };
	struct httpcoap_msg blk;
	bool last;
	h2block_keep(&big, h2block_target_hash(&m), m.code, 0, d, n);
	if (h2block_serve(&big, &m, 1, &blk, &last) &&
	    (blk.payload_len > H2BLOCK_SIZE ||
	     (blk.payload_len &&
	      (blk.payload < big.body || blk.payload + blk.payload_len > big.body + big.len))))
		__builtin_trap();
	h2block_fini(&big);
	int len = h2map_downlink(&m, out, sizeof(out));
	if (len > 0 && (memcmp(out, httpcoap_method_name(m.code), 1) != 0 ||
			!memmem(out, (size_t)len, "\r\n\r\n", 4)))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		device_request(data + 1, size - 1);
		break;
	case 1:
		answers(data + 1, size - 1);
		break;
	default:
		server_message(data + 1, size - 1);
	}
	return 0;
}
