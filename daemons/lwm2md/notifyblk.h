/*
 * notifyblk — notifications that arrive in Block2 blocks, put together
 * (RFC 7959 §2.6 with RFC 7641): the first block carries Observe, the
 * client's sequence number and the Content-Format; libcoap fetches the
 * remaining blocks with GET + Block2 and no Observe, and hands each one
 * over on the observation's token.  The body is decoded once it is whole,
 * with the first block's Observe, type and format.
 *
 * A block whose ETag differs from the first block's belongs to another
 * representation (the value changed while the blocks were fetched,
 * §2.4): the body is dropped, and the next notification carries the new
 * value.  A later block without a first one, a gap, or a body past
 * max_body is dropped too.  Bounded: at most max_bodies bodies at once
 * (the oldest gives way), none kept past EXCHANGE_LIFETIME.  No libcoap
 * and no clock here: the caller decodes the options and passes the time.
 */
#ifndef LWM2MD_NOTIFYBLK_H
#define LWM2MD_NOTIFYBLK_H

#include <stdint.h>

#include "observe.h"

enum notifyblk_result {
	NOTIFYBLK_PART = 1, /* taken: more blocks to come */
	NOTIFYBLK_DONE = 2, /* *whole is the notification, until notifyblk_release() */
};

struct notifyblk_stats {
	unsigned bodies; /* being received now */
	uint64_t blocks, completed, dropped;
};

struct notifyblk;

/* Never NULL. */
struct notifyblk *notifyblk_new(size_t max_body, unsigned max_bodies);

/* NULL is fine. */
void notifyblk_free(struct notifyblk *nb);

/*
 * Take @m, one block of a notification (m->has_block2, with a number or
 * more to come).  Returns NOTIFYBLK_PART, NOTIFYBLK_DONE with *@whole the
 * notification (the first block's fields, the whole body as payload,
 * has_block2 false), or -EPROTO (out of order, no first block, or
 * another ETag), -EMSGSIZE (past max_body), -EINVAL (a malformed block):
 * the body is dropped.
 */
int notifyblk_add(struct notifyblk *nb, const struct observe_msg *m, uint64_t now_ms,
		  struct observe_msg *whole);

/* Forget the body on @token (after NOTIFYBLK_DONE, or its observation ended). */
void notifyblk_release(struct notifyblk *nb, const uint8_t *token, size_t token_len);

/* Drop the bodies older than EXCHANGE_LIFETIME. */
void notifyblk_expire(struct notifyblk *nb, uint64_t now_ms);

void notifyblk_get_stats(const struct notifyblk *nb, struct notifyblk_stats *out);

#endif
