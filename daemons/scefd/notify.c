/*
 * notify — persisted callbacks with retry (see notify.h).
 */
#include "notify.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sqlite3.h>

#include "common/log.h"

const char notify_schema_3[] = "CREATE TABLE notify_outbox ("
			       " id INTEGER PRIMARY KEY AUTOINCREMENT,"
			       " url TEXT NOT NULL, body TEXT NOT NULL,"
			       " attempts INTEGER NOT NULL DEFAULT 0,"
			       " next_try INTEGER NOT NULL DEFAULT 0);";

#define MAX_BACKOFF 60
#define MAX_CONNS   16

/* A POST on the wire: its outbox row; an https one owns its connection. */
struct attempt {
	struct notify *n;
	int64_t id;
	struct evhttp_connection *tls; /* NULL for http:// */
	char host[256];
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
	SSL_CTX *ssl; /* verifies https:// receivers */
	/* https connections whose request is over, freed from the loop (not
	 * from inside libevent's callback, which still uses them after). */
	struct evhttp_connection *dead[NOTIFY_MAX_INFLIGHT];
	size_t n_dead;
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

/*
 * The client context of https:// callbacks: TLS 1.2 or later, the peer's
 * chain verified against @ca_file (PEM) or, when it is empty, the system
 * store; the host name is checked per connection (tls_conn).
 */
static SSL_CTX *client_ctx(const char *ca_file)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	int ok = ca_file && *ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL)
				     : SSL_CTX_set_default_verify_paths(ctx);
	if (ok != 1) {
		log_warnx("notify: cannot load the callback CAs %s: %s",
			  ca_file && *ca_file ? ca_file : "(system store)",
			  ERR_reason_error_string(ERR_get_error()));
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int notify_new(struct event_base *base, struct db *db, const char *ca_file, struct notify **out)
{
	struct notify *n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->base = base;
	n->db = db;
	n->ssl = client_ctx(ca_file);
	n->timer = n->ssl ? evtimer_new(base, on_timer, n) : NULL;
	if (!n->timer) {
		SSL_CTX_free(n->ssl);
		free(n);
		return -EINVAL;
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
	for (size_t i = 0; i < n->n_dead; i++)
		evhttp_connection_free(n->dead[i]);
	for (size_t i = 0; i < n->n_inflight; i++) {
		if (n->inflight[i]->tls)
			evhttp_connection_free(n->inflight[i]->tls);
		free(n->inflight[i]); /* their rows stay in the outbox for the next start */
	}
	event_free(n->timer);
	SSL_CTX_free(n->ssl);
	free(n);
}

void notify_get_stats(const struct notify *n, struct notify_stats *out)
{
	*out = n->st;
}

/* Host, port, path and TLS (*@tls) of an http:// or https:// @url. */
static int split_url(const char *url, char *host, size_t hsize, int *port, char *path, size_t psize,
		     bool *tls)
{
	struct evhttp_uri *u = evhttp_uri_parse(url);
	const char *scheme = u ? evhttp_uri_get_scheme(u) : NULL;
	int rc = -EINVAL;
	*tls = scheme && strcmp(scheme, "https") == 0;
	if (scheme && (*tls || strcmp(scheme, "http") == 0) && evhttp_uri_get_host(u) &&
	    *evhttp_uri_get_host(u) && strlen(evhttp_uri_get_host(u)) < hsize) {
		strcpy(host, evhttp_uri_get_host(u));
		*port = evhttp_uri_get_port(u) > 0 ? evhttp_uri_get_port(u) : *tls ? 443 : 80;
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
	bool tls;
	if (split_url(url, host, sizeof(host), &port, path, sizeof(path), &tls) < 0)
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
	if (a->tls)
		n->dead[n->n_dead++] = a->tls; /* one per in-flight attempt: it fits */
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

/*
 * A connection of its own for one https:// POST, freed once the request is
 * over: libevent cannot reconnect a TLS bufferevent once its session is
 * closed, so https callbacks are not kept alive (and libevent's own
 * free-on-completion does not free a connection that failed).  SNI and the name the
 * certificate must match are @host (RFC 6125; an IP literal is checked
 * against the certificate's IP addresses and sent without SNI, RFC 6066 3).
 */
static struct evhttp_connection *tls_conn(struct notify *n, const char *host, int port)
{
	SSL *ssl = SSL_new(n->ssl);
	if (!ssl)
		return NULL;
	X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
	unsigned char addr[16];
	bool ip = inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
	if (ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, host) != 1
	       : SSL_set_tlsext_host_name(ssl, host) != 1 ||
			    X509_VERIFY_PARAM_set1_host(vp, host, 0) != 1) {
		SSL_free(ssl);
		return NULL;
	}
	struct bufferevent *bev =
		bufferevent_openssl_socket_new(n->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
					       BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (!bev) {
		SSL_free(ssl);
		return NULL;
	}
	/* A receiver that closes without close_notify after a complete answer is fine. */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	struct evhttp_connection *evcon = evhttp_connection_base_bufferevent_new(
		n->base, NULL, bev, host, (unsigned short)port);
	if (!evcon) {
		bufferevent_free(bev);
		return NULL;
	}
	evhttp_connection_set_timeout(evcon, 10);
	return evcon;
}

/* Why an https POST failed, when TLS says: a certificate refused is worth a warning. */
static void on_error(enum evhttp_request_error what, void *arg)
{
	struct attempt *a = arg;
	if (!a->tls)
		return;
	SSL *ssl = bufferevent_openssl_get_ssl(evhttp_connection_get_bufferevent(a->tls));
	long v = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
	if (v != X509_V_OK)
		log_warnx("notify: https://%s refused: certificate %s", a->host,
			  X509_verify_cert_error_string(v));
	else
		log_debug("notify: https://%s failed (%d)", a->host, (int)what);
}

static void send_one(struct notify *n, int64_t id, const char *url, const char *body)
{
	char path[512];
	int port;
	bool tls;
	struct attempt *a = calloc(1, sizeof(*a));
	struct evhttp_connection *evcon = NULL;
	if (a && split_url(url, a->host, sizeof(a->host), &port, path, sizeof(path), &tls) == 0)
		evcon = tls ? tls_conn(n, a->host, port) : conn_for(n, a->host, port);
	struct evhttp_request *req = evcon ? evhttp_request_new(on_done, a) : NULL;
	if (!req) {
		if (evcon && tls)
			evhttp_connection_free(evcon);
		free(a);
		return;
	}
	a->n = n;
	a->id = id;
	a->tls = tls ? evcon : NULL;
	evhttp_request_set_error_cb(req, on_error);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", a->host);
	evhttp_add_header(h, "Content-Type", "application/json");
	if (tls)
		evhttp_add_header(h, "Connection", "close"); /* one request per connection */
	evbuffer_add(evhttp_request_get_output_buffer(req), body, strlen(body));
	/* On failure libevent has freed req and calls no one back. */
	if (evhttp_make_request(evcon, req, EVHTTP_REQ_POST, path) == 0) {
		n->inflight[n->n_inflight++] = a;
	} else {
		if (tls)
			evhttp_connection_free(evcon);
		free(a);
	}
}

/* Send what is due, up to NOTIFY_MAX_INFLIGHT; wake again at the next due time. */
static void pump(struct notify *n)
{
	while (n->n_dead)
		evhttp_connection_free(n->dead[--n->n_dead]);
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
