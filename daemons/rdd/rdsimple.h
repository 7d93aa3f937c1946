/*
 * rdsimple — the RD's client side for simple registration (RFC 9176
 * §5.1): GET /.well-known/core (Accept: link-format) from an endpoint that
 * asked to be registered with an empty POST /.well-known/rd.
 *
 * The request goes out on the RD's own libcoap context (it owns that
 * context's response and NACK handlers), confirmable, with short
 * retransmission settings so that a silent endpoint is given up within a
 * few seconds; bodies larger than a datagram arrive block-wise.
 *
 * For a registrant that came over coaps the request goes over DTLS
 * instead, rdd being the DTLS client with the registrant's own PSK
 * identity and key, or, for one that came with a certificate, with rdd's
 * own certificate (the device's must chain to a CA of [coaps] ca_file):
 * a device that only speaks coaps can register simply.
 * The handshake has its own deadline, since DTLS retransmits its flights
 * for minutes and a wrong key never fails visibly (the peer drops the
 * Finished whose MAC does not verify).
 */
#ifndef LWGATE_RDD_RDSIMPLE_H
#define LWGATE_RDD_RDSIMPLE_H

#include <stddef.h>
#include <stdint.h>

#include <coap3/coap.h>
#include <event2/event.h>

#include "coap/certs.h"

struct rdsimple;

/*
 * The outcome of one fetch: @err 0 and the body (borrowed for the call),
 * or
 *   -EPROTO        the endpoint answered with something but 2.05 (@code);
 *   -ETIMEDOUT     it did not answer the request (or was unreachable);
 *   -ECONNABORTED  the DTLS handshake did not complete within the deadline
 *                  (a silent endpoint, no DTLS server there, or a wrong key);
 *   -ECONNREFUSED  the DTLS handshake failed (an alert, the session closed);
 *   -EHOSTUNREACH  the DTLS handshake got an ICMP error (no coaps server);
 *   -ECONNRESET    the DTLS session closed before the answer came.
 */
typedef void (*rdsimple_done_fn)(void *arg, int err, int code, const uint8_t *body, size_t len);

/*
 * The registrant's PSK for a fetch over DTLS (copied by rdsimple_fetch()).
 */
struct rdsimple_psk {
	const uint8_t *identity;
	size_t identity_len; /* 1 to PSKGUARD_IDENTITY_MAX */
	const uint8_t *key;
	size_t key_len; /* 1 to PSKGUARD_KEY_MAX */
};

/*
 * Take over @ctx's response handlers; a DTLS fetch gives its handshake
 * @handshake_timeout_s seconds.  NULL on allocation failure.
 */
struct rdsimple *rdsimple_new(struct event_base *base, coap_context_t *ctx,
			      int handshake_timeout_s);

/* Forget the fetches still running (their callbacks never come); NULL is fine. */
void rdsimple_free(struct rdsimple *rs);

/*
 * The context's NACK handler, which rdsimple_new() installs; a module that
 * installs its own instead (pubsub) passes the NACKs of client sessions on
 * to it.
 */
void rdsimple_on_nack(coap_session_t *s, const coap_pdu_t *sent, const coap_nack_reason_t reason,
		      const coap_mid_t mid);

/*
 * Feed libcoap's session events of client sessions (the context's event
 * handler, which belongs to rdserver): how a DTLS fetch's handshake went.
 */
void rdsimple_event(coap_session_t *s, coap_event_t event);

/*
 * Start fetching from @dst: over DTLS with @psk, or with the certificate
 * of @certs (borrowed: it outlives the fetch); plain CoAP when both are
 * NULL.  @fn is called exactly once, later.  0, -EINVAL (a bad PSK, or
 * both given), -ENOMEM or -EIO.
 */
int rdsimple_fetch(struct rdsimple *rs, const coap_address_t *dst, const struct rdsimple_psk *psk,
		   const struct certs *certs, rdsimple_done_fn fn, void *arg);

#endif
