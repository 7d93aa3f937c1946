/*
 * rdcreds — rdd's DTLS PSK credentials: a list in memory (for listing),
 * indexed by identity (for each handshake and secured request), and a
 * table in SQLite.
 */
#define LOG_COMPONENT "creds"
#include "rdcreds.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/keyidx.h"
#include "common/log.h"

struct rdcreds {
	struct db *db;
	struct rdcred *list;
	struct keyidx *by_identity;
	size_t count;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct rdcreds *rdcreds_new(struct db *db)
{
	struct rdcreds *cs = calloc(1, sizeof(*cs));

	if (!cs)
		abort();
	cs->db = db;
	cs->by_identity = keyidx_new();
	return cs;
}

static void cred_free(struct rdcred *c)
{
	explicit_bzero(c->key, sizeof(c->key));
	free(c->identity);
	free(c->sectors);
	free(c);
}

void rdcreds_free(struct rdcreds *cs)
{
	if (!cs)
		return;
	while (cs->list) {
		struct rdcred *c = cs->list;

		cs->list = c->next;
		cred_free(c);
	}
	keyidx_free(cs->by_identity);
	free(cs);
}

static struct rdcred *make(const char *identity, const uint8_t *key, size_t key_len,
			   const char *sectors, int64_t created)
{
	struct rdcred *c = calloc(1, sizeof(*c));

	if (!c)
		abort();
	c->identity = strdup(identity);
	c->sectors = strdup(sectors);
	if (!c->identity || !c->sectors)
		abort();
	memcpy(c->key, key, key_len);
	c->key_len = key_len;
	c->created = created;
	return c;
}

bool rdcreds_sectors_valid(const char *list)
{
	size_t item = 0;

	if (strlen(list) > RDCREDS_SECTORS_MAX)
		return false;
	if (strcmp(list, "*") == 0)
		return true;
	for (const char *p = list;; p++) {
		if (*p == ',' || *p == '\0') {
			if (item == 0 || item > 63)
				return false;
			if (*p == '\0')
				return true;
			item = 0;
		} else if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '*') {
			return false;
		} else {
			item++;
		}
	}
}

/* @c joins the list and the index (taken). */
static void insert(struct rdcreds *cs, struct rdcred *c)
{
	c->next = cs->list;
	cs->list = c;
	keyidx_add(cs->by_identity, c->identity, strlen(c->identity), c);
	cs->count++;
}

int rdcreds_load(struct rdcreds *cs)
{
	sqlite3_stmt *st =
		db_stmt(cs->db, "SELECT identity, key, sectors, created FROM rd_credentials "
				"ORDER BY created DESC");
	int rc, n = 0;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *sectors = (const char *)sqlite3_column_text(st, 2);
		const void *key = sqlite3_column_blob(st, 1);
		int key_len = sqlite3_column_bytes(st, 1);
		struct rdcred *c;

		if (!id || !sectors || !key || key_len <= 0 || key_len > PSKGUARD_KEY_MAX) {
			log_warnx("bad credential row skipped");
			continue;
		}
		c = make(id, key, (size_t)key_len, sectors, sqlite3_column_int64(st, 3));
		insert(cs, c);
		n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : -EIO;
}

const struct rdcred *rdcreds_find(const struct rdcreds *cs, const uint8_t *identity, size_t len)
{
	return keyidx_get(cs->by_identity, (const char *)identity, len);
}

bool rdcreds_sector_in(const char *list, const char *d)
{
	size_t n = strlen(d);

	if (strcmp(list, "*") == 0)
		return true;
	if (n == 0) {
		d = "-";
		n = 1;
	}
	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && memcmp(p, d, n) == 0)
			return true;
		p += len + (end ? 1 : 0);
	}
	return false;
}

int rdcreds_add(struct rdcreds *cs, const char *identity, const uint8_t *key, size_t key_len,
		const char *sectors)
{
	size_t id_len = strlen(identity);
	struct rdcred *c;
	int rc;

	if (!sectors || !*sectors)
		sectors = "*";
	if (!id_len || id_len > PSKGUARD_IDENTITY_MAX || !key_len || key_len > PSKGUARD_KEY_MAX ||
	    !rdcreds_sectors_valid(sectors))
		return -EINVAL;
	if (rdcreds_find(cs, (const uint8_t *)identity, id_len))
		return -EEXIST;
	c = make(identity, key, key_len, sectors, now_ms());
	db_batch(cs->db);
	rc = db_exec(cs->db,
		     "INSERT INTO rd_credentials (identity, key, sectors, created) "
		     "VALUES (?, ?, ?, ?)",
		     "tbtI", identity, key, key_len, sectors, c->created);
	if (rc < 0 || db_commit(cs->db) < 0) {
		cred_free(c);
		return rc == -EEXIST ? -EEXIST : -EIO;
	}
	insert(cs, c);
	return 0;
}

int rdcreds_del(struct rdcreds *cs, const char *identity)
{
	struct rdcred **pp, *c;

	for (pp = &cs->list; *pp; pp = &(*pp)->next)
		if (strcmp((*pp)->identity, identity) == 0)
			break;
	if (!*pp)
		return -ENOENT;
	db_batch(cs->db);
	if (db_exec(cs->db, "DELETE FROM rd_credentials WHERE identity = ?", "t", identity) < 0 ||
	    db_commit(cs->db) < 0)
		return -EIO;
	c = *pp;
	*pp = c->next;
	keyidx_del(cs->by_identity, c->identity, strlen(c->identity), c);
	cs->count--;
	cred_free(c);
	return 0;
}

json_t *rdcreds_json(const struct rdcreds *cs)
{
	json_t *a = json_array();

	for (const struct rdcred *c = cs->list; c; c = c->next) {
		time_t t = (time_t)(c->created / 1000);
		struct tm tm;
		char when[32];

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:s}", "identity", c->identity,
						   "sectors", c->sectors, "key_bytes",
						   (int)c->key_len, "created", when));
	}
	return a;
}

size_t rdcreds_count(const struct rdcreds *cs)
{
	return cs->count;
}
