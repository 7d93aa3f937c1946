/*
 * rplroot — the RPL DODAG root of the mesh (RFC 6550), in non-storing mode
 * (mode of operation 1) as Contiki-NG's RPL Lite and Zephyr expect it, or
 * in storing mode (MOP 2) for RIOT, whose routers only pass their
 * children's DAOs on (as targets of their own) in a storing DODAG.
 *
 * It multicasts DIOs on a trickle timer (RFC 6206) with the DODAG
 * configuration and the mesh prefix (A flag: nodes form their global
 * address from it), answers DIS, and learns the downward routes from DAOs:
 * each node reports its parent, so the root holds the whole tree as
 * (target, parent, lifetime, path sequence).  A DAO that would close a
 * loop is refused; a No-Path DAO (lifetime 0) removes the route; routes
 * expire after their lifetime and are kept in SQLite, so that a restart
 * does not make the mesh wait for new DAOs.  rplroot_route() turns the
 * tree into the path of a downward packet: its source route in
 * non-storing mode, of which only the first hop counts in storing mode.
 * A DAO without parent addresses (storing style, RIOT's in either mode)
 * from a link-local address hangs the sender's own target off the root
 * and the targets it passes on off the sender.
 */
#ifndef LWGATE_LOWPAND_RPLROOT_H
#define LWGATE_LOWPAND_RPLROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "common/db.h"
#include "lowpan/rpl.h"

/* How the DODAG changed, for rplroot_cfg.changed. */
enum rplroot_change {
	RPLROOT_ADDED,   /* a node's first DAO */
	RPLROOT_MOVED,   /* its DAO names another parent */
	RPLROOT_EXPIRED, /* its route's lifetime ran out */
	RPLROOT_NO_PATH, /* it sent a No-Path DAO */
};

/*
 * Called after the tree changed: @node under @parent (the parent it had,
 * for a removal) with @lifetime_s left (0 for a removal).  @arg is
 * rplroot_new()'s.  The daemon publishes these for the console, which then
 * redraws at once instead of polling.
 */
typedef void (*rplroot_change_fn)(void *arg, enum rplroot_change what, const uint8_t node[16],
				  const uint8_t parent[16], uint32_t lifetime_s);

struct rplroot_cfg {
	uint8_t instance;
	uint8_t dodagid[16];    /* the root's global address */
	uint8_t link_local[16]; /* the root's fe80:: address on the radio */
	uint8_t prefix[16];
	uint8_t prefix_len;
	uint16_t ocp;                   /* objective code point: 0 OF0, 1 MRHOF */
	bool storing;                   /* MOP 2 in the DIOs, else 1 */
	uint8_t dio_interval_min;       /* Imin = 2^this ms */
	uint8_t dio_interval_doublings; /* Imax = Imin * 2^this */
	uint8_t dio_redundancy;         /* k; 0: always send */
	uint8_t default_lifetime;       /* in lifetime units */
	uint16_t lifetime_unit;         /* seconds */
	rplroot_change_fn changed;      /* NULL: nobody is told */
};

struct rplroot_stats {
	uint64_t dio_sent, dis_received, dao_received, dao_ack_sent, no_path, loops_refused,
		stale_sequence, expired, malformed;
	uint64_t unroutable; /* DAO targets refused: not a host route, or no parent known */
};

/* Sends a packet the root originates (DIO, DAO-ACK) into the mesh. */
typedef void (*rplroot_send_fn)(void *arg, const uint8_t *pkt, size_t len);

/*
 * Start the root on @base; routes are loaded from and saved to @db (which
 * must have the rpl_route table: see rplroot_migration).  Never NULL.
 */
struct rplroot *rplroot_new(struct event_base *base, const struct rplroot_cfg *cfg, struct db *db,
			    rplroot_send_fn send, void *arg);

/* Stop and free; NULL is fine. */
void rplroot_free(struct rplroot *root);

/* The SQL that creates the route table, for the daemon's migration list. */
extern const char rplroot_migration[];

/*
 * Offer a packet that came from the mesh (@pkt, @len bytes, a whole IPv6
 * packet).  Returns true when it was an RPL control message for the root
 * (consumed), false when it is ordinary traffic.
 */
bool rplroot_input(struct rplroot *root, const uint8_t *pkt, size_t len);

/*
 * The downward path to @dst: fills @hops with the nodes after the root,
 * first hop first, @dst last, and returns how many (1: a neighbour of the
 * root), or 0 when @dst is not in the DODAG (or its path is broken).
 */
size_t rplroot_route(struct rplroot *root, const uint8_t dst[16], uint8_t (*hops)[16],
		     size_t max_hops);

/* The DODAG as an array of {"node","parent","depth","tree","lifetime_s","path_sequence"}, in tree
 * order. */
json_t *rplroot_routes_json(const struct rplroot *root);

/* Number of routes held. */
size_t rplroot_route_count(const struct rplroot *root);

void rplroot_get_stats(const struct rplroot *root, struct rplroot_stats *out);

#endif
