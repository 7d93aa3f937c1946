/*
 * pskstore against a real SQLite file, in both layouts the daemons use:
 * bindings unique (lwm2md: one key per endpoint, found by endpoint too) and
 * shared (rdd: sector lists).  Add, find, refuse, delete, reload, a
 * malformed row skipped, keys never listed.
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

#include "coap/pskstore.h"
#include "common/daemon.h"

static const struct db_migration migrations[] = {
	{ 1, DAEMON_SCHEMA_1 },
	{ 2, "CREATE TABLE by_ep (identity TEXT PRIMARY KEY, key BLOB NOT NULL, "
	     "ep TEXT NOT NULL UNIQUE, created INTEGER NOT NULL);"
	     "CREATE TABLE by_sector (identity TEXT PRIMARY KEY, key BLOB NOT NULL, "
	     "sectors TEXT NOT NULL, created INTEGER NOT NULL);" },
};

static const struct pskstore_schema unique_schema =
	PSKSTORE_SCHEMA("by_ep", "ep", "endpoint", 255, true);
static const struct pskstore_schema shared_schema =
	PSKSTORE_SCHEMA("by_sector", "sectors", "sectors", 1024, false);

struct fixture {
	struct tmpdb tmp;
	struct db *db;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	tmpdb_make(&f->tmp, "pskstore", "keys.db");
	f->db = tmpdb_open(&f->tmp, migrations, 2);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	db_close(f->db);
	tmpdb_remove(&f->tmp);
	free(f);
	return 0;
}

static const uint8_t key[] = { 0x73, 0x65, 0x63, 0x72, 0x65, 0x74 }; /* "secret" */

static const struct pskstore_cred *find(const struct pskstore *ps, const char *identity)
{
	return pskstore_find(ps, (const uint8_t *)identity, strlen(identity));
}

/* 1000 keys, each bound to its own endpoint: both indexes, after deletes and a reload */
static void unique_bindings(void **state)
{
	struct fixture *f = *state;
	struct pskstore *ps = pskstore_new(f->db, &unique_schema);
	const struct pskstore_cred *c;
	char id[32], ep[32];
	json_t *list;

	for (int i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "id-%d", i);
		snprintf(ep, sizeof(ep), "ep-%d", i);
		assert_int_equal(pskstore_add(ps, id, key, sizeof(key), ep), 0);
	}
	assert_int_equal(pskstore_add(ps, "id-5", key, sizeof(key), "new"), -EEXIST);
	assert_int_equal(pskstore_add(ps, "new", key, sizeof(key), "ep-5"), -EEXIST);
	c = pskstore_find(ps, (const uint8_t *)"id-777xyz",
			  6); /* the identity is not NUL-terminated */
	assert_non_null(c);
	assert_string_equal(c->bound, "ep-777");
	assert_null(pskstore_find(ps, (const uint8_t *)"id-1000", 7)); /* past the last */
	assert_string_equal(pskstore_find_bound(ps, "ep-999")->identity, "id-999");
	assert_int_equal(pskstore_del(ps, pskstore_find_bound(ps, "ep-500")), 0);
	assert_int_equal(pskstore_del(ps, find(ps, "id-501")), 0);
	assert_null(find(ps, "id-501"));
	assert_null(pskstore_find_bound(ps, "ep-500"));
	assert_int_equal(pskstore_count(ps), 998);
	list = pskstore_json(ps);
	assert_int_equal(json_array_size(list), 998);
	/* newest first */
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "endpoint")),
			    "ep-999");
	json_decref(list);
	pskstore_free(ps);

	ps = pskstore_new(f->db, &unique_schema);
	assert_int_equal(pskstore_load(ps), 998);
	assert_string_equal(pskstore_find_bound(ps, "ep-0")->identity, "id-0");
	assert_null(pskstore_find_bound(ps, "ep-500"));
	/* a deleted identity can come back */
	assert_int_equal(pskstore_add(ps, "id-501", key, sizeof(key), "ep-501"), 0);
	pskstore_free(ps);
}

static void shared_bindings(void **state)
{
	struct fixture *f = *state;
	struct pskstore *ps = pskstore_new(f->db, &shared_schema);
	const struct pskstore_cred *c;
	char *text;
	json_t *list;

	assert_int_equal(pskstore_add(ps, "node-a", key, sizeof(key), "farm,barn"), 0);
	assert_int_equal(pskstore_add(ps, "node-b", key, 3, "farm,barn"), 0);
	assert_int_equal(pskstore_add(ps, "node-a", key, sizeof(key), "*"), -EEXIST);
	assert_null(pskstore_find_bound(ps, "farm,barn")); /* not indexed: shared */
	c = find(ps, "node-a");
	assert_non_null(c);
	assert_memory_equal(c->key, key, sizeof(key));
	assert_int_equal(c->key_len, sizeof(key));
	assert_null(pskstore_find(ps, (const uint8_t *)"node", 4));

	list = pskstore_json(ps);
	text = json_dumps(list, 0);
	assert_non_null(strstr(text, "\"sectors\": \"farm,barn\""));
	assert_non_null(strstr(text, "\"key_bytes\": 6"));
	assert_null(strstr(text, "secret"));
	assert_null(strstr(text, "736563726574"));
	free(text);
	json_decref(list);
	pskstore_free(ps);

	ps = pskstore_new(f->db, &shared_schema);
	assert_int_equal(pskstore_load(ps), 2);
	assert_int_equal(find(ps, "node-b")->key_len, 3);
	assert_int_equal(pskstore_del(ps, find(ps, "node-a")), 0);
	pskstore_free(ps);
	ps = pskstore_new(f->db, &shared_schema);
	assert_int_equal(pskstore_load(ps), 1);
	assert_null(find(ps, "node-a"));
	pskstore_free(ps);
}

static void refuses_bad_keys(void **state)
{
	struct fixture *f = *state;
	struct pskstore *ps = pskstore_new(f->db, &unique_schema);
	uint8_t big[PSKGUARD_KEY_MAX + 1] = { 0 };
	char id[PSKGUARD_IDENTITY_MAX + 2], ep[300];

	memset(id, 'i', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	memset(ep, 'e', 256);
	ep[256] = '\0';
	assert_int_equal(pskstore_add(ps, "", key, sizeof(key), "ep"), -EINVAL);
	assert_int_equal(pskstore_add(ps, id, key, sizeof(key), "ep"), -EINVAL);
	id[PSKGUARD_IDENTITY_MAX] = '\0'; /* the longest allowed */
	assert_int_equal(pskstore_add(ps, id, key, sizeof(key), "ep"), 0);
	assert_int_equal(pskstore_add(ps, "x", key, 0, "x"), -EINVAL);
	assert_int_equal(pskstore_add(ps, "x", big, sizeof(big), "x"), -EINVAL);
	assert_int_equal(pskstore_add(ps, "x", big, PSKGUARD_KEY_MAX, "x"), 0);
	assert_int_equal(pskstore_add(ps, "y", key, sizeof(key), ""), -EINVAL);
	assert_int_equal(pskstore_add(ps, "y", key, sizeof(key), ep), -EINVAL);
	/* hex as an operator types it */
	assert_int_equal(pskstore_add_hex(ps, "y", "0g", "y"), -EBADMSG);
	assert_int_equal(pskstore_add_hex(ps, "y", "", "y"), -EBADMSG);
	assert_int_equal(pskstore_add_hex(ps, "y", "736563726574", "y"), 0);
	assert_memory_equal(find(ps, "y")->key, key, sizeof(key));
	assert_int_equal(pskstore_count(ps), 3);
	pskstore_free(ps);
}

/* A row no add could have written (an empty key) is skipped, not trusted */
static void skips_malformed_rows(void **state)
{
	struct fixture *f = *state;
	struct pskstore *ps = pskstore_new(f->db, &unique_schema);

	assert_int_equal(db_exec(f->db, "INSERT INTO by_ep VALUES ('bad', x'', 'ep-bad', 1)", ""),
			 1);
	assert_int_equal(
		db_exec(f->db, "INSERT INTO by_ep VALUES ('good', x'01', 'ep-good', 2)", ""), 1);
	assert_int_equal(pskstore_load(ps), 1);
	assert_null(find(ps, "bad"));
	assert_non_null(pskstore_key((const uint8_t *)"good", 4, &(size_t){ 0 }, ps));
	assert_null(pskstore_key((const uint8_t *)"bad", 3, &(size_t){ 0 }, ps));
	pskstore_free(ps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(unique_bindings, setup, teardown),
		cmocka_unit_test_setup_teardown(shared_bindings, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_bad_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(skips_malformed_rows, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
