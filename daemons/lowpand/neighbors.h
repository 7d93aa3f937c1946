/*
 * neighbors — the 802.15.4 nodes lowpand hears directly: link address,
 * frames received, when first and last heard.  Bounded; when full, the
 * neighbour heard least recently makes room.
 */
#ifndef LWGATE_LOWPAND_NEIGHBORS_H
#define LWGATE_LOWPAND_NEIGHBORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "lowpan/lladdr.h"

struct neighbors;

/*
 * Told when a frame comes from a link address the table did not hold (a
 * new neighbour, or one that had made room for others), with the
 * neighbour's link-local address as text.
 */
typedef void (*neighbors_added_fn)(void *arg, const char *address, const char *link_local);

/* A table of at most @max neighbours; @added (NULL: none) gets @arg. */
struct neighbors *neighbors_new(size_t max, neighbors_added_fn added, void *arg);

/* NULL is fine. */
void neighbors_free(struct neighbors *n);

/* Record a frame from @ll heard at @now_ms (monotonic). */
void neighbors_heard(struct neighbors *n, const struct lowpan_lladdr *ll, uint64_t now_ms);

/*
 * A frame to @ll was acknowledged (@acked) after @transmissions, or never:
 * the neighbour's ETX (expected transmissions per delivered frame) moves
 * toward @transmissions, or NEIGHBORS_NOACK_ETX for a frame never
 * acknowledged, by NEIGHBORS_ETX_WEIGHT: an exponentially weighted
 * average with a no-ACK penalty, in the manner of Contiki-NG's link-stats.
 * A link address not in the table (never heard) is ignored.
 */
void neighbors_sent(struct neighbors *n, const struct lowpan_lladdr *ll, unsigned transmissions,
		    bool acked);

#define NEIGHBORS_NOACK_ETX  12.0
#define NEIGHBORS_ETX_WEIGHT 0.125

/* The table as [{"address","link_local","frames","first_heard_s","last_heard_s","tx_frames",
 * "tx_acked","etx"}] (etx null before the first frame sent), most recent first. */
json_t *neighbors_json(const struct neighbors *n, uint64_t now_ms);

size_t neighbors_count(const struct neighbors *n);

#endif
