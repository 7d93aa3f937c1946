#define LOG_COMPONENT "db"
#include "common/db.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define BUSY_TIMEOUT_MS 5000

struct cached_stmt {
	const char *sql;
	sqlite3_stmt *stmt;
	struct cached_stmt *next;
};

struct db {
	sqlite3 *h;
	char *path;
	struct cached_stmt *stmts;
	struct event *commit_ev;
	bool in_tx;
	unsigned long commits;
	unsigned long synced;         /* WAL syncs made by db_commit() */
	sqlite3_int64 synced_changes; /* sqlite3_total_changes64() at the last sync */
};

static int commit(struct db *db);

static int exec_script(sqlite3 *h, const char *sql, char *err, size_t err_len)
{
	char *msg = NULL;

	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, err_len, "%s", msg ? msg : sqlite3_errmsg(h));
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

static int read_user_version(sqlite3 *h, int *version)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return -EIO;
	rc = sqlite3_step(st);
	*version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -EIO;
}

/* Each migration and its version bump commit together, or not at all. */
static int migrate(struct db *db, const struct db_migration *m, size_t count, char *err,
		   size_t err_len)
{
	int version;
	int latest = count ? m[count - 1].version : 0;

	if (read_user_version(db->h, &version) < 0) {
		snprintf(err, err_len, "%s: cannot read schema version: %s", db->path,
			 sqlite3_errmsg(db->h));
		return -EIO;
	}
	if (version > latest) {
		snprintf(err, err_len,
			 "%s: schema version %d is newer than this lwgate knows (%d); "
			 "refusing to touch it (run the newer lwgate, or restore a backup)",
			 db->path, version, latest);
		return -EPROTO;
	}
	for (size_t i = 0; i < count; i++) {
		char bump[64], why[384];

		if (m[i].version <= version)
			continue;
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d;", m[i].version);
		if (exec_script(db->h, "BEGIN IMMEDIATE", why, sizeof(why)) < 0 ||
		    exec_script(db->h, m[i].sql, why, sizeof(why)) < 0 ||
		    exec_script(db->h, bump, why, sizeof(why)) < 0 ||
		    exec_script(db->h, "COMMIT", why, sizeof(why)) < 0) {
			sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
			snprintf(err, err_len, "%s: migration to schema %d failed: %s", db->path,
				 m[i].version, why);
			return -EIO;
		}
		log_info("database migrated path=%s from=%d to=%d", db->path, version,
			 m[i].version);
		version = m[i].version;
	}
	return 0;
}

int db_open(const char *path, const struct db_migration *migrations, size_t count, struct db **out,
	    char *err, size_t err_len)
{
	struct db *db = calloc(1, sizeof(*db));
	int rc;

	if (!db)
		abort();
	db->path = strdup(path);
	if (!db->path)
		abort();
	rc = sqlite3_open_v2(path, &db->h,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, err_len, "%s: cannot open: %s", path,
			 db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		db_close(db);
		return -EIO;
	}
	sqlite3_busy_timeout(db->h, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db->h, 1);
	/*
	 * WAL, synced at checkpoints: every commit survives a kill -9, and
	 * db_commit() syncs the WAL itself for the commits that precede an
	 * acknowledgment, so those survive a power cut too (see db_commit).  A
	 * 256 KiB page cache: the daemons hold their state in memory and read
	 * the database at start only, so SQLite's default 2 MiB would be
	 * memory for nothing.
	 */
	if (exec_script(db->h,
			"PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
			"PRAGMA foreign_keys = ON; PRAGMA cache_size = -256;",
			err, err_len) < 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, err_len, "%s: %s", path, why);
		db_close(db);
		return -EIO;
	}
	rc = migrate(db, migrations, count, err, err_len);
	if (rc < 0) {
		db_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->h)
		commit(db); /* SQLite syncs at the checkpoint it makes on close */
	while (db->stmts) {
		struct cached_stmt *c = db->stmts;

		db->stmts = c->next;
		sqlite3_finalize(c->stmt);
		free(c);
	}
	if (db->commit_ev)
		event_free(db->commit_ev);
	sqlite3_close(db->h);
	free(db->path);
	free(db);
}

sqlite3 *db_handle(struct db *db)
{
	return db->h;
}

const char *db_path(const struct db *db)
{
	return db->path;
}

int db_schema_version(struct db *db)
{
	int v = 0;

	read_user_version(db->h, &v);
	return v;
}

sqlite3_stmt *db_stmt(struct db *db, const char *sql)
{
	struct cached_stmt *c;

	for (c = db->stmts; c; c = c->next) {
		if (c->sql == sql) {
			sqlite3_reset(c->stmt);
			sqlite3_clear_bindings(c->stmt);
			return c->stmt;
		}
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &c->stmt, NULL) !=
	    SQLITE_OK) {
		log_error("cannot prepare statement: %s sql=\"%s\"", sqlite3_errmsg(db->h), sql);
		free(c);
		return NULL;
	}
	c->sql = sql;
	c->next = db->stmts;
	db->stmts = c;
	return c->stmt;
}

static int bind_all(sqlite3_stmt *st, const char *types, va_list ap)
{
	int rc = SQLITE_OK;

	for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
		int col = i + 1;

		switch (types[i]) {
		case 'i':
			rc = sqlite3_bind_int(st, col, va_arg(ap, int));
			break;
		case 'I':
			rc = sqlite3_bind_int64(st, col, va_arg(ap, int64_t));
			break;
		case 't':
			rc = sqlite3_bind_text(st, col, va_arg(ap, const char *), -1,
					       SQLITE_TRANSIENT);
			break;
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);

			rc = sqlite3_bind_blob64(st, col, p, n, SQLITE_TRANSIENT);
			break;
		}
		case 'n':
			rc = sqlite3_bind_null(st, col);
			break;
		default:
			return SQLITE_MISUSE;
		}
	}
	return rc;
}

int db_exec(struct db *db, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	va_list ap;
	int rc;

	if (!st)
		return -EIO;
	va_start(ap, types);
	rc = bind_all(st, types ? types : "", ap);
	va_end(ap);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return sqlite3_changes(db->h);
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return -EEXIST;
	log_error("statement failed: %s sql=\"%s\"", sqlite3_errmsg(db->h), sql);
	return -EIO;
}

int db_exec_script(struct db *db, const char *sql)
{
	char err[256];

	if (exec_script(db->h, sql, err, sizeof(err)) < 0) {
		log_error("statement failed: %s", err);
		return -EIO;
	}
	return 0;
}

/* COMMIT the open transaction, if any; 0 or -EIO (logged; rolled back). */
static int commit(struct db *db)
{
	if (!db->in_tx)
		return 0;
	db->in_tx = false;
	if (db->commit_ev)
		event_del(db->commit_ev);
	if (db_exec_script(db, "COMMIT") < 0) {
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		return -EIO;
	}
	db->commits++;
	return 0;
}

/*
 * Make every committed change durable by syncing the write-ahead log, which
 * holds them all until a checkpoint (and a checkpoint syncs the WAL before
 * it copies it into the database).  This is what synchronous = FULL does at
 * every commit; done here, only the commits that precede an acknowledgment
 * pay for it, and the loop's background commits stay at NORMAL.
 */
static int sync_wal(struct db *db)
{
	sqlite3_int64 changes = sqlite3_total_changes64(db->h);
	sqlite3_file *wal = NULL;
	int rc;

	if (changes == db->synced_changes)
		return 0; /* nothing new since the last sync */
	rc = sqlite3_file_control(db->h, "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
	if (rc == SQLITE_OK && wal && wal->pMethods)
		rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
	if (rc != SQLITE_OK) {
		log_error("%s: cannot sync the write-ahead log: %s", db->path, sqlite3_errstr(rc));
		return -EIO;
	}
	db->synced_changes = changes;
	db->synced++;
	return 0;
}

static void on_commit(evutil_socket_t fd, short what, void *arg)
{
	commit(arg);
}

void db_attach_loop(struct db *db, struct event_base *base)
{
	if (db->commit_ev)
		event_free(db->commit_ev);
	db->commit_ev = event_new(base, -1, 0, on_commit, db);
	if (!db->commit_ev)
		abort();
	/* Lowest priority: runs after the iteration's other callbacks. */
	event_priority_set(db->commit_ev, event_base_get_npriorities(base) - 1);
}

void db_batch(struct db *db)
{
	if (db->in_tx || !db->commit_ev)
		return;
	if (db_exec_script(db, "BEGIN") < 0)
		return;
	db->in_tx = true;
	event_active(db->commit_ev, EV_TIMEOUT, 1);
}

int db_commit(struct db *db)
{
	int rc = commit(db);

	return rc < 0 ? rc : sync_wal(db);
}

unsigned long db_synced_commits(const struct db *db)
{
	return db->synced;
}

unsigned long db_commits(const struct db *db)
{
	return db->commits;
}
