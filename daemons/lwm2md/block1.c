/*
 * block1 — block-wise request bodies (see block1.h).
 */
#include "block1.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/keyidx.h"

struct body {
	uint8_t key[BLOCK1_KEY_MAX];
	size_t klen;
	uint8_t *data;
	size_t len, cap;
	uint64_t started;
	struct body *prev, *next; /* oldest first */
};

struct block1 {
	struct block1_config cfg;
	struct keyidx *idx;
	struct body *first, *last;
	struct block1_stats st;
};

struct block1 *block1_new(const struct block1_config *cfg)
{
	struct block1 *b = calloc(1, sizeof(*b));

	if (!b)
		abort();
	b->cfg = *cfg;
	b->idx = keyidx_new();
	return b;
}

static void drop(struct block1 *b, struct body *y)
{
	keyidx_del(b->idx, (const char *)y->key, y->klen, y);
	if (y->prev)
		y->prev->next = y->next;
	else
		b->first = y->next;
	if (y->next)
		y->next->prev = y->prev;
	else
		b->last = y->prev;
	b->st.bodies--;
	b->st.bytes -= y->cap;
	free(y->data);
	free(y);
}

void block1_free(struct block1 *b)
{
	if (!b)
		return;
	while (b->first)
		drop(b, b->first);
	keyidx_free(b->idx);
	free(b);
}

static struct body *find(const struct block1 *b, const void *key, size_t klen)
{
	return keyidx_get(b->idx, key, klen);
}

static struct body *start(struct block1 *b, const void *key, size_t klen, uint64_t now)
{
	struct body *y;

	if (b->st.bodies >= b->cfg.max_bodies && b->first) {
		b->st.evicted++;
		drop(b, b->first);
	}
	y = calloc(1, sizeof(*y));
	if (!y)
		abort();
	memcpy(y->key, key, klen);
	y->klen = klen;
	y->started = now;
	y->prev = b->last;
	if (b->last)
		b->last->next = y;
	else
		b->first = y;
	b->last = y;
	keyidx_add(b->idx, (const char *)y->key, klen, y);
	b->st.bodies++;
	return y;
}

/* Room for @need bytes in @y (bounded by the caller against max_body). */
static void reserve(struct block1 *b, struct body *y, size_t need)
{
	size_t cap = y->cap ? y->cap : 256;
	uint8_t *p;

	if (need <= y->cap)
		return;
	while (cap < need)
		cap *= 2;
	if (cap > b->cfg.max_body)
		cap = b->cfg.max_body;
	p = realloc(y->data, cap);
	if (!p)
		abort();
	b->st.bytes += cap - y->cap;
	y->data = p;
	y->cap = cap;
}

int block1_add(struct block1 *b, const void *key, size_t klen, uint32_t num, bool more,
	       unsigned szx, const uint8_t *data, size_t len, size_t size1, uint64_t now_ms,
	       const uint8_t **body, size_t *body_len)
{
	size_t size, offset;
	struct body *y;

	if (szx > 6 || klen > BLOCK1_KEY_MAX)
		return -EINVAL;
	size = (size_t)1 << (szx + 4);
	offset = (size_t)num * size;
	if (len > size || (more && len != size))
		return -EINVAL; /* RFC 7959 §2.2: every block but the last is full */
	y = find(b, key, klen);
	if (num == 0) {
		if (y)
			drop(b, y); /* a new body from the start */
		y = NULL;
	}
	if (size1 > b->cfg.max_body || offset + len > b->cfg.max_body ||
	    num > b->cfg.max_body / size) {
		if (y)
			drop(b, y);
		b->st.too_large++;
		return -EMSGSIZE;
	}
	if (num != 0 && (!y || offset > y->len)) {
		if (y)
			drop(b, y);
		b->st.incomplete++;
		return -EPROTO;
	}
	if (!y)
		y = start(b, key, klen, now_ms);
	b->st.blocks++;
	/* a block sent again under a new message ID lands on the same bytes */
	reserve(b, y, offset + len);
	memcpy(y->data + offset, data, len);
	if (offset + len > y->len || !more)
		y->len = offset + len;
	if (more)
		return BLOCK1_CONTINUE;
	b->st.completed++;
	*body = y->data ? y->data : (const uint8_t *)"";
	*body_len = y->len;
	return BLOCK1_DONE;
}

void block1_release(struct block1 *b, const void *key, size_t klen)
{
	struct body *y = find(b, key, klen);

	if (y)
		drop(b, y);
}

void block1_expire(struct block1 *b, uint64_t now_ms)
{
	while (b->first && now_ms - b->first->started >= b->cfg.lifetime_ms) {
		b->st.expired++;
		drop(b, b->first);
	}
}

void block1_get_stats(const struct block1 *b, struct block1_stats *out)
{
	*out = b->st;
}
