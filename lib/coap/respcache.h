/*
 * respcache — the responses a CoAP server sent, kept per (peer, Message
 * ID) for EXCHANGE_LIFETIME, so that a retransmitted confirmable request
 * (RFC 7252 §4.5: "SHOULD ... acknowledge each duplicate copy ... and
 * SHOULD process any request for which it has not sent a response yet ...
 * only once") is answered with the same bytes without being processed again.
 *
 * It pairs with midstore: midstore says "duplicate", respcache holds what
 * to say again.  The response is an opaque byte string chosen by the
 * caller (lwm2md stores code, options and payload).  Entries all live for
 * the same lifetime, so insertion order is expiry order: a FIFO list gives
 * expiry and eviction of the oldest in O(1); a hash table gives lookup.
 *
 * Pure code: time is passed in (milliseconds of a monotonic clock), no
 * I/O, bounded memory (entry count and payload bytes have maxima; the
 * oldest entry goes first, and each such eviction is counted).
 */
#ifndef LWGATE_COAP_RESPCACHE_H
#define LWGATE_COAP_RESPCACHE_H

#include <stddef.h>
#include <stdint.h>

#define RESPCACHE_MAX_KEY 32 /* bytes of a peer key (a sockaddr_in6 is 28) */

struct respcache;

struct respcache_config {
	uint32_t lifetime_ms; /* 0: 247000 (RFC 7252 EXCHANGE_LIFETIME) */
	unsigned max_entries; /* 0: 65536 */
	size_t max_bytes;     /* response bytes held at most; 0: 16 MiB */
};

struct respcache_stats {
	unsigned entries;
	size_t bytes; /* memory held by the cache, all of it */
	uint64_t puts, hits, misses, evictions, expired;
};

/* A cache; @cfg may be NULL for the defaults.  Never NULL (aborts on OOM). */
struct respcache *respcache_new(const struct respcache_config *cfg);

/* Free the cache; NULL is fine. */
void respcache_free(struct respcache *rc);

/*
 * Remember @len bytes of @data (copied) as the response to message @mid
 * from the peer @key (@key_len bytes) at @now_ms, replacing an earlier
 * entry for the same (peer, MID).  Older entries past the lifetime are
 * dropped first, then the oldest ones while a bound would be exceeded.
 * Returns 0, -EINVAL (bad key), or -EMSGSIZE (@len alone exceeds max_bytes).
 */
int respcache_put(struct respcache *rc, const void *key, size_t key_len, uint16_t mid,
		  const void *data, size_t len, uint64_t now_ms);

/*
 * Look up the response to (@key, @mid) stored less than the lifetime
 * before @now_ms.  On success *@data points into the cache (valid until
 * the next put, expire or free) and *@len is its size.
 * Returns 0, -ENOENT, or -EINVAL (bad key).
 */
int respcache_get(struct respcache *rc, const void *key, size_t key_len, uint16_t mid,
		  uint64_t now_ms, const void **data, size_t *len);

/* Drop the entries older than the lifetime. */
void respcache_expire(struct respcache *rc, uint64_t now_ms);

/* Counters and memory use. */
void respcache_get_stats(const struct respcache *rc, struct respcache_stats *out);

#endif
