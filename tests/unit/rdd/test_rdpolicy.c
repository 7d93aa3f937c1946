/*
 * rdpolicy: First-Come-First-Remembered claims against a real SQLite file,
 * with the wall clock driven by the test — who may register a name, when a
 * released name becomes free (never, at once, after remember_ms), and that
 * claims survive reopening the database.
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
#include "rdpolicy.h"

static const struct db_migration migrations[] = {
	{ 1, DAEMON_SCHEMA_1 },
	{ 2, RDPOLICY_SCHEMA RDPOLICY_GROUP_SCHEMA },
};

static int64_t clock_ms = 1000000;

static int64_t test_now(void)
{
	return clock_ms;
}

struct fixture {
	struct tmpdb tmp;
	struct db *db;
	struct rdpolicy *p;
};

static void open_policy(struct fixture *f, int64_t remember_ms)
{
	struct rdpolicy_config cfg = { .remember_ms = remember_ms, .now_ms = test_now };

	f->db = tmpdb_open(&f->tmp, migrations, 2);
	assert_int_equal(rdpolicy_new(f->db, &cfg, &f->p), 0);
}

static void close_policy(struct fixture *f)
{
	rdpolicy_free(f->p);
	db_close(f->db);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	tmpdb_make(&f->tmp, "rdpolicy", "rdd.db");
	clock_ms = 1000000;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tmpdb_remove(&f->tmp);
	free(f);
	return 0;
}

static void first_come_holds_the_name(void **state)
{
	struct fixture *f = *state;
	char who[RDPOLICY_IDENTITY_MAX];
	struct rdpolicy_stats st;

	open_policy(f, 0);
	assert_true(rdpolicy_allows(f->p, "", "n1", "psk:a"));
	assert_int_equal(rdpolicy_claim(f->p, "", "n1", "psk:a"), 0);
	assert_true(rdpolicy_holder(f->p, "", "n1", who, sizeof(who)));
	assert_string_equal(who, "psk:a");
	assert_true(rdpolicy_allows(f->p, "", "n1", "psk:a"));
	assert_false(rdpolicy_allows(f->p, "", "n1", "psk:b"));
	assert_false(rdpolicy_allows(f->p, "", "n1", ""));
	assert_false(rdpolicy_allows(f->p, "", "n1", "token:00"));
	/* sectors are separate name spaces */
	assert_true(rdpolicy_allows(f->p, "farm", "n1", "psk:b"));
	/* a re-claim by the holder changes nothing */
	assert_int_equal(rdpolicy_claim(f->p, "", "n1", "psk:a"), 0);
	assert_int_equal(rdpolicy_count(f->p), 1);
	rdpolicy_get_stats(f->p, &st);
	assert_int_equal(st.refused, 3);
	assert_int_equal(st.db_errors, 0);
	close_policy(f);
}

static void anonymous_claims_nothing(void **state)
{
	struct fixture *f = *state;
	char who[RDPOLICY_IDENTITY_MAX];

	open_policy(f, -1);
	assert_int_equal(rdpolicy_claim(f->p, "", "open", ""), 0);
	assert_false(rdpolicy_holder(f->p, "", "open", who, sizeof(who)));
	assert_string_equal(who, "");
	assert_true(rdpolicy_allows(f->p, "", "open", "psk:x"));
	assert_int_equal(rdpolicy_count(f->p), 0);
	/* a secured registrant takes it over; the anonymous one is then refused */
	assert_int_equal(rdpolicy_claim(f->p, "", "open", "psk:x"), 0);
	assert_false(rdpolicy_allows(f->p, "", "open", ""));
	close_policy(f);
}

static void released_at_once_by_default(void **state)
{
	struct fixture *f = *state;

	open_policy(f, 0);
	assert_int_equal(rdpolicy_claim(f->p, "d", "n", "psk:a"), 0);
	assert_int_equal(rdpolicy_release(f->p, "d", "n"), 0);
	assert_true(rdpolicy_allows(f->p, "d", "n", "psk:b"));
	assert_int_equal(rdpolicy_count(f->p), 0);
	close_policy(f);
}

static void remembered_for_a_while(void **state)
{
	struct fixture *f = *state;

	open_policy(f, 60000);
	assert_int_equal(rdpolicy_claim(f->p, "", "n", "psk:a"), 0);
	clock_ms += 3600000; /* a long registration: the claim holds while it lives */
	assert_false(rdpolicy_allows(f->p, "", "n", "psk:b"));
	assert_int_equal(rdpolicy_release(f->p, "", "n"), 0);
	clock_ms += 59999;
	assert_false(rdpolicy_allows(f->p, "", "n", "psk:b"));
	assert_true(rdpolicy_allows(f->p, "", "n", "psk:a"));
	clock_ms += 1;
	assert_true(rdpolicy_allows(f->p, "", "n", "psk:b"));
	/* the lapsed row goes at the next release or start */
	assert_int_equal(rdpolicy_count(f->p), 1);
	close_policy(f);
	open_policy(f, 60000);
	assert_int_equal(rdpolicy_count(f->p), 0);
	close_policy(f);
}

static void reclaim_after_release_is_active_again(void **state)
{
	struct fixture *f = *state;

	open_policy(f, 1000);
	assert_int_equal(rdpolicy_claim(f->p, "", "n", "psk:a"), 0);
	assert_int_equal(rdpolicy_release(f->p, "", "n"), 0);
	assert_int_equal(rdpolicy_claim(f->p, "", "n", "psk:a"), 0); /* registered again */
	clock_ms += 5000;
	assert_false(rdpolicy_allows(f->p, "", "n", "psk:b"));
	close_policy(f);
}

static void forever_and_across_restarts(void **state)
{
	struct fixture *f = *state;

	open_policy(f, -1);
	assert_int_equal(rdpolicy_claim(f->p, "s", "n", "token:0011"), 0);
	assert_int_equal(rdpolicy_release(f->p, "s", "n"), 0);
	close_policy(f);
	clock_ms += 10LL * 365 * 86400 * 1000;
	open_policy(f, -1);
	assert_false(rdpolicy_allows(f->p, "s", "n", "psk:b"));
	assert_true(rdpolicy_allows(f->p, "s", "n", "token:0011"));
	/* a reload to a finite time purges what is past it */
	rdpolicy_set_remember(f->p, 1000);
	assert_true(rdpolicy_allows(f->p, "s", "n", "psk:b"));
	assert_int_equal(rdpolicy_count(f->p), 0);
	close_policy(f);
}

static void operator_forgets(void **state)
{
	struct fixture *f = *state;

	open_policy(f, -1);
	assert_int_equal(rdpolicy_forget(f->p, "", "n"), -ENOENT);
	assert_int_equal(rdpolicy_claim(f->p, "", "n", "psk:a"), 0);
	assert_int_equal(rdpolicy_forget(f->p, "", "n"), 0);
	assert_true(rdpolicy_allows(f->p, "", "n", "psk:b"));
	close_policy(f);
}

/* Group names are remembered like endpoint names, in a namespace of their own. */
static void group_names_apart(void **state)
{
	struct fixture *f = *state;
	struct rdpolicy_config gc = { .remember_ms = 0,
				      .now_ms = test_now,
				      .names = RDPOLICY_GROUPS };
	struct rdpolicy *g;
	char holder[RDPOLICY_IDENTITY_MAX];

	open_policy(f, 0);
	assert_int_equal(rdpolicy_new(f->db, &gc, &g), 0);
	assert_int_equal(rdpolicy_claim(g, "farm", "lights", "psk:a"), 0);
	assert_true(rdpolicy_holder(g, "farm", "lights", holder, sizeof(holder)));
	assert_string_equal(holder, "psk:a");
	assert_false(rdpolicy_allows(g, "farm", "lights", "psk:b"));
	assert_true(rdpolicy_allows(g, "barn", "lights", "psk:b"));
	/* an endpoint of the same name is another name */
	assert_false(rdpolicy_holder(f->p, "farm", "lights", holder, sizeof(holder)));
	assert_true(rdpolicy_allows(f->p, "farm", "lights", "psk:b"));
	assert_int_equal(rdpolicy_claim(f->p, "farm", "lights", "psk:b"), 0);
	assert_int_equal(rdpolicy_count(g), 1);
	assert_int_equal(rdpolicy_count(f->p), 1);
	/* released: free at once (remember 0), and forgetting is per namespace */
	assert_int_equal(rdpolicy_release(g, "farm", "lights"), 0);
	assert_true(rdpolicy_allows(g, "farm", "lights", "psk:b"));
	assert_int_equal(rdpolicy_count(g), 0);
	assert_int_equal(rdpolicy_forget(g, "farm", "lights"), -ENOENT);
	assert_true(rdpolicy_holder(f->p, "farm", "lights", holder, sizeof(holder)));
	rdpolicy_free(g);
	close_policy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(first_come_holds_the_name, setup, teardown),
		cmocka_unit_test_setup_teardown(anonymous_claims_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(released_at_once_by_default, setup, teardown),
		cmocka_unit_test_setup_teardown(remembered_for_a_while, setup, teardown),
		cmocka_unit_test_setup_teardown(reclaim_after_release_is_active_again, setup,
						teardown),
		cmocka_unit_test_setup_teardown(forever_and_across_restarts, setup, teardown),
		cmocka_unit_test_setup_teardown(operator_forgets, setup, teardown),
		cmocka_unit_test_setup_teardown(group_names_apart, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
