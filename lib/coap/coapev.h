/*
 * coapev — libcoap inside a libevent loop.
 *
 * libcoap (built with epoll, as Debian's is) exposes one epoll descriptor
 * for all of a context's sockets and tells, after each round, when its next
 * timer is due (retransmissions, observe refreshes, DTLS timers, session
 * timeouts).  coapev watches that descriptor with a persistent read event,
 * runs coap_io_process(ctx, COAP_IO_NO_WAIT) when it fires or when libcoap's
 * timer is due, and re-arms a libevent timer from coap_io_prepare_epoll()
 * after each round.  The loop never blocks in libcoap.
 *
 * Code that queues CoAP messages from outside a libcoap callback (a control
 * socket command sending a request to a device) calls coapev_kick(), so
 * that the message and its retransmission timer go out at once.
 */
#ifndef LWGATE_COAP_COAPEV_H
#define LWGATE_COAP_COAPEV_H

#include <coap3/coap.h>
#include <event2/event.h>

struct coapev;

/*
 * Drive @ctx (borrowed; free it after coapev_free()) from @base.  Returns
 * NULL with errno ENOTSUP when libcoap has no epoll descriptor to offer.
 */
struct coapev *coapev_new(struct event_base *base, coap_context_t *ctx);

/* Stop driving the context; NULL is fine. */
void coapev_free(struct coapev *ev);

/* Process what is pending now and re-arm the timer (see the top comment). */
void coapev_kick(struct coapev *ev);

/* How many libcoap processing rounds ran so far (for status and tests). */
unsigned long coapev_rounds(const struct coapev *ev);

#endif
