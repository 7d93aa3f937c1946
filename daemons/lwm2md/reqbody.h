/*
 * reqbody — the whole payload of a request a client sends lwm2md
 * (Register, Update, Send): its own, or for a block-wise request (RFC 7959
 * Block1) the body block1.c puts together, keyed by the peer's address
 * and the resource, with the answer each block gets (2.31 Continue with
 * Block1, 4.08, 4.13 with Size1, 4.00).
 */
#ifndef LWM2MD_REQBODY_H
#define LWM2MD_REQBODY_H

#include <stddef.h>
#include <stdint.h>

#include <coap3/coap.h>

#include "block1.h"
#include "replycache.h"

/*
 * The payload of @req to @res, whole.  Returns 1 with *@data and *@len
 * (then reqbody_release()), 0 when more blocks are to come (@r a 2.31
 * with Block1), or -1 with @r an error (4.08, 4.13 with Size1 @max_body,
 * 4.00).  @r is reset first.
 */
int reqbody_get(struct block1 *bodies, size_t max_body, coap_resource_t *res, coap_session_t *s,
		const coap_pdu_t *req, struct reply *r, const uint8_t **data, size_t *len,
		uint64_t now_ms);

/* The body of a block-wise request to @res has been used: forget it. */
void reqbody_release(struct block1 *bodies, coap_resource_t *res, coap_session_t *s);

#endif
