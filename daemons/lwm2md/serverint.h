/*
 * serverint — what server shares with the registration handlers beside it
 * (regif): the server's state and two helpers.  Internal to lwm2md's CoAP
 * side; everything else uses server.h.
 */
#ifndef LWGATE_LWM2MD_SERVERINT_H
#define LWGATE_LWM2MD_SERVERINT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <coap3/coap.h>
#include <event2/event.h>

#include "server.h"

/*
 * A removed client's /rd/{location} resource stays for EXCHANGE_LIFETIME:
 * a retransmitted De-register must reach our handler (and get the same
 * 2.02 from respcache), where libcoap alone would answer a DELETE on a
 * missing resource itself; an Update there gets our 4.04.
 */
struct pending_delete {
	coap_resource_t *res;
	uint64_t since;
	struct pending_delete *next;
};

struct server {
	struct event_base *base;
	struct db *db;
	struct ipc_server *ipc;
	struct server_config cfg;
	coap_context_t *ctx;
	struct coapev *ev;
	struct clients *clients;
	struct replycache *replies; /* answers again to duplicates */
	struct event *gc;
	struct pending_delete *doomed;
	struct dm *dm;
	struct block1 *bodies; /* block-wise request bodies being received */
	struct observe *observe;
	struct send *send;
	struct queue *queue; /* operations for sleeping queue-mode clients */
	struct pskstore *creds;
	struct pskguard *guard;
	struct certs *certs;   /* certificate mode, or NULL */
	struct vpeers *vpeers; /* non-IP devices' virtual peers (vpeer.h) */
	bool loading;          /* clients_load() is running: added() is not a new registration */
	uint64_t requests, rejected, version_rejected, db_failures, forbidden, moved;
};

/* Monotonic milliseconds: the clock of the reply cache, bodies and doomed resources. */
static inline uint64_t server_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The server a session belongs to (the context's app data). */
static inline struct server *server_of(coap_session_t *s)
{
	return coap_get_app_data(coap_session_get_context(s));
}

#endif
