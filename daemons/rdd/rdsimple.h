/*
 * rdsimple — the RD's client side for simple registration (RFC 9176
 * §5.1): GET /.well-known/core (Accept: link-format) from an endpoint that
 * asked to be registered with an empty POST /.well-known/rd.
 *
 * The request goes out on the RD's own libcoap context (it owns that
 * context's response and NACK handlers), confirmable, with short
 * retransmission settings so that a silent endpoint is given up within a
 * few seconds; bodies larger than a datagram arrive block-wise.
 */
#ifndef LWGATE_RDD_RDSIMPLE_H
#define LWGATE_RDD_RDSIMPLE_H

#include <stddef.h>
#include <stdint.h>

#include <coap3/coap.h>
#include <event2/event.h>

struct rdsimple;

/*
 * The outcome of one fetch: @err 0 and the body (borrowed for the call),
 * -EPROTO when the endpoint answered with something but 2.05 (@code), or
 * -ETIMEDOUT when it did not answer.
 */
typedef void (*rdsimple_done_fn)(void *arg, int err, int code, const uint8_t *body, size_t len);

/* Take over @ctx's response handlers; NULL on allocation failure. */
struct rdsimple *rdsimple_new(struct event_base *base, coap_context_t *ctx);

/* Forget the fetches still running (their callbacks never come); NULL is fine. */
void rdsimple_free(struct rdsimple *rs);

/*
 * The context's NACK handler, which rdsimple_new() installs; a module that
 * installs its own instead (pubsub) passes the NACKs of client sessions on
 * to it.
 */
void rdsimple_on_nack(coap_session_t *s, const coap_pdu_t *sent, const coap_nack_reason_t reason,
		      const coap_mid_t mid);

/* Start fetching from @dst; @fn is called exactly once, later.  0 or -ENOMEM/-EIO. */
int rdsimple_fetch(struct rdsimple *rs, const coap_address_t *dst, rdsimple_done_fn fn, void *arg);

#endif
