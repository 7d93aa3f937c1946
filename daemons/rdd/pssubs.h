/*
 * pssubs — the subscribers of one pub/sub topic-data resource: its own
 * observer list (not libcoap's), so that the broker can count it, refuse
 * a subscription past max-subscribers, end subscriptions with a final
 * 4.04 (RFC 7641 §3.2) and choose when a notification is confirmable.
 *
 * A subscriber is a (server session, token) pair; its session is
 * referenced while it is subscribed.  The list is newest first.
 */
#ifndef LWGATE_RDD_PSSUBS_H
#define LWGATE_RDD_PSSUBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coap3/coap.h>

#define PSSUBS_TOKEN_MAX 8

struct pssubs;

/* The representation a notification carries. */
struct pssubs_value {
	const uint8_t *data;
	size_t len;
	int content_format; /* -1: no Content-Format option */
	uint32_t observe;   /* the Observe value */
};

/* An empty list (aborts on allocation failure). */
struct pssubs *pssubs_new(void);

/* Release every subscriber's session, without notifying; NULL is fine. */
void pssubs_free(struct pssubs *l);

size_t pssubs_count(const struct pssubs *l);

/* Whether (@session, @token) is subscribed. */
bool pssubs_has(const struct pssubs *l, const coap_session_t *session, const uint8_t *token,
		size_t len);

/*
 * Subscribe (@session, @token) at @now_ms (monotonic), referencing the
 * session.  0, or -EMSGSIZE for a token longer than PSSUBS_TOKEN_MAX.
 */
int pssubs_add(struct pssubs *l, coap_session_t *session, const uint8_t *token, size_t len,
	       int64_t now_ms);

/* Unsubscribe (@session, @token) silently; true when it was subscribed. */
bool pssubs_remove(struct pssubs *l, const coap_session_t *session, const uint8_t *token,
		   size_t len);

/*
 * Send @v to every subscriber: non-confirmable, but confirmable when
 * @check_s seconds have passed since the subscriber's last confirmable one
 * (RFC 7641 §4.5).  Returns the notifications handed to libcoap.
 */
size_t pssubs_notify(struct pssubs *l, const struct pssubs_value *v, uint32_t check_s,
		     int64_t now_ms);

/*
 * End the subscriptions past the oldest @keep (all with 0), newest first,
 * each with a confirmable 4.04.  Returns how many ended.
 */
size_t pssubs_end(struct pssubs *l, size_t keep);

#endif
