/*
 * Topics in SQLite (see psstore.h).
 */
#define LOG_COMPONENT "psstore"

#include "psstore.h"

#include <errno.h>

#include "common/log.h"

const char psstore_schema[] = "CREATE TABLE topic ("
			      " id TEXT PRIMARY KEY,"
			      " data_id TEXT NOT NULL UNIQUE,"
			      " conf BLOB NOT NULL," /* application/core-pubsub+cbor */
			      " full INTEGER NOT NULL,"
			      " value BLOB,"
			      " content_format INTEGER NOT NULL," /* -1: none */
			      " published INTEGER NOT NULL,"      /* wall clock, ms; 0: never */
			      " created INTEGER NOT NULL);";

int psstore_load(struct db *db, psstore_load_fn fn, void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, data_id, conf, full, value, content_format,"
				       " published, created FROM topic ORDER BY created, id");
	int rc;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct psstore_row row = {
			.id = (const char *)sqlite3_column_text(st, 0),
			.data_id = (const char *)sqlite3_column_text(st, 1),
			.conf = sqlite3_column_blob(st, 2),
			.conf_len = (size_t)sqlite3_column_bytes(st, 2),
			.full = sqlite3_column_int(st, 3) != 0,
			.value = sqlite3_column_blob(st, 4),
			.value_len = (size_t)sqlite3_column_bytes(st, 4),
			.content_format = sqlite3_column_int(st, 5),
			.published_ms = sqlite3_column_int64(st, 6),
			.created_ms = sqlite3_column_int64(st, 7),
		};

		if (row.id && row.data_id)
			fn(&row, arg);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_warnx("cannot load the topics: %s", sqlite3_errmsg(db_handle(db)));
		return -EIO;
	}
	return 0;
}

/* A savepoint in the loop's batch, committed at once: the answer waits for the disk. */
static int commit(struct db *db, int rc)
{
	if (rc < 0) {
		db_exec_script(db, "ROLLBACK TO ps; RELEASE ps");
		return -EIO;
	}
	if (db_exec_script(db, "RELEASE ps") < 0 || db_commit(db) < 0)
		return -EIO;
	return 0;
}

int psstore_put(struct db *db, const struct psstore_row *r)
{
	static const uint8_t empty[1];
	int rc;

	db_batch(db);
	if (db_exec_script(db, "SAVEPOINT ps") < 0)
		return -EIO;
	/* a zero-length blob, not NULL: an initialized topic has an empty value */
	rc = db_exec(db,
		     "INSERT OR REPLACE INTO topic (id, data_id, conf, full, value, content_format,"
		     " published, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		     "ttbibiII", r->id, r->data_id, r->conf, r->conf_len, (int)r->full,
		     r->value ? r->value : empty, r->value_len, r->content_format, r->published_ms,
		     r->created_ms);
	return commit(db, rc);
}

int psstore_delete(struct db *db, const char *id)
{
	int rc;

	db_batch(db);
	if (db_exec_script(db, "SAVEPOINT ps") < 0)
		return -EIO;
	rc = db_exec(db, "DELETE FROM topic WHERE id = ?", "t", id);
	return commit(db, rc);
}
