/*
 * notify — scefd's callbacks to the SCS/AS (the notificationDestination of
 * a configuration): each notification is first written to an outbox table
 * in SQLite, then POSTed as application/json with libevent's HTTP client;
 * a 2xx answer removes it, anything else (refused, timed out, 5xx) tries
 * again after 1, 2, 4 … 60 s.  What is still in the outbox at a restart is
 * sent then: a notification is never lost while the receiver is down.
 * https:// destinations are verified: the chain against a CA file or the
 * system store, the name (SNI and the certificate's names) against the
 * URL's host; a receiver that fails it is retried like one that is down.
 */
#ifndef LWGATE_SCEFD_NOTIFY_H
#define LWGATE_SCEFD_NOTIFY_H

#include <stdint.h>

#include <event2/event.h>

#include "common/db.h"

/* The outbox table (schema 3 of scefd's database). */
extern const char notify_schema_3[];

#define NOTIFY_MAX_INFLIGHT 32    /* POSTs on the wire at once */
#define NOTIFY_MAX_QUEUED   65536 /* outbox rows; more are dropped and counted */

struct notify_stats {
	uint64_t queued, sent, retried, dropped;
	uint64_t waiting; /* in the outbox now */
};

struct notify;

/*
 * Returns 0 and *@out (and starts sending what the outbox holds), or
 * -EINVAL when the CAs that verify https:// receivers do not load: the
 * PEM file @ca_file, or the system store when it is NULL or "".
 */
int notify_new(struct event_base *base, struct db *db, const char *ca_file, struct notify **out);
void notify_free(struct notify *n);

/*
 * Queue @body (JSON) for POST to @url.  Returns 0, -EINVAL for a URL that
 * is not http(s)://host[:port]/path, -ENOSPC when the outbox is full, -EIO.
 */
int notify_post(struct notify *n, const char *url, const char *body);

void notify_get_stats(const struct notify *n, struct notify_stats *out);

#endif
