#include "coap/midstore.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define K 64 /* bits per row: MIDs base+1 … base+K */

/*
 * The hit rate is a moving average in 1/1024ths with weight 1/8: after a
 * run of same-MSB MIDs it passes SEQUENTIAL_AT within ~16 messages; a peer
 * turning random falls below RANDOM_AT about as fast.  The gap between the
 * two keeps a peer from flapping between modes.
 */
#define RATE_ONE      1024
#define SEQUENTIAL_AT 900
#define RANDOM_AT     400
#define MIN_SAMPLES   16

struct row {
	uint64_t bits; /* bit k: base + k + 1 seen */
	uint32_t t;    /* last time a MID of this row was seen */
	uint16_t base; /* seen at t */
};

struct entry {
	uint32_t t;
	uint16_t mid;
};

struct peer {
	struct peer *hash_next;
	struct peer *newer, *older; /* recency list, for evicting the oldest peer */
	union {
		struct row *rows;
		struct entry *entries;
	} u;
	unsigned n, cap;
	uint32_t last_t;
	uint16_t prev_mid;
	uint16_t hit_rate;
	uint16_t samples;
	uint8_t mode;
	uint8_t key_len;
	uint8_t key[MIDSTORE_MAX_KEY];
};

struct midstore {
	struct midstore_config cfg;
	struct peer **buckets;
	size_t nbuckets; /* a power of two */
	struct peer *newest, *oldest;
	struct midstore_stats st;
};

static uint32_t age(uint32_t now, uint32_t then)
{
	return now - then; /* modulo 2^32: fine while the lifetime is far below 2^31 ms */
}

static uint32_t hash_key(const uint8_t *key, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ key[i]) * 16777619u;
	return h;
}

struct midstore *midstore_new(const struct midstore_config *cfg)
{
	struct midstore *ms = calloc(1, sizeof(*ms));

	if (!ms)
		abort();
	if (cfg)
		ms->cfg = *cfg;
	if (!ms->cfg.lifetime_ms)
		ms->cfg.lifetime_ms = MIDSTORE_EXCHANGE_LIFETIME_MS;
	if (!ms->cfg.max_peers)
		ms->cfg.max_peers = 4096;
	if (!ms->cfg.max_rows)
		ms->cfg.max_rows = 256;
	if (!ms->cfg.max_entries)
		ms->cfg.max_entries = 1024;
	ms->nbuckets = 64;
	ms->buckets = calloc(ms->nbuckets, sizeof(*ms->buckets));
	if (!ms->buckets)
		abort();
	return ms;
}

static size_t element_size(const struct peer *p)
{
	return p->mode == MIDSTORE_BITFIELD ? sizeof(struct row) : sizeof(struct entry);
}

static void account(struct midstore *ms, const struct peer *p, int sign)
{
	if (p->mode == MIDSTORE_BITFIELD) {
		ms->st.rows += (unsigned)(sign * (int)p->n);
		ms->st.sequential_peers += (unsigned)sign;
	} else {
		ms->st.entries += (unsigned)(sign * (int)p->n);
	}
}

static void unlink_recency(struct midstore *ms, struct peer *p)
{
	if (p->newer)
		p->newer->older = p->older;
	else
		ms->newest = p->older;
	if (p->older)
		p->older->newer = p->newer;
	else
		ms->oldest = p->newer;
	p->newer = p->older = NULL;
}

static void make_newest(struct midstore *ms, struct peer *p)
{
	if (ms->newest == p)
		return;
	if (p->newer || p->older || ms->oldest == p)
		unlink_recency(ms, p);
	p->older = ms->newest;
	if (ms->newest)
		ms->newest->newer = p;
	ms->newest = p;
	if (!ms->oldest)
		ms->oldest = p;
}

static void remove_peer(struct midstore *ms, struct peer *p)
{
	struct peer **pp = &ms->buckets[hash_key(p->key, p->key_len) & (ms->nbuckets - 1)];

	while (*pp != p)
		pp = &(*pp)->hash_next;
	*pp = p->hash_next;
	unlink_recency(ms, p);
	account(ms, p, -1);
	ms->st.peers--;
	free(p->u.rows);
	free(p);
}

static void grow_buckets(struct midstore *ms)
{
	size_t n = ms->nbuckets * 2;
	struct peer **b = calloc(n, sizeof(*b));

	if (!b)
		abort();
	for (size_t i = 0; i < ms->nbuckets; i++) {
		struct peer *p = ms->buckets[i];

		while (p) {
			struct peer *next = p->hash_next;
			size_t j = hash_key(p->key, p->key_len) & (n - 1);

			p->hash_next = b[j];
			b[j] = p;
			p = next;
		}
	}
	free(ms->buckets);
	ms->buckets = b;
	ms->nbuckets = n;
}

static struct peer *find_peer(const struct midstore *ms, const void *key, size_t len)
{
	struct peer *p = ms->buckets[hash_key(key, len) & (ms->nbuckets - 1)];

	while (p && (p->key_len != len || memcmp(p->key, key, len) != 0))
		p = p->hash_next;
	return p;
}

static struct peer *add_peer(struct midstore *ms, const void *key, size_t len)
{
	struct peer *p;
	size_t i;

	if (ms->st.peers >= ms->cfg.max_peers) {
		remove_peer(ms, ms->oldest);
		ms->st.evictions++;
	}
	if (ms->st.peers >= ms->nbuckets)
		grow_buckets(ms);
	p = calloc(1, sizeof(*p));
	if (!p)
		abort();
	memcpy(p->key, key, len);
	p->key_len = (uint8_t)len;
	p->mode = MIDSTORE_LIST;
	i = hash_key(key, len) & (ms->nbuckets - 1);
	p->hash_next = ms->buckets[i];
	ms->buckets[i] = p;
	ms->st.peers++;
	return p;
}

static void reserve(struct peer *p, unsigned n)
{
	if (n <= p->cap)
		return;
	p->cap = p->cap ? p->cap * 2 : 4;
	if (p->cap < n)
		p->cap = n;
	p->u.rows = realloc(p->u.rows, p->cap * element_size(p));
	if (!p->u.rows)
		abort();
}

static unsigned mids_in_row(const struct row *r)
{
	return 1 + (unsigned)__builtin_popcountll(r->bits);
}

/* Drop what is older than the lifetime; keeps the order of the rest. */
static void expire_peer(struct midstore *ms, struct peer *p, uint32_t now)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < p->n; i++) {
		bool old;

		if (p->mode == MIDSTORE_BITFIELD) {
			old = age(now, p->u.rows[i].t) > ms->cfg.lifetime_ms;
			if (old)
				ms->st.mids_stored -= mids_in_row(&p->u.rows[i]);
			else
				p->u.rows[kept++] = p->u.rows[i];
		} else {
			old = age(now, p->u.entries[i].t) > ms->cfg.lifetime_ms;
			if (old)
				ms->st.mids_stored--;
			else
				p->u.entries[kept++] = p->u.entries[i];
		}
	}
	if (p->mode == MIDSTORE_BITFIELD)
		ms->st.rows -= p->n - kept;
	else
		ms->st.entries -= p->n - kept;
	p->n = kept;
}

static bool seen_in_rows(const struct peer *p, uint16_t mid)
{
	for (unsigned i = 0; i < p->n; i++) {
		uint16_t d = (uint16_t)(mid - p->u.rows[i].base);

		if (d == 0 || (d <= K && (p->u.rows[i].bits >> (d - 1) & 1)))
			return true;
	}
	return false;
}

static bool seen_in_list(const struct peer *p, uint16_t mid)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->u.entries[i].mid == mid)
			return true;
	return false;
}

static void insert_row(struct midstore *ms, struct peer *p, uint16_t mid, uint32_t t)
{
	unsigned oldest = 0;

	for (unsigned i = 0; i < p->n; i++) {
		struct row *r = &p->u.rows[i];
		uint16_t d = (uint16_t)(mid - r->base);

		/* extend only a young row, so that every row still expires */
		if (d >= 1 && d <= K && age(t, r->t) < ms->cfg.lifetime_ms / 2) {
			r->bits |= (uint64_t)1 << (d - 1);
			if (age(t, r->t) < UINT32_MAX / 2)
				r->t = t;
			ms->st.mids_stored++;
			return;
		}
		if (age(t, r->t) > age(t, p->u.rows[oldest].t))
			oldest = i;
	}
	if (p->n >= ms->cfg.max_rows) {
		ms->st.mids_stored -= mids_in_row(&p->u.rows[oldest]);
		memmove(&p->u.rows[oldest], &p->u.rows[oldest + 1],
			(p->n - oldest - 1) * sizeof(struct row));
		p->n--;
		ms->st.rows--;
		ms->st.evictions++;
	}
	reserve(p, p->n + 1);
	p->u.rows[p->n++] = (struct row){ .bits = 0, .t = t, .base = mid };
	ms->st.rows++;
	ms->st.mids_stored++;
}

static void insert_entry(struct midstore *ms, struct peer *p, uint16_t mid, uint32_t t)
{
	if (p->n >= ms->cfg.max_entries) {
		/* entries are in arrival order: the first is the oldest */
		memmove(&p->u.entries[0], &p->u.entries[1], (p->n - 1) * sizeof(struct entry));
		p->n--;
		ms->st.entries--;
		ms->st.mids_stored--;
		ms->st.evictions++;
	}
	reserve(p, p->n + 1);
	p->u.entries[p->n++] = (struct entry){ .t = t, .mid = mid };
	ms->st.entries++;
	ms->st.mids_stored++;
}

/* Rebuild a peer's state in the other mode, keeping every MID and (an upper bound of) its time. */
static void switch_mode(struct midstore *ms, struct peer *p)
{
	struct peer old = *p;

	account(ms, p, -1);
	p->u.rows = NULL;
	p->n = p->cap = 0;
	p->mode = old.mode == MIDSTORE_LIST ? MIDSTORE_BITFIELD : MIDSTORE_LIST;
	if (p->mode == MIDSTORE_BITFIELD)
		ms->st.sequential_peers++;
	for (unsigned i = 0; i < old.n; i++) {
		if (old.mode == MIDSTORE_LIST) {
			ms->st.mids_stored--;
			insert_row(ms, p, old.u.entries[i].mid, old.u.entries[i].t);
			continue;
		}
		const struct row *r = &old.u.rows[i];

		ms->st.mids_stored -= mids_in_row(r);
		insert_entry(ms, p, r->base, r->t);
		for (unsigned k = 0; k < K; k++)
			if (r->bits >> k & 1)
				insert_entry(ms, p, (uint16_t)(r->base + k + 1), r->t);
	}
	free(old.u.rows);
	ms->st.mode_switches++;
}

static void update_hit_rate(struct peer *p, uint16_t mid)
{
	bool hit = p->samples > 0 && (mid >> 8) == (p->prev_mid >> 8);
	int target = hit ? RATE_ONE : 0;

	p->hit_rate = (uint16_t)(p->hit_rate + (target - (int)p->hit_rate) / 8);
	p->prev_mid = mid;
	if (p->samples < UINT16_MAX)
		p->samples++;
}

int midstore_check(struct midstore *ms, const void *key, size_t key_len, uint16_t mid,
		   uint64_t now_ms)
{
	uint32_t now = (uint32_t)now_ms;
	struct peer *p;
	bool dup;

	if (!key || key_len == 0 || key_len > MIDSTORE_MAX_KEY)
		return -EINVAL;
	ms->st.checked++;
	p = find_peer(ms, key, key_len);
	if (!p)
		p = add_peer(ms, key, key_len);
	make_newest(ms, p);
	p->last_t = now;
	expire_peer(ms, p, now);
	update_hit_rate(p, mid);

	dup = p->mode == MIDSTORE_BITFIELD ? seen_in_rows(p, mid) : seen_in_list(p, mid);
	if (dup) {
		ms->st.duplicates++;
		return 1;
	}
	if (p->mode == MIDSTORE_BITFIELD)
		insert_row(ms, p, mid, now);
	else
		insert_entry(ms, p, mid, now);

	if (p->mode == MIDSTORE_LIST && p->samples >= MIN_SAMPLES && p->hit_rate >= SEQUENTIAL_AT)
		switch_mode(ms, p);
	else if (p->mode == MIDSTORE_BITFIELD && p->hit_rate <= RANDOM_AT)
		switch_mode(ms, p);
	return 0;
}

void midstore_expire(struct midstore *ms, uint64_t now_ms)
{
	uint32_t now = (uint32_t)now_ms;
	struct peer *p = ms->oldest;

	while (p) {
		struct peer *newer = p->newer;

		expire_peer(ms, p, now);
		if (p->n == 0 && age(now, p->last_t) > ms->cfg.lifetime_ms)
			remove_peer(ms, p);
		p = newer;
	}
}

int midstore_peer_mode(const struct midstore *ms, const void *key, size_t key_len)
{
	const struct peer *p;

	if (!key || key_len == 0 || key_len > MIDSTORE_MAX_KEY)
		return -EINVAL;
	p = find_peer(ms, key, key_len);
	return p ? p->mode : -ENOENT;
}

void midstore_get_stats(const struct midstore *ms, struct midstore_stats *out)
{
	size_t bytes = sizeof(*ms) + ms->nbuckets * sizeof(*ms->buckets);

	for (const struct peer *p = ms->newest; p; p = p->older)
		bytes += sizeof(*p) + p->cap * element_size(p);
	*out = ms->st;
	out->bytes = bytes;
}

void midstore_free(struct midstore *ms)
{
	if (!ms)
		return;
	while (ms->oldest)
		remove_peer(ms, ms->oldest);
	free(ms->buckets);
	free(ms);
}
