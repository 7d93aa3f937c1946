/*
 * rdcreds: rdd's keys bound to sector lists in rd_credentials (the store
 * itself is tests/unit/coap/test_pskstore.c), and the sector-list syntax.
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
#include "rdcreds.h"

static const struct db_migration migrations[] = {
	{ 1, DAEMON_SCHEMA_1 },
	{ 2, RDCREDS_SCHEMA },
};

struct fixture {
	struct tmpdb tmp;
	struct db *db;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	tmpdb_make(&f->tmp, "rdcreds", "rdd.db");
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

static void add_with_sectors(void **state)
{
	struct fixture *f = *state;
	struct pskstore *ps = pskstore_new(f->db, &rdcreds_schema);

	/* cred-add (coap/credctl) stores "*" when no sectors= is given */
	assert_int_equal(pskstore_add_hex(ps, "node-a", "736563726574", "farm,barn"), 0);
	assert_int_equal(pskstore_add_hex(ps, "node-b", "00", "*"), 0);
	assert_int_equal(pskstore_add_hex(ps, "node-c", "00", "-"), 0);
	assert_int_equal(pskstore_add_hex(ps, "node-a", "00", "*"), -EEXIST);
	/* sector lists are not unique: two identities may share one */
	assert_int_equal(pskstore_add_hex(ps, "node-d", "01", "farm,barn"), 0);
	assert_int_equal(pskstore_add_hex(ps, "x", "0", "farm"), -EBADMSG);
	pskstore_free(ps);

	ps = pskstore_new(f->db, &rdcreds_schema);
	assert_int_equal(pskstore_load(ps), 4);
	assert_string_equal(pskstore_find(ps, (const uint8_t *)"node-a", 6)->bound, "farm,barn");
	assert_string_equal(pskstore_find(ps, (const uint8_t *)"node-b", 6)->bound, "*");
	assert_string_equal(pskstore_find(ps, (const uint8_t *)"node-c", 6)->bound, "-");
	assert_null(pskstore_find_bound(ps, "farm,barn"));
	pskstore_free(ps);
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
	assert_false(rdcreds_sectors_valid("a,,b"));
	assert_false(rdcreds_sectors_valid("a b"));
	assert_false(rdcreds_sectors_valid("farm*"));
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
		cmocka_unit_test_setup_teardown(add_with_sectors, setup, teardown),
		cmocka_unit_test(sector_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
