/*
 * niddlog — the recent downlinks of one NIDD device: each one's CoAP
 * identity (Message ID, token, a hash of its bytes) beside its delivery at
 * the SCEF (link, DeliveryStatus), so that message identity and delivery
 * can be told from each other (LPW-003/004) and a retransmission of a
 * message the SCEF still holds is recognised (LPW-002).  Bounded: the
 * oldest entry makes room.  Pure: no I/O, no clock.
 */
#ifndef LWM2MD_NIDDLOG_H
#define LWM2MD_NIDDLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define NIDDLOG_SIZE     16  /* downlinks kept per device */
#define NIDDLOG_LINK_MAX 512 /* a delivery's link */

struct niddlog_entry {
	uint64_t seq; /* 0: unused; grows with each downlink */
	uint16_t mid;
	uint8_t token[8];
	uint8_t tkl;
	uint64_t hash; /* of the whole message: a retransmission is the same bytes */
	char link[NIDDLOG_LINK_MAX];
	const char
		*status; /* a DeliveryStatus name, or SENDING, FAILED, REFUSED, LIMITED (static) */
	bool held;       /* SENDING, or held at the SCEF: not final */
};

struct niddlog {
	struct niddlog_entry e[NIDDLOG_SIZE];
	uint64_t next_seq;
};

/*
 * Log the CoAP message @msg (@len bytes) as a downlink now SENDING: its
 * entry into *@out.  Returns 0, -EINVAL when it is not a CoAP message, or
 * -EALREADY (nothing logged) when the same message (same MID, same bytes)
 * is still held: on the wire to the SCEF or buffered there.
 */
int niddlog_add(struct niddlog *l, const uint8_t *msg, size_t len, struct niddlog_entry **out);

/* The entry of downlink @seq, or NULL when a newer one took its place. */
struct niddlog_entry *niddlog_get(struct niddlog *l, uint64_t seq);

/* The entry whose delivery link is @link, or NULL. */
struct niddlog_entry *niddlog_find_link(struct niddlog *l, const char *link);

/*
 * The static name of DeliveryStatus @s (TS 29.122), or NULL when @s is
 * not one.
 */
const char *niddlog_status_name(const char *s);

/*
 * Set @e's status (a static string); final ones (SUCCESS…, FAILURE…,
 * FAILED, REFUSED, LIMITED) end its hold.
 */
void niddlog_set_status(struct niddlog_entry *e, const char *status);

/* @e's token in hex into @out (17 bytes). */
void niddlog_token_hex(const struct niddlog_entry *e, char out[17]);

/* The entries, newest first: [{mid, token, delivery, status}]. */
json_t *niddlog_json(const struct niddlog *l);

#endif
