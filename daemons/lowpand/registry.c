/*
 * The 6LBR's registration table (see registry.h).
 */
#define LOG_COMPONENT "nd"

#include "registry.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/log.h"
#include "lowpan/rpl.h"

#define LIFETIME_UNIT_S 60 /* (E)ARO lifetimes count minutes */

const char registry_migration[] = "CREATE TABLE nd_registration ("
				  " address BLOB PRIMARY KEY,"
				  " owner BLOB NOT NULL," /* the ROVR, or the ARO's EUI-64 */
				  " earo INTEGER NOT NULL,"
				  " tid INTEGER NOT NULL,"
				  " link BLOB NOT NULL," /* the SLLAO's address; may be empty */
				  " expires INTEGER NOT NULL);"; /* Unix time */

struct entry {
	uint8_t address[16];
	uint8_t owner[32];
	size_t owner_len;
	bool earo;
	uint8_t tid;
	uint8_t link[8];
	size_t link_len;
	uint64_t expires_ms; /* monotonic */
};

struct registry {
	struct db *db;
	struct event *expiry;
	struct entry *e;
	size_t n, max;
	struct registry_stats st;
};

static const char *ntop(const uint8_t a[16], char buf[INET6_ADDRSTRLEN])
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static struct entry *find(struct registry *g, const uint8_t address[16])
{
	for (size_t i = 0; i < g->n; i++)
		if (memcmp(g->e[i].address, address, 16) == 0)
			return &g->e[i];
	return NULL;
}

static void arm_expiry(struct registry *g)
{
	uint64_t next = UINT64_MAX, now = clock_ms(), ms;
	struct timeval tv;

	for (size_t i = 0; i < g->n; i++)
		if (g->e[i].expires_ms < next)
			next = g->e[i].expires_ms;
	if (next == UINT64_MAX) {
		evtimer_del(g->expiry);
		return;
	}
	ms = next > now ? next - now + 1 : 0;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(g->expiry, &tv);
}

static void remove_at(struct registry *g, size_t i)
{
	db_batch(g->db);
	db_exec(g->db, "DELETE FROM nd_registration WHERE address = ?", "b", g->e[i].address,
		(size_t)16);
	g->e[i] = g->e[--g->n];
}

static void on_expiry(evutil_socket_t fd, short what, void *arg)
{
	struct registry *g = arg;
	uint64_t now = clock_ms();
	char a[INET6_ADDRSTRLEN];

	for (size_t i = g->n; i-- > 0;) {
		if (g->e[i].expires_ms > now)
			continue;
		log_info("registration expired address=%s", ntop(g->e[i].address, a));
		g->st.expired++;
		remove_at(g, i);
	}
	arm_expiry(g);
}

static void store(struct registry *g, const struct entry *e, uint32_t lifetime_s)
{
	db_batch(g->db);
	db_exec(g->db,
		"INSERT INTO nd_registration (address, owner, earo, tid, link, expires) "
		"VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (address) DO UPDATE SET "
		"owner = excluded.owner, earo = excluded.earo, tid = excluded.tid, "
		"link = excluded.link, expires = excluded.expires",
		"bbiibI", e->address, (size_t)16, e->owner, e->owner_len, (int)e->earo, (int)e->tid,
		e->link, e->link_len, (int64_t)time(NULL) + lifetime_s);
}

static bool same_owner(const struct entry *e, const struct lowpan_nd_msg *ns)
{
	return e->owner_len == ns->rovr_len && memcmp(e->owner, ns->rovr, ns->rovr_len) == 0;
}

/* What an existing entry @e makes of the registration @ns; -1: go on and store it. */
static int against(struct registry *g, struct entry *e, const struct lowpan_nd_msg *ns)
{
	char a[INET6_ADDRSTRLEN];

	if (!same_owner(e, ns)) {
		g->st.duplicates++;
		log_info("duplicate address refused address=%s", ntop(e->address, a));
		return REGISTRY_DUPLICATE;
	}
	/* RFC 8505 §5.2: an older TID is a registration overtaken by a newer one */
	if (ns->earo && e->earo && ns->aro_tid != e->tid &&
	    !lowpan_rpl_seq_newer(ns->aro_tid, e->tid)) {
		g->st.moved++;
		return REGISTRY_MOVED;
	}
	if (ns->aro_lifetime == 0) {
		g->st.deregistered++;
		log_info("address deregistered address=%s", ntop(e->address, a));
		remove_at(g, (size_t)(e - g->e));
		db_commit(g->db);
		return REGISTRY_SUCCESS;
	}
	g->st.refreshed++;
	return -1;
}

uint8_t registry_register(struct registry *g, const struct lowpan_nd_msg *ns, uint64_t now_ms)
{
	const uint8_t *address = lowpan_nd_registered_address(ns);
	uint32_t lifetime_s = (uint32_t)ns->aro_lifetime * LIFETIME_UNIT_S;
	struct entry *e = find(g, address);
	char a[INET6_ADDRSTRLEN];

	if (e && e->expires_ms <= now_ms) { /* its timer has not run yet */
		remove_at(g, (size_t)(e - g->e));
		e = NULL;
	}
	if (e) {
		int rc = against(g, e, ns);

		if (rc >= 0)
			return (uint8_t)rc;
	} else if (ns->aro_lifetime == 0) {
		return REGISTRY_SUCCESS; /* nothing to deregister */
	} else if (g->n == g->max) {
		g->st.full++;
		log_warnx("registration table full address=%s max=%zu", ntop(address, a), g->max);
		return REGISTRY_FULL;
	} else {
		e = &g->e[g->n++];
		memset(e, 0, sizeof(*e));
		memcpy(e->address, address, 16);
		memcpy(e->owner, ns->rovr, ns->rovr_len);
		e->owner_len = ns->rovr_len;
		g->st.registered++;
		log_info("address registered address=%s lifetime=%us", ntop(address, a),
			 lifetime_s);
	}
	e->earo = ns->earo;
	e->tid = ns->aro_tid;
	memcpy(e->link, ns->sllao, ns->sllao_len);
	e->link_len = ns->sllao_len;
	e->expires_ms = now_ms + (uint64_t)lifetime_s * 1000;
	store(g, e, lifetime_s);
	db_commit(g->db); /* what the NA confirms is on disk first */
	arm_expiry(g);
	return REGISTRY_SUCCESS;
}

static void load(struct registry *g)
{
	sqlite3_stmt *st = db_stmt(g->db, "SELECT address, owner, earo, tid, link, expires "
					  "FROM nd_registration");
	int64_t now = (int64_t)time(NULL);
	uint64_t mono = clock_ms();

	while (st && sqlite3_step(st) == SQLITE_ROW && g->n < g->max) {
		int64_t left = sqlite3_column_int64(st, 5) - now;
		size_t olen = (size_t)sqlite3_column_bytes(st, 1);
		size_t llen = (size_t)sqlite3_column_bytes(st, 4);
		struct entry *e = &g->e[g->n];

		if (left <= 0 || sqlite3_column_bytes(st, 0) != 16 || olen == 0 || olen > 32 ||
		    llen > 8)
			continue;
		memset(e, 0, sizeof(*e));
		memcpy(e->address, sqlite3_column_blob(st, 0), 16);
		memcpy(e->owner, sqlite3_column_blob(st, 1), olen);
		e->owner_len = olen;
		e->earo = sqlite3_column_int(st, 2) != 0;
		e->tid = (uint8_t)sqlite3_column_int(st, 3);
		if (llen)
			memcpy(e->link, sqlite3_column_blob(st, 4), llen);
		e->link_len = llen;
		e->expires_ms = mono + (uint64_t)left * 1000;
		g->n++;
	}
	if (st)
		sqlite3_reset(st);
	db_exec(g->db, "DELETE FROM nd_registration WHERE expires <= ?", "I", now);
	if (g->n)
		log_info("restored registrations=%zu from the database", g->n);
}

struct registry *registry_new(struct event_base *base, struct db *db, size_t max)
{
	struct registry *g = calloc(1, sizeof(*g));

	if (!g)
		abort();
	g->db = db;
	g->max = max;
	g->e = calloc(max, sizeof(*g->e));
	g->expiry = evtimer_new(base, on_expiry, g);
	if (!g->e || !g->expiry)
		abort();
	load(g);
	arm_expiry(g);
	return g;
}

void registry_free(struct registry *g)
{
	if (!g)
		return;
	event_free(g->expiry);
	free(g->e);
	free(g);
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	out[2 * n] = '\0';
}

static int by_address(const void *x, const void *y)
{
	return memcmp(((const struct entry *)x)->address, ((const struct entry *)y)->address, 16);
}

json_t *registry_json(const struct registry *g, uint64_t now_ms)
{
	json_t *out = json_array();
	struct entry *sorted = malloc((g->n ? g->n : 1) * sizeof(*sorted));
	char a[INET6_ADDRSTRLEN], owner[65], link[17];

	if (!sorted)
		abort();
	memcpy(sorted, g->e, g->n * sizeof(*sorted));
	qsort(sorted, g->n, sizeof(*sorted), by_address);
	for (size_t i = 0; i < g->n; i++) {
		const struct entry *e = &sorted[i];

		if (e->expires_ms <= now_ms)
			continue;
		hex(e->owner, e->owner_len, owner);
		hex(e->link, e->link_len, link);
		json_array_append_new(
			out,
			json_pack("{s:s, s:s, s:s, s:o, s:s, s:I}", "address", ntop(e->address, a),
				  "owner", owner, "kind", e->earo ? "earo" : "aro", "tid",
				  e->earo ? json_integer(e->tid) : json_null(), "link", link,
				  "lifetime_s", (json_int_t)((e->expires_ms - now_ms) / 1000)));
	}
	free(sorted);
	return out;
}

size_t registry_count(const struct registry *g)
{
	return g->n;
}

void registry_get_stats(const struct registry *g, struct registry_stats *out)
{
	*out = g->st;
}
