/*
 * paaradius — paad's RADIUS client for EAP pass-through (RFC 3579): one
 * UDP socket to the server, up to 256 Access-Requests in flight (one
 * identifier each), each retransmitted as is until it is answered or
 * given up; answers are accepted only with a correct Response
 * Authenticator and Message-Authenticator.
 */
#ifndef LWGATE_PAAD_PAARADIUS_H
#define LWGATE_PAAD_PAARADIUS_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "pana/radius.h"

struct paaradius;
struct paaradius_req;

struct paaradius_config {
	const char *server; /* numeric address */
	int port;
	const char *secret;
	const char *nas_id; /* NAS-Identifier */
	unsigned timeout_ms;
	unsigned retries;
};

struct paaradius_stats {
	uint64_t requests, retransmits, timeouts, accepts, rejects, challenges, dropped;
};

/*
 * The answer to a request: @code is RADIUS_ACCESS_CHALLENGE, _ACCEPT or
 * _REJECT with the checked packet @p, or 0 (and @p NULL) when the server
 * never answered.  @req_auth is the request's authenticator, for
 * radius_msk().  @p lives only during the call; the request is over.
 */
typedef void (*paaradius_cb)(void *ctx, int code, const struct radius_pkt *p,
			     const uint8_t *req_auth);

/* Open the socket to the server of @cfg (copied).  0 and *out, or a negative errno (logged). */
int paaradius_new(struct event_base *base, const struct paaradius_config *cfg,
		  struct paaradius **out);

/* Close; requests in flight are dropped without a callback.  NULL is fine. */
void paaradius_free(struct paaradius *r);

/*
 * Send an Access-Request for @user carrying @eap (and @state from the last
 * Access-Challenge, when @state_len is not 0; @station as
 * Calling-Station-Id).  Returns the request, or NULL when 256 are in
 * flight or it does not fit (the caller fails the authentication).
 */
struct paaradius_req *paaradius_send(struct paaradius *r, const char *user, const char *station,
				     const uint8_t *state, size_t state_len, const uint8_t *eap,
				     size_t eap_len, paaradius_cb cb, void *ctx);

/* Forget a request in flight (its session is gone); no callback. */
void paaradius_cancel(struct paaradius_req *q);

/* The shared secret, for radius_msk(). */
const char *paaradius_secret(const struct paaradius *r);

void paaradius_get_stats(const struct paaradius *r, struct paaradius_stats *out);

#endif
