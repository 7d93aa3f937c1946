/* Virtual reassembly (LWIG guidance, draft-ietf-lwig-guidance section
 * 3.1.1): forward the fragments of a datagram towards another node as they
 * arrive, keeping only a runt entry per datagram: the key (link addresses,
 * datagram_size, datagram_tag), the outgoing tag and next hop chosen at the
 * first fragment, and a copy of the decompressed IPv6 header.  FRAGN that
 * arrive before their FRAG1 are held up to a byte bound, or, when that is
 * exhausted (or zero), dropped with the datagram remembered so that its
 * later fragments are dropped too.  Entries time out like reassembly. */
#ifndef LWGATE_LOWPAN_VREASM_H
#define LWGATE_LOWPAN_VREASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lowpan/mib.h"
#include "lowpan/reasm.h"

struct lowpan_vreasm;

struct lowpan_vreasm_cfg {
	uint32_t timeout_ms;  /* 0 means 60000 */
	unsigned max_entries; /* runt entries; 0 means 32 */
	size_t max_held;      /* octets of early FRAGN held in total; 0: none */
};

/* Where a datagram goes, fixed when its FRAG1 is forwarded. */
struct lowpan_vreasm_hop {
	uint16_t out_tag;   /* datagram_tag to use towards the next hop */
	uint64_t cookie;    /* the caller's next-hop handle */
	const uint8_t *hdr; /* the IPv6 header copy (valid until the next call) */
	size_t hdr_len;
};

/* Called for each held FRAGN released by lowpan_vreasm_first(), in
 * arrival order, with the datagram's hop. */
typedef void (*lowpan_vreasm_fwd_fn)(void *arg, const struct lowpan_vreasm_hop *hop,
				     uint16_t offset, const uint8_t *data, size_t len);

/* What lowpan_vreasm_next() decided for a FRAGN. */
enum lowpan_vreasm_action {
	LOWPAN_VREASM_FORWARD = 1, /* send it now using *hop */
	LOWPAN_VREASM_HELD = 2,    /* kept until its FRAG1 arrives */
};

/* Create / free a virtual reassembler; mib gets the lowpanVreasm*
 * counters and must outlive it.  new returns NULL on allocation failure;
 * free accepts NULL. */
struct lowpan_vreasm *lowpan_vreasm_new(const struct lowpan_vreasm_cfg *cfg,
					struct lowpan_mib *mib);
void lowpan_vreasm_free(struct lowpan_vreasm *v);

/* A FRAG1 of datagram key arrived at now_ms and the caller forwards it:
 * hdr[0..hdr_len) is its decompressed IPv6 header (copied, at most 255
 * octets), first_len the uncompressed octets the FRAG1 covers, out_tag and
 * cookie the outgoing tag and next hop.  FRAGN that arrived earlier are
 * passed to fwd (may be NULL) and released.  Returns 0, LOWPAN_ERR_FRAG if
 * this datagram was given up earlier (drop the FRAG1 too), -EINVAL for a
 * header longer than 255 octets, or -ENOMEM. */
int lowpan_vreasm_first(struct lowpan_vreasm *v, const struct lowpan_reasm_key *key,
			const uint8_t *hdr, size_t hdr_len, size_t first_len, uint16_t out_tag,
			uint64_t cookie, uint64_t now_ms, lowpan_vreasm_fwd_fn fwd, void *arg);

/* A FRAGN (offset, data[0..len)) of datagram key arrived at now_ms.  On
 * success *action says whether to forward it now (with *hop) or that it
 * was held.  Returns 0, LOWPAN_ERR_FRAG (past datagram_size, or its
 * datagram was given up: drop it), -ENOSPC (no room to hold it: the
 * datagram is given up and remembered), or -ENOMEM. */
int lowpan_vreasm_next(struct lowpan_vreasm *v, const struct lowpan_reasm_key *key, uint16_t offset,
		       const uint8_t *data, size_t len, uint64_t now_ms,
		       enum lowpan_vreasm_action *action, struct lowpan_vreasm_hop *hop);

/* Whether datagram key has an entry (its FRAG1 was forwarded, its FRAGN are
 * held, or it was given up): its fragments are this reassembler's, not a
 * local reassembly's. */
bool lowpan_vreasm_known(const struct lowpan_vreasm *v, const struct lowpan_reasm_key *key);

/* Drop entries whose timeout passed at now_ms. */
void lowpan_vreasm_expire(struct lowpan_vreasm *v, uint64_t now_ms);

/* Number of runt entries, octets of held fragments, and the size of one
 * entry's bookkeeping (excluding the header copy and held fragments). */
size_t lowpan_vreasm_count(const struct lowpan_vreasm *v);
size_t lowpan_vreasm_held_bytes(const struct lowpan_vreasm *v);
size_t lowpan_vreasm_entry_size(void);

#endif
