/* RFC 4944 section 5.3 reassembly: datagrams keyed by (source link
 * address, destination link address, datagram_size, datagram_tag);
 * out-of-order and duplicate fragments accepted; an overlapping fragment
 * that differs from what it overlaps discards the partial datagram and
 * starts afresh with it; entries time out (lowpanReasmTimeout, 60 s by
 * default) and are bounded in number and bytes, the oldest evicted first.
 * Time is passed in by the caller (milliseconds, any epoch). */
#ifndef LWGATE_LOWPAN_REASM_H
#define LWGATE_LOWPAN_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lowpan/lladdr.h"
#include "lowpan/mib.h"

struct lowpan_reasm;

struct lowpan_reasm_cfg {
	uint32_t timeout_ms;  /* 0 means 60000 (RFC 4944: at most 60 s) */
	unsigned max_entries; /* concurrent datagrams; 0 means 16 */
	size_t max_bytes;     /* datagram octets held; 0 means 16 * 1280 */
};

struct lowpan_reasm_key {
	struct lowpan_lladdr src, dst;
	uint16_t size, tag;
};

/* A key as the reassemblers (reasm, vreasm) keep it in their entries:
 * 21 octets, the address modes in two bits each. */
struct lowpan_reasm_stored_key {
	uint8_t src[8], dst[8];
	uint16_t size, tag;
	uint8_t src_mode : 2, dst_mode : 2;
};

/* Keep key k in s. */
static inline void lowpan_reasm_store_key(struct lowpan_reasm_stored_key *s,
					  const struct lowpan_reasm_key *k)
{
	memcpy(s->src, k->src.a, 8);
	memcpy(s->dst, k->dst.a, 8);
	s->src_mode = k->src.mode & 3;
	s->dst_mode = k->dst.mode & 3;
	s->size = k->size;
	s->tag = k->tag;
}

/* True if s and k have the same link addresses and datagram_tag (the
 * size is left to the caller: a different one means a reused tag). */
static inline bool lowpan_reasm_same_link(const struct lowpan_reasm_stored_key *s,
					  const struct lowpan_reasm_key *k)
{
	return s->tag == k->tag && s->src_mode == k->src.mode && s->dst_mode == k->dst.mode &&
	       memcmp(s->src, k->src.a, 8) == 0 && memcmp(s->dst, k->dst.a, 8) == 0;
}

/* One fragment's contribution, in uncompressed datagram octets: for FRAG1
 * the decompressed headers followed by the rest of the frame, at offset 0;
 * for FRAGN the frame's data at datagram_offset. */
struct lowpan_reasm_frag {
	uint16_t offset;
	const uint8_t *data;
	size_t len;
	/* FRAG1 only: an elided UDP checksum to compute once complete
	 * (struct lowpan_iphc_info); udp_off 0 means none. */
	uint16_t udp_off, udp_ip_off;
};

/* Create a reassembler.  mib (caller-owned, must outlive it) receives the
 * lowpanInReasm* and per-reason counters.  Returns NULL on allocation
 * failure. */
struct lowpan_reasm *lowpan_reasm_new(const struct lowpan_reasm_cfg *cfg, struct lowpan_mib *mib);

/* Free a reassembler and every partial datagram (NULL is accepted). */
void lowpan_reasm_free(struct lowpan_reasm *r);

/* Add a fragment received at now_ms.  When it completes its datagram,
 * *dgram is set to a malloc'd buffer holding the *dlen octets (ownership
 * passes to the caller: free() it); otherwise *dgram is NULL.  Returns 0
 * (also for a duplicate or a fragment that restarted its datagram), or
 * LOWPAN_ERR_FRAG (fragment does not fit the datagram: discarded and
 * counted), -ENOSPC (datagram larger than the byte budget), -ENOMEM. */
int lowpan_reasm_add(struct lowpan_reasm *r, const struct lowpan_reasm_key *key,
		     const struct lowpan_reasm_frag *frag, uint64_t now_ms, uint8_t **dgram,
		     size_t *dlen);

/* Drop the datagrams whose timeout has passed at now_ms (counted as
 * lowpanInReasmFails and lowpanReasmTimeouts).  lowpan_reasm_add() does
 * this too; call it from a timer to release memory on a quiet link. */
void lowpan_reasm_expire(struct lowpan_reasm *r, uint64_t now_ms);

/* Earliest deadline of a partial datagram, or UINT64_MAX if none. */
uint64_t lowpan_reasm_next_deadline(const struct lowpan_reasm *r);

/* Number of partial datagrams held. */
size_t lowpan_reasm_count(const struct lowpan_reasm *r);

/* Octets held for partial datagrams, and bookkeeping octets per entry
 * (beyond the datagram bytes), for memory reports. */
size_t lowpan_reasm_bytes(const struct lowpan_reasm *r);
size_t lowpan_reasm_entry_overhead(uint16_t dgram_size);

#endif
