#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/db.h"

/*
 * A VFS shim over SQLite's own that watches the write-ahead log: what was
 * written to it and not yet synced is what a power cut can take.  Every
 * call goes on to the real VFS; only the counting is ours.
 */
struct shim_file {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct in the same allocation */
	bool wal;
};

static struct {
	unsigned writes, syncs;
	unsigned unsynced; /* WAL writes since the last WAL sync */
} wal_io;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs shim_vfs;

#define REAL(f) (((struct shim_file *)(f))->real)

static int shim_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int shim_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, amt, off);
}

static int shim_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	if (((struct shim_file *)f)->wal) {
		wal_io.writes++;
		wal_io.unsynced++;
	}
	return REAL(f)->pMethods->xWrite(REAL(f), buf, amt, off);
}

static int shim_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int shim_sync(sqlite3_file *f, int flags)
{
	int rc = REAL(f)->pMethods->xSync(REAL(f), flags);

	if (rc == SQLITE_OK && ((struct shim_file *)f)->wal) {
		wal_io.syncs++;
		wal_io.unsynced = 0;
	}
	return rc;
}

static int shim_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int shim_lock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int shim_unlock(sqlite3_file *f, int level)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int shim_check_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int shim_file_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int shim_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int shim_device_characteristics(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int shim_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}

static int shim_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void shim_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int shim_shm_unmap(sqlite3_file *f, int delete_flag)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

/* Version 2: no memory-mapped reads, so that every page goes through xRead. */
static const sqlite3_io_methods shim_io = {
	2,
	shim_close,
	shim_read,
	shim_write,
	shim_truncate,
	shim_sync,
	shim_file_size,
	shim_lock,
	shim_unlock,
	shim_check_reserved,
	shim_file_control,
	shim_sector_size,
	shim_device_characteristics,
	shim_shm_map,
	shim_shm_lock,
	shim_shm_barrier,
	shim_shm_unmap,
	NULL,
	NULL,
};

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	struct shim_file *sf = (struct shim_file *)f;
	int rc;

	sf->real = (sqlite3_file *)(sf + 1);
	sf->wal = (flags & SQLITE_OPEN_WAL) != 0;
	rc = real_vfs->xOpen(real_vfs, name, sf->real, flags, out_flags);
	sf->base.pMethods = rc == SQLITE_OK && sf->real->pMethods ? &shim_io : NULL;
	return rc;
}

/* Make the shim the default VFS, so that db_open() goes through it. */
static void shim_install(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	assert_non_null(real_vfs);
	shim_vfs = *real_vfs;
	shim_vfs.zName = "wal-watch";
	shim_vfs.szOsFile = (int)sizeof(struct shim_file) + real_vfs->szOsFile;
	shim_vfs.xOpen = shim_open;
	assert_int_equal(sqlite3_vfs_register(&shim_vfs, 1), SQLITE_OK);
}

static const struct db_migration v1[] = {
	{ 1, "CREATE TABLE client (ep TEXT PRIMARY KEY, lifetime INTEGER NOT NULL);" },
};

static const struct db_migration v2[] = {
	{ 1, "CREATE TABLE client (ep TEXT PRIMARY KEY, lifetime INTEGER NOT NULL);" },
	{ 2, "ALTER TABLE client ADD COLUMN binding TEXT NOT NULL DEFAULT 'U';"
	     "CREATE INDEX client_binding ON client (binding);" },
};

static const struct db_migration v2_broken[] = {
	{ 1, "CREATE TABLE client (ep TEXT PRIMARY KEY, lifetime INTEGER NOT NULL);" },
	{ 2, "ALTER TABLE client ADD COLUMN binding TEXT; CREATE TABLE oops (;" },
};

static char dbpath[64];

static int setup(void **state)
{
	int fd;

	strcpy(dbpath, "/tmp/test_db_XXXXXX");
	fd = mkstemp(dbpath);
	assert_true(fd >= 0);
	close(fd);
	unlink(dbpath); /* db_open creates it */
	return 0;
}

static int teardown(void **state)
{
	char aux[96];

	unlink(dbpath);
	snprintf(aux, sizeof(aux), "%s-wal", dbpath);
	unlink(aux);
	snprintf(aux, sizeof(aux), "%s-shm", dbpath);
	unlink(aux);
	return 0;
}

static int count_rows(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM client");
	int n;

	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n;
}

static void test_fresh_create(void **state)
{
	struct db *db;
	char err[256];
	sqlite3_stmt *st;

	assert_int_equal(db_open(dbpath, v1, 1, &db, err, sizeof(err)), 0);
	assert_int_equal(db_schema_version(db), 1);
	st = db_stmt(db, "PRAGMA journal_mode");
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_reset(st);
	assert_int_equal(
		db_exec(db, "INSERT INTO client (ep, lifetime) VALUES (?, ?)", "ti", "node-1", 300),
		1);
	assert_int_equal(count_rows(db), 1);
	db_close(db);
}

static void test_migrate_1_to_2(void **state)
{
	struct db *db;
	char err[256];
	sqlite3_stmt *st;

	assert_int_equal(db_open(dbpath, v1, 1, &db, err, sizeof(err)), 0);
	db_exec(db, "INSERT INTO client (ep, lifetime) VALUES (?, ?)", "ti", "node-1", 300);
	db_close(db);

	assert_int_equal(db_open(dbpath, v2, 2, &db, err, sizeof(err)), 0);
	assert_int_equal(db_schema_version(db), 2);
	st = db_stmt(db, "SELECT ep, lifetime, binding FROM client");
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "node-1");
	assert_int_equal(sqlite3_column_int(st, 1), 300);
	assert_string_equal((const char *)sqlite3_column_text(st, 2), "U");
	sqlite3_reset(st);
	db_close(db);
}

static void test_refuse_newer(void **state)
{
	struct db *db = NULL;
	char err[256];

	assert_int_equal(db_open(dbpath, v2, 2, &db, err, sizeof(err)), 0);
	db_close(db);
	db = NULL;
	assert_int_equal(db_open(dbpath, v1, 1, &db, err, sizeof(err)), -EPROTO);
	assert_null(db);
	assert_non_null(strstr(err, "schema version 2 is newer than this lwgate knows (1)"));
	assert_non_null(strstr(err, dbpath));
}

static void test_failed_migration_rolls_back(void **state)
{
	struct db *db;
	char err[256];

	assert_int_equal(db_open(dbpath, v1, 1, &db, err, sizeof(err)), 0);
	db_close(db);
	assert_int_equal(db_open(dbpath, v2_broken, 2, &db, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "migration to schema 2 failed"));
	/* still at 1, without the half-applied column: v2 applies cleanly */
	assert_int_equal(db_open(dbpath, v2, 2, &db, err, sizeof(err)), 0);
	assert_int_equal(db_schema_version(db), 2);
	db_close(db);
}

static void test_exec_binds_and_constraints(void **state)
{
	struct db *db;
	char err[256];
	static const uint8_t blob[] = { 0, 1, 2, 255 };

	assert_int_equal(db_open(dbpath, v1, 1, &db, err, sizeof(err)), 0);
	assert_int_equal(db_exec_script(db, "CREATE TABLE k (id INTEGER, big INTEGER, t TEXT, "
					    "b BLOB, n TEXT)"),
			 0);
	assert_int_equal(db_exec(db, "INSERT INTO k VALUES (?, ?, ?, ?, ?)", "iItbn", 7,
				 (int64_t)1 << 40, "x", blob, sizeof(blob)),
			 1);
	sqlite3_stmt *st = db_stmt(db, "SELECT id, big, t, b, n FROM k");
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 7);
	assert_true(sqlite3_column_int64(st, 1) == (int64_t)1 << 40);
	assert_int_equal(sqlite3_column_bytes(st, 3), 4);
	assert_memory_equal(sqlite3_column_blob(st, 3), blob, 4);
	assert_int_equal(sqlite3_column_type(st, 4), SQLITE_NULL);
	sqlite3_reset(st);

	assert_int_equal(db_exec(db, "INSERT INTO client VALUES (?, ?)", "ti", "a", 1), 1);
	assert_int_equal(db_exec(db, "INSERT INTO client VALUES (?, ?)", "ti", "a", 2), -EEXIST);
	assert_int_equal(db_exec(db, "UPDATE client SET lifetime = 5", NULL), 1);
	db_close(db);
}

static void test_batch_one_commit_per_iteration(void **state)
{
	struct event_base *base = event_base_new();
	struct db *db;
	char err[256];

	assert_int_equal(event_base_priority_init(base, 2), 0);
	assert_int_equal(db_open(dbpath, v1, 1, &db, err, sizeof(err)), 0);
	db_attach_loop(db, base);
	for (int i = 0; i < 100; i++) {
		char ep[16];

		snprintf(ep, sizeof(ep), "n%d", i);
		db_batch(db);
		db_exec(db, "INSERT INTO client VALUES (?, ?)", "ti", ep, i);
	}
	assert_int_equal(db_commits(db), 0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(db_commits(db), 1);
	assert_int_equal(count_rows(db), 100);

	/* an explicit commit before an acknowledgement, then nothing left for the loop */
	db_batch(db);
	db_exec(db, "DELETE FROM client WHERE lifetime < 50", NULL);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(db_commits(db), 2);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(db_commits(db), 2);
	db_close(db);

	/* committed data is on disk for another connection */
	assert_int_equal(db_open(dbpath, v1, 1, &db, err, sizeof(err)), 0);
	assert_int_equal(count_rows(db), 50);
	db_close(db);
	event_base_free(base);
}

static int pragma_synchronous(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "PRAGMA synchronous");

	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	return sqlite3_column_int(st, 0);
}

/*
 * What db_commit() returns on is on stable storage: no write to the log
 * after its last sync.  A background batch is written but not synced: with
 * synchronous = NORMAL alone (the pragma in force on the connection), an
 * acknowledged row would sit there too, which is what a power cut loses.
 */
static void test_acknowledged_commit_is_synced(void **state)
{
	struct event_base *base = event_base_new();
	struct db *db;
	char err[256];
	unsigned syncs;

	assert_int_equal(event_base_priority_init(base, 2), 0);
	assert_int_equal(db_open(dbpath, v1, 1, &db, err, sizeof(err)), 0);
	assert_int_equal(pragma_synchronous(db), 1); /* NORMAL */
	db_attach_loop(db, base);
	assert_int_equal(db_commit(db), 0); /* what db_open wrote, if anything */

	db_batch(db);
	db_exec(db, "INSERT INTO client VALUES ('background', 1)", NULL);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(db_commits(db), 1);
	assert_true(wal_io.unsynced > 0);
	syncs = wal_io.syncs;

	db_batch(db);
	db_exec(db, "INSERT INTO client VALUES ('acknowledged', 2)", NULL);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(wal_io.unsynced, 0);
	assert_int_equal(wal_io.syncs, syncs + 1);

	/* nothing new: no second sync */
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(wal_io.syncs, syncs + 1);

	/* a write outside a batch commits on its own; db_commit still makes it durable */
	assert_int_equal(db_exec(db, "UPDATE client SET lifetime = 3", NULL), 2);
	assert_true(wal_io.unsynced > 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(wal_io.unsynced, 0);
	assert_int_equal(wal_io.syncs, syncs + 2);
	assert_int_equal(pragma_synchronous(db), 1); /* the background batches stay at NORMAL */
	db_close(db);
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_1_to_2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_newer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_migration_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exec_binds_and_constraints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_one_commit_per_iteration, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_acknowledged_commit_is_synced, setup,
						teardown),
	};

	shim_install();
	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
