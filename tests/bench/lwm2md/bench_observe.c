/*
 * lwm2md's observation side at fleet size, with the daemon's own modules
 * (clients.c, observe.c, send.c) on a real SQLite database and a real
 * control socket (events are serialised as for a subscriber):
 *   - the restart: N registrations and 2N observations loaded from
 *     lwm2md.db, as lwm2md does before it serves;
 *   - the memory of the loaded tables (process RSS growth) per client;
 *   - notifications ingested per second: matched by token, decoded by
 *     lib/lwm2m (text and SenML JSON), stored as last known values
 *     (committed every 64, as the daemon commits once per loop
 *     iteration), published as observe.notify events;
 *   - Sends (SenML CBOR, two values) per second, the same way.
 * What this leaves out: libcoap's cost per datagram and per client (its
 * /rd/{location} resource), which `lwm2md_load` measures over the network.
 *
 * Usage: bench_observe [CLIENTS [NOTIFICATIONS]]   (defaults 100000, 200000)
 * Prints figures; never fails on time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "benchutil.h"
#include "clients.h"
#include "common/db.h"
#include "common/ipc_server.h"
#include "observe.h"
#include "schema.h"
#include "send.h"

static void token_of(long n, uint8_t t[OBSERVE_TOKEN_LEN])
{
	memcpy(t, "bnch", 4);
	t[4] = (uint8_t)(n >> 24);
	t[5] = (uint8_t)(n >> 16);
	t[6] = (uint8_t)(n >> 8);
	t[7] = (uint8_t)n;
}

/* N clients and 2N observations (/3/0/9 and /3303/0/5700 of each), as rows. */
static void fill(struct db *db, long n)
{
	char ep[32], loc[CLIENTS_LOCATION_LEN + 1];
	uint8_t tok[OBSERVE_TOKEN_LEN];

	db_exec_script(db, "BEGIN");
	for (long i = 0; i < n; i++) {
		snprintf(ep, sizeof(ep), "urn:dev:%08ld", i);
		snprintf(loc, sizeof(loc), "%020ld", i);
		db_exec(db,
			"INSERT INTO clients (ep, location, lwm2m, binding, queue, sms, lifetime, "
			"root, links, address, port, transport, registered, updated, expires) "
			"VALUES (?, ?, '1.1', 'U', 0, NULL, 86400, '/', "
			"'</1/0>,</3/0>,</3303/0>', ?, ?, 'udp', 0, 0, 4102444800000)",
			"tttI", ep, loc, "2001:db8::1", (int64_t)(1024 + i % 60000));
		for (int k = 0; k < 2; k++) {
			token_of(2 * i + k, tok);
			db_exec(db,
				"INSERT INTO observations (token, ep, path, accept, created) "
				"VALUES (?, ?, ?, -1, 0)",
				"btt", tok, sizeof(tok), ep, k ? "/3303/0/5700" : "/3/0/9");
		}
	}
	db_exec_script(db, "COMMIT");
}

static double ingest(struct observe *ob, struct db *db, long clients, long count, bool senml)
{
	struct observe_msg m = { .token_len = OBSERVE_TOKEN_LEN,
				 .code = (2 << 5) | 5,
				 .has_observe = true,
				 .has_format = true };
	uint8_t tok[OBSERVE_TOKEN_LEN];
	char payload[128];
	double t0 = bench_now_s();
	long bad = 0;

	m.token = tok;
	for (long i = 0; i < count; i++) {
		long o = (i * 7919) % (2 * clients); /* spread over the table */

		token_of(o, tok);
		m.seq = (uint32_t)i;
		m.confirmable = i & 1;
		if (senml) {
			m.format = 110;
			m.len = (size_t)snprintf(payload, sizeof(payload),
						 o & 1 ? "[{\"n\":\"/3303/0/5700\",\"v\":%ld.5}]"
						       : "[{\"n\":\"/3/0/9\",\"v\":%ld}]",
						 i % 100);
		} else {
			m.format = 0;
			m.len = (size_t)snprintf(payload, sizeof(payload), o & 1 ? "%ld.5" : "%ld",
						 i % 100);
		}
		m.payload = (const uint8_t *)payload;
		if (observe_notification(ob, NULL, &m) != OBSERVE_ACCEPTED)
			bad++;
		if (i % 64 == 63)
			db_commit(db);
	}
	db_commit(db);
	if (bad)
		printf("  (%ld notifications not accepted)\n", bad);
	return count / (bench_now_s() - t0);
}

static double sends(struct send *sd, struct db *db, long clients, long count)
{
	/* SenML CBOR [{-2:"/3303/0/", 0:"5700", 2:21.5}, {0:"5701", 3:"Cel"}] */
	static const uint8_t body[] = { 0x82, 0xa3, 0x21, 0x68, '/',  '3',  '3',  '0', '3',
					'/',  '0',  '/',  0x00, 0x64, '5',  '7',  '0', '0',
					0x02, 0xf9, 0x4d, 0x60, 0xa2, 0x00, 0x64, '5', '7',
					'0',  '1',  0x03, 0x63, 'C',  'e',  'l' };
	char ep[32], why[200];
	double t0 = bench_now_s();
	long bad = 0;

	for (long i = 0; i < count; i++) {
		snprintf(ep, sizeof(ep), "urn:dev:%08ld", (i * 7919) % clients);
		if (send_handle(sd, ep, "-", true, 112, body, sizeof(body), why, sizeof(why)) !=
		    ((2u << 5) | 4))
			bad++;
		if (i % 64 == 63)
			db_commit(db);
	}
	db_commit(db);
	if (bad)
		printf("  (%ld Sends refused: %s)\n", bad, why);
	return count / (bench_now_s() - t0);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000, count = argc > 2 ? atol(argv[2]) : 200000;
	char dir[] = "/tmp/bench-observe-XXXXXX", path[128], sock[128], why[256];
	struct event_base *base = event_base_new();
	struct db *db;
	struct clients *cs;
	struct observe *ob;
	struct send *sd;
	struct ipc_server *ipc;
	long rss0, rss_c, rss1;
	double t0, t1, t2;
	int loaded;

	if (!base || !mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/lwm2md.db", dir);
	snprintf(sock, sizeof(sock), "%s/lwm2md.sock", dir);
	/* the daemon's own migrations, so the database is the daemon's */
	if (db_open(path, schema_migrations, SCHEMA_MIGRATION_COUNT, &db, why, sizeof(why)) < 0) {
		fprintf(stderr, "%s\n", why);
		return 1;
	}
	printf("bench_observe: %ld clients, %ld observations\n", n, 2 * n);
	fill(db, n);
	db_close(db);
	/* a restart: a fresh open, the tables read as lwm2md reads them */
	rss0 = bench_rss_kib(getpid());
	t0 = bench_now_s();
	/* the daemon's own migrations, so the database is the daemon's */
	if (db_open(path, schema_migrations, SCHEMA_MIGRATION_COUNT, &db, why, sizeof(why)) < 0)
		return 1;
	cs = clients_new(base, db, NULL);
	clients_set_max(cs, (unsigned)n);
	loaded = clients_load(cs);
	t1 = bench_now_s();
	rss_c = bench_rss_kib(getpid());
	ipc = ipc_server_new(base, sock, (gid_t)-1);
	ob = observe_new(&(struct observe_config){
		.db = db, .ipc = ipc, .clients = cs, .max = (unsigned)(2 * n) });
	t2 = bench_now_s();
	rss1 = bench_rss_kib(getpid());
	printf("restart: %d registrations in %.2f s, %ld observations in %.2f s: "
	       "%.2f s in all (goal < 2 s)\n",
	       loaded, t1 - t0, 2 * n, t2 - t1, t2 - t0);
	printf("memory: %.0f MiB for the tables: %.0f bytes per client, %.0f per observation "
	       "(the observations' with their 16 MiB page cache)\n",
	       (rss1 - rss0) / 1024.0, (rss_c - rss0) * 1024.0 / n,
	       (rss1 - rss_c) * 1024.0 / (2 * n));
	printf("notifications, text: %.0f/s (goal 20,000/s)\n", ingest(ob, db, n, count, false));
	printf("notifications, SenML JSON: %.0f/s (goal 20,000/s)\n",
	       ingest(ob, db, n, count, true));
	sd = send_new(&(struct send_config){ .enabled = true, .observe = ob, .ipc = ipc });
	printf("Sends, SenML CBOR with 2 values: %.0f/s\n", sends(sd, db, n, count / 2));
	send_free(sd);
	observe_free(ob);
	ipc_server_free(ipc);
	clients_free(cs);
	db_close(db);
	event_base_free(base);
	snprintf(why, sizeof(why), "rm -rf %s", dir);
	return system(why) == 0 ? 0 : 1;
}
