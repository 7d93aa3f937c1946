/*
 * transport — lwm2md's CoAP side as the INI sets it up: the libcoap
 * context and its handlers, and the listeners for CoAP over UDP, DTLS,
 * TCP and TLS (RFC 7252, RFC 8323) with the PSK table and, when the INI
 * names them, certificates.  libcoap's own log lines go to lwm2md's log.
 */
#ifndef LWM2MD_TRANSPORT_H
#define LWM2MD_TRANSPORT_H

#include <stdbool.h>

#include <coap3/coap.h>

#include "coap/certs.h"
#include "coap/pskguard.h"
#include "server.h"
#include "vpeer.h"

/*
 * "udp", "dtls", "tcp" or "tls": what a registration records and shows;
 * for a session with a virtual peer (vpeer.h), the vpeer's kind ("nidd").
 */
const char *transport_name(coap_session_t *s);

/* The virtual peer @s talks to (vpeer.h), or NULL for a real peer. */
struct vpeer *transport_vpeer(coap_session_t *s);

/*
 * The LwM2M binding letter of @s's transport (TS Transport 6.2.1.1): U for
 * UDP and DTLS, T for TCP and TLS, N for a "nidd" vpeer (Non-IP), H for an
 * "http2" one.
 */
char transport_binding_letter(coap_session_t *s);

/* DTLS or TLS: the peer authenticated with a PSK or a certificate? */
bool transport_secured(coap_session_t *s);

/* libcoap's log lines into lwm2md's, at its level (debug: libcoap's info). */
void transport_route_logs(void);

/*
 * A libcoap context with @app as its app data and the handlers given;
 * NULL when libcoap cannot make one.
 */
coap_context_t *transport_context(void *app, const struct server_config *cfg,
				  coap_response_handler_t on_response,
				  coap_nack_handler_t on_nack, coap_event_handler_t on_event);

/*
 * Serve what @cfg asks on @ctx: plain CoAP (its address into *@addr, where
 * requests to clients leave from), then DTLS, TCP and TLS with @guard's
 * PSKs and certificates (*@certs, NULL when off).  0 or a negative errno
 * (logged): -EINVAL (not an IP address), -EADDRINUSE, -ENOTSUP.
 */
int transport_serve(coap_context_t *ctx, const struct server_config *cfg,
		    struct pskguard *guard, struct certs **certs, coap_address_t *addr);

#endif
