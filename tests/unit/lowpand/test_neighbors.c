/*
 * lowpand's neighbour table: bounded, most recent first, and telling its
 * owner (who publishes neighbor.added for the web console) of a link
 * address it did not hold, once, not at every frame.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "neighbors.h"

struct told {
	unsigned n;
	char address[32], link_local[48];
};

static void on_added(void *arg, const char *address, const char *link_local)
{
	struct told *t = arg;

	t->n++;
	snprintf(t->address, sizeof(t->address), "%s", address);
	snprintf(t->link_local, sizeof(t->link_local), "%s", link_local);
}

static struct lowpan_lladdr ext(uint64_t v)
{
	struct lowpan_lladdr ll;

	lowpan_lladdr_set_ext(&ll, v);
	return ll;
}

static void test_added_once_per_new_address(void **st)
{
	struct told t = { 0 };
	struct neighbors *n = neighbors_new(4, on_added, &t);
	struct lowpan_lladdr b = ext(0x020000000000000bull), s;

	neighbors_heard(n, &b, 1000);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.address, "02:00:00:00:00:00:00:0b");
	assert_string_equal(t.link_local, "fe80::b");
	for (int i = 0; i < 5; i++)
		neighbors_heard(n, &b, 2000 + (uint64_t)i);
	assert_int_equal(t.n, 1); /* frames from a known neighbour are no event */
	lowpan_lladdr_set_short(&s, 0x1234);
	neighbors_heard(n, &s, 3000);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.address, "0x1234");
	assert_int_equal(neighbors_count(n), 2);
	neighbors_free(n);
	(void)st;
}

static void test_bounded_and_evicted_one_comes_back_as_new(void **st)
{
	struct told t = { 0 };
	struct neighbors *n = neighbors_new(2, on_added, &t);
	struct lowpan_lladdr a = ext(0xa), b = ext(0xb), c = ext(0xc);

	neighbors_heard(n, &a, 1000);
	neighbors_heard(n, &b, 2000);
	neighbors_heard(n, &c, 3000); /* full: a, heard least recently, makes room */
	assert_int_equal(neighbors_count(n), 2);
	assert_int_equal(t.n, 3);
	neighbors_heard(n, &a, 4000);
	assert_int_equal(t.n, 4);
	json_t *j = neighbors_json(n, 5000);
	assert_int_equal(json_array_size(j), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "link_local")),
			    "fe80::200:0:0:a"); /* the U/L bit flipped (RFC 4944 §6) */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 0), "frames")), 1);
	json_decref(j);
	neighbors_free(n);
	(void)st;
}

/* ETX: the first frame's transmissions, then an average weighted 1/8 toward each new one */
static void test_etx(void **st)
{
	struct neighbors *n = neighbors_new(4, NULL, NULL);
	struct lowpan_lladdr b = ext(0xb), never = ext(0xe);

	neighbors_heard(n, &b, 1000);
	json_t *j = neighbors_json(n, 1000);
	assert_true(json_is_null(json_object_get(json_array_get(j, 0), "etx")));
	json_decref(j);
	neighbors_sent(n, &b, 1, true);
	neighbors_sent(n, &b, 3, true);     /* 1 + (3 - 1) / 8 = 1.25 */
	neighbors_sent(n, &b, 4, false);    /* never acknowledged: 1.25 + (12 - 1.25) / 8 */
	neighbors_sent(n, &never, 1, true); /* not heard: not in the table */
	j = neighbors_json(n, 2000);
	assert_int_equal(json_array_size(j), 1);
	json_t *e = json_array_get(j, 0);
	assert_int_equal(json_integer_value(json_object_get(e, "tx_frames")), 3);
	assert_int_equal(json_integer_value(json_object_get(e, "tx_acked")), 2);
	assert_float_equal(json_real_value(json_object_get(e, "etx")), 2.59, 0.001);
	json_decref(j);
	/* a neighbour that made room and comes back starts again */
	struct lowpan_lladdr others[4] = { ext(1), ext(2), ext(3), ext(4) };
	for (int i = 0; i < 4; i++)
		neighbors_heard(n, &others[i], 3000 + (uint64_t)i);
	neighbors_heard(n, &b, 4000);
	j = neighbors_json(n, 4000);
	assert_true(json_is_null(json_object_get(json_array_get(j, 0), "etx")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 0), "tx_frames")), 0);
	json_decref(j);
	neighbors_free(n);
	(void)st;
}

static void test_no_callback(void **st)
{
	struct neighbors *n = neighbors_new(1, NULL, NULL);
	struct lowpan_lladdr a = ext(0xa);

	neighbors_heard(n, &a, 1);
	assert_int_equal(neighbors_count(n), 1);
	neighbors_free(n);
	neighbors_free(NULL);
	(void)st;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_added_once_per_new_address),
		cmocka_unit_test(test_bounded_and_evicted_one_comes_back_as_new),
		cmocka_unit_test(test_etx),
		cmocka_unit_test(test_no_callback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
