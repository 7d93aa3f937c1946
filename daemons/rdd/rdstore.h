/*
 * rdstore — the registrations of the Resource Directory, in memory and in
 * SQLite.
 *
 * Every change is written and committed to the database before the call
 * returns, and only then applied in memory: a registrant that got a
 * success response finds its registration after a restart or a kill -9,
 * and a failed write leaves both copies as they were.  Registrations are
 * kept in registration order (lookups and pages follow it) and indexed by
 * (sector, endpoint name).  Each has a libevent timer that removes it when
 * its lifetime runs out; lifetimes are wall-clock deadlines in the
 * database, so a restart does not extend them.
 */
#ifndef LWGATE_RDD_RDSTORE_H
#define LWGATE_RDD_RDSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "coap/linkformat.h"
#include "common/db.h"

#define RDSTORE_LOC_MAX   24 /* "reg/" + 16 hex digits + NUL, with room */
#define RDSTORE_MAX_NAMES 64 /* distinct link attribute names counted */

struct rdstore;

struct rdreg {
	char loc[RDSTORE_LOC_MAX]; /* registration resource path, without the leading "/" */
	char *ep;
	char *d;    /* "" when the registration has no sector */
	char *base; /* the base URI in use: explicit, or from the registrant's address */
	bool base_explicit;
	uint32_t lt;        /* lifetime, seconds */
	int64_t expires_ms; /* wall clock, milliseconds since the epoch */
	/*
	 * Its lifetime ended less than the grace period ago: out of every
	 * lookup, but an update (or a new registration of its name) brings it
	 * back at its location.  Not in the database: a restart finds it
	 * from expires_ms again.
	 */
	bool lapsed;
	struct linkformat attrs;  /* et and the other registration attributes, as one link "<>" */
	struct linkformat links;  /* the registered links */
	TAILQ_ENTRY(rdreg) order; /* registration order */
	struct rdreg *hash_next;  /* same endpoint-name bucket */
	struct rdreg *loc_next;   /* same location bucket */
	struct event *timer;
	struct rdstore *store;
	uint64_t seq; /* position in registration order */
	/*
	 * A Bloom filter of the (name, value) pairs of its links' attributes,
	 * rt/if/rel values one by one: a lookup passes over a registration
	 * whose links cannot carry an exactly filtered value without looking
	 * at them.  RDSTORE_BLOOM_HASHES bits a pair.
	 */
	uint64_t link_bloom[2];
};

TAILQ_HEAD(rdreg_list, rdreg);

#define RDSTORE_BLOOM_HASHES 2

/* The bits attribute @name with value @value (@len bytes) sets in link_bloom. */
void rdstore_bloom_bits(const char *name, const char *value, size_t len, uint64_t bits[2]);

/* What a registration or an update brings. */
struct rdreg_input {
	const char *ep, *d; /* registration only; d may be NULL or "" */
	const char *base;   /* NULL: keep (update) or none (registration) */
	const char *source; /* base derived from the request's source address */
	uint32_t lt;        /* 0: keep (update) or the default (registration) */
	/* registration attributes but ep/d/lt/base; an update replaces the same-named ones */
	const struct linkformat_attr *attrs;
	size_t attr_count;
	struct linkformat *links; /* NULL: keep; else taken (and zeroed) on success */
};

enum rdstore_change {
	RDSTORE_CREATED,
	RDSTORE_UPDATED,
	RDSTORE_REMOVED, /* by DELETE or by the control socket */
	RDSTORE_EXPIRED,
	RDSTORE_REPLACED, /* a new registration took its endpoint name */
	RDSTORE_LAPSED,   /* its lifetime ended: out of lookups, EXPIRED after the grace period */
};

/*
 * Called after each change is committed.  For REMOVED, EXPIRED and
 * REPLACED, @reg is still whole and is freed when the callback returns.
 */
typedef void (*rdstore_change_fn)(struct rdreg *reg, enum rdstore_change change, void *ctx);

struct rdstore_config {
	uint32_t default_lt;     /* seconds when a registration gives no lt */
	uint32_t grace_s;        /* a registration lapses this long before it expires (0: none) */
	int64_t (*now_ms)(void); /* wall clock; NULL: CLOCK_REALTIME (tests drive time here) */
	rdstore_change_fn on_change;
	void *ctx;
};

struct rdstore_stats {
	size_t registrations, links;
	uint64_t created, updated, removed, expired, replaced, lapsed, revived, db_errors;
};

/* The SQL of rdd's schema version 2 (for its migration table). */
extern const char rdstore_schema_2[];

/*
 * Load the registrations of @db (expired ones go at the next loop round)
 * and arm their timers on @base.  Returns 0 and *@out, or a negative errno
 * (logged).
 */
int rdstore_new(struct event_base *base, struct db *db, const struct rdstore_config *cfg,
		struct rdstore **out);

/* Free everything (the database keeps it all); NULL is fine. */
void rdstore_free(struct rdstore *s);

/*
 * Register (or replace the registration of the same ep and d, which keeps
 * its location, RFC 9176 §5.3).  @in->ep is required.  Returns 0 and the
 * new registration in *@out, or -EIO when the database refused (nothing
 * changed).
 */
int rdstore_register(struct rdstore *s, struct rdreg_input *in, struct rdreg **out);

/* Refresh the lifetime of @reg (a lapsed one is back) and apply what @in gives.  0 or -EIO. */
int rdstore_update(struct rdstore *s, struct rdreg *reg, struct rdreg_input *in);

/* Remove @reg (it is freed).  0 or -EIO (then @reg stays). */
int rdstore_remove(struct rdstore *s, struct rdreg *reg);

struct rdreg *rdstore_find_ep(struct rdstore *s, const char *d, const char *ep);
/*
 * The registrations of endpoint @ep in every sector: up to @max of them in
 * @out (in no particular order).  Returns how many there are.
 */
size_t rdstore_find_all_ep(const struct rdstore *s, const char *ep, const struct rdreg **out,
			   size_t max);

struct rdreg *rdstore_find_loc(struct rdstore *s, const char *loc);

/*
 * The target of link @i of @r resolved against its base (RFC 3986 §5.2),
 * malloc'd: the caller frees it.  Computed on demand, not stored, to keep
 * the memory per link small.
 */
char *rdstore_resolve(const struct rdreg *r, size_t i);

/* The registrations in registration order (do not change the list while walking it). */
const struct rdreg_list *rdstore_list(const struct rdstore *s);

/*
 * How many stored link attributes are called @name, or SIZE_MAX when the
 * store does not know (it tracks the first RDSTORE_MAX_NAMES names).
 * Lookups use it to skip registrations that cannot match.
 */
size_t rdstore_attr_uses(const struct rdstore *s, const char *name);

void rdstore_get_stats(const struct rdstore *s, struct rdstore_stats *out);

/* The lifetime of registrations that give none, from now on (a reload). */
void rdstore_set_default_lt(struct rdstore *s, uint32_t lt);

/* The grace period of lifetimes that end from now on (a reload). */
void rdstore_set_grace(struct rdstore *s, uint32_t grace_s);

/* The current wall-clock time of the store, milliseconds. */
int64_t rdstore_now(const struct rdstore *s);

/*
 * The names (gp) of the groups registration @r is a member of, among the
 * groups of the sectors in @scope (a list as rdcreds_sector_in() reads
 * it; NULL: all): up to @max of them in @names, pointing into the group
 * set; returns how many there are.  rdgroup answers it; lookups use it for
 * their gp= filter.
 */
typedef size_t (*rdstore_groups_fn)(void *ctx, const struct rdreg *r, const char *scope,
				    const char **names, size_t max);

/* Let @fn (with @ctx) tell lookups which groups a registration is in; NULL: none. */
void rdstore_set_groups(struct rdstore *s, rdstore_groups_fn fn, void *ctx);

/* The groups of @r as rdstore_groups_fn says (0 without one). */
size_t rdstore_groups_of(const struct rdstore *s, const struct rdreg *r, const char *scope,
			 const char **names, size_t max);

#endif
