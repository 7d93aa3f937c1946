/*
 * midstore — duplicate detection for CoAP over UDP: which Message IDs has
 * each peer already sent us, within EXCHANGE_LIFETIME?
 *
 * The design is the one of the LWIG guidance (draft-ietf-lwig-guidance,
 * §3.4.2.3, "Storing Used Message IDs"):
 *
 *  - a peer that numbers its messages sequentially (Contiki, Zephyr,
 *    libcoap, Wakaama all do) is stored as rows of (MID base, K-bit
 *    bitfield, time): the row says "base was received at time t", bit k
 *    says "base + k + 1 was received".  With K = 64 one 16-byte row holds
 *    up to 65 MIDs;
 *  - a peer with random MIDs is stored as a plain list of (MID, time);
 *  - a peer starts in list mode and is switched by a "hit rate" heuristic:
 *    the share of MIDs whose most significant byte equals that of the
 *    previous MID from the same peer, as a moving average.
 *
 * Entries older than the configured lifetime are forgotten, so that a peer
 * may reuse a MID after wrap-around.  A row is only extended while it is
 * younger than half the lifetime (its one time value moves forward with
 * every bit set, so an old row extended forever would never expire).  MID
 * arithmetic is modulo 2^16: bases near 65535 wrap.
 *
 * Pure code: time is passed in (milliseconds of any monotonic clock), no
 * I/O, bounded memory (peers, rows and list entries have configured
 * maxima; the oldest goes first, and each such eviction is counted).
 */
#ifndef LWGATE_COAP_MIDSTORE_H
#define LWGATE_COAP_MIDSTORE_H

#include <stddef.h>
#include <stdint.h>

/* RFC 7252 §4.8.2 EXCHANGE_LIFETIME with the default transmission parameters. */
#define MIDSTORE_EXCHANGE_LIFETIME_MS 247000u
#define MIDSTORE_MAX_KEY              32 /* bytes of a peer key (a sockaddr_in6 is 28) */

struct midstore;

struct midstore_config {
	uint32_t lifetime_ms; /* 0: MIDSTORE_EXCHANGE_LIFETIME_MS */
	unsigned max_peers;   /* 0: 4096 */
	unsigned max_rows;    /* per sequential peer; 0: 256 (4 KiB) */
	unsigned max_entries; /* per random peer; 0: 1024 (8 KiB) */
};

enum midstore_mode {
	MIDSTORE_LIST,     /* random MIDs: one (MID, time) per message */
	MIDSTORE_BITFIELD, /* sequential MIDs: rows of base + 64-bit field */
};

struct midstore_stats {
	unsigned peers;
	unsigned sequential_peers; /* peers in bitfield mode */
	unsigned rows;
	unsigned entries;
	uint64_t mids_stored; /* MIDs currently remembered */
	size_t bytes;         /* memory held by the store, all of it */
	uint64_t checked, duplicates, evictions, mode_switches;
};

/* A store; @cfg may be NULL for the defaults.  Never NULL (aborts on OOM). */
struct midstore *midstore_new(const struct midstore_config *cfg);

/* Free the store; NULL is fine. */
void midstore_free(struct midstore *ms);

/*
 * Record that @mid came from the peer named by @key (@key_len bytes, at
 * most MIDSTORE_MAX_KEY: typically the peer's socket address) at @now_ms.
 * Returns 1 when the MID was already seen within the lifetime (a
 * duplicate: answer with the stored response, do not process again), 0
 * when it is new (now remembered), or -EINVAL for a bad key.
 */
int midstore_check(struct midstore *ms, const void *key, size_t key_len, uint16_t mid,
		   uint64_t now_ms);

/* Forget everything older than the lifetime, and peers left empty. */
void midstore_expire(struct midstore *ms, uint64_t now_ms);

/* The mode a peer is in, or -ENOENT when the store has no state for it. */
int midstore_peer_mode(const struct midstore *ms, const void *key, size_t key_len);

/* Counters and memory use. */
void midstore_get_stats(const struct midstore *ms, struct midstore_stats *out);

#endif
