/*
 * rdsimplereg — simple registration (RFC 9176 §5.1), the server side:
 * POST /.well-known/rd with the endpoint's parameters and no payload.  The
 * RD checks the request as a registration (rate, identity, rights, room),
 * then asks the endpoint for its /.well-known/core (rdsimple, over DTLS
 * with the registrant's own credential when it came over coaps) and
 * answers with a separate response once the links are stored: 2.04, or
 * why not (4.xx, 5.03 with Max-Age when the directory is full, 5.04 when
 * the endpoint did not answer).
 */
#ifndef LWGATE_RDD_RDSIMPLEREG_H
#define LWGATE_RDD_RDSIMPLEREG_H

#include <coap3/coap.h>

/* libcoap's handler for POST /.well-known/rd; called again for the separate response. */
void rdsimplereg_handle(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
			const coap_string_t *query, coap_pdu_t *resp);

#endif
