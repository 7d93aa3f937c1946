/*
 * reqbody — the whole payload of a request a client sends (see reqbody.h).
 */
#define LOG_COMPONENT "coap"
#include "reqbody.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"

static void refuse(struct reply *r, int code, const char *text)
{
	memset(r, 0, sizeof(*r));
	r->code = (uint8_t)COAP_RESPONSE_CODE(code);
	snprintf(r->text, sizeof(r->text), "%s", text);
}

static void payload_of(const coap_pdu_t *req, const uint8_t **data, size_t *len)
{
	size_t offset, total;

	if (!coap_get_data_large(req, len, data, &offset, &total)) {
		*len = 0;
		*data = (const uint8_t *)"";
	}
}

/* What block1 keys a body by: the peer's address and the resource. */
static size_t body_key(coap_resource_t *res, coap_session_t *s, uint8_t key[BLOCK1_KEY_MAX])
{
	const coap_address_t *a = coap_session_get_addr_remote(s);
	coap_str_const_t *uri = coap_resource_get_uri_path(res);
	size_t n = a->size, u = uri ? uri->length : 0;

	if (n > BLOCK1_KEY_MAX)
		n = BLOCK1_KEY_MAX;
	memcpy(key, &a->addr, n);
	if (u > BLOCK1_KEY_MAX - n)
		u = BLOCK1_KEY_MAX - n;
	if (u)
		memcpy(key + n, uri->s, u);
	return n + u;
}

int reqbody_get(struct block1 *bodies, size_t max_body, coap_resource_t *res, coap_session_t *s,
		const coap_pdu_t *req, struct reply *r, const uint8_t **data, size_t *len,
		uint64_t now_ms)
{
	coap_opt_iterator_t it;
	coap_opt_t *size1 = coap_check_option(req, COAP_OPTION_SIZE1, &it);
	uint8_t key[BLOCK1_KEY_MAX];
	coap_block_b_t b;
	const uint8_t *part;
	size_t n, offset, total;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!coap_get_block_b(s, req, COAP_OPTION_BLOCK1, &b)) {
		payload_of(req, data, len);
		return 1;
	}
	if (!coap_get_data_large(req, &n, &part, &offset, &total)) {
		n = 0;
		part = (const uint8_t *)"";
	}
	rc = block1_add(bodies, key, body_key(res, s, key), b.num, b.m, b.szx, part, n,
			size1 ? coap_decode_var_bytes(coap_opt_value(size1), coap_opt_length(size1))
			      : 0,
			now_ms, data, len);
	if (rc == BLOCK1_CONTINUE || rc == BLOCK1_DONE) {
		r->code = rc == BLOCK1_CONTINUE ? (uint8_t)COAP_RESPONSE_CODE(231) : 0;
		r->has_block1 = true;
		r->block1 = b.num << 4 | (rc == BLOCK1_CONTINUE ? 8 : 0) | b.szx;
		return rc == BLOCK1_DONE;
	}
	if (rc == -EMSGSIZE) {
		refuse(r, 413, "body too large for this server ([lwm2m] max_body)");
		r->size1 = (uint32_t)max_body;
	} else {
		refuse(r, rc == -EPROTO ? 408 : 400,
			  rc == -EPROTO ? "a block is missing: send the body again from block 0"
					: "Block1: a block larger than its size, or BERT");
	}
	log_info("block-wise request refused: %s", r->text);
	return -1;
}

void reqbody_release(struct block1 *bodies, coap_resource_t *res, coap_session_t *s)
{
	uint8_t key[BLOCK1_KEY_MAX];

	block1_release(bodies, key, body_key(res, s, key));
}
