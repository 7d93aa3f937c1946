/*
 * regif — the registration interface's CoAP handlers (Register, Update,
 * De-register, and Send on /dp): query and payload checks, access
 * control (PSK identity or certificate CN against the endpoint), binding
 * checks, and registrations following a client's new address.  The state
 * is server's (serverint.h); server.c registers these handlers.
 */
#ifndef LWGATE_LWM2MD_REGIF_H
#define LWGATE_LWM2MD_REGIF_H

#include <coap3/coap.h>

#include "clients.h"

struct server;

/* POST /rd: Register. */
void regif_register(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		    const coap_string_t *query, coap_pdu_t *resp);
/* POST /rd/{location}: Update. */
void regif_update(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		  const coap_string_t *query, coap_pdu_t *resp);
/* DELETE /rd/{location}: De-register. */
void regif_deregister(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		      const coap_string_t *query, coap_pdu_t *resp);
/* POST /dp: Send. */
void regif_send(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		const coap_string_t *query, coap_pdu_t *resp);
/* Tell the mirror and the requests of @c's change (see the definition). */
void regif_notify_changed(struct server *srv, const struct client *c);
/* A notification of @c's came from a new address: the registration follows it. */
void regif_follow(struct server *srv, coap_session_t *s, struct client *c, const char *by);

#endif
