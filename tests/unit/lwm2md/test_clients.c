/*
 * clients: lwm2md's registration table against a real SQLite file and a
 * real libevent loop — register, replace, update, remove, lifetime expiry
 * (live and while "down"), reload after a restart, the size bound.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cmocka.h>

#include "../tmpdb.h"

#include "clients.h"
#include "common/daemon.h"
#include "schema.h"

struct fixture {
	struct tmpdb tmp;
	struct event_base *base;
	struct db *db;
	struct clients *cs;
	int added, removed[4];
	struct sockaddr_in6 peer;
};

static void on_added(void *ctx, struct client *c)
{
	((struct fixture *)ctx)->added++;
}

static void on_removed(void *ctx, struct client *c, enum clients_reason why)
{
	((struct fixture *)ctx)->removed[why]++;
}

static void open_table(struct fixture *f)
{
	struct clients_hooks hooks = { on_added, on_removed, f };

	f->db = tmpdb_open(&f->tmp, schema_migrations, SCHEMA_MIGRATION_COUNT);
	f->cs = clients_new(f->base, f->db, &hooks);
}

static void close_table(struct fixture *f)
{
	clients_free(f->cs);
	db_close(f->db);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	tmpdb_make(&f->tmp, "clients", "lwm2md.db");
	f->base = event_base_new();
	f->peer.sin6_family = AF_INET6;
	f->peer.sin6_port = htons(5683);
	inet_pton(AF_INET6, "2001:db8::1", &f->peer.sin6_addr);
	open_table(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	close_table(f);
	event_base_free(f->base);
	tmpdb_remove(&f->tmp);
	free(f);
	return 0;
}

static struct regreq_query query(const char *ep, uint32_t lt)
{
	struct regreq_query q = { .present = REGREQ_HAS_EP | REGREQ_HAS_LT, .lifetime = lt };

	snprintf(q.ep, sizeof(q.ep), "%s", ep);
	strcpy(q.version, "1.1");
	strcpy(q.binding, "U");
	return q;
}

static struct client *reg(struct fixture *f, const char *ep, uint32_t lt, const char *links)
{
	struct regreq_query q = query(ep, lt);
	struct client *c = NULL;

	assert_int_equal(clients_register(f->cs, &q, links, strlen(links), "/",
					  (struct sockaddr *)&f->peer, sizeof(f->peer), "udp", &c),
			 0);
	return c;
}

static int rows(struct fixture *f)
{
	sqlite3_stmt *st = db_stmt(f->db, "SELECT count(*) FROM clients");
	int n;

	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n;
}

static void run_loop(struct fixture *f, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(f->base, &tv);
	event_base_dispatch(f->base);
}

static void test_register_find_replace(void **state)
{
	struct fixture *f = *state;
	struct client *a = reg(f, "dev-a", 300, "</1/0>"), *a2;
	char loc[CLIENTS_LOCATION_LEN + 1], addr[64];

	assert_int_equal(strlen(a->location), CLIENTS_LOCATION_LEN);
	assert_int_equal(strspn(a->location, "0123456789abcdef"), CLIENTS_LOCATION_LEN);
	assert_ptr_equal(clients_find_ep(f->cs, "dev-a"), a);
	assert_ptr_equal(clients_find_location(f->cs, a->location, CLIENTS_LOCATION_LEN), a);
	assert_null(clients_find_location(f->cs, a->location, 5));
	clients_format_address(a, addr, sizeof(addr));
	assert_string_equal(addr, "[2001:db8::1]:5683");
	assert_int_equal(rows(f), 1);
	memcpy(loc, a->location, sizeof(loc));

	a2 = reg(f, "dev-a", 60, "</1/0>,</3/0>");
	assert_int_equal(f->removed[CLIENTS_REPLACED], 1);
	assert_int_equal(f->added, 2);
	assert_string_not_equal(a2->location, loc);
	assert_null(clients_find_location(f->cs, loc, CLIENTS_LOCATION_LEN));
	assert_ptr_equal(clients_find_ep(f->cs, "dev-a"), a2);
	assert_int_equal(rows(f), 1);
}

static void test_many_clients_grow_the_tables(void **state)
{
	struct fixture *f = *state;
	struct clients_stats st;
	char ep[32];
	int n = 0;

	for (int i = 0; i < 3000; i++) {
		snprintf(ep, sizeof(ep), "ep-%d", i);
		reg(f, ep, 300, "</1/0>");
	}
	for (int i = 0; i < 3000; i += 97) {
		snprintf(ep, sizeof(ep), "ep-%d", i);
		struct client *c = clients_find_ep(f->cs, ep);

		assert_non_null(c);
		assert_ptr_equal(clients_find_location(f->cs, c->location, CLIENTS_LOCATION_LEN),
				 c);
	}
	for (struct client *c = clients_first(f->cs); c; c = clients_next(c))
		n++;
	assert_int_equal(n, 3000);
	clients_get_stats(f->cs, &st);
	assert_int_equal(st.count, 3000);
	assert_int_equal(rows(f), 3000);
}

static void test_update_persists_and_reloads(void **state)
{
	struct fixture *f = *state;
	struct client *c = reg(f, "dev-u", 300, "</1/0>");
	struct regreq_query q = { .present = REGREQ_HAS_LT | REGREQ_HAS_B | REGREQ_HAS_SMS,
				  .lifetime = 900 };
	struct sockaddr_in moved = { .sin_family = AF_INET, .sin_port = htons(40000) };
	char loc[CLIENTS_LOCATION_LEN + 1], addr[64];
	json_t *j;

	strcpy(q.binding, "UQ");
	q.queue = true;
	strcpy(q.sms, "+4412345");
	inet_pton(AF_INET, "192.0.2.7", &moved.sin_addr);
	assert_int_equal(clients_update(f->cs, c, &q, "</1/0>,</3303>;ver=1.1", 22, "/",
					(struct sockaddr *)&moved, sizeof(moved)),
			 0);
	memcpy(loc, c->location, sizeof(loc));

	close_table(f);
	f->added = 0;
	open_table(f);
	assert_int_equal(clients_load(f->cs), 1);
	assert_int_equal(f->added, 1);
	c = clients_find_ep(f->cs, "dev-u");
	assert_non_null(c);
	assert_string_equal(c->location, loc);
	assert_int_equal(c->lifetime, 900);
	assert_string_equal(c->binding, "UQ");
	assert_true(c->queue);
	assert_string_equal(c->sms, "+4412345");
	assert_string_equal(c->links, "</1/0>,</3303>;ver=1.1");
	clients_format_address(c, addr, sizeof(addr));
	assert_string_equal(addr, "192.0.2.7:40000");
	j = clients_json(c, true);
	assert_string_equal(json_string_value(json_array_get(json_object_get(j, "objects"), 1)),
			    "/3303 (1.1)");
	assert_true(json_integer_value(json_object_get(j, "lifetime_left")) > 890);
	json_decref(j);
}

static void test_remove(void **state)
{
	struct fixture *f = *state;
	struct client *c = reg(f, "dev-r", 300, "</1/0>");

	assert_int_equal(clients_remove(f->cs, c, CLIENTS_DEREGISTERED), 0);
	assert_int_equal(f->removed[CLIENTS_DEREGISTERED], 1);
	assert_null(clients_find_ep(f->cs, "dev-r"));
	assert_int_equal(rows(f), 0);
}

static void test_expiry_live_and_while_down(void **state)
{
	struct fixture *f = *state;
	struct clients_stats st;

	reg(f, "short", 1, "</1/0>");
	reg(f, "long", 600, "</1/0>");
	run_loop(f, 1300);
	assert_int_equal(f->removed[CLIENTS_EXPIRED], 1);
	assert_null(clients_find_ep(f->cs, "short"));
	assert_non_null(clients_find_ep(f->cs, "long"));
	assert_int_equal(rows(f), 1);

	/* a lifetime that ended while nobody ran: expired by the first loop round */
	assert_int_equal(db_exec(f->db, "UPDATE clients SET expires = 1 WHERE ep = 'long'", ""), 1);
	close_table(f);
	open_table(f);
	assert_int_equal(clients_load(f->cs), 1);
	run_loop(f, 50);
	assert_int_equal(f->removed[CLIENTS_EXPIRED], 2);
	clients_get_stats(f->cs, &st);
	assert_int_equal(st.count, 0);
	assert_int_equal(st.expired, 1);
	assert_int_equal(rows(f), 0);
}

static void test_bound(void **state)
{
	struct fixture *f = *state;
	struct regreq_query q = query("third", 60);
	struct client *c;

	clients_set_max(f->cs, 2);
	reg(f, "one", 60, "</1/0>");
	reg(f, "two", 60, "</1/0>");
	assert_int_equal(clients_register(f->cs, &q, "</1/0>", 6, "/", (struct sockaddr *)&f->peer,
					  sizeof(f->peer), "udp", &c),
			 -ENOSPC);
	/* replacing an endpoint is not growing */
	reg(f, "two", 90, "</1/0>");
	assert_int_equal(rows(f), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_find_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_clients_grow_the_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_persists_and_reloads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expiry_live_and_while_down, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bound, setup, teardown),
	};

	return cmocka_run_group_tests_name("clients", tests, NULL, NULL);
}
