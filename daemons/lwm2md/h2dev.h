/*
 * h2dev — LwM2M over HTTP/2 for non-constrained devices (binding H;
 * README "LwM2M over HTTP/2").  A device-facing HTTP/2 listener (h2c with
 * prior knowledge, or TLS with ALPN h2, on lib/http) where each device,
 * authenticated by a bearer token bound to one endpoint name, gets a
 * virtual CoAP peer (vpeer.h): its HTTP requests (Register, Update,
 * De-register, Send) are mapped to CoAP per RFC 8075 (lib/http/httpcoap)
 * and sent to lwm2md's own CoAP endpoint from that vpeer; the server's
 * requests to it (Read, Write, Observe …) come back to the vpeer and go to
 * the device as application/http messages (lib/http/httppipe) on one
 * long-lived response stream the device opens (GET /lwm2m/downlink); the
 * device answers them, several at once if it likes, in one POST
 * /lwm2m/responses, each answer carrying its request's token in an
 * Lwm2m-Token field.  So every server rule (endpoint binding, limits,
 * queue mode, observations) applies to it as to a CoAP client.
 */
#ifndef LWM2MD_H2DEV_H
#define LWM2MD_H2DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "coap/pskstore.h"
#include "common/db.h"
#include "vpeer.h"

struct h2dev_config {
	bool enabled;
	const char *address;              /* numeric IP address to listen on */
	int port;                         /* 0: any free port */
	const char *cert_file, *key_file; /* TLS (ALPN h2) when both are set */
	const char *ca_file; /* CAs of device certificates (h2auth.h: their names); "": none */
	const char *tokens;               /* "ep=token" items separated by blanks or commas */
	int max_devices;                  /* devices (vpeers) known at once */
	int max_connections;
	int timeout_s; /* how long a device's request waits for the server */
	struct db *db; /* lwm2md's: each device's vpeer port (table http2_devices) */
};

struct h2dev;

/*
 * Serve HTTP/2 devices per @cfg on @base (nothing when not enabled: *@out
 * NULL), with vpeers from @vpeers and bearer tokens from @cfg->tokens and
 * from @creds (a token "identity:hexkey" of a PSK credential stands for
 * the endpoint that credential is bound to), or, without a token, a TLS
 * client certificate that @cfg->ca_file verifies (its CN or a DNS/URI
 * subjectAltName is the endpoint, h2auth.h).  Each device's vpeer port is
 * kept in @cfg->db (http2_devices) and taken again after a restart.
 * Returns 0, or -EINVAL (bad tokens, TLS files), -EIO (database),
 * -EADDRINUSE … from the listener (logged).
 */
int h2dev_new(struct event_base *base, const struct h2dev_config *cfg, struct vpeers *vpeers,
	      const struct pskstore *creds, struct h2dev **out);

/*
 * Add {"http2": {"port", "devices", "downlinks" (streams open),
 * "requests" (sent up), "answers", "notifications", "resets" (notifications
 * the server reset: passive cancels told to the device), "unauthorized",
 * "refused" (other 4xx/5xx of this layer), "dropped" (server requests
 * and resets while no stream was open)}} to a status reply.
 */
void h2dev_status(const struct h2dev *h, json_t *status);

/* The port the listener is bound to (host order), 0 when off. */
uint16_t h2dev_port(const struct h2dev *h);

/* Close every device's connection and vpeer, free @h; NULL is fine. */
void h2dev_free(struct h2dev *h);

#endif
