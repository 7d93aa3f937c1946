/*
 * nidd — what the SCEF does with mobile-terminated data: deliver it to a
 * reachable device at once, buffer it for a sleeping one (PSM, eDRX) or
 * one without a PDN connection (WAIT_FOR_UE, SEND_TRIGGER), refuse it
 * (INDICATE_ERROR, maximumLatency 0, oversize, buffer full), deliver the
 * buffer when the device wakes, and discard what outlives its
 * maximumLatency (FAILURE_TIMEOUT).  Each change of a buffered delivery is
 * reported through the status callback; a configuration whose duration
 * ends goes, reported through the ended callback.
 */
#ifndef LWGATE_SCEFD_NIDD_H
#define LWGATE_SCEFD_NIDD_H

#include <stdint.h>

#include <event2/event.h>

#include "common/db.h"
#include "devices.h"
#include "store.h"
#include "t8/t8.h"

struct nidd_config {
	unsigned max_packet_bytes; /* maximumPacketSize is this × 8 bits */
	unsigned buffer_max;       /* pending deliveries per device */
	unsigned buffer_time;      /* seconds data is held without maximumLatency */
};

/* A buffered delivery @d changed status (delivered, expired). */
typedef void (*nidd_status_fn)(const struct store_delivery *d, void *arg);

/* Configuration @c reached the end of its duration; it is deleted after this returns. */
typedef void (*nidd_ended_fn)(const struct store_config *c, void *arg);

struct nidd;

/* Both callbacks get @arg.  Returns 0 and *@out, or -ENOMEM. */
int nidd_new(struct event_base *base, struct db *db, struct devices *devs,
	     const struct nidd_config *cfg, nidd_status_fn fn, nidd_ended_fn ended, void *arg,
	     struct nidd **out);
void nidd_free(struct nidd *n);

/* The outcome of a submission: an HTTP status and, on failure, the problem. */
struct nidd_result {
	int http_status; /* 200 delivered, 201 buffered, 403/500 refused */
	struct t8_error err;
	bool quota;           /* refused by a quota: @hit says which */
	struct quota_hit hit;
};

/*
 * Submit @d->dl (target already checked against configuration @cfg) for
 * delivery; @d's status, times and (when buffered) id are set.
 */
void nidd_submit(struct nidd *n, const struct t8_config *cfg, struct store_delivery *d,
		 struct nidd_result *res);

/* Set @dev's state; reachable delivers what is buffered for it. */
void nidd_set_state(struct nidd *n, struct device *dev, enum device_state state);

/*
 * Discard the buffered deliveries past their time, and end the
 * configurations past their duration with their deliveries (the 1 s timer
 * does it).
 */
void nidd_sweep(struct nidd *n);

/* maximumPacketSize in bits, as the configurations report it. */
unsigned nidd_max_packet_bits(const struct nidd *n);

#endif
