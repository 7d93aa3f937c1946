/*
 * h2block — RFC 7959 block-wise transfers of binding H (LwM2M over
 * HTTP/2, h2dev.h) between a device's virtual peer and lwm2md, for
 * payloads a single datagram does not take: a device's request body goes
 * up as Block1 blocks (h2dev sends the next on each 2.31 Continue), and a
 * device's large answer to a GET or FETCH is kept here and served as
 * Block2 blocks when libcoap in lwm2md asks for them (they never go to
 * the device).  Pure: no I/O, no clock.
 */
#ifndef LWM2MD_H2BLOCK_H
#define LWM2MD_H2BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/httpcoap.h"

#define H2BLOCK_SZX  6 /* blocks of 1024 bytes: what one datagram takes */
#define H2BLOCK_SIZE 1024
#define H2BLOCK_MAX  (64 * 1024) /* a body sent block-wise, at most */

enum {
	H2BLOCK_OPT_BLOCK2 = 23,
	H2BLOCK_OPT_BLOCK1 = 27,
	H2BLOCK_OPT_SIZE2 = 28,
	H2BLOCK_OPT_SIZE1 = 60
};

/* A large answer being served; all zero: none. */
struct h2block_body {
	uint8_t *body;
	size_t len;
	uint64_t target_hash; /* of the request it answers */
	uint8_t method;
	long cf; /* Content-Format, or HTTPCOAP_NO_FORMAT */
};

/* FNV-1a of @m's Uri-Path and Uri-Query: which resource a request is for. */
uint64_t h2block_target_hash(const struct httpcoap_msg *m);

/*
 * Keep @len bytes of @body (copied), the answer to a request of @method
 * whose target hash is @hash, replacing what @b held.
 */
void h2block_keep(struct h2block_body *b, uint64_t hash, uint8_t method, long cf,
		  const uint8_t *body, size_t len);

/* Free what @b holds and zero it. */
void h2block_fini(struct h2block_body *b);

/*
 * Is @req the server asking for a later block (Block2 num > 0) of @b?
 * Then build the answer into @out (its type and message ID from @req: a
 * piggybacked ACK, or a NON with @non_mid), 2.05 with the block (its
 * payload points into @b: send it before changing @b), or 4.02 past the
 * end, set *@last when it is the last block (the caller then frees @b
 * with h2block_fini), and return true.  Else false.
 */
bool h2block_serve(const struct h2block_body *b, const struct httpcoap_msg *req, uint16_t non_mid,
		   struct httpcoap_msg *out, bool *last);

/*
 * The Block1 block of @len-byte @body starting at *@sent, as a copy of
 * @tmpl (the request without payload) with message ID @mid, Block1 and,
 * on the first, Size1; advances *@sent.  Returns 0 or -EMSGSIZE.
 */
int h2block_request(const struct httpcoap_msg *tmpl, const uint8_t *body, size_t len, size_t *sent,
		    uint16_t mid, struct httpcoap_msg *out);

#endif
