/*
 * rdserverint — what rdserver shares with the handler modules beside it
 * (rdsimplereg): the server's state and its request guards.  Internal to
 * rdd's CoAP side; everything else uses rdserver.h.
 */
#ifndef LWGATE_RDD_RDSERVERINT_H
#define LWGATE_RDD_RDSERVERINT_H

#include <stdbool.h>

#include <coap3/coap.h>
#include <event2/event.h>

#include "coap/rdquery.h"
#include "rdauth.h"
#include "rdserver.h"

struct rdserver {
	struct event_base *base;
	struct rdstore *store;
	struct rdserver_config cfg;
	coap_context_t *ctx;
	struct coapev *ev;
	struct pskguard *guard;
	struct certs *certs; /* NULL: PSK only */
	int port, coaps_port;
	struct rdsimple *simple;
	struct rdwatch *watch;
	struct rdserver_stats stats;
};

/* The server a session's context serves. */
struct rdserver *rdserver_of(coap_session_t *s);

/*
 * Who sent the request (the auth= item leaves @q): false with 4.00 in
 * @resp when the token is given twice or empty (@q is then finished).
 */
bool rdserver_identify(struct rdserver *srv, coap_session_t *s, struct rdquery *q,
		       struct rdauth_who *who, coap_pdu_t *resp);

/* May @who do @op on (@d, @ep)?  False with 4.01 or 4.03 in @resp. */
bool rdserver_allowed(struct rdserver *srv, const struct rdauth_who *who, enum rdauth_op op,
		      const char *d, const char *ep, coap_pdu_t *resp);

#endif
