/*
 * vpeerdb — stored vpeer ports reserved at start (see vpeerdb.h).
 */
#define LOG_COMPONENT "vpeer"
#include "vpeerdb.h"

#include <errno.h>
#include <stdbool.h>

#include <sqlite3.h>

#include "common/log.h"

/* Whether table @name exists (the owners make theirs only when enabled). */
static bool has_table(struct db *db, const char *name)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
				       "name = ?");
	bool found;

	if (!st)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	return found;
}

/* Reserve the (port, kind, identity) rows of @sql (a literal); their count or -EIO. */
static int reserve_rows(struct vpeers *set, struct db *db, const char *sql)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	int n = 0, rc;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int port = sqlite3_column_int(st, 0);
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		const char *id = (const char *)sqlite3_column_text(st, 2);

		/* a row past the column types (edited by hand) is skipped, not trusted */
		if (port > 0 && port < 65536 && kind && id &&
		    vpeers_reserve(set, (uint16_t)port, kind, id) == 0)
			n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : -EIO;
}

int vpeerdb_reserve(struct vpeers *set, struct db *db)
{
	int n = 0, rc;

	rc = reserve_rows(set, db,
			  "SELECT port, transport, ep FROM clients WHERE transport IN ('http2', "
			  "'nidd')");
	if (rc >= 0)
		n += rc;
	if (rc >= 0 && has_table(db, "nidd_devices") &&
	    (rc = reserve_rows(set, db, "SELECT port, 'nidd', external_id FROM nidd_devices")) >= 0)
		n += rc;
	if (rc >= 0 && has_table(db, "http2_devices") &&
	    (rc = reserve_rows(set, db, "SELECT port, 'http2', ep FROM http2_devices")) >= 0)
		n += rc;
	if (rc < 0) {
		log_error("stored virtual peer ports not read: another device may take one");
		return rc;
	}
	log_debug("virtual peer ports reserved count=%zu", vpeers_reserved(set));
	return n;
}
