/*
 * queue — operations for sleeping queue-mode clients (see queue.h).
 */
#define LOG_COMPONENT "queue"
#include "queue.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/keyidx.h"
#include "common/log.h"
#include "lwm2m/lwm2m_path.h"

#define SWEEP_MS 1000 /* how often deadlines are looked at */

/* An operation waiting (queued, or sent and not answered yet). */
struct qop {
	struct queue *q;
	int64_t id;
	char *ep;
	struct dm_request req;
	uint8_t *payload; /* req.payload's storage */
	char *query;      /* req.query's storage */
	int64_t deadline; /* wall-clock ms */
	bool sent;
	struct qop *prev, *next; /* queued order, which is deadline order */
};

struct queue {
	struct queue_config cfg;
	struct keyidx *by_ep; /* every waiting operation of an endpoint */
	struct qop *first, *last;
	struct event *sweep;
	struct queue_stats st;
};

static const char *const op_names[] = {
	[DM_READ] = "read",
	[DM_DISCOVER] = "discover",
	[DM_WRITE] = "write",
	[DM_WRITE_UPDATE] = "write",
	[DM_WRITE_ATTR] = "write-attr",
	[DM_EXECUTE] = "exec",
	[DM_CREATE] = "create",
	[DM_DELETE] = "delete",
	[DM_OBSERVE] = "observe",
	[DM_OBSERVE_STOP] = "cancel",
	[DM_READ_COMPOSITE] = "read-composite",
	[DM_WRITE_COMPOSITE] = "write-composite",
	[DM_OBSERVE_COMPOSITE] = "observe-composite",
	[DM_OBSERVE_COMPOSITE_STOP] = "cancel",
};

static const char *op_name(int op)
{
	return op >= 0 && op <= DM_OBSERVE_COMPOSITE_STOP ? op_names[op] : "?";
}

static struct qop *qop_new(struct queue *q, int64_t id, const char *ep,
			   const struct dm_request *req, int64_t deadline)
{
	struct qop *o = calloc(1, sizeof(*o));

	if (!o || !(o->ep = strdup(ep)))
		abort();
	o->q = q;
	o->id = id;
	o->req = *req;
	o->req.token = NULL;
	o->req.token_len = 0;
	if (req->payload && req->len) {
		if (!(o->payload = malloc(req->len)))
			abort();
		memcpy(o->payload, req->payload, req->len);
	}
	o->req.payload = o->payload;
	if (req->query && !(o->query = strdup(req->query)))
		abort();
	o->req.query = o->query;
	o->deadline = deadline;
	o->prev = q->last;
	if (q->last)
		q->last->next = o;
	else
		q->first = o;
	q->last = o;
	keyidx_add(q->by_ep, o->ep, strlen(o->ep), o);
	q->st.waiting++;
	return o;
}

static void qop_free(struct queue *q, struct qop *o)
{
	keyidx_del(q->by_ep, o->ep, strlen(o->ep), o);
	if (o->prev)
		o->prev->next = o->next;
	else
		q->first = o->next;
	if (o->next)
		o->next->prev = o->prev;
	else
		q->last = o->prev;
	q->st.waiting--;
	free(o->payload);
	free(o->query);
	free(o->ep);
	free(o);
}

/* The operation's end: stored, published, forgotten. */
static void finish(struct queue *q, struct qop *o, const char *state, json_t *result)
{
	int64_t now = clients_now_ms();
	char *text = result ? json_dumps(result, JSON_COMPACT) : NULL;

	db_batch(q->cfg.db);
	if (db_exec(q->cfg.db,
		    "UPDATE queued_ops SET state = ?, finished = ?, result = ? WHERE id = ?",
		    "tItI", state, now, text, o->id) < 0)
		log_warnx("op=%lld: its end not stored", (long long)o->id);
	free(text);
	if (q->cfg.ipc)
		ipc_server_publish(q->cfg.ipc, "op.done",
				   json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)o->id,
					     "endpoint", o->ep, "state", state, "result",
					     result ? json_incref(result) : json_null()));
	log_info("op=%lld ep=%s %s", (long long)o->id, o->ep, state);
	qop_free(q, o);
}

static void send_next(struct queue *q, struct client *c);

static void on_done(void *ctx, json_t *result, json_t *error)
{
	struct qop *o = ctx;
	struct queue *q = o->q;
	char ep[REGREQ_EP_MAX + 1];
	struct client *c;

	snprintf(ep, sizeof(ep), "%s", o->ep);
	if (result)
		q->st.done++;
	else
		q->st.failed++;
	finish(q, o, result ? "done" : "failed", result ? result : error);
	json_decref(result);
	json_decref(error);
	/* the client answered: it is awake, the next one may go */
	c = clients_find_ep(q->cfg.clients, ep);
	if (c && result)
		c->last_seen = clients_now_ms();
	if (c && !queue_asleep(q, c))
		send_next(q, c);
}

/* The oldest waiting operation of @ep, and whether one is on its way. */
static struct qop *oldest(const struct queue *q, const char *ep, bool *in_flight)
{
	struct keyidx_iter it;
	struct qop *best = NULL;

	*in_flight = false;
	for (struct qop *o = keyidx_first(q->by_ep, ep, strlen(ep), &it); o; o = keyidx_next(&it)) {
		if (o->sent)
			*in_flight = true;
		else if (!best || o->id < best->id)
			best = o;
	}
	return best;
}

static void send_next(struct queue *q, struct client *c)
{
	bool in_flight;
	struct qop *o = oldest(q, c->ep, &in_flight);

	if (!o || in_flight)
		return;
	o->sent = true;
	q->st.sent++;
	db_batch(q->cfg.db);
	if (db_exec(q->cfg.db, "UPDATE queued_ops SET state = 'sent' WHERE id = ?", "I", o->id) < 0)
		log_warnx("op=%lld: 'sent' not stored (sent again after a restart)",
			  (long long)o->id);
	log_info("op=%lld ep=%s sent (%s)", (long long)o->id, o->ep, op_name((int)o->req.op));
	dm_send_cb(q->cfg.dm, c, &o->req, on_done, o);
}

struct wake {
	struct queue *q;
	char ep[REGREQ_EP_MAX + 1];
};

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
	struct wake *w = arg;
	struct client *c = clients_find_ep(w->q->cfg.clients, w->ep);

	if (c)
		send_next(w->q, c);
	free(w);
}

void queue_wake(struct queue *q, struct client *c)
{
	bool in_flight;
	struct wake *w;

	c->last_seen = clients_now_ms();
	if (!q->st.waiting || !oldest(q, c->ep, &in_flight) || in_flight)
		return;
	/*
	 * From the loop, once the message that woke the client is answered:
	 * the client hears "2.04" to its Update before the first request
	 * (libcoap 4.3.1 over TCP lost the answer of a request sent from
	 * within the Update's handler, one time in three).
	 */
	w = calloc(1, sizeof(*w));
	if (!w)
		abort();
	w->q = q;
	snprintf(w->ep, sizeof(w->ep), "%s", c->ep);
	if (!q->cfg.base || event_base_once(q->cfg.base, -1, EV_TIMEOUT, on_wake, w, NULL) < 0)
		on_wake(-1, 0, w);
}

bool queue_asleep(const struct queue *q, const struct client *c)
{
	return c->queue && clients_now_ms() - c->last_seen > q->cfg.awake_ms;
}

const char *queue_state_of(const struct queue *q, const struct client *c)
{
	if (!c->queue)
		return NULL;
	return queue_asleep(q, c) ? "asleep" : "awake";
}

/* Deadlines: the list is in queued order, which is deadline order. */
static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct queue *q = arg;
	int64_t now = clients_now_ms();
	struct qop *o = q->first, *next;

	for (; o && o->deadline <= now; o = next) {
		next = o->next;
		if (o->sent)
			continue; /* its request has its own deadline (dm) */
		q->st.expired++;
		finish(q, o, "expired",
		       json_pack("{s:s, s:s}", "code", "timeout", "message",
				 "the client did not wake up before the deadline"));
	}
}

static void load(struct queue *q)
{
	sqlite3_stmt *st =
		db_stmt(q->cfg.db, "SELECT id, ep, op, path, accept, format, payload, query, "
				   "deadline FROM queued_ops WHERE state IN ('queued', 'sent') "
				   "ORDER BY id");
	int n = 0;

	if (!st)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *ps = (const char *)sqlite3_column_text(st, 3);
		struct dm_request req = { .op = (enum dm_op)sqlite3_column_int(st, 2),
					  .accept = sqlite3_column_int(st, 4),
					  .format = sqlite3_column_int(st, 5),
					  .payload = sqlite3_column_blob(st, 6),
					  .len = (size_t)sqlite3_column_bytes(st, 6),
					  .query = (const char *)sqlite3_column_text(st, 7) };

		/* what queue_add takes: not the observations' own requests */
		if (!ps || !sqlite3_column_text(st, 1) || req.op == DM_OBSERVE ||
		    req.op == DM_OBSERVE_STOP || req.op > DM_WRITE_COMPOSITE ||
		    lwm2m_path_parse(ps, strlen(ps), &req.path) < 0)
			continue;
		qop_new(q, sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
			&req, sqlite3_column_int64(st, 8));
		n++;
	}
	sqlite3_reset(st);
	/* sent before the restart, never answered: sent again */
	if (db_exec(q->cfg.db, "UPDATE queued_ops SET state = 'queued' WHERE state = 'sent'", "") <
	    0)
		log_warnx("queued_ops: 'sent' ones not reset");
	if (n)
		log_info("queued operations loaded count=%d", n);
}

struct queue *queue_new(const struct queue_config *cfg)
{
	struct queue *q = calloc(1, sizeof(*q));
	struct timeval every = { SWEEP_MS / 1000, (SWEEP_MS % 1000) * 1000 };

	if (!q)
		abort();
	q->cfg = *cfg;
	q->by_ep = keyidx_new();
	load(q);
	if (cfg->base) {
		q->sweep = event_new(cfg->base, -1, EV_PERSIST, on_sweep, q);
		if (!q->sweep)
			abort();
		event_add(q->sweep, &every);
	}
	return q;
}

void queue_free(struct queue *q)
{
	if (!q)
		return;
	if (q->sweep)
		event_free(q->sweep);
	while (q->first)
		qop_free(q, q->first);
	keyidx_free(q->by_ep);
	free(q);
}

void queue_add(struct queue *q, struct ipc_call *call, const struct client *c,
	       const struct dm_request *req)
{
	int64_t now = clients_now_ms(), deadline = now + (int64_t)q->cfg.deadline_s * 1000;
	char ps[LWM2M_PATH_STR_MAX];
	struct qop *o;

	if (q->st.waiting >= q->cfg.max) {
		ipc_call_fail(call, IPC_ERR_BUSY, "%u operations queued already", q->st.waiting);
		return;
	}
	lwm2m_path_format(&req->path, ps, sizeof(ps));
	db_batch(q->cfg.db);
	if (db_exec(q->cfg.db,
		    "INSERT INTO queued_ops (ep, op, path, accept, format, payload, query, "
		    "created, deadline, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued')",
		    "titiibtII", c->ep, (int)req->op, ps, req->accept, req->format,
		    req->payload ? req->payload : (const uint8_t *)"", req->payload ? req->len : 0,
		    req->query, now, deadline) < 0 ||
	    db_commit(q->cfg.db) < 0) {
		ipc_call_fail(call, IPC_ERR_INTERNAL, "not queued: the database refused");
		return;
	}
	o = qop_new(q, sqlite3_last_insert_rowid(db_handle(q->cfg.db)), c->ep, req, deadline);
	q->st.queued++;
	log_info("op=%lld ep=%s queued (%s %s): the client %s", (long long)o->id, c->ep,
		 op_name((int)req->op), ps,
		 queue_asleep(q, c) ? "is asleep" : "must reconnect first");
	ipc_call_reply(call, json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)o->id,
				       "endpoint", c->ep, "operation", op_name((int)req->op),
				       "state", "queued", "deadline", clients_iso_time(deadline)));
}

static json_t *row_json(sqlite3_stmt *st)
{
	const char *result = (const char *)sqlite3_column_text(st, 8);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:s}", "id",
			      (json_int_t)sqlite3_column_int64(st, 0), "endpoint",
			      (const char *)sqlite3_column_text(st, 1), "operation",
			      op_name(sqlite3_column_int(st, 2)), "path",
			      (const char *)sqlite3_column_text(st, 3), "queued",
			      clients_iso_time(sqlite3_column_int64(st, 4)), "deadline",
			      clients_iso_time(sqlite3_column_int64(st, 5)), "state",
			      (const char *)sqlite3_column_text(st, 6));

	if (sqlite3_column_type(st, 7) != SQLITE_NULL)
		json_object_set_new(o, "finished", clients_iso_time(sqlite3_column_int64(st, 7)));
	if (result)
		json_object_set_new(o, "result", json_loads(result, 0, NULL) ?: json_null());
	return o;
}

void queue_show(struct queue *q, struct ipc_call *call, int64_t id)
{
	sqlite3_stmt *st = db_stmt(q->cfg.db, "SELECT id, ep, op, path, created, deadline, state, "
					      "finished, result FROM queued_ops WHERE id = ?");

	if (!st) {
		ipc_call_fail(call, IPC_ERR_INTERNAL, "queued_ops cannot be read");
		return;
	}
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		ipc_call_reply(call, row_json(st));
	else
		ipc_call_fail(call, IPC_ERR_NOT_FOUND, "no operation %lld", (long long)id);
	sqlite3_reset(st);
}

void queue_list(struct queue *q, struct ipc_call *call, const char *ep)
{
	sqlite3_stmt *st =
		db_stmt(q->cfg.db, "SELECT id, ep, op, path, created, deadline, state, finished, "
				   "result FROM queued_ops WHERE state IN ('queued', 'sent') AND "
				   "(?1 IS NULL OR ep = ?1) ORDER BY id");

	if (!st) {
		ipc_call_fail(call, IPC_ERR_INTERNAL, "queued_ops cannot be read");
		return;
	}
	sqlite3_bind_text(st, 1, ep, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (ipc_call_record(call, row_json(st)) < 0)
			break;
	sqlite3_reset(st);
	ipc_call_reply(call, json_array());
}

void queue_get_stats(const struct queue *q, struct queue_stats *out)
{
	*out = q->st;
}

void queue_counters(const struct queue *q, json_t *counters)
{
#define C(name, v) json_object_set_new(counters, name, json_integer((json_int_t)(v)))
	C("ops_waiting", q->st.waiting);
	C("ops_queued", q->st.queued);
	C("ops_sent", q->st.sent);
	C("ops_done", q->st.done);
	C("ops_failed", q->st.failed);
	C("ops_expired", q->st.expired);
#undef C
}
