/*
 * queue — device management for clients in queue mode (LwM2M 1.1 TS
 * Transport §6.5; the sleepy-node problem of the LWIG guidance).
 *
 * A client registered with Q (or a binding with Q) listens only for a
 * while after it last spoke (the awake window, [lwm2m] awake_time, 93 s
 * by default as the TS suggests).  A request for a client that is asleep
 * is not sent: it is stored in SQLite (table queued_ops) with an id and a
 * deadline, and the call is answered at once with {"id":N,"state":
 * "queued"}.  When the client next speaks (Register, Update, Send, a
 * notification), its operations are sent one after the other, in the
 * order they were queued; each one's result is stored and published as an
 * "op.done" event.  One whose deadline passes first ends "expired".  A
 * restart loses none: queued ones stay queued, and one that was sent but
 * not answered is queued again (at least once).
 *
 * The same holds for a DTLS, TCP or TLS client whose session is gone
 * (lwm2md restarted): a server cannot open one, so its requests wait for
 * its next message on a new connection.
 *
 * States: queued → sent → done | failed; queued → expired.
 */
#ifndef LWM2MD_QUEUE_H
#define LWM2MD_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "clients.h"
#include "common/db.h"
#include "common/ipc_server.h"
#include "dm.h"

/* Schema of migration 7. */
#define QUEUE_SCHEMA_7                                                                    \
	"CREATE TABLE queued_ops (id INTEGER PRIMARY KEY, ep TEXT NOT NULL, "             \
	"op INTEGER NOT NULL, path TEXT NOT NULL, accept INTEGER NOT NULL, "              \
	"format INTEGER NOT NULL, payload BLOB, query TEXT, created INTEGER NOT NULL, "   \
	"deadline INTEGER NOT NULL, state TEXT NOT NULL, finished INTEGER, result TEXT);" \
	"CREATE INDEX queued_ops_state ON queued_ops (state, id);"

struct queue_config {
	struct db *db;           /* borrowed */
	struct ipc_server *ipc;  /* events; may be NULL */
	struct dm *dm;           /* sends the operations */
	struct clients *clients; /* the clients they are for */
	struct event_base *base; /* the deadline sweep */
	int awake_ms;            /* the awake window after a client's last message */
	int deadline_s;          /* a queued operation waits this long at most */
	unsigned max;            /* operations waiting at most (all clients) */
};

struct queue_stats {
	unsigned waiting; /* queued or sent */
	uint64_t queued, sent, done, failed, expired;
};

struct queue;

/* The operations stored in cfg->db, loaded.  Never NULL. */
struct queue *queue_new(const struct queue_config *cfg);

/* NULL is fine (the database keeps the operations). */
void queue_free(struct queue *q);

/* Whether @c is in queue mode and asleep (its awake window is over). */
bool queue_asleep(const struct queue *q, const struct client *c);

/*
 * Queue @req for @c and answer @call with {"id","endpoint","state":
 * "queued","deadline"}.  Fails the call with IPC_ERR_BUSY past cfg->max,
 * IPC_ERR_INTERNAL when the database refuses.
 */
void queue_add(struct queue *q, struct ipc_call *call, const struct client *c,
	       const struct dm_request *req);

/*
 * @c has just spoken (@c->last_seen is now): send its next operation,
 * unless one is already on its way.
 */
void queue_wake(struct queue *q, struct client *c);

/* The operation @id as stored, or IPC_ERR_NOT_FOUND. */
void queue_show(struct queue *q, struct ipc_call *call, int64_t id);

/* One record per operation of @ep (NULL: all) still waiting, then the reply. */
void queue_list(struct queue *q, struct ipc_call *call, const char *ep);

/* "awake" or "asleep" for a queue-mode client, NULL otherwise. */
const char *queue_state_of(const struct queue *q, const struct client *c);

void queue_get_stats(const struct queue *q, struct queue_stats *out);

/* Add the counters to a status reply's "counters". */
void queue_counters(const struct queue *q, json_t *counters);

#endif
