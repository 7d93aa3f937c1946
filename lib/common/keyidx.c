/*
 * keyidx — chained hash index (FNV-1a), power-of-two buckets, doubled when
 * there are more pairs than buckets.
 */
#include "common/keyidx.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct node {
	struct node *next;
	uint32_t hash;
	const char *key;
	size_t len;
	void *value;
};

struct keyidx {
	struct node **buckets;
	size_t nbuckets; /* a power of two */
	size_t count;
};

static uint32_t hash_of(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

struct keyidx *keyidx_new(void)
{
	struct keyidx *ix = calloc(1, sizeof(*ix));

	if (!ix)
		abort();
	ix->nbuckets = 16;
	ix->buckets = calloc(ix->nbuckets, sizeof(*ix->buckets));
	if (!ix->buckets)
		abort();
	return ix;
}

void keyidx_free(struct keyidx *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->nbuckets; i++)
		while (ix->buckets[i]) {
			struct node *n = ix->buckets[i];

			ix->buckets[i] = n->next;
			free(n);
		}
	free(ix->buckets);
	free(ix);
}

static void grow(struct keyidx *ix)
{
	size_t size = ix->nbuckets * 2;
	struct node **b = calloc(size, sizeof(*b));

	if (!b)
		abort();
	for (size_t i = 0; i < ix->nbuckets; i++)
		while (ix->buckets[i]) {
			struct node *n = ix->buckets[i];

			ix->buckets[i] = n->next;
			n->next = b[n->hash & (size - 1)];
			b[n->hash & (size - 1)] = n;
		}
	free(ix->buckets);
	ix->buckets = b;
	ix->nbuckets = size;
}

void keyidx_add(struct keyidx *ix, const char *key, size_t len, void *value)
{
	struct node *n = malloc(sizeof(*n));
	struct node **b;

	if (!n)
		abort();
	if (ix->count >= ix->nbuckets)
		grow(ix);
	n->hash = hash_of(key, len);
	n->key = key;
	n->len = len;
	n->value = value;
	b = &ix->buckets[n->hash & (ix->nbuckets - 1)];
	n->next = *b;
	*b = n;
	ix->count++;
}

static bool same(const struct node *n, uint32_t h, const char *key, size_t len)
{
	return n->hash == h && n->len == len && memcmp(n->key, key, len) == 0;
}

bool keyidx_del(struct keyidx *ix, const char *key, size_t len, const void *value)
{
	uint32_t h = hash_of(key, len);

	for (struct node **pp = &ix->buckets[h & (ix->nbuckets - 1)]; *pp; pp = &(*pp)->next) {
		struct node *n = *pp;

		if (n->value == value && same(n, h, key, len)) {
			*pp = n->next;
			free(n);
			ix->count--;
			return true;
		}
	}
	return false;
}

static void *from(const struct node *n, uint32_t h, struct keyidx_iter *it)
{
	for (; n; n = n->next)
		if (same(n, h, it->key, it->len)) {
			it->node = n;
			return n->value;
		}
	it->node = NULL;
	return NULL;
}

void *keyidx_first(const struct keyidx *ix, const char *key, size_t len, struct keyidx_iter *it)
{
	uint32_t h = hash_of(key, len);

	it->key = key;
	it->len = len;
	return from(ix->buckets[h & (ix->nbuckets - 1)], h, it);
}

void *keyidx_next(struct keyidx_iter *it)
{
	const struct node *n = it->node;

	return n ? from(n->next, n->hash, it) : NULL;
}

void *keyidx_get(const struct keyidx *ix, const char *key, size_t len)
{
	struct keyidx_iter it;

	return keyidx_first(ix, key, len, &it);
}

size_t keyidx_count(const struct keyidx *ix)
{
	return ix->count;
}
