/*
 * notifyblk — Block2 notifications put together (see notifyblk.h).
 */
#include "notifyblk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "block1.h"
#include "common/keyidx.h"

#define EXCHANGE_LIFETIME_MS 247000 /* RFC 7252 §4.8.2 */

/* What the first block said, for the whole notification. */
struct first {
	uint8_t token[OBSERVE_TOKEN_LEN];
	size_t token_len;
	struct observe_msg m; /* its fields; payload and token unused */
	uint8_t etag[OBSERVE_ETAG_MAX];
	size_t etag_len;
	struct first *prev, *next; /* oldest first */
};

struct notifyblk {
	struct block1 *bytes; /* the bodies, by token */
	struct keyidx *firsts;
	struct first *head, *tail;
	unsigned max_bodies;
	uint64_t blocks, completed, dropped;
};

struct notifyblk *notifyblk_new(size_t max_body, unsigned max_bodies)
{
	struct notifyblk *nb = calloc(1, sizeof(*nb));

	if (!nb)
		abort();
	nb->bytes = block1_new(&(struct block1_config){ .max_body = max_body,
							 .max_bodies = max_bodies,
							 .lifetime_ms = EXCHANGE_LIFETIME_MS });
	nb->firsts = keyidx_new();
	nb->max_bodies = max_bodies;
	return nb;
}

static struct first *first_of(const struct notifyblk *nb, const uint8_t *token, size_t len)
{
	return keyidx_get(nb->firsts, (const char *)token, len);
}

static void first_del(struct notifyblk *nb, struct first *f)
{
	block1_release(nb->bytes, f->token, f->token_len);
	keyidx_del(nb->firsts, (const char *)f->token, f->token_len, f);
	if (f->prev)
		f->prev->next = f->next;
	else
		nb->head = f->next;
	if (f->next)
		f->next->prev = f->prev;
	else
		nb->tail = f->prev;
	free(f);
}

void notifyblk_release(struct notifyblk *nb, const uint8_t *token, size_t token_len)
{
	struct first *f = first_of(nb, token, token_len);

	if (f)
		first_del(nb, f);
	else
		block1_release(nb->bytes, token, token_len);
}

/* Drop the body on @m's token: a block that cannot be part of it. */
static int drop(struct notifyblk *nb, const struct observe_msg *m, int err)
{
	nb->dropped++;
	notifyblk_release(nb, m->token, m->token_len);
	return err;
}

/* Block 0: a new body on the token (a newer notification replaces an unfinished one). */
static void start(struct notifyblk *nb, const struct observe_msg *m)
{
	struct first *f = first_of(nb, m->token, m->token_len);

	if (!f) {
		/* bounded like the bodies: the oldest unfinished one gives way */
		if (keyidx_count(nb->firsts) >= nb->max_bodies) {
			nb->dropped++;
			first_del(nb, nb->head);
		}
		f = calloc(1, sizeof(*f));
		if (!f)
			abort();
		memcpy(f->token, m->token, m->token_len);
		f->token_len = m->token_len;
		keyidx_add(nb->firsts, (const char *)f->token, f->token_len, f);
		f->prev = nb->tail;
		if (nb->tail)
			nb->tail->next = f;
		else
			nb->head = f;
		nb->tail = f;
	}
	block1_release(nb->bytes, m->token, m->token_len);
	f->m = *m;
	f->m.payload = NULL;
	f->m.token = NULL;
	f->etag_len = m->etag_len;
	memcpy(f->etag, m->etag, m->etag_len);
}

int notifyblk_add(struct notifyblk *nb, const struct observe_msg *m, uint64_t now_ms,
		  struct observe_msg *whole)
{
	struct first *f;
	const uint8_t *body;
	size_t len;
	int rc;

	if (m->token_len == 0 || m->token_len > OBSERVE_TOKEN_LEN ||
	    m->etag_len > OBSERVE_ETAG_MAX)
		return -EINVAL;
	nb->blocks++;
	if (m->block_num == 0)
		start(nb, m);
	f = first_of(nb, m->token, m->token_len);
	/* a later block of a representation other than the first block's (§2.4) */
	if (!f || (m->etag_len && f->etag_len &&
		   (m->etag_len != f->etag_len || memcmp(m->etag, f->etag, m->etag_len) != 0)))
		return drop(nb, m, -EPROTO);
	rc = block1_add(nb->bytes, m->token, m->token_len, m->block_num, m->block_more,
			m->block_szx, m->payload, m->len, 0, now_ms, &body, &len);
	if (rc == BLOCK1_CONTINUE)
		return NOTIFYBLK_PART;
	if (rc != BLOCK1_DONE)
		return drop(nb, m, rc < 0 ? rc : -EPROTO);
	nb->completed++;
	*whole = f->m;
	whole->token = m->token;
	whole->payload = body;
	whole->len = len;
	whole->has_block2 = false;
	return NOTIFYBLK_DONE;
}

void notifyblk_expire(struct notifyblk *nb, uint64_t now_ms)
{
	/* the metadata of an expired body is dropped with the next block 0 on its token */
	block1_expire(nb->bytes, now_ms);
}

void notifyblk_get_stats(const struct notifyblk *nb, struct notifyblk_stats *out)
{
	struct block1_stats bs;

	block1_get_stats(nb->bytes, &bs);
	out->bodies = bs.bodies;
	out->blocks = nb->blocks;
	out->completed = nb->completed;
	out->dropped = nb->dropped;
}

void notifyblk_free(struct notifyblk *nb)
{
	if (!nb)
		return;
	while (nb->head)
		first_del(nb, nb->head);
	block1_free(nb->bytes);
	keyidx_free(nb->firsts);
	free(nb);
}
