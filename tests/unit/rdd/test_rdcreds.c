/*
 * rdcreds: rdd's PSK credentials against a real SQLite file — add, find,
 * refuse bad ones, delete, reload, sector lists; keys never listed.
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

#include "common/daemon.h"
#include "rdcreds.h"

static const struct db_migration migrations[] = {
	{ 1, DAEMON_SCHEMA_1 },
	{ 2, RDCREDS_SCHEMA },
};

struct fixture {
	char dir[64], path[96];
	struct db *db;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/test-rdcreds-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/rdd.db", f->dir);
	assert_int_equal(db_open(f->path, migrations, 2, &f->db, err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	db_close(f->db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static const uint8_t key[] = { 0x73, 0x65, 0x63, 0x72, 0x65, 0x74 };

static void add_find_delete_reload(void **state)
{
	struct fixture *f = *state;
	struct rdcreds *cs = rdcreds_new(f->db);
	const struct rdcred *c;
	char *text;
	json_t *list;

	assert_int_equal(rdcreds_add(cs, "node-a", key, sizeof(key), "farm,barn"), 0);
	assert_int_equal(rdcreds_add(cs, "node-b", key, 3, NULL), 0);
	assert_int_equal(rdcreds_add(cs, "node-a", key, sizeof(key), NULL), -EEXIST);
	c = rdcreds_find(cs, (const uint8_t *)"node-axx", 6);
	assert_non_null(c);
	assert_string_equal(c->identity, "node-a");
	assert_memory_equal(c->key, key, sizeof(key));
	assert_int_equal(c->key_len, sizeof(key));
	assert_null(rdcreds_find(cs, (const uint8_t *)"node", 4));
	assert_string_equal(rdcreds_find(cs, (const uint8_t *)"node-b", 6)->sectors, "*");
	list = rdcreds_json(cs);
	text = json_dumps(list, 0);
	assert_non_null(strstr(text, "\"key_bytes\": 6"));
	assert_null(strstr(text, "secret"));
	assert_null(strstr(text, "736563726574"));
	free(text);
	json_decref(list);
	rdcreds_free(cs);

	cs = rdcreds_new(f->db);
	assert_int_equal(rdcreds_load(cs), 2);
	assert_int_equal(rdcreds_count(cs), 2);
	assert_string_equal(rdcreds_find(cs, (const uint8_t *)"node-a", 6)->sectors, "farm,barn");
	assert_int_equal(rdcreds_del(cs, "node-a"), 0);
	assert_int_equal(rdcreds_del(cs, "node-a"), -ENOENT);
	assert_null(rdcreds_find(cs, (const uint8_t *)"node-a", 6));
	rdcreds_free(cs);
	cs = rdcreds_new(f->db);
	assert_int_equal(rdcreds_load(cs), 1);
	rdcreds_free(cs);
}

static void refuses_bad_credentials(void **state)
{
	struct fixture *f = *state;
	struct rdcreds *cs = rdcreds_new(f->db);
	uint8_t big[PSKGUARD_KEY_MAX + 1] = { 0 };
	char id[PSKGUARD_IDENTITY_MAX + 2];

	memset(id, 'i', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	assert_int_equal(rdcreds_add(cs, "", key, sizeof(key), NULL), -EINVAL);
	assert_int_equal(rdcreds_add(cs, id, key, sizeof(key), NULL), -EINVAL);
	assert_int_equal(rdcreds_add(cs, "x", key, 0, NULL), -EINVAL);
	assert_int_equal(rdcreds_add(cs, "x", big, sizeof(big), NULL), -EINVAL);
	assert_int_equal(rdcreds_add(cs, "x", key, sizeof(key), "a,,b"), -EINVAL);
	assert_int_equal(rdcreds_add(cs, "x", key, sizeof(key), "a b"), -EINVAL);
	assert_int_equal(rdcreds_add(cs, "x", key, sizeof(key), "farm*"), -EINVAL);
	assert_int_equal(rdcreds_count(cs), 0);
	rdcreds_free(cs);
	cs = rdcreds_new(f->db);
	assert_int_equal(rdcreds_load(cs), 0);
	rdcreds_free(cs);
}

static void sector_lists(void **state)
{
	assert_true(rdcreds_sectors_valid("*"));
	assert_true(rdcreds_sectors_valid("-"));
	assert_true(rdcreds_sectors_valid("farm,-,barn"));
	assert_false(rdcreds_sectors_valid(""));
	assert_false(rdcreds_sectors_valid(",farm"));
	assert_false(rdcreds_sectors_valid("farm,"));
	assert_false(rdcreds_sectors_valid("*,farm"));
	assert_true(rdcreds_sector_in("*", ""));
	assert_true(rdcreds_sector_in("*", "x"));
	assert_true(rdcreds_sector_in("farm,barn", "barn"));
	assert_false(rdcreds_sector_in("farm,barn", "bar"));
	assert_false(rdcreds_sector_in("farm,barn", "farms"));
	assert_false(rdcreds_sector_in("farm,barn", ""));
	assert_true(rdcreds_sector_in("farm,-", ""));
	assert_false(rdcreds_sector_in("farm", "-x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(add_find_delete_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_bad_credentials, setup, teardown),
		cmocka_unit_test(sector_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
