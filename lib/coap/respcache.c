/*
 * respcache — per (peer, MID) response cache: a chained hash table for
 * lookup and a FIFO list, oldest first, for expiry and eviction.
 */
#include "coap/respcache.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	struct entry *hnext;         /* hash chain */
	struct entry *older, *newer; /* FIFO list */
	uint64_t time;
	uint32_t hash;
	uint16_t mid;
	uint8_t key_len;
	uint8_t key[RESPCACHE_MAX_KEY];
	size_t len;
	uint8_t data[];
};

struct respcache {
	struct respcache_config cfg;
	struct entry **buckets;
	size_t nbuckets; /* a power of two */
	struct entry *oldest, *newest;
	unsigned entries;
	size_t data_bytes;
	struct respcache_stats st;
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		abort();
	return p;
}

/* FNV-1a over the key and the MID. */
static uint32_t hash_of(const uint8_t *key, size_t key_len, uint16_t mid)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < key_len; i++)
		h = (h ^ key[i]) * 16777619u;
	h = (h ^ (mid & 0xff)) * 16777619u;
	h = (h ^ (mid >> 8)) * 16777619u;
	return h;
}

struct respcache *respcache_new(const struct respcache_config *cfg)
{
	struct respcache *rc = xcalloc(1, sizeof(*rc));

	if (cfg)
		rc->cfg = *cfg;
	if (!rc->cfg.lifetime_ms)
		rc->cfg.lifetime_ms = 247000;
	if (!rc->cfg.max_entries)
		rc->cfg.max_entries = 65536;
	if (!rc->cfg.max_bytes)
		rc->cfg.max_bytes = 16u << 20;
	rc->nbuckets = 64;
	rc->buckets = xcalloc(rc->nbuckets, sizeof(*rc->buckets));
	return rc;
}

void respcache_free(struct respcache *rc)
{
	struct entry *e, *next;

	if (!rc)
		return;
	for (e = rc->oldest; e; e = next) {
		next = e->newer;
		free(e);
	}
	free(rc->buckets);
	free(rc);
}

static struct entry **chain_slot(struct respcache *rc, const struct entry *e)
{
	struct entry **pp = &rc->buckets[e->hash & (rc->nbuckets - 1)];

	while (*pp != e)
		pp = &(*pp)->hnext;
	return pp;
}

static void drop(struct respcache *rc, struct entry *e)
{
	struct entry **pp = chain_slot(rc, e);

	*pp = e->hnext;
	if (e->older)
		e->older->newer = e->newer;
	else
		rc->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		rc->newest = e->older;
	rc->entries--;
	rc->data_bytes -= e->len;
	free(e);
}

static void grow(struct respcache *rc)
{
	size_t n = rc->nbuckets * 2;
	struct entry **b = xcalloc(n, sizeof(*b));

	for (size_t i = 0; i < rc->nbuckets; i++) {
		struct entry *e = rc->buckets[i], *next;

		for (; e; e = next) {
			next = e->hnext;
			e->hnext = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(rc->buckets);
	rc->buckets = b;
	rc->nbuckets = n;
}

static struct entry *find(struct respcache *rc, const void *key, size_t key_len, uint16_t mid,
			  uint32_t hash)
{
	struct entry *e = rc->buckets[hash & (rc->nbuckets - 1)];

	for (; e; e = e->hnext)
		if (e->hash == hash && e->mid == mid && e->key_len == key_len &&
		    memcmp(e->key, key, key_len) == 0)
			return e;
	return NULL;
}

static bool expired(const struct respcache *rc, const struct entry *e, uint64_t now_ms)
{
	/* a clock that went backwards must not keep entries forever */
	return now_ms < e->time || now_ms - e->time >= rc->cfg.lifetime_ms;
}

void respcache_expire(struct respcache *rc, uint64_t now_ms)
{
	while (rc->oldest && expired(rc, rc->oldest, now_ms)) {
		drop(rc, rc->oldest);
		rc->st.expired++;
	}
}

int respcache_put(struct respcache *rc, const void *key, size_t key_len, uint16_t mid,
		  const void *data, size_t len, uint64_t now_ms)
{
	uint32_t hash;
	struct entry *e;

	if (!key || key_len == 0 || key_len > RESPCACHE_MAX_KEY)
		return -EINVAL;
	if (len > rc->cfg.max_bytes)
		return -EMSGSIZE;
	hash = hash_of(key, key_len, mid);
	e = find(rc, key, key_len, mid, hash);
	if (e)
		drop(rc, e);
	respcache_expire(rc, now_ms);
	while (rc->oldest &&
	       (rc->entries >= rc->cfg.max_entries || rc->data_bytes + len > rc->cfg.max_bytes)) {
		drop(rc, rc->oldest);
		rc->st.evictions++;
	}
	e = xcalloc(1, sizeof(*e) + len);
	e->time = now_ms;
	e->hash = hash;
	e->mid = mid;
	e->key_len = (uint8_t)key_len;
	memcpy(e->key, key, key_len);
	e->len = len;
	if (len)
		memcpy(e->data, data, len);
	if (rc->entries >= rc->nbuckets)
		grow(rc);
	e->hnext = rc->buckets[hash & (rc->nbuckets - 1)];
	rc->buckets[hash & (rc->nbuckets - 1)] = e;
	e->older = rc->newest;
	if (rc->newest)
		rc->newest->newer = e;
	else
		rc->oldest = e;
	rc->newest = e;
	rc->entries++;
	rc->data_bytes += len;
	rc->st.puts++;
	return 0;
}

int respcache_get(struct respcache *rc, const void *key, size_t key_len, uint16_t mid,
		  uint64_t now_ms, const void **data, size_t *len)
{
	struct entry *e;

	if (!key || key_len == 0 || key_len > RESPCACHE_MAX_KEY)
		return -EINVAL;
	e = find(rc, key, key_len, mid, hash_of(key, key_len, mid));
	if (!e || expired(rc, e, now_ms)) {
		rc->st.misses++;
		return -ENOENT;
	}
	rc->st.hits++;
	*data = e->data;
	*len = e->len;
	return 0;
}

void respcache_get_stats(const struct respcache *rc, struct respcache_stats *out)
{
	*out = rc->st;
	out->entries = rc->entries;
	out->bytes = sizeof(*rc) + rc->nbuckets * sizeof(*rc->buckets) +
		     rc->entries * sizeof(struct entry) + rc->data_bytes;
}
