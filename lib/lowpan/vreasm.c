#include "lowpan/vreasm.h"
#include "lowpan/error.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A FRAGN received before its FRAG1. */
struct held {
	struct held *next;
	uint16_t offset, len;
	uint8_t data[];
};

/* DONE entries keep their header copy until the next call, since the hop
 * handed out for the final fragment points to it. */
enum { WAIT_FIRST, FORWARDING, GIVEN_UP, DONE };

/* One runt entry: 56 octets plus the header copy. */
struct ventry {
	struct lowpan_reasm_stored_key key;
	uint16_t out_tag;
	uint16_t forwarded; /* uncompressed octets forwarded */
	uint8_t hdr_len;
	uint8_t state : 2, saw_last : 1;
	uint32_t deadline;
	uint64_t cookie;
	uint8_t *hdr;
	struct held *held; /* newest first */
};

_Static_assert(sizeof(struct ventry) <= 64, "runt entries stay within 64 octets");

struct lowpan_vreasm {
	struct lowpan_mib *mib;
	uint32_t timeout_ms;
	unsigned max_entries, n;
	size_t max_held, held_bytes;
	bool have_done;
	struct ventry *e; /* oldest first */
};

struct lowpan_vreasm *lowpan_vreasm_new(const struct lowpan_vreasm_cfg *cfg, struct lowpan_mib *mib)
{
	struct lowpan_vreasm *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->mib = mib;
	v->timeout_ms = cfg && cfg->timeout_ms ? cfg->timeout_ms : 60000;
	v->max_entries = cfg && cfg->max_entries ? cfg->max_entries : 32;
	v->max_held = cfg ? cfg->max_held : 0;
	v->e = calloc(v->max_entries, sizeof(*v->e));
	if (!v->e) {
		free(v);
		return NULL;
	}
	return v;
}

static size_t free_held(struct lowpan_vreasm *v, struct ventry *e)
{
	size_t n = 0;
	for (struct held *h = e->held, *next; h; h = next) {
		next = h->next;
		v->held_bytes -= h->len;
		free(h);
		n++;
	}
	e->held = NULL;
	return n;
}

static void drop(struct lowpan_vreasm *v, unsigned i)
{
	struct ventry *e = &v->e[i];
	v->mib->vreasm_dropped += free_held(v, e);
	free(e->hdr);
	memmove(e, e + 1, (v->n - i - 1) * sizeof(*e));
	v->n--;
}

void lowpan_vreasm_free(struct lowpan_vreasm *v)
{
	if (!v)
		return;
	while (v->n)
		drop(v, v->n - 1);
	v->have_done = false;
	free(v->e);
	free(v);
}

static void purge_done(struct lowpan_vreasm *v)
{
	if (!v->have_done)
		return;
	for (unsigned i = v->n; i-- > 0;)
		if (v->e[i].state == DONE)
			drop(v, i);
	v->have_done = false;
}

void lowpan_vreasm_expire(struct lowpan_vreasm *v, uint64_t now_ms)
{
	purge_done(v);
	while (v->n && (int32_t)((uint32_t)now_ms - v->e[0].deadline) >= 0) {
		v->mib->vreasm_timeouts++;
		drop(v, 0);
	}
}

size_t lowpan_vreasm_count(const struct lowpan_vreasm *v)
{
	return v->n;
}

size_t lowpan_vreasm_held_bytes(const struct lowpan_vreasm *v)
{
	return v->held_bytes;
}

size_t lowpan_vreasm_entry_size(void)
{
	return sizeof(struct ventry);
}

static struct ventry *find(struct lowpan_vreasm *v, const struct lowpan_reasm_key *k)
{
	for (unsigned i = 0; i < v->n; i++) {
		struct ventry *e = &v->e[i];
		if (e->state != DONE && e->key.size == k->size &&
		    lowpan_reasm_same_link(&e->key, k))
			return e;
	}
	return NULL;
}

bool lowpan_vreasm_known(const struct lowpan_vreasm *v, const struct lowpan_reasm_key *k)
{
	for (unsigned i = 0; i < v->n; i++)
		if (v->e[i].state != DONE && v->e[i].key.size == k->size &&
		    lowpan_reasm_same_link(&v->e[i].key, k))
			return true;
	return false;
}

static struct ventry *create(struct lowpan_vreasm *v, const struct lowpan_reasm_key *k,
			     uint64_t now_ms)
{
	if (v->n == v->max_entries) {
		v->mib->vreasm_evictions++;
		drop(v, 0);
	}
	struct ventry *e = &v->e[v->n++];
	memset(e, 0, sizeof(*e));
	lowpan_reasm_store_key(&e->key, k);
	e->state = WAIT_FIRST;
	e->deadline = (uint32_t)(now_ms + v->timeout_ms);
	return e;
}

static void hop_of(const struct ventry *e, struct lowpan_vreasm_hop *hop)
{
	hop->out_tag = e->out_tag;
	hop->cookie = e->cookie;
	hop->hdr = e->hdr;
	hop->hdr_len = e->hdr_len;
}

/* A fragment of a datagram given up on is dropped (LWIG 3.1.1). */
static bool given_up(struct lowpan_vreasm *v, const struct ventry *e)
{
	if (!e || e->state != GIVEN_UP)
		return false;
	v->mib->vreasm_dropped++;
	return true;
}

/* The fragment [offset, offset + len) of e's datagram went to the next hop. */
static void note_forwarded(struct lowpan_vreasm *v, struct ventry *e, uint16_t offset, size_t len)
{
	v->mib->vreasm_forwarded++;
	e->forwarded = (uint16_t)(e->forwarded + len);
	if ((size_t)offset + len == e->key.size)
		e->saw_last = 1;
}

/* Forwarded everything and saw the final fragment: forget the datagram
 * (LWIG 3.1.1: later out-of-order fragments are not expected). */
static void maybe_done(struct lowpan_vreasm *v, struct ventry *e)
{
	if (e->saw_last && e->forwarded >= e->key.size) {
		e->state = DONE;
		v->have_done = true;
	}
}

int lowpan_vreasm_first(struct lowpan_vreasm *v, const struct lowpan_reasm_key *k,
			const uint8_t *hdr, size_t hdr_len, size_t first_len, uint16_t out_tag,
			uint64_t cookie, uint64_t now_ms, lowpan_vreasm_fwd_fn fwd, void *arg)
{
	lowpan_vreasm_expire(v, now_ms);
	if (hdr_len > 255)
		return -EINVAL;
	if (first_len > k->size)
		return LOWPAN_ERR_FRAG;
	struct ventry *e = find(v, k);
	if (given_up(v, e))
		return LOWPAN_ERR_FRAG;
	if (e && e->state == FORWARDING)
		return 0; /* a duplicate FRAG1: already forwarded */
	if (!e)
		e = create(v, k, now_ms);
	e->hdr = malloc(hdr_len ? hdr_len : 1);
	if (!e->hdr) {
		drop(v, (unsigned)(e - v->e));
		return -ENOMEM;
	}
	memcpy(e->hdr, hdr, hdr_len);
	e->hdr_len = (uint8_t)hdr_len;
	e->out_tag = out_tag;
	e->cookie = cookie;
	e->state = FORWARDING;
	e->forwarded = (uint16_t)first_len;
	e->saw_last = first_len == k->size;
	v->mib->vreasm_forwarded++;

	/* Release held fragments oldest first (the list is newest first). */
	struct held *rev = NULL;
	while (e->held) {
		struct held *h = e->held;
		e->held = h->next;
		h->next = rev;
		rev = h;
	}
	struct lowpan_vreasm_hop hop;
	hop_of(e, &hop);
	while (rev) {
		struct held *h = rev;
		rev = h->next;
		if (fwd)
			fwd(arg, &hop, h->offset, h->data, h->len);
		note_forwarded(v, e, h->offset, h->len);
		v->held_bytes -= h->len;
		free(h);
	}
	maybe_done(v, e);
	return 0;
}

static void give_up(struct lowpan_vreasm *v, struct ventry *e)
{
	v->mib->vreasm_dropped += free_held(v, e);
	e->state = GIVEN_UP;
}

int lowpan_vreasm_next(struct lowpan_vreasm *v, const struct lowpan_reasm_key *k, uint16_t offset,
		       const uint8_t *data, size_t len, uint64_t now_ms,
		       enum lowpan_vreasm_action *action, struct lowpan_vreasm_hop *hop)
{
	lowpan_vreasm_expire(v, now_ms);
	*action = 0;
	if (len == 0 || (size_t)offset + len > k->size) {
		v->mib->vreasm_dropped++;
		return LOWPAN_ERR_FRAG;
	}
	struct ventry *e = find(v, k);
	if (given_up(v, e))
		return LOWPAN_ERR_FRAG;
	if (e && e->state == FORWARDING) {
		hop_of(e, hop);
		*action = LOWPAN_VREASM_FORWARD;
		note_forwarded(v, e, offset, len);
		maybe_done(v, e);
		return 0;
	}
	if (!e)
		e = create(v, k, now_ms);
	if (v->held_bytes + len > v->max_held) {
		/* LWIG 3.1.1: without buffer space, discard and remember
		 * that the rest of this datagram is not worth forwarding. */
		give_up(v, e);
		v->mib->vreasm_dropped++;
		return -ENOSPC;
	}
	struct held *h = malloc(sizeof(*h) + len);
	if (!h)
		return -ENOMEM;
	h->offset = offset;
	h->len = (uint16_t)len;
	memcpy(h->data, data, len);
	h->next = e->held;
	e->held = h;
	v->held_bytes += len;
	v->mib->vreasm_buffered++;
	*action = LOWPAN_VREASM_HELD;
	return 0;
}
