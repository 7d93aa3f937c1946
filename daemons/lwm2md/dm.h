/*
 * dm — LwM2M device management (TS Core §6.3 / Transport §6.4): Read,
 * Discover, Write (replace and partial update), Write-Attributes, Execute,
 * Create and Delete sent to a registered client for a control-socket call,
 * answered when the client responds, fails (with its CoAP code: "4.04 Not
 * Found") or never answers (timeout after libcoap's retransmissions).
 *
 * Requests go out through the libcoap context that serves the registration
 * interface, so they come from the address and port the client registered
 * to: on the client's session while libcoap keeps one, else on a client
 * session opened from that same port for the request.
 */
#ifndef LWM2MD_DM_H
#define LWM2MD_DM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coap3/coap.h>
#include <jansson.h>

#include "clients.h"
#include "coap/coapev.h"
#include "common/db.h"
#include "common/ipc_server.h"
#include "lwm2m/lwm2m_path.h"
#include "lwm2m/lwm2m_registry.h"

enum dm_op {
	DM_READ,         /* GET */
	DM_DISCOVER,     /* GET, Accept: link format */
	DM_WRITE,        /* PUT: replace */
	DM_WRITE_UPDATE, /* POST: partial update */
	DM_WRITE_ATTR,   /* PUT with attributes in the query, no payload */
	DM_EXECUTE,      /* POST to a resource, optional arguments */
	DM_CREATE,       /* POST to an object */
	DM_DELETE,       /* DELETE */
};

struct dm_request {
	enum dm_op op;
	struct lwm2m_path path;
	int accept;             /* content format asked for, -1: none */
	int format;             /* content format of @payload, -1: none */
	const uint8_t *payload; /* copied into the CoAP message; may be NULL */
	size_t len;
	const char *query; /* DM_WRITE_ATTR: "pmin=10&pmax=60" (one Uri-Query per item) */
};

/*
 * The LwM2M 1.0 endpoints that ignore a Read with Accept (see dm_nack()),
 * remembered across restarts, so that none waits out a Read's
 * retransmissions again after one.
 */
#define DM_SCHEMA_5 \
	"CREATE TABLE reads_without_accept (ep TEXT PRIMARY KEY, learned INTEGER NOT NULL);"

struct dm_config {
	int ack_timeout_ms; /* >= 1000: libcoap refuses less */
	int max_retransmit;
	bool have_local; /* @local is the CoAP endpoint's address */
	coap_address_t local;
	const struct lwm2m_registry *reg; /* types and names; may be NULL */
	struct event_base *base;          /* for the deadlines of TCP and TLS requests */
	struct db *db;                    /* table reads_without_accept (borrowed) */
};

struct dm;

/*
 * Device management on @ctx driven by @ev (both borrowed), with the
 * endpoints known to ignore Accept loaded from cfg->db.  Never NULL (a
 * table that cannot be read is logged: the endpoints are learnt again).
 */
struct dm *dm_new(coap_context_t *ctx, struct coapev *ev, const struct dm_config *cfg);

/* Fail the calls still waiting ("lwm2md is stopping") and free; NULL is fine. */
void dm_free(struct dm *dm);

/* Whether Reads of a resource go to LwM2M 1.0 endpoint @ep without Accept (it ignored one). */
bool dm_reads_without_accept(const struct dm *dm, const char *ep);

/* Send @req to @c and answer @call later (always: reply, error or timeout). */
void dm_send(struct dm *dm, struct ipc_call *call, const struct client *c,
	     const struct dm_request *req);

/* A response from libcoap's response handler: true when it answered one of ours. */
bool dm_response(struct dm *dm, coap_session_t *s, const coap_pdu_t *received);

/* A failed request from libcoap's NACK handler: true when it was one of ours. */
bool dm_nack(struct dm *dm, coap_session_t *s, const coap_pdu_t *sent, coap_mid_t mid,
	     coap_nack_reason_t reason);

/* Add the counters (requests, failures, sessions opened) to @counters. */
void dm_counters(const struct dm *dm, json_t *counters);

/* "4.04 Not Found" for a CoAP response code (libcoap's names, RFC 7252 §12.1.2 …). */
void dm_code_text(coap_pdu_code_t code, char *buf, size_t size);

#endif
