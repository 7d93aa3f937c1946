/*
 * creds — DTLS PSK credentials: a table in SQLite; in memory a list (for
 * cred-list) and two hash indexes, by identity for the DTLS handshake and
 * by endpoint for the Register check, so neither cost grows with their
 * number (tests/bench/lwm2md/bench_ids).
 */
#define LOG_COMPONENT "creds"
#include "creds.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/keyidx.h"

struct creds {
	struct db *db;
	struct cred *list; /* doubly linked through next/prev */
	struct keyidx *by_identity, *by_ep;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct creds *creds_new(struct db *db)
{
	struct creds *cs = calloc(1, sizeof(*cs));

	if (!cs)
		abort();
	cs->db = db;
	cs->by_identity = keyidx_new();
	cs->by_ep = keyidx_new();
	return cs;
}

static void cred_free(struct cred *c)
{
	explicit_bzero(c->key, sizeof(c->key));
	free(c->identity);
	free(c->ep);
	free(c);
}

void creds_free(struct creds *cs)
{
	if (!cs)
		return;
	while (cs->list) {
		struct cred *c = cs->list;

		cs->list = c->next;
		cred_free(c);
	}
	keyidx_free(cs->by_identity);
	keyidx_free(cs->by_ep);
	free(cs);
}

static struct cred *make(const char *identity, const uint8_t *key, size_t key_len, const char *ep,
			 int64_t created)
{
	struct cred *c = calloc(1, sizeof(*c));

	if (!c)
		abort();
	c->identity = strdup(identity);
	c->ep = strdup(ep);
	if (!c->identity || !c->ep)
		abort();
	memcpy(c->key, key, key_len);
	c->key_len = key_len;
	c->created = created;
	return c;
}

/* Put @c on the list and in the indexes (its strings are the keys). */
static void link_cred(struct creds *cs, struct cred *c)
{
	c->prev = NULL;
	c->next = cs->list;
	if (cs->list)
		cs->list->prev = c;
	cs->list = c;
	keyidx_add(cs->by_identity, c->identity, strlen(c->identity), c);
	keyidx_add(cs->by_ep, c->ep, strlen(c->ep), c);
}

static void unlink_cred(struct creds *cs, struct cred *c)
{
	keyidx_del(cs->by_identity, c->identity, strlen(c->identity), c);
	keyidx_del(cs->by_ep, c->ep, strlen(c->ep), c);
	if (c->prev)
		c->prev->next = c->next;
	else
		cs->list = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

int creds_load(struct creds *cs)
{
	sqlite3_stmt *st = db_stmt(
		cs->db, "SELECT identity, key, ep, created FROM credentials ORDER BY created");
	int rc, n = 0;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *ep = (const char *)sqlite3_column_text(st, 2);
		const void *key = sqlite3_column_blob(st, 1);
		int key_len = sqlite3_column_bytes(st, 1);
		struct cred *c;

		if (!id || !ep || !key || key_len <= 0 || key_len > CREDS_KEY_MAX) {
			log_warnx("bad credential row skipped");
			continue;
		}
		c = make(id, key, (size_t)key_len, ep, sqlite3_column_int64(st, 3));
		link_cred(cs, c);
		n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : -EIO;
}

const struct cred *creds_find(const struct creds *cs, const uint8_t *identity, size_t len)
{
	return keyidx_get(cs->by_identity, (const char *)identity, len);
}

const struct cred *creds_find_ep(const struct creds *cs, const char *ep)
{
	return keyidx_get(cs->by_ep, ep, strlen(ep));
}

int creds_add(struct creds *cs, const char *identity, const uint8_t *key, size_t key_len,
	      const char *ep)
{
	size_t id_len = strlen(identity), ep_len = strlen(ep);
	struct cred *c;
	int rc;

	if (!id_len || id_len > CREDS_IDENTITY_MAX || !ep_len || ep_len > 255 || !key_len ||
	    key_len > CREDS_KEY_MAX)
		return -EINVAL;
	if (creds_find(cs, (const uint8_t *)identity, id_len) || creds_find_ep(cs, ep))
		return -EEXIST;
	c = make(identity, key, key_len, ep, now_ms());
	db_batch(cs->db);
	rc = db_exec(cs->db,
		     "INSERT INTO credentials (identity, key, ep, created) VALUES (?, ?, ?, ?)",
		     "tbtI", identity, key, key_len, ep, c->created);
	if (rc < 0 || db_commit(cs->db) < 0) {
		cred_free(c);
		return rc == -EEXIST ? -EEXIST : -EIO;
	}
	link_cred(cs, c);
	return 0;
}

int creds_del(struct creds *cs, const char *identity, const char *ep)
{
	struct cred *c = (struct cred *)(identity ? creds_find(cs, (const uint8_t *)identity,
							       strlen(identity))
						  : creds_find_ep(cs, ep));

	if (!c)
		return -ENOENT;
	db_batch(cs->db);
	if (db_exec(cs->db, "DELETE FROM credentials WHERE identity = ?", "t", c->identity) < 0 ||
	    db_commit(cs->db) < 0)
		return -EIO;
	unlink_cred(cs, c);
	cred_free(c);
	return 0;
}

json_t *creds_json(const struct creds *cs)
{
	json_t *a = json_array();

	for (const struct cred *c = cs->list; c; c = c->next) {
		time_t t = (time_t)(c->created / 1000);
		struct tm tm;
		char when[32];

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:s}", "identity", c->identity,
						   "endpoint", c->ep, "key_bytes", (int)c->key_len,
						   "created", when));
	}
	return a;
}
