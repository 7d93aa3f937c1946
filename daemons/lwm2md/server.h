/*
 * server — lwm2md's CoAP side: a libcoap context driven by the daemon's
 * libevent loop (coapev), serving the LwM2M registration interface
 * (POST /rd, POST and DELETE /rd/{location}) and Send (POST /dp) over UDP, DTLS, TCP and TLS,
 * with duplicate rejection on UDP and DTLS (midstore + respcache) and
 * device-management requests sent to registered clients for the control
 * socket, on the session they registered over.
 *
 * Every registration change is committed to the database (clients.c)
 * before the response leaves.  The server publishes registration.new,
 * registration.update, registration.removed and registration.expired
 * events on the control socket.  Responses that answer none of dm's
 * requests are notifications, handed to observe.c.
 */
#ifndef LWM2MD_SERVER_H
#define LWM2MD_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "clients.h"
#include "common/db.h"
#include "common/ipc_server.h"
#include "creds.h"
#include "dm.h"
#include "observe.h"
#include "queue.h"
#include "vpeer.h"
#include "lwm2m/lwm2m_registry.h"

struct server_config {
	bool coap_enabled; /* serve plain CoAP over UDP */
	const char *address;
	int port;
	bool coaps_enabled; /* serve CoAP over DTLS with PSK */
	const char *coaps_address;
	int coaps_port;
	bool tcp_enabled; /* serve CoAP over TCP (RFC 8323) */
	const char *tcp_address;
	int tcp_port;
	bool tls_enabled; /* serve CoAP over TLS (RFC 8323), PSK or certificates */
	const char *tls_address;
	int tls_port;
	const char *ca_file; /* PEM files of certificate mode, "" when off */
	const char *cert_file;
	const char *key_file;
	int handshake_timeout_s; /* a DTLS handshake not done by then counts as failed */
	int ack_timeout_ms;      /* RFC 7252 ACK_TIMEOUT for requests we send */
	int max_retransmit;
	int nidd_ack_timeout_ms; /* the same for NIDD clients (0: as the others) */
	int nidd_max_retransmit;
	int response_timeout_s; /* 0: EXCHANGE_LIFETIME (UDP), MAX_TRANSMIT_WAIT (TCP) */
	int max_idle_sessions;  /* libcoap server sessions kept while idle */
	unsigned max_clients;
	unsigned max_observations;
	bool reobserve;       /* observations sent again when an endpoint registers anew */
	bool send_enabled;    /* take Send (POST /dp); no: 4.05 */
	size_t max_body;      /* block-wise request bodies at most (4.13 beyond) */
	int awake_s;          /* queue mode: awake window after a client's last message */
	int queue_deadline_s; /* a queued operation waits this long at most */
	unsigned max_queued;  /* queued operations at most */
	const struct lwm2m_registry *registry; /* object definitions; may be NULL */
	/* called when a client is registered (or loaded), updated or removed; may be NULL */
	void (*changed)(void *ctx, const char *ep);
	void *changed_ctx;
};

struct server;

/*
 * Create the server on @base with @db and @ipc (borrowed), bind the
 * configured endpoint and load the stored registrations.  Returns 0 and
 * *@out, or a negative errno (logged): -EADDRINUSE and friends from bind,
 * -EIO from the database.
 */
int server_new(struct event_base *base, struct db *db, struct ipc_server *ipc,
	       const struct server_config *cfg, struct server **out);

/* Close the endpoint, fail pending requests, free everything; NULL is fine. */
void server_free(struct server *srv);

/* The registration table (owned by the server). */
struct clients *server_clients(struct server *srv);

/* Remove a client from the control socket: 0 or -EIO. */
int server_remove(struct server *srv, struct client *c);

/* Add counters (registrations, duplicates, …) to a status reply's "counters". */
void server_status(struct server *srv, json_t *status);

/* The DTLS credentials (owned by the server). */
struct pskstore *server_creds(struct server *srv);

/* Device management on this server's CoAP context (owned by the server). */
struct dm *server_dm(struct server *srv);

/* The observations and last known values (owned by the server). */
struct observe *server_observe(struct server *srv);

/*
 * The virtual peers of the non-IP transports (vpeer.h; owned by the
 * server, empty when plain CoAP is off).  Their owners free their vpeers
 * before server_free().
 */
struct vpeers *server_vpeers(struct server *srv);

/* The operations waiting for sleeping queue-mode clients (owned by the server). */
struct queue *server_queue(struct server *srv);

#endif
