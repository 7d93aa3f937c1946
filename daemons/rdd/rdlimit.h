/*
 * rdlimit — what one registrant, and all of them together, may make the
 * Resource Directory hold: a cap on registrations and on links in total,
 * and a token bucket per source address for registrations and updates.
 *
 * Open registration (the shipped default) lets anyone on the network
 * register; without these bounds a single host could fill memory and the
 * database, or keep the loop busy committing.  A refusal is CoAP's 5.03
 * Service Unavailable with Max-Age, the seconds after which to try again
 * (RFC 7252 §5.9.3.4): the request was fine, the server cannot take it now.
 *
 * The bucket table is bounded too: rdlimit_config.sources entries in sets
 * of RDLIMIT_WAYS, indexed by a keyed hash of the address (an attacker
 * cannot aim many addresses at one set), the least recently seen entry of
 * a set giving way to a new address.  With more busy sources than entries
 * an evicted source starts again with a full bucket, so the limit is then
 * approximate, never unbounded memory.
 *
 * Refusals are counted and logged once per source (rate) or per cap and
 * RDLIMIT_LOG_INTERVAL_S, not once per packet.  No I/O: the caller passes
 * the time.
 */
#ifndef LWGATE_RDD_RDLIMIT_H
#define LWGATE_RDD_RDLIMIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define RDLIMIT_WAYS           4
#define RDLIMIT_LOG_INTERVAL_S 60
#define RDLIMIT_FULL_RETRY_S   60 /* Max-Age of a refusal for want of room */

struct rdlimit;

struct rdlimit_config {
	size_t max_registrations; /* 0: no cap */
	size_t max_links;         /* links of all registrations together; 0: no cap */
	unsigned rate;            /* registrations and updates per second per address; 0: none */
	unsigned burst;           /* how many may come at once (the bucket's size, >= 1) */
	unsigned sources;         /* bucket table entries (rounded up to a power of 2) */
};

struct rdlimit_stats {
	uint64_t rate_limited;       /* requests refused by a source's bucket */
	uint64_t full_registrations; /* refused: max_registrations reached */
	uint64_t full_links;         /* refused: max_links would be passed */
	uint64_t evictions;          /* sources dropped from a full set */
	size_t sources;              /* entries in use */
};

/* A limiter with @cfg (copied).  Returns 0 and *@out, or -ENOMEM. */
int rdlimit_new(const struct rdlimit_config *cfg, struct rdlimit **out);

/* Free; NULL is fine. */
void rdlimit_free(struct rdlimit *l);

/*
 * New caps and rate from a reload; the table keeps its size (sources
 * applies at start) and its buckets.
 */
void rdlimit_set_config(struct rdlimit *l, const struct rdlimit_config *cfg);

/*
 * Take one token from the bucket of @sa's address (the port does not
 * count; IPv4-mapped IPv6 is the IPv4 address) at @now_ms.  Returns 0
 * when the request may go ahead, else the whole seconds until a token is
 * there (>= 1, the Max-Age to answer with).
 */
uint32_t rdlimit_take(struct rdlimit *l, const struct sockaddr *sa, int64_t now_ms);

/*
 * Is there room for @add_regs more registrations and @add_links more
 * links (negative: fewer), the directory holding @regs and @links now?
 * Returns 0, or RDLIMIT_FULL_RETRY_S when a cap would be passed (counted,
 * and logged at most once per cap and interval).  Fewer is always fine.
 */
uint32_t rdlimit_room(struct rdlimit *l, size_t regs, size_t links, long add_regs, long add_links,
		      int64_t now_ms);

void rdlimit_get_stats(const struct rdlimit *l, struct rdlimit_stats *out);

#endif
