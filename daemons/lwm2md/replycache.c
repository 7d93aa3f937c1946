/*
 * replycache — answers kept for duplicates (see replycache.h).
 */
#define LOG_COMPONENT "coap"
#include "replycache.h"

#include <stdlib.h>
#include <string.h>

#include "coap/midstore.h"
#include "coap/respcache.h"
#include "common/log.h"

struct replycache {
	struct midstore *mids;
	struct respcache *responses;
	uint64_t duplicates, duplicates_unanswered;
};

struct replycache *replycache_new(void)
{
	struct replycache *rc = calloc(1, sizeof(*rc));

	if (!rc)
		abort();
	rc->mids = midstore_new(NULL);
	rc->responses = respcache_new(NULL);
	return rc;
}

void replycache_free(struct replycache *rc)
{
	if (!rc)
		return;
	midstore_free(rc->mids);
	respcache_free(rc->responses);
	free(rc);
}

/*
 * CoAP over TCP and TLS (RFC 8323) has no message IDs and no
 * retransmissions: the connection delivers each request once, so the
 * duplicate store is a UDP and DTLS matter.
 */
bool replycache_reliable(coap_session_t *s)
{
	coap_proto_t p = coap_session_get_proto(s);

	return p == COAP_PROTO_TCP || p == COAP_PROTO_TLS;
}

static size_t encode_reply(const struct reply *r, uint8_t *buf, size_t size)
{
	size_t loc = strlen(r->location), text = strlen(r->text);

	if (2 + loc + text > size)
		return 0;
	buf[0] = r->code;
	buf[1] = (uint8_t)loc;
	memcpy(buf + 2, r->location, loc);
	memcpy(buf + 2 + loc, r->text, text);
	return 2 + loc + text;
}

static void decode_reply(const uint8_t *buf, size_t len, struct reply *r)
{
	size_t loc = len >= 2 ? buf[1] : 0;

	memset(r, 0, sizeof(*r));
	if (len < 2 || loc > CLIENTS_LOCATION_LEN || 2 + loc > len ||
	    len - 2 - loc >= sizeof(r->text))
		return;
	r->code = buf[0];
	memcpy(r->location, buf + 2, loc);
	memcpy(r->text, buf + 2 + loc, len - 2 - loc);
}

static void apply_reply(coap_pdu_t *resp, const struct reply *r)
{
	coap_opt_iterator_t it;
	uint8_t cf[4];

	coap_pdu_set_code(resp, (coap_pdu_code_t)r->code);
	if (r->location[0]) {
		coap_add_option(resp, COAP_OPTION_LOCATION_PATH, 2, (const uint8_t *)"rd");
		coap_add_option(resp, COAP_OPTION_LOCATION_PATH, strlen(r->location),
				(const uint8_t *)r->location);
	}
	if (r->text[0])
		coap_add_option(resp, COAP_OPTION_CONTENT_FORMAT,
				coap_encode_var_safe(cf, sizeof(cf), COAP_MEDIATYPE_TEXT_PLAIN),
				cf);
	/* libcoap adds its own Block1 to a 2.31 (and then ours is not needed) */
	if (r->has_block1 && !coap_check_option(resp, COAP_OPTION_BLOCK1, &it))
		coap_add_option(resp, COAP_OPTION_BLOCK1,
				coap_encode_var_safe(cf, sizeof(cf), r->block1), cf);
	if (r->size1)
		coap_add_option(resp, COAP_OPTION_SIZE1,
				coap_encode_var_safe(cf, sizeof(cf), r->size1), cf);
	if (r->text[0])
		coap_add_data(resp, strlen(r->text), (const uint8_t *)r->text);
}

/* The peer's address as midstore/respcache key. */
static const void *peer_key(coap_session_t *s, size_t *len)
{
	const coap_address_t *a = coap_session_get_addr_remote(s);

	*len = a->size;
	return &a->addr;
}

bool replycache_duplicate(struct replycache *rc, coap_session_t *s, const coap_pdu_t *req,
			  coap_pdu_t *resp, uint64_t now_ms)
{
	size_t klen, len;
	const void *key = peer_key(s, &klen);
	uint16_t mid = (uint16_t)coap_pdu_get_mid(req);
	const void *data;
	struct reply r;

	if (replycache_reliable(s))
		return false;
	/* remembered here, so that the next copy is caught */
	if (klen > MIDSTORE_MAX_KEY || midstore_check(rc->mids, key, klen, mid, now_ms) != 1)
		return false;
	rc->duplicates++;
	if (respcache_get(rc->responses, key, klen, mid, now_ms, &data, &len) < 0) {
		/* the response was evicted: an empty ACK at least stops the retransmissions */
		rc->duplicates_unanswered++;
		return true;
	}
	decode_reply(data, len, &r);
	apply_reply(resp, &r);
	log_debug("duplicate answered again mid=%u", mid);
	return true;
}

void replycache_finish(struct replycache *rc, coap_session_t *s, const coap_pdu_t *req,
		       coap_pdu_t *resp, const struct reply *r, uint64_t now_ms)
{
	uint8_t buf[2 + CLIENTS_LOCATION_LEN + REPLY_TEXT_MAX];
	size_t klen, len = encode_reply(r, buf, sizeof(buf));
	const void *key = peer_key(s, &klen);

	apply_reply(resp, r);
	if (len && klen <= RESPCACHE_MAX_KEY && !replycache_reliable(s))
		respcache_put(rc->responses, key, klen, (uint16_t)coap_pdu_get_mid(req), buf, len,
			      now_ms);
}

void replycache_expire(struct replycache *rc, uint64_t now_ms)
{
	midstore_expire(rc->mids, now_ms);
	respcache_expire(rc->responses, now_ms);
}

void replycache_counters(const struct replycache *rc, json_t *counters)
{
	struct midstore_stats ms;
	struct respcache_stats rs;

	midstore_get_stats(rc->mids, &ms);
	respcache_get_stats(rc->responses, &rs);
#define C(name, v) json_object_set_new(counters, name, json_integer((json_int_t)(v)))
	C("duplicates", rc->duplicates);
	C("duplicates_unanswered", rc->duplicates_unanswered);
	C("midstore_bytes", ms.bytes);
	C("respcache_entries", rs.entries);
	C("respcache_bytes", rs.bytes);
#undef C
}
