/*
 * notify — persisted callbacks with retry (see notify.h).
 */
#include "notify.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sqlite3.h>

#include "common/log.h"

const char notify_schema_3[] = "CREATE TABLE notify_outbox ("
			       " id INTEGER PRIMARY KEY AUTOINCREMENT,"
			       " url TEXT NOT NULL, body TEXT NOT NULL,"
			       " attempts INTEGER NOT NULL DEFAULT 0,"
			       " next_try INTEGER NOT NULL DEFAULT 0);";

#define MAX_BACKOFF 60
#define MAX_CONNS   16

/* A POST on the wire: its outbox row. */
struct attempt {
	struct notify *n;
	int64_t id;
};

/* One kept-alive connection per destination host and port. */
struct conn {
	char host[256];
	int port;
	struct evhttp_connection *evcon;
};

struct notify {
	struct event_base *base;
	struct db *db;
	struct event *timer;
	struct attempt *inflight[NOTIFY_MAX_INFLIGHT];
	size_t n_inflight;
	struct conn conns[MAX_CONNS];
	size_t next_conn; /* round-robin replacement when all are taken */
	struct notify_stats st;
};

static void pump(struct notify *n);

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	pump(arg);
}

int notify_new(struct event_base *base, struct db *db, struct notify **out)
{
	struct notify *n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->base = base;
	n->db = db;
	n->timer = evtimer_new(base, on_timer, n);
	if (!n->timer) {
		free(n);
		return -ENOMEM;
	}
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM notify_outbox");
	if (st && sqlite3_step(st) == SQLITE_ROW)
		n->st.waiting = (uint64_t)sqlite3_column_int64(st, 0);
	if (st)
		sqlite3_reset(st);
	*out = n;
	/* What a previous run left is due now. */
	event_active(n->timer, EV_TIMEOUT, 0);
	return 0;
}

void notify_free(struct notify *n)
{
	if (!n)
		return;
	/* Freeing a connection cancels its requests without calling them back. */
	for (size_t i = 0; i < MAX_CONNS; i++)
		if (n->conns[i].evcon)
			evhttp_connection_free(n->conns[i].evcon);
	for (size_t i = 0; i < n->n_inflight; i++)
		free(n->inflight[i]); /* their rows stay in the outbox for the next start */
	event_free(n->timer);
	free(n);
}

void notify_get_stats(const struct notify *n, struct notify_stats *out)
{
	*out = n->st;
}

/* Host, port and path of an http:// @url. */
static int split_url(const char *url, char *host, size_t hsize, int *port, char *path, size_t psize)
{
	struct evhttp_uri *u = evhttp_uri_parse(url);
	int rc = -EINVAL;
	if (u && evhttp_uri_get_scheme(u) && strcmp(evhttp_uri_get_scheme(u), "http") == 0 &&
	    evhttp_uri_get_host(u) && strlen(evhttp_uri_get_host(u)) < hsize) {
		strcpy(host, evhttp_uri_get_host(u));
		*port = evhttp_uri_get_port(u) > 0 ? evhttp_uri_get_port(u) : 80;
		const char *p = evhttp_uri_get_path(u), *q = evhttp_uri_get_query(u);
		snprintf(path, psize, "%s%s%s", p && *p ? p : "/", q ? "?" : "", q ? q : "");
		rc = 0;
	}
	if (u)
		evhttp_uri_free(u);
	return rc;
}

int notify_post(struct notify *n, const char *url, const char *body)
{
	char host[256], path[512];
	int port;
	if (split_url(url, host, sizeof(host), &port, path, sizeof(path)) < 0)
		return -EINVAL;
	if (n->st.waiting >= NOTIFY_MAX_QUEUED) {
		n->st.dropped++;
		log_warnx("notify: outbox full, a notification to %s is dropped", url);
		return -ENOSPC;
	}
	int rc = db_exec(n->db, "INSERT INTO notify_outbox (url, body) VALUES (?, ?)", "tt", url,
			 body);
	if (rc < 0)
		return rc;
	n->st.queued++;
	n->st.waiting++;
	/* Sent from the loop, after the caller's own transaction is committed. */
	event_active(n->timer, EV_TIMEOUT, 0);
	return 0;
}

static struct evhttp_connection *conn_for(struct notify *n, const char *host, int port)
{
	for (size_t i = 0; i < MAX_CONNS; i++)
		if (n->conns[i].evcon && n->conns[i].port == port &&
		    strcmp(n->conns[i].host, host) == 0)
			return n->conns[i].evcon;
	struct conn *c = NULL;
	for (size_t i = 0; i < MAX_CONNS && !c; i++)
		if (!n->conns[i].evcon)
			c = &n->conns[i];
	if (!c) {
		/* Keep the freshest: reuse slots in turn (their requests fail and retry). */
		c = &n->conns[n->next_conn++ % MAX_CONNS];
		evhttp_connection_free(c->evcon);
	}
	snprintf(c->host, sizeof(c->host), "%s", host);
	c->port = port;
	c->evcon = evhttp_connection_base_new(n->base, NULL, host, (unsigned short)port);
	if (c->evcon)
		evhttp_connection_set_timeout(c->evcon, 10);
	return c->evcon;
}

static void forget(struct notify *n, const struct attempt *a)
{
	for (size_t i = 0; i < n->n_inflight; i++)
		if (n->inflight[i] == a) {
			n->inflight[i] = n->inflight[--n->n_inflight];
			return;
		}
}

static void on_done(struct evhttp_request *req, void *arg)
{
	struct attempt *a = arg;
	struct notify *n = a->n;
	int code = req ? evhttp_request_get_response_code(req) : 0;
	if (code >= 200 && code < 300) {
		db_exec(n->db, "DELETE FROM notify_outbox WHERE id = ?", "I", a->id);
		n->st.sent++;
		n->st.waiting--;
	} else {
		/* 1, 2, 4 … 60 s: a receiver that is down is not hammered. */
		db_exec(n->db,
			"UPDATE notify_outbox SET attempts = attempts + 1,"
			" next_try = ? + min(?, 1 << min(attempts, 6)) WHERE id = ?",
			"IiI", (int64_t)time(NULL), MAX_BACKOFF, a->id);
		n->st.retried++;
		log_debug("notify: %d from the receiver, retrying later", code);
	}
	forget(n, a);
	free(a);
	event_active(n->timer, EV_TIMEOUT, 0);
}

static bool inflight(const struct notify *n, int64_t id)
{
	for (size_t i = 0; i < n->n_inflight; i++)
		if (n->inflight[i]->id == id)
			return true;
	return false;
}

static void send_one(struct notify *n, int64_t id, const char *url, const char *body)
{
	char host[256], path[512];
	int port;
	struct attempt *a = malloc(sizeof(*a));
	struct evhttp_connection *evcon =
		a && split_url(url, host, sizeof(host), &port, path, sizeof(path)) == 0
			? conn_for(n, host, port)
			: NULL;
	struct evhttp_request *req = evcon ? evhttp_request_new(on_done, a) : NULL;
	if (!req) {
		free(a);
		return;
	}
	*a = (struct attempt){ n, id };
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", host);
	evhttp_add_header(h, "Content-Type", "application/json");
	evbuffer_add(evhttp_request_get_output_buffer(req), body, strlen(body));
	/* On failure libevent has freed req and calls no one back. */
	if (evhttp_make_request(evcon, req, EVHTTP_REQ_POST, path) == 0)
		n->inflight[n->n_inflight++] = a;
	else
		free(a);
}

/* Send what is due, up to NOTIFY_MAX_INFLIGHT; wake again at the next due time. */
static void pump(struct notify *n)
{
	db_commit(n->db);
	time_t now = time(NULL);
	sqlite3_stmt *st = db_stmt(n->db, "SELECT id, url, body, next_try FROM notify_outbox"
					  " ORDER BY next_try, id LIMIT ?");
	if (!st)
		return;
	/* The in-flight rows come back too: ask for enough to see past them. */
	sqlite3_bind_int(st, 1, 2 * NOTIFY_MAX_INFLIGHT);
	int64_t next = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0), due = sqlite3_column_int64(st, 3);
		if (inflight(n, id))
			continue;
		if (due > now) {
			next = due;
			break;
		}
		if (n->n_inflight < NOTIFY_MAX_INFLIGHT)
			send_one(n, id, (const char *)sqlite3_column_text(st, 1),
				 (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_reset(st);
	if (next) {
		struct timeval tv = { next - now, 0 };
		evtimer_add(n->timer, &tv);
	}
}
