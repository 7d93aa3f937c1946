/*
 * pskguard — the DTLS side of lwm2md's PSK credentials: hands libcoap the
 * key of a known identity, refuses an unknown one, and watches every
 * handshake so that a failed one is logged with the peer's address and
 * counted.
 *
 * A wrong key does not fail a DTLS handshake visibly: DTLS drops records
 * whose MAC does not verify (RFC 6347 §4.1.2.7), so the client's Finished
 * just vanishes.  A handshake that has not connected within the timeout
 * therefore counts as failed, unless its identity was refused already.
 */
#ifndef LWM2MD_PSKGUARD_H
#define LWM2MD_PSKGUARD_H

#include <coap3/coap.h>
#include <event2/event.h>
#include <jansson.h>

#include "creds.h"

struct pskguard;

/* A guard on @base using @creds (both borrowed).  Never NULL. */
struct pskguard *pskguard_new(struct event_base *base, const struct creds *creds,
			      int handshake_timeout_s);

/*
 * Stop watching (releasing the sessions held) and free; NULL is fine.
 * Call before the libcoap context is freed.
 */
void pskguard_free(struct pskguard *g);

/* Make @ctx ask the guard for PSKs.  0, or -ENOTSUP when libcoap cannot do DTLS/PSK. */
int pskguard_setup(struct pskguard *g, coap_context_t *ctx);

/* Feed libcoap's session events (from the context's event handler). */
void pskguard_event(struct pskguard *g, coap_session_t *s, coap_event_t event);

/* Add dtls_connected, dtls_failures, dtls_unknown_identity to @counters. */
void pskguard_counters(const struct pskguard *g, json_t *counters);

/* "[2001:db8::1]:5684" for the peer of @s. */
void pskguard_peer_text(coap_session_t *s, char *buf, size_t size);

#endif
