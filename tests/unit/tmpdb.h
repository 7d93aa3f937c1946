/*
 * tmpdb — for the unit tests of modules that keep state in SQLite: a fresh
 * folder under /tmp with the database file in it, opened (and reopened, to
 * test a reload) through lib/common/db, and removed with all it holds.
 * Include it after <cmocka.h>.
 */
#ifndef LWGATE_TESTS_UNIT_TMPDB_H
#define LWGATE_TESTS_UNIT_TMPDB_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/db.h"

struct tmpdb {
	char dir[64];
	char path[128]; /* the database file in it */
};

/* Make the folder /tmp/test-@name-?????? (mkdtemp fills in the six X) for database @file. */
static inline void tmpdb_make(struct tmpdb *t, const char *name, const char *file)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/test-%s-XXXXXX", name);
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, file);
}

/* Open (or reopen) the database, applying @migrations; the test fails if it cannot. */
static inline struct db *tmpdb_open(const struct tmpdb *t, const struct db_migration *migrations,
				    size_t count)
{
	struct db *db = NULL;
	char err[256];

	if (db_open(t->path, migrations, count, &db, err, sizeof(err)) < 0)
		fail_msg("%s: %s", t->path, err);
	return db;
}

static inline int tmpdb_unlink(const char *path, const struct stat *st, int kind, struct FTW *ftw)
{
	(void)st;
	(void)kind;
	(void)ftw;
	return remove(path);
}

/* Remove the folder and everything in it (close the database first). */
static inline void tmpdb_remove(const struct tmpdb *t)
{
	assert_int_equal(nftw(t->dir, tmpdb_unlink, 8, FTW_DEPTH | FTW_PHYS), 0);
}

#endif
