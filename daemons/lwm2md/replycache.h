/*
 * replycache — lwm2md's answers to the requests clients send it (Register,
 * Update, De-register, Send), and the duplicate rejection of RFC 7252
 * §4.5 over UDP and DTLS: a request seen before from the same peer with
 * the same Message ID gets the same answer again, byte for byte, instead
 * of being acted on twice (a retransmitted Register must not replace the
 * registration it created).  The Message IDs are midstore's, the answers
 * respcache's (lib/coap), both kept for EXCHANGE_LIFETIME and bounded.
 * CoAP over TCP and TLS (RFC 8323) has no retransmissions: nothing is
 * kept for it.
 */
#ifndef LWM2MD_REPLYCACHE_H
#define LWM2MD_REPLYCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include <coap3/coap.h>
#include <jansson.h>

#include "clients.h"

#define REPLY_TEXT_MAX 200 /* diagnostic payload bytes */

/* A response as respcache keeps it: enough to send the same bytes again. */
struct reply {
	uint8_t code; /* COAP_RESPONSE_CODE(x) */
	char location[CLIENTS_LOCATION_LEN + 1];
	char text[REPLY_TEXT_MAX];
	/* not kept by respcache: the options of a block-wise exchange's answers */
	bool has_block1;
	uint32_t block1; /* Block1 value acknowledging the block */
	uint32_t size1;  /* 4.13: the largest body taken (RFC 7959 §4) */
};

struct replycache;

/* Never NULL. */
struct replycache *replycache_new(void);

/* NULL is fine. */
void replycache_free(struct replycache *rc);

/* CoAP over TCP or TLS (no Message IDs, no retransmissions)? */
bool replycache_reliable(coap_session_t *s);

/*
 * Is @req a duplicate (same peer, same Message ID) of a request answered
 * within EXCHANGE_LIFETIME?  Then @resp is that answer again (or an empty
 * ACK when it was evicted) and the request must not be acted on.
 */
bool replycache_duplicate(struct replycache *rc, coap_session_t *s, const coap_pdu_t *req,
			  coap_pdu_t *resp, uint64_t now_ms);

/* Answer @req with @r in @resp, and keep @r for the request's duplicates. */
void replycache_finish(struct replycache *rc, coap_session_t *s, const coap_pdu_t *req,
		       coap_pdu_t *resp, const struct reply *r, uint64_t now_ms);

/* Forget what is older than EXCHANGE_LIFETIME. */
void replycache_expire(struct replycache *rc, uint64_t now_ms);

/* duplicates, duplicates_unanswered, midstore_bytes, respcache_* into @counters. */
void replycache_counters(const struct replycache *rc, json_t *counters);

#endif
