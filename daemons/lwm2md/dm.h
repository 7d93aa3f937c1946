/*
 * dm — LwM2M device management (TS Core §6.3 / Transport §6.4): Read,
 * Discover, Write (replace and partial update), Write-Attributes, Execute,
 * Create and Delete sent to a registered client for a control-socket call,
 * answered when the client responds, fails (with its CoAP code: "4.04 Not
 * Found") or never answers (timeout after libcoap's retransmissions, or
 * when a separate response does not come by the deadline).
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
	DM_READ,                   /* GET */
	DM_DISCOVER,               /* GET, Accept: link format */
	DM_WRITE,                  /* PUT: replace */
	DM_WRITE_UPDATE,           /* POST: partial update */
	DM_WRITE_ATTR,             /* PUT with attributes in the query, no payload */
	DM_EXECUTE,                /* POST to a resource, optional arguments */
	DM_CREATE,                 /* POST to an object */
	DM_DELETE,                 /* DELETE */
	DM_OBSERVE,                /* GET with Observe 0 (RFC 7641 §3.1), on the caller's token */
	DM_OBSERVE_STOP,           /* GET with Observe 1: the active cancel (RFC 7641 §3.6) */
	DM_READ_COMPOSITE,         /* FETCH / with the paths (TS Core §6.3.8) */
	DM_WRITE_COMPOSITE,        /* iPATCH / with the values (TS Core §6.3.9) */
	DM_OBSERVE_COMPOSITE,      /* FETCH / with Observe 0 and the paths (TS Core §6.4.2) */
	DM_OBSERVE_COMPOSITE_STOP, /* FETCH / with Observe 1: its active cancel */
};

struct dm_request {
	enum dm_op op;
	struct lwm2m_path path;
	int accept;             /* content format asked for, -1: none */
	int format;             /* content format of @payload, -1: none */
	const uint8_t *payload; /* copied into the CoAP message; may be NULL */
	size_t len;
	const char *query;    /* DM_WRITE_ATTR: "pmin=10&pmax=60" (one Uri-Query per item) */
	const uint8_t *token; /* the observe requests: the observation's token */
	size_t token_len;     /* 1..8; other requests get a fresh token */
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
	/* for clients over NIDD (transport "nidd"; 0: as the others) */
	int nidd_ack_timeout_ms;
	int nidd_max_retransmit;
	int response_timeout_s; /* 0: EXCHANGE_LIFETIME (UDP), MAX_TRANSMIT_WAIT (TCP) */
	bool have_local;        /* @local is the CoAP endpoint's address */
	coap_address_t local;
	const struct lwm2m_registry *reg; /* types and names; may be NULL */
	struct event_base *base;          /* for the deadlines of TCP and TLS requests */
	struct db *db;                    /* table reads_without_accept (borrowed) */
	/*
	 * Called with the response to a DM_OBSERVE (NULL when none came) before
	 * its call is answered, so that the observation is stored first; may be
	 * NULL.  @observing: the answer (its first block) had Observe; @body is the
	 * payload of a Block2 response put together (else NULL).
	 */
	void (*observed)(void *ctx, const uint8_t *token, size_t token_len,
			 const coap_pdu_t *response, bool observing, const uint8_t *body,
			 size_t body_len);
	void *observed_ctx; /* for both hooks */
	/* A client took Write-Attributes @query ("pmin=10&pmax=60") for @path; may be NULL. */
	void (*attrs_written)(void *ctx, const char *ep, const struct lwm2m_path *path,
			      const char *query);
	size_t max_body; /* a Block2 response at most (0: 64 KiB) */
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

/*
 * Whether a request can go to @c now: always over UDP; over DTLS, TCP and
 * TLS only while its session lives (a server cannot open one: after a
 * restart of lwm2md such a client is awaiting its reconnection).
 */
bool dm_connected(const struct dm *dm, const struct client *c);

/* Whether Reads of a resource go to LwM2M 1.0 endpoint @ep without Accept (it ignored one). */
bool dm_reads_without_accept(const struct dm *dm, const char *ep);

/*
 * Send @req to @c and answer @call later (always: reply, error or timeout).
 * @call may be NULL (a re-observation lwm2md makes on its own): the outcome
 * then only reaches the observed() hook and the counters.
 */
void dm_send(struct dm *dm, struct ipc_call *call, const struct client *c,
	     const struct dm_request *req);

/*
 * The outcome of a request sent with dm_send_cb(): @result_take as a call
 * would have been answered (NULL on failure), or @error_take, the error
 * object a call would have got ({"code":"timeout","message":…}, with
 * "coap_code" for a client's CoAP error).
 */
typedef void (*dm_done_fn)(void *ctx, json_t *result_take, json_t *error_take);

/* dm_send() for a request no call waits for: @done gets the outcome (always). */
void dm_send_cb(struct dm *dm, const struct client *c, const struct dm_request *req,
		dm_done_fn done, void *ctx);

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
