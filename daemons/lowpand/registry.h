/*
 * registry — the 6LoWPAN-ND registration table of the 6LBR (RFC 6775 §6.5,
 * RFC 8505 §5): which address of the mesh belongs to whom, so that no two
 * nodes use one address (duplicate address detection for the whole mesh,
 * at its border router).
 *
 * An entry is a registered address, its owner — the ROVR of an RFC 8505
 * EARO, or the EUI-64 of an RFC 6775 ARO —, the EARO's TID, the node's
 * link-layer address and a lifetime.  A registration
 *   - by another owner of an address that is registered: status 1
 *     (duplicate), the entry is kept;
 *   - by the owner with an EARO whose TID is older than the stored one
 *     (RFC 8505 §5.2, lollipop order): status 3 (moved: a newer
 *     registration was made since);
 *   - with lifetime 0: the entry goes (deregistration), status 0;
 *   - of a new address when the table holds its maximum: status 2;
 *   - otherwise: stored or refreshed, status 0.
 * Entries expire at the end of their lifetime.  The table is kept in
 * SQLite, every change committed before the answer that confirms it is
 * sent, and restored at start with the lifetime left.
 */
#ifndef LWGATE_LOWPAND_REGISTRY_H
#define LWGATE_LOWPAND_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "common/db.h"
#include "lowpan/nd.h"

/* RFC 8505 §4.1 status values this table gives */
enum {
	REGISTRY_SUCCESS = 0,
	REGISTRY_DUPLICATE = 1,
	REGISTRY_FULL = 2,
	REGISTRY_MOVED = 3,
};

struct registry_stats {
	uint64_t registered, refreshed, deregistered, duplicates, full, moved, expired;
};

struct registry;

/* The migration creating the table (lowpand's schema version 3). */
extern const char registry_migration[];

/*
 * A table of at most @max entries in @db (borrowed), with its expiry timer
 * on @base; the entries @db holds are restored.  Aborts on allocation
 * failure.
 */
struct registry *registry_new(struct event_base *base, struct db *db, size_t max);

/* NULL is fine. */
void registry_free(struct registry *g);

/*
 * Decide on the registration that the NS @ns (which carries an (E)ARO)
 * makes at monotonic time @now_ms, apply it and return its status
 * (REGISTRY_*), committed to the database when it changed the table.
 */
uint8_t registry_register(struct registry *g, const struct lowpan_nd_msg *ns, uint64_t now_ms);

/* [{"address","owner","kind","tid","link","lifetime_s"}], by address. */
json_t *registry_json(const struct registry *g, uint64_t now_ms);

size_t registry_count(const struct registry *g);

void registry_get_stats(const struct registry *g, struct registry_stats *out);

#endif
