/*
 * keyidx — a hash index from byte-string keys to values, for the daemons'
 * lookups by name (PSK identities, endpoint names, application IDs,
 * external identifiers).  The index owns neither keys nor values: a key must stay
 * valid (usually it lives in the value) until its entry is deleted.  A key
 * may map to several values (application IDs are shared).  Buckets double
 * as the index grows, so a lookup costs O(1) on average at any size.
 */
#ifndef LWGATE_COMMON_KEYIDX_H
#define LWGATE_COMMON_KEYIDX_H

#include <stdbool.h>
#include <stddef.h>

struct keyidx;

/* Iteration over the values of one key (see keyidx_first). */
struct keyidx_iter {
	const void *node;
	const char *key;
	size_t len;
};

/* An empty index.  Never NULL (aborts when out of memory). */
struct keyidx *keyidx_new(void);

/* Free the index, not the keys or values; NULL is fine. */
void keyidx_free(struct keyidx *ix);

/* Map @key (@len bytes, borrowed) to @value as well.  Aborts when out of memory. */
void keyidx_add(struct keyidx *ix, const char *key, size_t len, void *value);

/* Remove the pair (@key, @value): true when it was there. */
bool keyidx_del(struct keyidx *ix, const char *key, size_t len, const void *value);

/* A value of @key (the one added last), or NULL. */
void *keyidx_get(const struct keyidx *ix, const char *key, size_t len);

/* The first value of @key, or NULL; then keyidx_next() for the others. */
void *keyidx_first(const struct keyidx *ix, const char *key, size_t len, struct keyidx_iter *it);

/* The next value of the key of @it, or NULL. */
void *keyidx_next(struct keyidx_iter *it);

/* The number of pairs. */
size_t keyidx_count(const struct keyidx *ix);

#endif
