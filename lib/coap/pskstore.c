/*
 * pskstore — PSK identities, keys and bindings: a table in SQLite, a list
 * and hash indexes in memory.
 */
#define LOG_COMPONENT "creds"
#include "pskstore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/keyidx.h"
#include "common/log.h"

struct pskstore {
	struct db *db;
	const struct pskstore_schema *schema;
	struct pskstore_cred *list; /* newest first, doubly linked */
	struct keyidx *by_identity;
	struct keyidx *by_bound; /* NULL unless bindings are unique */
	size_t count;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct pskstore *pskstore_new(struct db *db, const struct pskstore_schema *schema)
{
	struct pskstore *ps = calloc(1, sizeof(*ps));

	if (!ps)
		abort();
	ps->db = db;
	ps->schema = schema;
	ps->by_identity = keyidx_new();
	if (schema->bound_unique)
		ps->by_bound = keyidx_new();
	return ps;
}

static void cred_free(struct pskstore_cred *c)
{
	explicit_bzero(c->key, sizeof(c->key));
	free(c->identity);
	free(c->bound);
	free(c);
}

void pskstore_free(struct pskstore *ps)
{
	if (!ps)
		return;
	while (ps->list) {
		struct pskstore_cred *c = ps->list;

		ps->list = c->next;
		cred_free(c);
	}
	keyidx_free(ps->by_identity);
	keyidx_free(ps->by_bound);
	free(ps);
}

static struct pskstore_cred *cred_new(const char *identity, const uint8_t *key, size_t key_len,
				      const char *bound, int64_t created)
{
	struct pskstore_cred *c = calloc(1, sizeof(*c));

	if (!c)
		abort();
	c->identity = strdup(identity);
	c->bound = strdup(bound);
	if (!c->identity || !c->bound)
		abort();
	memcpy(c->key, key, key_len);
	c->key_len = key_len;
	c->created = created;
	return c;
}

/* Put @c (taken) at the head of the list and in the indexes (its strings are the keys). */
static void link_cred(struct pskstore *ps, struct pskstore_cred *c)
{
	c->prev = NULL;
	c->next = ps->list;
	if (ps->list)
		ps->list->prev = c;
	ps->list = c;
	keyidx_add(ps->by_identity, c->identity, strlen(c->identity), c);
	if (ps->by_bound)
		keyidx_add(ps->by_bound, c->bound, strlen(c->bound), c);
	ps->count++;
}

static void unlink_cred(struct pskstore *ps, struct pskstore_cred *c)
{
	keyidx_del(ps->by_identity, c->identity, strlen(c->identity), c);
	if (ps->by_bound)
		keyidx_del(ps->by_bound, c->bound, strlen(c->bound), c);
	if (c->prev)
		c->prev->next = c->next;
	else
		ps->list = c->next;
	if (c->next)
		c->next->prev = c->prev;
	ps->count--;
}

static bool sizes_valid(const struct pskstore *ps, size_t id_len, size_t key_len, size_t bound_len)
{
	return id_len && id_len <= PSKGUARD_IDENTITY_MAX && key_len &&
	       key_len <= PSKGUARD_KEY_MAX && bound_len && bound_len <= ps->schema->bound_max;
}

int pskstore_load(struct pskstore *ps)
{
	/* oldest first, each put at the head: the list ends newest first */
	sqlite3_stmt *st = db_stmt(ps->db, ps->schema->select_sql);
	int rc, n = 0;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		const char *bound = (const char *)sqlite3_column_text(st, 2);
		const void *key = sqlite3_column_blob(st, 1);
		int key_len = sqlite3_column_bytes(st, 1);

		if (!id || !bound || !key || key_len <= 0 ||
		    !sizes_valid(ps, strlen(id), (size_t)key_len, strlen(bound))) {
			log_warnx("%s: a malformed row skipped", ps->schema->table);
			continue;
		}
		link_cred(ps,
			  cred_new(id, key, (size_t)key_len, bound, sqlite3_column_int64(st, 3)));
		n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : -EIO;
}

const struct pskstore_cred *pskstore_find(const struct pskstore *ps, const uint8_t *identity,
					  size_t len)
{
	return keyidx_get(ps->by_identity, (const char *)identity, len);
}

const struct pskstore_cred *pskstore_find_bound(const struct pskstore *ps, const char *bound)
{
	return ps->by_bound ? keyidx_get(ps->by_bound, bound, strlen(bound)) : NULL;
}

int pskstore_add(struct pskstore *ps, const char *identity, const uint8_t *key, size_t key_len,
		 const char *bound)
{
	size_t id_len = strlen(identity);
	struct pskstore_cred *c;
	int rc;

	if (!sizes_valid(ps, id_len, key_len, strlen(bound)))
		return -EINVAL;
	if (pskstore_find(ps, (const uint8_t *)identity, id_len) || pskstore_find_bound(ps, bound))
		return -EEXIST;
	c = cred_new(identity, key, key_len, bound, now_ms());
	db_batch(ps->db);
	rc = db_exec(ps->db, ps->schema->insert_sql, "tbtI", identity, key, key_len, bound,
		     c->created);
	if (rc < 0 || db_commit(ps->db) < 0) {
		cred_free(c);
		return rc == -EEXIST ? -EEXIST : -EIO;
	}
	link_cred(ps, c);
	return 0;
}

int pskstore_add_hex(struct pskstore *ps, const char *identity, const char *hex, const char *bound)
{
	uint8_t key[PSKGUARD_KEY_MAX];
	int n = pskguard_parse_hex(hex, key, sizeof(key)), rc;

	if (n < 0)
		return -EBADMSG;
	rc = pskstore_add(ps, identity, key, (size_t)n, bound);
	explicit_bzero(key, sizeof(key));
	return rc;
}

int pskstore_del(struct pskstore *ps, const struct pskstore_cred *found)
{
	struct pskstore_cred *c = (struct pskstore_cred *)found; /* it is ours */
	db_batch(ps->db);
	if (db_exec(ps->db, ps->schema->delete_sql, "t", c->identity) < 0 || db_commit(ps->db) < 0)
		return -EIO;
	unlink_cred(ps, c);
	cred_free(c);
	return 0;
}

size_t pskstore_count(const struct pskstore *ps)
{
	return ps->count;
}

const uint8_t *pskstore_key(const uint8_t *identity, size_t len, size_t *key_len, void *arg)
{
	const struct pskstore_cred *c = pskstore_find(arg, identity, len);

	if (!c)
		return NULL;
	*key_len = c->key_len;
	return c->key;
}

json_t *pskstore_json(const struct pskstore *ps)
{
	json_t *a = json_array();

	for (const struct pskstore_cred *c = ps->list; c; c = c->next) {
		time_t t = (time_t)(c->created / 1000);
		struct tm tm;
		char when[32];

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:s}", "identity", c->identity,
						   ps->schema->bound_json, c->bound, "key_bytes",
						   (int)c->key_len, "created", when));
	}
	return a;
}
