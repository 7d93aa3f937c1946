#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/db.h"

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
	};

	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
