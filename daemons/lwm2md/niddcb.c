/*
 * niddcb — the T8 notification listener behind a secret path (see niddcb.h).
 */
#define LOG_COMPONENT "nidd"
#include "niddcb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>
#include <sqlite3.h>

#include "http/httpsrv.h"

struct niddcb {
	struct http_server *http;
	niddcb_fn fn;
	void *arg;
	char secret[33];
	char url[NIDDCB_URL_MAX];
	uint64_t unauthorized;
};

static void on_request(struct http_exchange *ex, void *arg)
{
	struct niddcb *cb = arg;
	const struct http_request *req = http_exchange_request(ex);
	const char *last = strrchr(req->path, '/');
	int status;

	if (!last || strcmp(last + 1, cb->secret) != 0) {
		cb->unauthorized++;
		http_exchange_problem(ex, 404, NULL, NULL);
		return;
	}
	if (strcmp(req->method, "POST") != 0) {
		http_exchange_add_header(ex, "Allow", "POST");
		http_exchange_problem(ex, 405, NULL, "callbacks are POSTed");
		return;
	}
	status = cb->fn(cb->arg, req->body, req->body_len);
	if (status == 204)
		http_exchange_respond(ex, 204, NULL, NULL, 0);
	else
		http_exchange_problem(ex, status, NULL, "not a T8 NIDD notification");
}

/* The stored secret, or a new one stored: 0 or -EIO. */
static int load_secret(struct db *db, char secret[33])
{
	sqlite3_stmt *st;
	uint8_t r[16];

	if (db_exec_script(db, "CREATE TABLE IF NOT EXISTS nidd_settings ("
			       " name TEXT PRIMARY KEY, value TEXT NOT NULL);") < 0)
		return -EIO;
	st = db_stmt(db, "SELECT value FROM nidd_settings WHERE name = 'callback_secret'");
	if (!st)
		return -EIO;
	secret[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32)
		snprintf(secret, 33, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (secret[0])
		return 0;
	if (RAND_bytes(r, sizeof(r)) != 1)
		return -EIO;
	for (unsigned i = 0; i < sizeof(r); i++)
		snprintf(secret + 2 * i, 3, "%02x", r[i]);
	return db_exec(db,
		       "INSERT OR REPLACE INTO nidd_settings (name, value) VALUES "
		       "('callback_secret', ?)",
		       "t", secret) < 0
		       ? -EIO
		       : 0;
}

int niddcb_new(struct event_base *base, struct db *db, const char *address, int port,
	       const char *url_base, niddcb_fn fn, void *arg, struct niddcb **out)
{
	struct niddcb *cb = calloc(1, sizeof(*cb));
	struct http_server_config hc;
	int rc;

	if (!cb)
		abort();
	cb->fn = fn;
	cb->arg = arg;
	http_server_config_defaults(&hc);
	hc.max_body = 16384; /* a notification carries one packet of at most 1600 bytes */
	hc.max_connections = 64;
	rc = load_secret(db, cb->secret);
	if (rc == 0)
		rc = http_server_new(base, &hc, on_request, cb, &cb->http);
	if (rc == 0)
		rc = http_server_listen(cb->http, address, (uint16_t)port);
	if (rc < 0) {
		niddcb_free(cb);
		return rc;
	}
	if (url_base && *url_base)
		snprintf(cb->url, sizeof(cb->url), "%s/%s", url_base, cb->secret);
	else
		snprintf(cb->url, sizeof(cb->url), "http://%s%s%s:%u/nidd/%s",
			 strchr(address, ':') ? "[" : "", address, strchr(address, ':') ? "]" : "",
			 http_server_port(cb->http), cb->secret);
	*out = cb;
	return 0;
}

void niddcb_free(struct niddcb *cb)
{
	if (!cb)
		return;
	http_server_free(cb->http);
	free(cb);
}

const char *niddcb_url(const struct niddcb *cb)
{
	return cb->url;
}

size_t niddcb_shown_len(const struct niddcb *cb)
{
	return strlen(cb->url) - strlen(cb->secret);
}

uint16_t niddcb_port(const struct niddcb *cb)
{
	return http_server_port(cb->http);
}

uint64_t niddcb_unauthorized(const struct niddcb *cb)
{
	return cb->unauthorized;
}
