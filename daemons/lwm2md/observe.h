/*
 * observe — lwm2md's observations (RFC 7641; LwM2M 1.1 TS Core §6.4,
 * Transport §6.3) and the last known value of every resource a client
 * reported.
 *
 * An observation is a path of a registered endpoint with a dedicated
 * 8-byte token: 4 bytes drawn once per lwm2md process, 4 bytes counting
 * (the LWIG guidance: unique per exchange, unguessable, cheap to match).
 * It is stored in SQLite once the client has answered the Observe with
 * an Observe option, so that after a restart — or a kill -9 — the
 * notifications on the old tokens are still matched.  Every notification
 * (CON or NON, any content format lib/lwm2m decodes) becomes the last
 * known value of each resource in it, with the time it arrived, and an
 * "observe.notify" event on the control socket.
 *
 * Cancelling is active (GET with Observe 1 on the token) or passive (the
 * next notification on the token is answered with RST).  A notification
 * on a token nobody observes gets RST too (RFC 7641 §3.6): the client
 * stops sending it.  When an endpoint registers again (a new Register,
 * not an Update) its observations are sent again, on their tokens, if the
 * configuration asks for it: a client that rebooted lost them.
 */
#ifndef LWM2MD_OBSERVE_H
#define LWM2MD_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coap3/coap.h>
#include <jansson.h>

#include "clients.h"
#include "common/db.h"
#include "common/ipc_server.h"
#include "dm.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_path.h"
#include "lwm2m/lwm2m_registry.h"

#define OBSERVE_TOKEN_LEN 8
#define OBSERVE_PATHS_MAX 16  /* paths of one Observe-Composite */
#define OBSERVE_NAME_MAX  512 /* "/3/0/9,/1/0/1": its paths as one string */
#define OBSERVE_ETAG_MAX  8   /* RFC 7252 §5.10.6 */

/* Schema of migration 6: the observations and the last known values. */
#define OBSERVE_SCHEMA_6                                                                        \
	"CREATE TABLE observations (token BLOB PRIMARY KEY, ep TEXT NOT NULL, "                 \
	"path TEXT NOT NULL, accept INTEGER NOT NULL, created INTEGER NOT NULL, "               \
	"UNIQUE (ep, path));"                                                                   \
	"CREATE TABLE last_values (ep TEXT NOT NULL, path TEXT NOT NULL, value TEXT NOT NULL, " \
	"time INTEGER NOT NULL, source TEXT NOT NULL, PRIMARY KEY (ep, path)) WITHOUT ROWID;"   \
	"CREATE TABLE write_attrs (ep TEXT NOT NULL, path TEXT NOT NULL, query TEXT NOT NULL, " \
	"PRIMARY KEY (ep, path)) WITHOUT ROWID;"

/*
 * Migration 8: a passive cancel is kept across a restart, so the next
 * notification on its token still gets RST (not accepted as if observed).
 */
#define OBSERVE_SCHEMA_8 \
	"ALTER TABLE observations ADD COLUMN cancelling INTEGER NOT NULL DEFAULT 0;"

struct observe_config {
	struct db *db;                    /* borrowed */
	struct ipc_server *ipc;           /* events; may be NULL */
	struct dm *dm;                    /* sends the Observe requests; may be NULL (tests) */
	struct clients *clients;          /* the endpoints observed; may be NULL (tests) */
	const struct lwm2m_registry *reg; /* types and names; may be NULL */
	struct event_base *base;          /* re-observations after a Register; may be NULL */
	bool reobserve;                   /* re-establish on a new Register */
	unsigned max;                     /* observations at most (all endpoints) */
	size_t max_body;                  /* a Block2 notification's body at most (0: 64 KiB) */
};

/* What to answer a notification with. */
enum observe_verdict {
	OBSERVE_NOT_OURS, /* no observation has this token: RST (RFC 7641 §3.6) */
	OBSERVE_ACCEPTED, /* stored and published: ACK a CON */
	OBSERVE_REJECTED, /* passively cancelled or ended: RST */
};

struct observe_stats {
	unsigned observations;
	uint64_t notifications, notifications_con, notifications_non, notify_undecodable,
		unknown_tokens, passive_cancels, active_cancels, ended, reobserved, db_errors;
	uint64_t blocks, blocks_dropped; /* of Block2 notifications (notifyblk.h) */
};

/* A notification as the CoAP side received it (decoded from the PDU). */
struct observe_msg {
	const uint8_t *token;
	size_t token_len;
	unsigned code;    /* COAP_RESPONSE_CODE(205) … */
	bool confirmable; /* CON (else NON) */
	bool has_observe; /* an Observe option */
	uint32_t seq;     /* its value */
	bool has_format;  /* a Content-Format option */
	unsigned format;  /* its value */
	const uint8_t *payload;
	size_t len;
	bool has_block2;     /* a Block2 option (RFC 7959): one block of the body */
	bool block_more;     /* its M bit */
	uint32_t block_num;  /* its number */
	unsigned block_szx;  /* its size, 2^(szx+4) */
	uint8_t etag[OBSERVE_ETAG_MAX]; /* the ETag option, if any */
	size_t etag_len;
};

struct observe;

/*
 * The observations stored in cfg->db, loaded; never NULL (a table that
 * cannot be read is logged and the observations are lost, not the daemon).
 */
struct observe *observe_new(const struct observe_config *cfg);

/* The dm that sends the Observes, once it exists (it calls back into @ob). */
void observe_attach(struct observe *ob, struct dm *dm);

/* Free the table (the database keeps it); NULL is fine. */
void observe_free(struct observe *ob);

/*
 * Observe @path of @c for @call (answered as a Read: the first value), in
 * @accept (-1: the client's choice).  An observation of that path that
 * exists is sent again on its token (a refresh).  Fails the call with
 * IPC_ERR_CONFLICT past cfg->max.
 */
void observe_start(struct observe *ob, struct ipc_call *call, const struct client *c,
		   const struct lwm2m_path *path, int accept);

/*
 * Observe-Composite (FETCH / with Observe, TS Core §6.4.2) of @paths
 * ("/3/0/9,/1/0/1", at most OBSERVE_PATHS_MAX) of @c for @call, answered
 * as a Read-Composite.  Its notifications are decoded from the root and
 * must stay within its paths.
 */
void observe_start_composite(struct observe *ob, struct ipc_call *call, const struct client *c,
			     const char *paths, int accept);

/*
 * Cancel the observation of @paths ("/3/0/9", or a composite's list) of
 * @ep: actively (a GET or FETCH with Observe 1, @call answered with the
 * client's response; @c must be the registered client) or passively
 * (@call answered at once; the next notification gets RST).  Fails the
 * call with IPC_ERR_NOT_FOUND when there is none.
 */
void observe_cancel(struct observe *ob, struct ipc_call *call, const struct client *c,
		    const char *ep, const char *paths, bool passive);

/* One record per observation of @ep (NULL: all), then the reply. */
void observe_list(struct observe *ob, struct ipc_call *call, const char *ep);

/* One record per last known value of @ep (under @path when not NULL), then the reply. */
void observe_values(struct observe *ob, struct ipc_call *call, const char *ep,
		    const struct lwm2m_path *path);

/*
 * A response that was not the answer to one of dm's requests: a
 * notification when its token is an observation's.  Decoded, stored,
 * published; the verdict says whether to ACK or RST it.
 */
enum observe_verdict observe_notification(struct observe *ob, const char *ep_hint,
					  const struct observe_msg *m);

/*
 * observe_notification() for a PDU libcoap received; *@ep the endpoint of
 * the observation (valid until the next call) when it is OBSERVE_ACCEPTED.
 */
enum observe_verdict observe_pdu(struct observe *ob, const coap_pdu_t *pdu, const char **ep);

/*
 * The dm_config observed() hook: the client's answer to an Observe
 * (@response NULL: none came; @observing: it had Observe; @body its Block2
 * payload put together, or NULL).  A 2.05 with Observe stores the
 * observation.
 */
void observe_answered(void *ob, const uint8_t *token, size_t token_len, const coap_pdu_t *response,
		      bool observing, const uint8_t *body, size_t body_len);

/*
 * Store the values of a document received from @ep (decoded by the caller,
 * e.g. a Send) as last known values with @source ("notify", "send"), and
 * return them as the "values" member of an event: {"/3/0/9": 87, …}.
 * NULL when they could not be rendered.
 */
json_t *observe_store_values(struct observe *ob, const char *ep, const struct lwm2m_doc *doc,
			     const char *source);

/*
 * The dm_config attrs_written() hook: @ep took Write-Attributes @query
 * for @path.  Stored (table write_attrs) and shown beside the observation
 * of that path, now or when it is made.
 */
void observe_attrs_written(void *ob, const char *ep, const struct lwm2m_path *path,
			   const char *query);

/* A client was removed for @why: its observations go, unless it registered again. */
void observe_client_removed(struct observe *ob, const struct client *c, enum clients_reason why);

/* A client registered anew: its observations are sent again (cfg->reobserve). */
void observe_client_registered(struct observe *ob, const struct client *c);

void observe_get_stats(const struct observe *ob, struct observe_stats *out);

/* Add the counters to a status reply's "counters". */
void observe_counters(const struct observe *ob, json_t *counters);

#endif
