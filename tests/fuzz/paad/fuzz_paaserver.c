/*
 * paad's PANA handler on arbitrary datagrams: a real paaserver (its
 * SQLite store in a temporary folder, a device "node-1", a socket on ::1
 * that its answers go out of) fed each input as datagrams, each prefixed
 * by a 2-byte length, from one PaC address or, for the odd ones, another.
 * Properties checked: nothing crashes or leaks, the session table stays
 * within max_sessions, and no session reaches the access phase (that needs
 * the key, which the input cannot compute).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/daemon.h"
#include "common/db.h"
#include "paaserver.h"
#include "paastore.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct db_migration migrations[] = {
	{ 1, DAEMON_SCHEMA_1 },
	{ 2, PAASTORE_SCHEMA },
};

static struct event_base *base;
static struct paaserver *srv;

static void noop_up(const struct paaserver_info *s, bool reauth, void *arg)
{
	abort(); /* an established session from forged input: AUTH or EAP-PSK is broken */
}

static void setup(void)
{
	static const struct paaserver_hooks hooks = { noop_up, NULL, NULL };
	static const uint8_t psk[16] = { 1 };
	char dir[] = "/tmp/fuzz-paad-XXXXXX", path[64], err[256];
	struct paaserver_config cfg = { .address = "::1",
					.port = 0,
					.server_id = "paad",
					.lifetime_s = 60,
					.max_sessions = 16,
					.irt_ms = 1000,
					.mrt_ms = 30000,
					.mrc = 2,
					.relays = "::1" };
	struct db *db;
	int fd;

	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/paad.db", dir);
	CHECK(db_open(path, migrations, 2, &db, err, sizeof(err)) == 0);
	CHECK(paastore_device_put(db, "node-1", psk) == 0);
	base = event_base_new();
	fd = paaserver_open(&cfg);
	CHECK(base && fd >= 0);
	CHECK(paaserver_new(base, db, fd, &cfg, NULL, &hooks, &srv) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct paapeer peers[2] = { 0 };
	struct paaserver_stats st;
	size_t off = 0;
	unsigned n = 0;

	if (!srv)
		setup();
	for (int i = 0; i < 2; i++) {
		peers[i].pac.sin6_family = AF_INET6;
		peers[i].pac.sin6_addr.s6_addr[15] = (uint8_t)(1 + i);
		peers[i].pac.sin6_port = htons(40000);
	}
	while (off + 2 <= size) {
		size_t len = (size_t)(data[off] << 8 | data[off + 1]);

		off += 2;
		if (len > size - off)
			len = size - off;
		paaserver_input(srv, data + off, len, &peers[n++ & 1]);
		off += len;
	}
	event_base_loop(base, EVLOOP_NONBLOCK);
	paaserver_get_stats(srv, &st);
	CHECK(st.sessions <= 16 && st.established == 0);
	return 0;
}
