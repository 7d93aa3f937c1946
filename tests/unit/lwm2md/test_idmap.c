/*
 * idmap: endpoint IDs from the CLI (SQLite) and from the ids file (which
 * wins, field by field), their lookups through the hash indexes, a reload
 * that changes or drops the file, and the files refused (keeping the names
 * in force).  (The PSK store's tests are tests/unit/coap/test_pskstore.c.)
 */
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

#include "../tmpdb.h"

#include "common/daemon.h"
#include "creds.h"
#include "idmap.h"
#include "schema.h"

struct fixture {
	struct tmpdb tmp;
	char file[96]; /* the ids file, beside the database */
	struct db *db;
	struct idmap *m;
};

static void open_map(struct fixture *f)
{
	f->db = tmpdb_open(&f->tmp, schema_migrations, SCHEMA_MIGRATION_COUNT);
	f->m = idmap_new(f->db);
	assert_true(idmap_load(f->m) >= 0);
}

static void close_map(struct fixture *f)
{
	idmap_free(f->m);
	db_close(f->db);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	tmpdb_make(&f->tmp, "idmap", "lwm2md.db");
	snprintf(f->file, sizeof(f->file), "%s/ids", f->tmp.dir);
	open_map(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	close_map(f);
	tmpdb_remove(&f->tmp);
	free(f);
	return 0;
}

static void write_file(struct fixture *f, const char *text)
{
	FILE *fp = fopen(f->file, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static const char *app_of(struct fixture *f, const char *ep)
{
	const struct idmap_entry *e = idmap_find_ep(f->m, ep);

	return e && e->app_id ? e->app_id : "-";
}

static const char *ext_of(struct fixture *f, const char *ep)
{
	const struct idmap_entry *e = idmap_find_ep(f->m, ep);

	return e && e->external_id ? e->external_id : "-";
}

static void test_cli_names(void **state)
{
	struct fixture *f = *state;
	const char *ep;

	assert_int_equal(idmap_set(f->m, "m-1", "metering", "ext-1"), 0);
	assert_int_equal(idmap_set(f->m, "m-2", "metering", NULL), 0);
	assert_int_equal(idmap_set(f->m, "m-2", NULL, "ext-1"), -EEXIST);
	assert_string_equal(idmap_ep_of_external(f->m, "ext-1"), "m-1");
	assert_int_equal(idmap_ep_of_app(f->m, "metering", NULL, NULL, &ep), -E2BIG);
	assert_int_equal(idmap_ep_of_app(f->m, "lighting", NULL, NULL, &ep), -ENOENT);
	/* "" clears; the external identifier is free again */
	assert_int_equal(idmap_set(f->m, "m-1", "", ""), 0);
	assert_null(idmap_ep_of_external(f->m, "ext-1"));
	assert_int_equal(idmap_ep_of_app(f->m, "metering", NULL, NULL, &ep), 0);
	assert_string_equal(ep, "m-2");
	assert_int_equal(idmap_set(f->m, "m-2", NULL, "ext-1"), 0);
	/* stored */
	close_map(f);
	open_map(f);
	assert_string_equal(idmap_ep_of_external(f->m, "ext-1"), "m-2");
	assert_string_equal(app_of(f, "m-2"), "metering");
	assert_string_equal(app_of(f, "m-1"), "-");
}

static void test_file_wins_field_by_field(void **state)
{
	struct fixture *f = *state;
	char why[256];

	assert_int_equal(idmap_set(f->m, "m-1", "cli-app", "cli-ext"), 0);
	assert_int_equal(idmap_set(f->m, "m-2", "cli-app2", NULL), 0);
	write_file(f, "# ids\nm-1 = app_id=file-app\nm-3 = external_id=file-ext-3, app_id=x\n");
	assert_int_equal(idmap_load_file(f->m, f->file, why, sizeof(why)), 2);
	assert_string_equal(idmap_file(f->m), f->file);
	assert_string_equal(app_of(f, "m-1"), "file-app");
	assert_string_equal(ext_of(f, "m-1"), "cli-ext"); /* the file leaves it */
	assert_string_equal(idmap_ep_of_external(f->m, "file-ext-3"), "m-3");
	assert_int_equal(idmap_find_ep(f->m, "m-3")->file_line, 3);
	/* the CLI cannot change what the file sets; it can change the rest */
	assert_int_equal(idmap_set(f->m, "m-1", "other", NULL), -EPERM);
	assert_int_equal(idmap_set(f->m, "m-3", NULL, "z"), -EPERM);
	assert_int_equal(idmap_set(f->m, "m-1", NULL, "cli-ext-b"), 0);
	assert_string_equal(idmap_ep_of_external(f->m, "cli-ext-b"), "m-1");
	assert_null(idmap_ep_of_external(f->m, "cli-ext"));
	/* the file's names are not stored: a restart without the file forgets them */
	close_map(f);
	open_map(f);
	assert_string_equal(app_of(f, "m-1"), "cli-app");
	assert_null(idmap_find_ep(f->m, "m-3"));
	assert_int_equal(idmap_load_file(f->m, f->file, why, sizeof(why)), 2);
	assert_string_equal(app_of(f, "m-1"), "file-app");
	/* a reload with m-1 gone: its CLI name shows again */
	write_file(f, "m-3 = app_id=y\n");
	assert_int_equal(idmap_load_file(f->m, f->file, why, sizeof(why)), 1);
	assert_string_equal(app_of(f, "m-1"), "cli-app");
	assert_string_equal(app_of(f, "m-3"), "y");
	assert_null(idmap_ep_of_external(f->m, "file-ext-3"));
	assert_int_equal(idmap_find_ep(f->m, "m-1")->file_line, 0);
	assert_int_equal(idmap_set(f->m, "m-1", "cli-app-b", NULL), 0);
	/* no file any more */
	assert_int_equal(idmap_load_file(f->m, "", why, sizeof(why)), 0);
	assert_null(idmap_file(f->m));
	assert_string_equal(app_of(f, "m-3"), "-");
	assert_string_equal(app_of(f, "m-2"), "cli-app2");
}

static void test_refused_files_change_nothing(void **state)
{
	struct fixture *f = *state;
	char why[256], want[256];
	const char *ep;

	write_file(f, "m-1 = app_id=a, external_id=e-1\n");
	assert_int_equal(idmap_load_file(f->m, f->file, why, sizeof(why)), 1);
	assert_int_equal(idmap_set(f->m, "m-9", NULL, "cli-9"), 0);
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "m-1 = app_id=b\nbroken line\n", ":2: 'broken line' is not EP = " },
		{ "m-1 = app_id=b\nm-1 = app_id=c\n", ":2: this endpoint has a line already" },
		{ "m-1 = external_id=x\nm-2 = external_id=x\n",
		  ":2: this external_id is on another line already" },
		{ "m-1 = app_id=b\nm-2 = external_id=cli-9\n",
		  ":2: external_id 'cli-9' belongs to m-9 (set-ids)" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(f, bad[i].text);
		assert_int_equal(idmap_load_file(f->m, f->file, why, sizeof(why)), -EINVAL);
		snprintf(want, sizeof(want), "%s%s", f->file, bad[i].why);
		if (strncmp(why, want, strlen(want)) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, why, want);
		assert_string_equal(app_of(f, "m-1"), "a");
		assert_string_equal(idmap_ep_of_external(f->m, "e-1"), "m-1");
		assert_int_equal(idmap_ep_of_app(f->m, "b", NULL, NULL, &ep), -ENOENT);
	}
	/* m-9 named in the file with its own external_id frees cli-9 for m-2 */
	write_file(f, "m-9 = external_id=file-9\nm-2 = external_id=cli-9\n");
	assert_int_equal(idmap_load_file(f->m, f->file, why, sizeof(why)), 2);
	assert_string_equal(idmap_ep_of_external(f->m, "cli-9"), "m-2");
	assert_string_equal(idmap_ep_of_external(f->m, "file-9"), "m-9");
	assert_int_equal(idmap_load_file(f->m, "/nonexistent/ids", why, sizeof(why)), -ENOENT);
	assert_string_equal(why, "/nonexistent/ids: No such file or directory");
	assert_string_equal(idmap_ep_of_external(f->m, "cli-9"), "m-2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cli_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_wins_field_by_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_files_change_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
