/*
 * block1 — the bodies of block-wise requests (RFC 7959 Block1) that a
 * client sends lwm2md: a Register or Update whose object links, or a Send
 * whose values, do not fit one datagram (the normal case on a 6LoWPAN
 * link with 64- or 128-byte blocks).
 *
 * libcoap 4.3.1 hands a server each block on its own, so the bodies are
 * put together here, keyed by the peer and the resource: a client may use
 * one token for the whole body or a new token per block (RFC 7959 §2.3
 * allows both), and may make its blocks smaller on the way (§2.5).  A
 * block arrives at the byte offset its number and size give; one that
 * leaves a gap gets 4.08 Request Entity Incomplete; a body past the
 * configured limit gets 4.13 Request Entity Too Large (with Size1, §4).
 * A retransmitted block is answered again by lwm2md's duplicate store
 * before it reaches this module; one sent again under a new message ID
 * is taken again harmlessly (the same bytes at the same offset).
 *
 * The table is bounded (entries and bytes) and a body not finished within
 * EXCHANGE_LIFETIME is dropped.  No libcoap here, no clock: the caller
 * passes the time.
 */
#ifndef LWM2MD_BLOCK1_H
#define LWM2MD_BLOCK1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLOCK1_KEY_MAX 192 /* peer address and resource path */

enum block1_result {
	BLOCK1_CONTINUE = 1, /* stored: answer 2.31 Continue */
	BLOCK1_DONE = 2,     /* the body is complete: *body, *len until block1_release() */
};

struct block1_config {
	size_t max_body;      /* bytes of one body at most (4.13 beyond) */
	unsigned max_bodies;  /* bodies being received at once; the oldest gives way */
	uint64_t lifetime_ms; /* a body not finished by then is dropped */
};

struct block1_stats {
	unsigned bodies; /* being received now */
	size_t bytes;    /* held now */
	uint64_t completed, blocks, too_large, incomplete, evicted, expired;
};

struct block1;

/* Never NULL. */
struct block1 *block1_new(const struct block1_config *cfg);

/* NULL is fine. */
void block1_free(struct block1 *b);

/*
 * Take block @num (size 2^(@szx+4), @more blocks follow) of @len bytes for
 * @key (@klen bytes, at most BLOCK1_KEY_MAX), with @size1 the total the
 * client announced (0: none).  Returns BLOCK1_CONTINUE, BLOCK1_DONE (the
 * whole body in *@body, *@body_len, valid until block1_release() or the
 * next call), -EMSGSIZE (past max_body: answer 4.13; the body is dropped),
 * -EPROTO (a gap, or a first block that never came: 4.08; dropped), or
 * -EINVAL (@szx > 6, or a block longer than its size).
 */
int block1_add(struct block1 *b, const void *key, size_t klen, uint32_t num, bool more,
	       unsigned szx, const uint8_t *data, size_t len, size_t size1, uint64_t now_ms,
	       const uint8_t **body, size_t *body_len);

/* Forget the body of @key (after BLOCK1_DONE, once it is used). */
void block1_release(struct block1 *b, const void *key, size_t klen);

/* Drop the bodies older than the lifetime. */
void block1_expire(struct block1 *b, uint64_t now_ms);

void block1_get_stats(const struct block1 *b, struct block1_stats *out);

#endif
