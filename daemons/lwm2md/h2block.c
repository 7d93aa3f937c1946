/*
 * h2block — binding H's block-wise transfers.
 */
#include "h2block.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint64_t h2block_target_hash(const struct httpcoap_msg *m)
{
	char t[1024];
	uint64_t h = 14695981039346656037ull;

	if (httpcoap_target(m, HTTPCOAP_OPT_URI_PATH, HTTPCOAP_OPT_URI_QUERY, t, sizeof(t)) < 0)
		return 0;
	for (const char *p = t; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ull;
	return h;
}

void h2block_keep(struct h2block_body *b, uint64_t hash, uint8_t method, long cf,
		  const uint8_t *body, size_t len)
{
	free(b->body);
	*b = (struct h2block_body){ .body = malloc(len ? len : 1),
				    .len = len,
				    .target_hash = hash,
				    .method = method,
				    .cf = cf };
	if (!b->body)
		abort();
	memcpy(b->body, body, len);
}

void h2block_fini(struct h2block_body *b)
{
	free(b->body);
	memset(b, 0, sizeof(*b));
}

bool h2block_serve(const struct h2block_body *b, const struct httpcoap_msg *req, uint16_t non_mid,
		   struct httpcoap_msg *out, bool *last)
{
	long v = httpcoap_uint(req, H2BLOCK_OPT_BLOCK2);
	unsigned szx = (unsigned)v & 7;
	size_t size, offset, chunk, num = (size_t)v >> 4;
	bool more;

	if (v <= 0 || num == 0 || !b->body || req->code != b->method ||
	    h2block_target_hash(req) != b->target_hash)
		return false;
	if (szx > H2BLOCK_SZX)
		szx = H2BLOCK_SZX; /* RFC 7959 §2.4: a server may answer with smaller blocks */
	size = (size_t)1 << (szx + 4);
	offset = num * size;
	httpcoap_msg_init(out);
	memcpy(out->token, req->token, req->token_len);
	out->token_len = req->token_len;
	out->type = req->type == HTTPCOAP_CON ? HTTPCOAP_ACK : HTTPCOAP_NON;
	out->mid = req->type == HTTPCOAP_CON ? req->mid : non_mid;
	*last = false;
	if (offset >= b->len) {
		out->code = HTTPCOAP_CODE(4, 2); /* a block past the end */
		return true;
	}
	chunk = b->len - offset < size ? b->len - offset : size;
	more = offset + chunk < b->len;
	out->code = HTTPCOAP_CODE(2, 5);
	if (b->cf >= 0)
		httpcoap_add_uint(out, HTTPCOAP_OPT_CONTENT_FORMAT, (uint32_t)b->cf);
	httpcoap_add_uint(out, H2BLOCK_OPT_BLOCK2, (uint32_t)(num << 4 | (size_t)more << 3 | szx));
	out->payload = b->body + offset;
	out->payload_len = chunk;
	*last = !more;
	return true;
}

int h2block_request(const struct httpcoap_msg *tmpl, const uint8_t *body, size_t len, size_t *sent,
		    uint16_t mid, struct httpcoap_msg *out)
{
	size_t chunk = len - *sent < H2BLOCK_SIZE ? len - *sent : H2BLOCK_SIZE;
	size_t num = *sent / H2BLOCK_SIZE;
	bool more = *sent + chunk < len;

	httpcoap_msg_copy(out, tmpl);
	out->mid = mid;
	if (httpcoap_add_uint(out, H2BLOCK_OPT_BLOCK1,
			      (uint32_t)(num << 4 | (size_t)more << 3 | H2BLOCK_SZX)) < 0 ||
	    (num == 0 && httpcoap_add_uint(out, H2BLOCK_OPT_SIZE1, (uint32_t)len) < 0))
		return -EMSGSIZE;
	out->payload = body + *sent;
	out->payload_len = chunk;
	*sent += chunk;
	return 0;
}
