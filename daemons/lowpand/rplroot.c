#define LOG_COMPONENT "rpl"
#include "rplroot.h"
#include "common/clock.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

#define ROOT_RANK         256  /* MinHopRankIncrease: the root's rank (RFC 6550 §8.2.2.2) */
#define MAX_RANK_INCREASE 1792 /* 7 hops' worth, Contiki-NG's default */
#define DAO_ACK_REFUSED   128  /* "unable to accept": would form a loop */
#define MAX_DEPTH         32

const char rplroot_migration[] = "CREATE TABLE rpl_route ("
				 " target BLOB PRIMARY KEY,"
				 " parent BLOB NOT NULL,"
				 " expires INTEGER NOT NULL," /* Unix time */
				 " path_sequence INTEGER NOT NULL);";

static const uint8_t all_rpl_nodes[16] = { 0xff, 0x02, [15] = 0x1a };

struct route {
	uint8_t target[16], parent[16];
	uint64_t expires_ms; /* monotonic */
	uint8_t seq;
};

struct rplroot {
	struct event_base *base;
	struct rplroot_cfg cfg;
	struct db *db;
	rplroot_send_fn send;
	void *arg;
	struct route *routes;
	size_t n, cap;
	struct event *trickle, *expiry;
	uint32_t interval_ms;
	uint32_t fire_at_ms; /* offset of the DIO within the interval */
	bool fired;
	unsigned heard; /* consistent DIOs heard this interval (trickle's c) */
	uint8_t version, dtsn;
	struct rplroot_stats st;
};

static const char *ntop(const uint8_t a[16], char buf[INET6_ADDRSTRLEN])
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static bool is_root(const struct rplroot *r, const uint8_t a[16])
{
	return memcmp(a, r->cfg.dodagid, 16) == 0 || memcmp(a, r->cfg.link_local, 16) == 0;
}

static struct route *find(const struct rplroot *r, const uint8_t target[16])
{
	uint64_t now = clock_ms();

	for (size_t i = 0; i < r->n; i++)
		if (memcmp(r->routes[i].target, target, 16) == 0)
			return r->routes[i].expires_ms > now ? &r->routes[i] : NULL;
	return NULL;
}

static void arm(struct event *ev, uint64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

/* ---- trickle (RFC 6206) ------------------------------------------------ */

static uint32_t imin(const struct rplroot *r)
{
	return 1u << r->cfg.dio_interval_min;
}

static uint32_t imax(const struct rplroot *r)
{
	uint64_t v = (uint64_t)imin(r) << r->cfg.dio_interval_doublings;

	return v > 0x7fffffff ? 0x7fffffff : (uint32_t)v;
}

static void start_interval(struct rplroot *r)
{
	uint32_t half = r->interval_ms / 2;

	r->heard = 0;
	r->fired = false;
	r->fire_at_ms = half + arc4random_uniform(half ? half : 1);
	arm(r->trickle, r->fire_at_ms);
}

static void send_dio(struct rplroot *r, const uint8_t dst[16])
{
	struct lowpan_rpl_msg m = {
		.code = LOWPAN_RPL_DIO,
		.instance = r->cfg.instance,
		.version = r->version,
		.rank = ROOT_RANK,
		.grounded = true,
		.mop = r->cfg.storing ? 2 : 1,
		.dtsn = r->dtsn,
		.has_dodagid = true,
		.has_config = true,
		.config = { .dio_int_doublings = r->cfg.dio_interval_doublings,
			    .dio_int_min = r->cfg.dio_interval_min,
			    .dio_redundancy = r->cfg.dio_redundancy,
			    .max_rank_increase = MAX_RANK_INCREASE,
			    .min_hop_rank_increase = ROOT_RANK,
			    .ocp = r->cfg.ocp,
			    .default_lifetime = r->cfg.default_lifetime,
			    .lifetime_unit = r->cfg.lifetime_unit },
		.has_prefix = true,
		.prefix = { .len = r->cfg.prefix_len,
			    .flags = 0x40, /* A: autonomous address configuration */
			    .valid_lifetime = 0xffffffff,
			    .preferred_lifetime = 0xffffffff },
	};
	uint8_t pkt[256];
	int n;

	memcpy(m.dodagid, r->cfg.dodagid, 16);
	memcpy(m.prefix.prefix, r->cfg.prefix, 16);
	n = lowpan_rpl_build(&m, r->cfg.link_local, dst, pkt, sizeof(pkt));
	if (n > 0) {
		r->st.dio_sent++;
		r->send(r->arg, pkt, (size_t)n);
	}
}

static void on_trickle(evutil_socket_t fd, short what, void *arg)
{
	struct rplroot *r = arg;

	if (!r->fired) {
		r->fired = true;
		if (r->cfg.dio_redundancy == 0 || r->heard < r->cfg.dio_redundancy)
			send_dio(r, all_rpl_nodes);
		arm(r->trickle, r->interval_ms - r->fire_at_ms);
		return;
	}
	r->interval_ms = r->interval_ms > imax(r) / 2 ? imax(r) : r->interval_ms * 2;
	start_interval(r);
}

static void trickle_reset(struct rplroot *r)
{
	if (r->interval_ms == imin(r) && !r->fired)
		return; /* already at the shortest interval */
	r->interval_ms = imin(r);
	start_interval(r);
}

/* ---- routes --------------------------------------------------------------- */

static void arm_expiry(struct rplroot *r)
{
	uint64_t next = UINT64_MAX, now = clock_ms();

	for (size_t i = 0; i < r->n; i++)
		if (r->routes[i].expires_ms < next)
			next = r->routes[i].expires_ms;
	if (next == UINT64_MAX)
		evtimer_del(r->expiry);
	else
		arm(r->expiry, next > now ? next - now + 1 : 0);
}

static void tell(struct rplroot *r, enum rplroot_change what, const struct route *rt,
		 uint32_t lifetime_s)
{
	if (r->cfg.changed)
		r->cfg.changed(r->arg, what, rt->target, rt->parent, lifetime_s);
}

static void remove_at(struct rplroot *r, size_t i, enum rplroot_change why)
{
	struct route gone = r->routes[i];

	db_batch(r->db);
	db_exec(r->db, "DELETE FROM rpl_route WHERE target = ?", "b", r->routes[i].target,
		(size_t)16);
	r->routes[i] = r->routes[--r->n];
	tell(r, why, &gone, 0);
}

static void on_expiry(evutil_socket_t fd, short what, void *arg)
{
	struct rplroot *r = arg;
	uint64_t now = clock_ms();
	char a[INET6_ADDRSTRLEN];

	for (size_t i = r->n; i-- > 0;) {
		if (r->routes[i].expires_ms > now)
			continue;
		log_info("route expired target=%s", ntop(r->routes[i].target, a));
		r->st.expired++;
		remove_at(r, i, RPLROOT_EXPIRED);
	}
	arm_expiry(r);
}

/* Would @target with parent @parent close a loop in the tree? */
static bool forms_loop(const struct rplroot *r, const uint8_t target[16], const uint8_t parent[16])
{
	const uint8_t *p = parent;

	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		const struct route *up;

		if (memcmp(p, target, 16) == 0)
			return true;
		if (is_root(r, p))
			return false;
		up = find(r, p);
		if (!up)
			return false; /* the parent's own DAO has not come yet */
		p = up->parent;
	}
	return true;
}

static void store(struct rplroot *r, const struct route *rt, uint32_t lifetime_s)
{
	db_batch(r->db);
	db_exec(r->db,
		"INSERT INTO rpl_route (target, parent, expires, path_sequence) VALUES (?, ?, ?, "
		"?) "
		"ON CONFLICT (target) DO UPDATE SET parent = excluded.parent, "
		"expires = excluded.expires, path_sequence = excluded.path_sequence",
		"bbIi", rt->target, (size_t)16, rt->parent, (size_t)16,
		(int64_t)time(NULL) + lifetime_s, (int)rt->seq);
}

/*
 * The parent of target @t, a DAO from @src, into @parent; false when it
 * cannot be known.  Non-storing DAOs name it (RFC 6550 §9.7); RIOT names
 * none and sends its DAOs to its parent's link-local address, even in
 * non-storing mode: a DAO from a link-local source came one hop, so the
 * sender's own target hangs off the root and a target it passes on (its
 * children's, storing style) off the sender, whose address in the prefix
 * has the IID of its link-local one (RFC 4944 §6: both from its EUI-64).
 */
static bool parent_of(const struct rplroot *r, const struct lowpan_rpl_target *t,
		      const uint8_t src[16], uint8_t parent[16])
{
	if (t->has_parent) {
		memcpy(parent, t->parent, 16);
		return true;
	}
	if (src[0] != 0xfe || (src[1] & 0xc0) != 0x80)
		return false;
	if (memcmp(t->prefix + 8, src + 8, 8) == 0) {
		memcpy(parent, r->cfg.dodagid, 16);
		return true;
	}
	memcpy(parent, r->cfg.dodagid, 8);
	memcpy(parent + 8, src + 8, 8);
	return true;
}

/* Apply one target of a DAO from @src; returns false when it was refused. */
static bool apply_target(struct rplroot *r, const struct lowpan_rpl_target *t,
			 const uint8_t src[16])
{
	struct route *rt = find(r, t->prefix);
	uint32_t lifetime_s = (uint32_t)t->path_lifetime * r->cfg.lifetime_unit;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	uint8_t parent[16];

	/* a host route with its lifetime, or nothing this root can install:
	 * refused rather than acknowledged for a route that is not there */
	if (t->prefix_len != 128 || !t->has_transit || !parent_of(r, t, src, parent)) {
		r->st.unroutable++;
		log_info("DAO target refused, no parent to route it through target=%s",
			 ntop(t->prefix, a));
		return false;
	}
	if (rt && rt->seq != t->path_sequence && !lowpan_rpl_seq_newer(t->path_sequence, rt->seq)) {
		r->st.stale_sequence++;
		return true;
	}
	if (t->path_lifetime == 0) {
		r->st.no_path++;
		if (rt) {
			log_info("no-path DAO target=%s", ntop(t->prefix, a));
			remove_at(r, (size_t)(rt - r->routes), RPLROOT_NO_PATH);
		}
		return true;
	}
	if (forms_loop(r, t->prefix, parent)) {
		r->st.loops_refused++;
		log_warnx("DAO refused, it would form a loop target=%s parent=%s",
			  ntop(t->prefix, a), ntop(parent, b));
		return false;
	}
	bool added = !rt, moved = rt && memcmp(rt->parent, parent, 16) != 0;

	if (!rt) {
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 16;
			r->routes = realloc(r->routes, r->cap * sizeof(*r->routes));
			if (!r->routes)
				abort();
		}
		rt = &r->routes[r->n++];
		memcpy(rt->target, t->prefix, 16);
		log_info("node joined target=%s parent=%s lifetime=%us", ntop(t->prefix, a),
			 ntop(parent, b), lifetime_s);
	}
	memcpy(rt->parent, parent, 16);
	rt->seq = t->path_sequence;
	rt->expires_ms = clock_ms() + (uint64_t)lifetime_s * 1000;
	store(r, rt, lifetime_s);
	if (added || moved) /* a refresh changes nothing worth telling */
		tell(r, added ? RPLROOT_ADDED : RPLROOT_MOVED, rt, lifetime_s);
	return true;
}

static void on_dao(struct rplroot *r, const uint8_t *pkt, const struct lowpan_rpl_msg *m)
{
	bool refused = false;

	r->st.dao_received++;
	if (m->instance != r->cfg.instance ||
	    (m->has_dodagid && memcmp(m->dodagid, r->cfg.dodagid, 16) != 0))
		return;
	for (unsigned i = 0; i < m->ntargets; i++)
		refused |= !apply_target(r, &m->targets[i], pkt + 8);
	arm_expiry(r);
	if (!m->ack_requested)
		return;

	struct lowpan_rpl_msg ack = { .code = LOWPAN_RPL_DAO_ACK,
				      .instance = r->cfg.instance,
				      .sequence = m->sequence,
				      .status = refused ? DAO_ACK_REFUSED : 0 };
	uint8_t out[128];
	int n;

	db_commit(r->db); /* what the ACK confirms is on disk first */
	/* from the address the DAO went to: a link-local one answers link-local */
	n = lowpan_rpl_build(&ack, is_root(r, pkt + 24) ? pkt + 24 : r->cfg.dodagid, pkt + 8, out,
			     sizeof(out));
	if (n > 0) {
		r->st.dao_ack_sent++;
		r->send(r->arg, out, (size_t)n);
	}
}

bool rplroot_input(struct rplroot *r, const uint8_t *pkt, size_t len)
{
	struct lowpan_rpl_msg m;

	if (len < 44 || pkt[6] != 58 || pkt[40] != LOWPAN_RPL_ICMP_TYPE)
		return false;
	if (lowpan_rpl_parse(pkt + 40, len - 40, &m) < 0) {
		r->st.malformed++;
		return true;
	}
	switch (m.code) {
	case LOWPAN_RPL_DIS:
		r->st.dis_received++;
		if (pkt[24] == 0xff)
			trickle_reset(r); /* a node looks for a DODAG: speak up soon */
		else
			send_dio(r, pkt + 8);
		break;
	case LOWPAN_RPL_DIO:
		/* another DIO for our DODAG at our version is "consistent" (RFC 6550 §8.3);
		 * one at another version is an inconsistency: speak up soon */
		if (m.instance != r->cfg.instance || memcmp(m.dodagid, r->cfg.dodagid, 16) != 0)
			break;
		if (m.version == r->version)
			r->heard++;
		else
			trickle_reset(r);
		break;
	case LOWPAN_RPL_DAO:
		on_dao(r, pkt, &m);
		break;
	default:
		break;
	}
	return true;
}

size_t rplroot_route(struct rplroot *r, const uint8_t dst[16], uint8_t (*hops)[16], size_t max_hops)
{
	const uint8_t *path[MAX_DEPTH];
	const uint8_t *cur = dst;
	size_t n = 0;

	for (;;) {
		const struct route *rt = find(r, cur);

		if (!rt || n == MAX_DEPTH || n == max_hops)
			return 0;
		for (size_t i = 0; i < n; i++)
			if (memcmp(path[i], cur, 16) == 0)
				return 0; /* a loop that slipped in while routes changed */
		path[n++] = cur;
		if (is_root(r, rt->parent))
			break;
		cur = rt->parent;
	}
	for (size_t i = 0; i < n; i++)
		memcpy(hops[i], path[n - 1 - i], 16);
	return n;
}

static void add_subtree(const struct rplroot *r, json_t *out, const uint8_t *parent, int depth,
			uint64_t now)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], tree[160];

	if (depth >= MAX_DEPTH)
		return;
	for (size_t i = 0; i < r->n; i++) {
		const struct route *rt = &r->routes[i];

		if (memcmp(rt->parent, parent, 16) != 0 || rt->expires_ms <= now)
			continue;
		snprintf(tree, sizeof(tree), "%*s└─ %s", depth * 3, "", ntop(rt->target, a));
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:i, s:I, s:i}", "tree", tree,
						     "node", a, "parent", ntop(rt->parent, b),
						     "depth", depth + 1, "lifetime_s",
						     (json_int_t)((rt->expires_ms - now) / 1000),
						     "path_sequence", rt->seq));
		add_subtree(r, out, rt->target, depth + 1, now);
	}
}

json_t *rplroot_routes_json(const struct rplroot *r)
{
	json_t *out = json_array();
	uint64_t now = clock_ms();
	char a[INET6_ADDRSTRLEN];

	json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:i, s:n, s:n}", "tree",
					     ntop(r->cfg.dodagid, a), "node", a, "parent", "-",
					     "depth", 0, "lifetime_s", "path_sequence"));
	add_subtree(r, out, r->cfg.dodagid, 0, now);
	add_subtree(r, out, r->cfg.link_local, 0, now);
	return out;
}

size_t rplroot_route_count(const struct rplroot *r)
{
	return r->n;
}

void rplroot_get_stats(const struct rplroot *r, struct rplroot_stats *out)
{
	*out = r->st;
}

static void load_routes(struct rplroot *r)
{
	sqlite3_stmt *st = db_stmt(r->db, "SELECT target, parent, expires, path_sequence "
					  "FROM rpl_route");
	int64_t now = (int64_t)time(NULL);
	uint64_t mono = clock_ms();

	while (st && sqlite3_step(st) == SQLITE_ROW) {
		int64_t left = sqlite3_column_int64(st, 2) - now;
		struct route rt;

		if (left <= 0 || sqlite3_column_bytes(st, 0) != 16 ||
		    sqlite3_column_bytes(st, 1) != 16)
			continue;
		memcpy(rt.target, sqlite3_column_blob(st, 0), 16);
		memcpy(rt.parent, sqlite3_column_blob(st, 1), 16);
		rt.seq = (uint8_t)sqlite3_column_int(st, 3);
		rt.expires_ms = mono + (uint64_t)left * 1000;
		if (r->n == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 16;
			r->routes = realloc(r->routes, r->cap * sizeof(*r->routes));
			if (!r->routes)
				abort();
		}
		r->routes[r->n++] = rt;
	}
	if (st)
		sqlite3_reset(st);
	db_exec(r->db, "DELETE FROM rpl_route WHERE expires <= ?", "I", now);
	if (r->n)
		log_info("restored routes=%zu from the database", r->n);
}

struct rplroot *rplroot_new(struct event_base *base, const struct rplroot_cfg *cfg, struct db *db,
			    rplroot_send_fn send, void *arg)
{
	struct rplroot *r = calloc(1, sizeof(*r));

	if (!r)
		abort();
	r->base = base;
	r->cfg = *cfg;
	r->db = db;
	r->send = send;
	r->arg = arg;
	r->version = 240; /* RFC 6550 §7.2: lollipop counters start in the initial region */
	r->dtsn = 240;
	r->trickle = evtimer_new(base, on_trickle, r);
	r->expiry = evtimer_new(base, on_expiry, r);
	if (!r->trickle || !r->expiry)
		abort();
	load_routes(r);
	arm_expiry(r);
	r->interval_ms = imin(r);
	start_interval(r);
	return r;
}

void rplroot_free(struct rplroot *r)
{
	if (!r)
		return;
	event_free(r->trickle);
	event_free(r->expiry);
	free(r->routes);
	free(r);
}
