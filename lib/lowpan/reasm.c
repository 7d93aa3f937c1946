#include "lowpan/reasm.h"
#include "lowpan/checksum.h"
#include "lowpan/error.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* One partial datagram: 40 octets.  The buffer holds the datagram
 * followed by a bitmap of received 8-octet units (fragment offsets are
 * multiples of 8, so units are exact). */
struct entry {
	struct lowpan_reasm_stored_key key;
	uint16_t received;
	uint8_t *buf;
	uint32_t deadline; /* low 32 bits of the deadline in ms */
	uint16_t udp_off, udp_ip_off;
};

_Static_assert(sizeof(struct entry) <= 48, "reassembly bookkeeping stays small");

struct lowpan_reasm {
	struct lowpan_mib *mib;
	uint32_t timeout_ms;
	unsigned max_entries, n;
	size_t max_bytes, bytes;
	uint64_t last_now; /* deadlines are stored as 32 bits relative to it */
	struct entry *e;   /* n live entries, oldest first */
};

static inline size_t bitmap_len(uint16_t size)
{
	return ((size + 7u) / 8u + 7u) / 8u;
}

size_t lowpan_reasm_entry_overhead(uint16_t dgram_size)
{
	return sizeof(struct entry) + bitmap_len(dgram_size);
}

struct lowpan_reasm *lowpan_reasm_new(const struct lowpan_reasm_cfg *cfg, struct lowpan_mib *mib)
{
	struct lowpan_reasm *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->mib = mib;
	r->timeout_ms = cfg && cfg->timeout_ms ? cfg->timeout_ms : 60000;
	r->max_entries = cfg && cfg->max_entries ? cfg->max_entries : 16;
	r->max_bytes = cfg && cfg->max_bytes ? cfg->max_bytes : 16 * 1280;
	r->e = calloc(r->max_entries, sizeof(*r->e));
	if (!r->e) {
		free(r);
		return NULL;
	}
	return r;
}

void lowpan_reasm_free(struct lowpan_reasm *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < r->n; i++)
		free(r->e[i].buf);
	free(r->e);
	free(r);
}

static void drop(struct lowpan_reasm *r, unsigned i)
{
	free(r->e[i].buf);
	r->bytes -= r->e[i].key.size;
	memmove(&r->e[i], &r->e[i + 1], (r->n - i - 1) * sizeof(*r->e));
	r->n--;
}

static void fail(struct lowpan_reasm *r, unsigned i, uint64_t *reason)
{
	r->mib->in_reasm_fails++;
	(*reason)++;
	drop(r, i);
}

/* Signed distance between 32-bit millisecond stamps: valid for ~24 days. */
static inline int32_t tdiff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

void lowpan_reasm_expire(struct lowpan_reasm *r, uint64_t now_ms)
{
	/* Entries are in creation order and share one timeout, so expired
	 * ones are at the front. */
	r->last_now = now_ms;
	while (r->n && tdiff((uint32_t)now_ms, r->e[0].deadline) >= 0)
		fail(r, 0, &r->mib->reasm_timeouts);
}

uint64_t lowpan_reasm_next_deadline(const struct lowpan_reasm *r)
{
	if (!r->n)
		return UINT64_MAX;
	return r->last_now + (uint64_t)(int64_t)tdiff(r->e[0].deadline, (uint32_t)r->last_now);
}

size_t lowpan_reasm_count(const struct lowpan_reasm *r)
{
	return r->n;
}

size_t lowpan_reasm_bytes(const struct lowpan_reasm *r)
{
	return r->bytes;
}

static int create(struct lowpan_reasm *r, const struct lowpan_reasm_key *k, uint64_t now_ms)
{
	if (k->size > r->max_bytes) {
		r->mib->reasm_no_room++;
		return -ENOSPC;
	}
	while (r->n == r->max_entries || r->bytes + k->size > r->max_bytes)
		fail(r, 0, &r->mib->reasm_evictions);
	uint8_t *buf = calloc(1, k->size + bitmap_len(k->size));
	if (!buf)
		return -ENOMEM;
	struct entry *e = &r->e[r->n++];
	memset(e, 0, sizeof(*e));
	e->buf = buf;
	lowpan_reasm_store_key(&e->key, k);
	e->deadline = (uint32_t)(now_ms + r->timeout_ms);
	r->bytes += k->size;
	return 0;
}

/* 0: no unit of [u0,u1) received; 1: all; 2: some. */
static int coverage(const uint8_t *bm, unsigned u0, unsigned u1)
{
	unsigned have = 0;
	for (unsigned u = u0; u < u1; u++)
		have += (bm[u / 8] >> (u % 8)) & 1;
	return have == 0 ? 0 : have == u1 - u0 ? 1 : 2;
}

int lowpan_reasm_add(struct lowpan_reasm *r, const struct lowpan_reasm_key *k,
		     const struct lowpan_reasm_frag *f, uint64_t now_ms, uint8_t **dgram,
		     size_t *dlen)
{
	*dgram = NULL;
	*dlen = 0;
	lowpan_reasm_expire(r, now_ms);
	size_t end = (size_t)f->offset + f->len;
	if (f->len == 0 || f->offset % 8 || end > k->size || (end < k->size && f->len % 8)) {
		r->mib->reasm_bad_fragments++;
		r->mib->in_discards++;
		return LOWPAN_ERR_FRAG;
	}
	r->mib->in_reasm_reqds++;

	unsigned i;
	for (i = 0; i < r->n; i++)
		if (lowpan_reasm_same_link(&r->e[i].key, k))
			break;
	if (i < r->n && r->e[i].key.size != k->size) {
		/* The sender reused the tag for a datagram of another size:
		 * the old one cannot complete any more. */
		fail(r, i, &r->mib->reasm_size_mismatches);
		i = r->n;
	}
	if (i == r->n) {
		int rc = create(r, k, now_ms);
		if (rc)
			return rc;
		i = r->n - 1;
	}
	struct entry *e = &r->e[i];
	uint8_t *bm = e->buf + e->key.size;
	unsigned u0 = f->offset / 8, u1 = (unsigned)((end + 7) / 8);
	int cov = coverage(bm, u0, u1);
	if (cov == 1 && memcmp(e->buf + f->offset, f->data, f->len) == 0) {
		r->mib->reasm_duplicates++;
		return 0;
	}
	if (cov != 0) {
		/* RFC 4944 section 5.3: discard what was accumulated and
		 * start a fresh reassembly with this fragment. */
		fail(r, i, &r->mib->reasm_overlaps);
		int rc = create(r, k, now_ms);
		if (rc)
			return rc;
		e = &r->e[r->n - 1];
		bm = e->buf + e->key.size;
	}
	memcpy(e->buf + f->offset, f->data, f->len);
	for (unsigned u = u0; u < u1; u++)
		bm[u / 8] |= (uint8_t)(1u << (u % 8));
	e->received = (uint16_t)(e->received + f->len);
	if (f->udp_off) {
		e->udp_off = f->udp_off;
		e->udp_ip_off = f->udp_ip_off;
	}
	if (e->received < e->key.size)
		return 0;

	*dgram = e->buf;
	*dlen = e->key.size;
	if (e->udp_off && (size_t)e->udp_off + 8 <= e->key.size &&
	    e->udp_ip_off + 40u <= e->udp_off)
		lowpan_checksum_set_udp6(e->buf, e->key.size, e->udp_ip_off, e->udp_off);
	r->mib->in_reasm_oks++;
	e->buf = NULL;
	r->bytes -= e->key.size;
	memmove(e, e + 1, (r->n - (unsigned)(e - r->e) - 1) * sizeof(*e));
	r->n--;
	return 0;
}
