/*
 * db — a daemon's SQLite file: WAL, a busy timeout, numbered migrations
 * applied forward from PRAGMA user_version, cached prepared statements, and
 * one transaction per loop iteration.
 *
 * Write batching: a daemon calls db_batch() before a write.  The first call
 * in a loop iteration opens a transaction and arms an event that commits it
 * once the iteration's other callbacks have run, so a burst of writes costs
 * one write to the log.  Before acknowledging a state change on the wire
 * the daemon calls db_commit(), so that what it acknowledged is on stable
 * storage first.
 *
 * Durability: the batched commits run at synchronous = NORMAL (a commit
 * survives the daemon being killed, but a power cut may lose the last
 * ones); db_commit() then syncs the write-ahead log, so that an
 * acknowledged change also survives a power cut.  One fdatasync per
 * acknowledgment is the price, paid only where something was acknowledged.
 */
#ifndef LWGATE_COMMON_DB_H
#define LWGATE_COMMON_DB_H

#include <stddef.h>

#include <event2/event.h>
#include <sqlite3.h>

struct db;

/* Migration N takes the schema from version N-1 to N; a table lists 1, 2, … in order. */
struct db_migration {
	int version;
	const char *sql; /* one or more statements */
};

/*
 * Open (creating if needed) the database at @path and migrate it to the
 * last version of @migrations (@count entries).  A database whose
 * user_version is newer than the code is refused.  Returns 0 and *out, or
 * a negative errno with a sentence in @err: -EPROTO for a newer schema,
 * -EIO for an SQLite error (its message included).
 */
int db_open(const char *path, const struct db_migration *migrations, size_t count, struct db **out,
	    char *err, size_t err_len);

/* Commit what is pending, finalize the cached statements, close.  NULL is fine. */
void db_close(struct db *db);

/* The SQLite handle, for queries the helpers do not cover. */
sqlite3 *db_handle(struct db *db);

/* The schema version now in the file. */
int db_schema_version(struct db *db);

/* The path the database was opened from. */
const char *db_path(const struct db *db);

/*
 * A cached prepared statement for @sql (a string literal: the pointer is
 * the cache key), reset and with its bindings cleared.  NULL on an SQL
 * error (logged).  The statement belongs to the cache: never finalize it.
 */
sqlite3_stmt *db_stmt(struct db *db, const char *sql);

/*
 * Run @sql with parameters bound from @types, one letter each:
 * 'i' int, 'I' int64_t, 't' text (NULL binds NULL), 'b' blob (pointer then
 * size_t), 'n' NULL (no argument).  Returns the number of changed rows, or
 * a negative errno (-EEXIST for a constraint violation, -EIO otherwise;
 * logged).
 */
int db_exec(struct db *db, const char *sql, const char *types, ...);

/* Run one or more statements without parameters; 0 or -EIO (logged). */
int db_exec_script(struct db *db, const char *sql);

/*
 * Attach the loop that commits batched writes.  Until attached (tests,
 * tools), every write commits on its own.
 */
void db_attach_loop(struct db *db, struct event_base *base);

/* Open the iteration's transaction if none is open (see the top comment). */
void db_batch(struct db *db);

/*
 * Commit the open transaction now, if any, and make every change committed
 * so far durable (sync the write-ahead log) unless nothing changed since
 * the last such sync.  Call it before acknowledging a change.  0, or -EIO
 * (logged; an open transaction is rolled back).
 */
int db_commit(struct db *db);

/* Transactions committed so far, for status output and tests. */
unsigned long db_commits(const struct db *db);

/* How many times db_commit() synced the write-ahead log, for status and tests. */
unsigned long db_synced_commits(const struct db *db);

#endif
