/*
 * rdmirror — lwm2md's registered clients, mirrored into rdd (the seed's
 * CRD-001 / CoP-001), so that one lookup finds LwM2M devices and plain
 * CoRE devices alike.
 *
 * Each client becomes an rdd endpoint of the same name, et=oma.lwm2m, with
 * its object links as resources, its address as base
 * (coap://, coaps://, coap+tcp:// or coaps+tcp://) and its remaining
 * lifetime as lt — so a mirror that lwm2md can no longer correct (rdd was
 * down when the client left) still ends with the client's lifetime.
 *
 * Changes are noted by endpoint name and sent over rdd's control socket
 * ("register", "remove et=oma.lwm2m") from the loop, a bounded number at a
 * time; what is sent is the client's state at sending time, so a burst of
 * updates of one client costs one call.  While rdd cannot be reached the
 * names wait and are sent again every RDMIRROR_RETRY_MS.
 */
#ifndef LWM2MD_RDMIRROR_H
#define LWM2MD_RDMIRROR_H

#include <stdint.h>

#include <event2/event.h>

#include "clients.h"

#define RDMIRROR_ET       "oma.lwm2m"
#define RDMIRROR_RETRY_MS 2000

struct rdmirror_config {
	const char *socket; /* rdd's control socket */
	const char *sector; /* rdd sector (d) of the mirrored endpoints; "" or NULL: none */
	int timeout_ms;     /* per call */
	unsigned in_flight; /* calls outstanding at most */
};

struct rdmirror_stats {
	uint64_t sent, failed, unreachable;
	size_t pending; /* names waiting to be sent */
	bool connected;
};

struct rdmirror;

/* A mirror on @base; nothing is sent until rdmirror_attach().  Never NULL. */
struct rdmirror *rdmirror_new(struct event_base *base, const struct rdmirror_config *cfg);

/* Forget pending names and disconnect; NULL is fine. */
void rdmirror_free(struct rdmirror *m);

/* The table whose clients are mirrored (borrowed); sending starts. */
void rdmirror_attach(struct rdmirror *m, struct clients *clients);

/* Endpoint @ep was registered, updated or removed: bring rdd in step. */
void rdmirror_changed(struct rdmirror *m, const char *ep);

void rdmirror_get_stats(const struct rdmirror *m, struct rdmirror_stats *out);

#endif
