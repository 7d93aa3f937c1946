/*
 * rdpolicy — First-Come-First-Remembered claims (see rdpolicy.h).  The
 * table is read through cached prepared statements by primary key, so a
 * check costs one B-tree lookup; nothing is kept in memory.
 */
#define LOG_COMPONENT "policy"
#include "rdpolicy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

/*
 * The statements of one table of claims.  String literals, because the
 * database's statement cache is keyed by the pointer.
 */
struct sql {
	const char *purge, *holder, *claim, *forget, *release, *count;
};

#define SQL_OF(table, name)                                                                      \
	{                                                                                        \
		"DELETE FROM " table " WHERE released IS NOT NULL AND released <= ?",            \
			"SELECT identity, released FROM " table " WHERE d = ? AND " name " = ?", \
			"INSERT OR REPLACE INTO " table " (d, " name ", identity, released) "    \
			"VALUES (?, ?, ?, NULL)",                                                \
			"DELETE FROM " table " WHERE d = ? AND " name " = ?",                    \
			"UPDATE " table " SET released = ? WHERE d = ? AND " name " = ? "        \
			"AND released IS NULL",                                                  \
			"SELECT count(*) FROM " table                                            \
	}

static const struct sql sqls[] = {
	[RDPOLICY_ENDPOINTS] = SQL_OF("rd_claims", "ep"),
	[RDPOLICY_GROUPS] = SQL_OF("rd_group_claims", "gp"),
};

struct rdpolicy {
	struct db *db;
	const struct sql *sql;
	int64_t remember_ms;
	int64_t (*now_ms)(void);
	struct rdpolicy_stats stats;
};

static int64_t realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Forget claims released longer than remember_ms ago. */
static int purge(struct rdpolicy *p)
{
	int rc;

	if (p->remember_ms < 0)
		return 0;
	db_batch(p->db);
	rc = db_exec(p->db, p->sql->purge, "I", p->now_ms() - p->remember_ms);
	if (rc < 0 || db_commit(p->db) < 0) {
		p->stats.db_errors++;
		return -EIO;
	}
	return 0;
}

int rdpolicy_new(struct db *db, const struct rdpolicy_config *cfg, struct rdpolicy **out)
{
	struct rdpolicy *p = calloc(1, sizeof(*p));

	if (!p)
		abort();
	p->db = db;
	p->sql = &sqls[cfg->names == RDPOLICY_GROUPS ? RDPOLICY_GROUPS : RDPOLICY_ENDPOINTS];
	p->remember_ms = cfg->remember_ms;
	p->now_ms = cfg->now_ms ? cfg->now_ms : realtime_ms;
	if (purge(p) < 0) {
		free(p);
		return -EIO;
	}
	*out = p;
	return 0;
}

void rdpolicy_free(struct rdpolicy *p)
{
	free(p);
}

void rdpolicy_set_remember(struct rdpolicy *p, int64_t remember_ms)
{
	p->remember_ms = remember_ms;
	purge(p);
}

bool rdpolicy_holder(struct rdpolicy *p, const char *d, const char *ep, char *buf, size_t size)
{
	sqlite3_stmt *st = db_stmt(p->db, p->sql->holder);
	bool held = false;

	buf[0] = '\0';
	if (!st) {
		p->stats.db_errors++;
		return false;
	}
	sqlite3_bind_text(st, 1, d, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ep, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		bool active = sqlite3_column_type(st, 1) == SQLITE_NULL;

		held = id && *id &&
		       (active || p->remember_ms < 0 ||
			sqlite3_column_int64(st, 1) + p->remember_ms > p->now_ms());
		if (held)
			snprintf(buf, size, "%s", id);
	}
	sqlite3_reset(st);
	return held;
}

bool rdpolicy_allows(struct rdpolicy *p, const char *d, const char *ep, const char *identity)
{
	char holder[RDPOLICY_IDENTITY_MAX];

	if (!rdpolicy_holder(p, d, ep, holder, sizeof(holder)) || strcmp(holder, identity) == 0)
		return true;
	p->stats.refused++;
	return false;
}

/* True when the stored claim on (@d, @ep) is already @identity's and active, or both are none. */
static bool unchanged(struct rdpolicy *p, const char *d, const char *ep, const char *identity)
{
	sqlite3_stmt *st = db_stmt(p->db, p->sql->holder);
	bool same;

	if (!st)
		return false;
	sqlite3_bind_text(st, 1, d, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, ep, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);

		same = id && strcmp(id, identity) == 0 && sqlite3_column_type(st, 1) == SQLITE_NULL;
	} else {
		same = *identity == '\0';
	}
	sqlite3_reset(st);
	return same;
}

int rdpolicy_claim(struct rdpolicy *p, const char *d, const char *ep, const char *identity)
{
	int rc;

	/* the common case, a re-registration, costs no write */
	if (unchanged(p, d, ep, identity))
		return 0;
	db_batch(p->db);
	if (*identity)
		rc = db_exec(p->db, p->sql->claim, "ttt", d, ep, identity);
	else
		rc = db_exec(p->db, p->sql->forget, "tt", d, ep);
	if (rc < 0 || db_commit(p->db) < 0) {
		p->stats.db_errors++;
		return -EIO;
	}
	return 0;
}

int rdpolicy_release(struct rdpolicy *p, const char *d, const char *ep)
{
	int rc;

	db_batch(p->db);
	if (p->remember_ms == 0)
		rc = db_exec(p->db, p->sql->forget, "tt", d, ep);
	else
		rc = db_exec(p->db, p->sql->release, "Itt", p->now_ms(), d, ep);
	if (rc < 0 || db_commit(p->db) < 0) {
		p->stats.db_errors++;
		return -EIO;
	}
	return purge(p);
}

int rdpolicy_forget(struct rdpolicy *p, const char *d, const char *ep)
{
	int rc;

	db_batch(p->db);
	rc = db_exec(p->db, p->sql->forget, "tt", d, ep);
	if (rc < 0 || db_commit(p->db) < 0) {
		p->stats.db_errors++;
		return -EIO;
	}
	return rc == 0 ? -ENOENT : 0;
}

long rdpolicy_count(struct rdpolicy *p)
{
	sqlite3_stmt *st = db_stmt(p->db, p->sql->count);
	long n = -EIO;

	if (st && sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	if (st)
		sqlite3_reset(st);
	return n;
}

void rdpolicy_get_stats(const struct rdpolicy *p, struct rdpolicy_stats *out)
{
	*out = p->stats;
}
