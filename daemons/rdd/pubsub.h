/*
 * pubsub — rdd's CoAP publish-subscribe broker (draft-ietf-core-coap-pubsub),
 * served on the RD's own libcoap context:
 *
 *   /ps              topic collection (rt=core.ps.coll): GET (link-format,
 *                    ?rt= filter), FETCH (a CBOR filter), POST (create)
 *   /ps/<id>         topic (rt=core.ps.conf), application/core-pubsub+cbor:
 *                    GET, FETCH (conf-filter), POST and PUT (replace),
 *                    iPATCH (merge), DELETE
 *   /ps/data/<id>    topic-data (rt=core.ps.data): PUT publishes (2.01 the
 *                    first time: half-created -> fully created), GET reads,
 *                    GET with Observe subscribes, DELETE back to half-created
 *
 * Subscriptions are the broker's own (not libcoap's observer lists), so it
 * can count them, refuse one past max-subscribers (a plain 2.05 without
 * Observe, RFC 7641 §4.1), end them with a 4.04 notification (topic or
 * topic-data deleted, topic expired, max-subscribers lowered) and send a
 * confirmable notification at least every observer-check seconds.  A
 * subscriber that answers a confirmable notification with RST, or lets one
 * time out, is dropped (libcoap 4.3.1 reports no RST to a non-confirmable
 * message, so a subscriber that only resets those goes at the next
 * confirmable one).
 *
 * Every request is authorized by rdauth first, by the [auth] rules of the
 * directory: a change (POST /ps, POST/PUT/iPATCH/DELETE of a topic, PUT/DELETE
 * of topic-data) needs what a registration in the broker's sector needs,
 * a read or a subscription what a lookup needs; the bearer token is the
 * query item auth=TOKEN, as for the RD.
 *
 * Topics, their configuration and the last published value are in SQLite
 * (psstore), committed before the answer; a subscriber gets the last value
 * at once even while the publisher sleeps.  The broker registers itself in
 * the RD's store (ep from the config, links to / and /ps).
 */
#ifndef LWGATE_RDD_PUBSUB_H
#define LWGATE_RDD_PUBSUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coap3/coap.h>
#include <event2/event.h>

#include "coap/coapev.h"
#include "common/db.h"
#include "rdauth.h"
#include "rdstore.h"

struct pubsub;

struct pubsub_config {
	uint16_t content_format;      /* number used for application/core-pubsub+cbor */
	unsigned publish_interval_ms; /* shortest time between two publications on a topic */
	size_t max_value_size;        /* bytes of one published value */
	unsigned max_topics;
	const char *endpoint_name; /* of the broker's own RD registration; "" none */
	const char *base;          /* its base URI, e.g. "coap://[2001:db8::1]:5783" */
	/*
	 * The sector (d) the broker's topics and its own registration belong
	 * to ("" none; at most 63 bytes, no space, comma or "*").
	 */
	const char *sector;
	/*
	 * Who may do what (borrowed, outlives the broker; NULL: anyone):
	 * creating, configuring and deleting topics and publishing or deleting
	 * their data need RDAUTH_TOPIC in @sector; reading, FETCH and
	 * subscribing RDAUTH_LOOKUP in @sector (see rdauth.h).
	 */
	struct rdauth *auth;
	int64_t (*now_ms)(void); /* wall clock; NULL: CLOCK_REALTIME */
};

/* One topic, as the control socket lists it (pointers valid during the call). */
struct pubsub_topic_info {
	const char *name, *path, *data_path;
	int content_format; /* topic-content-format, -1 when not configured */
	bool full;          /* fully created */
	size_t subscribers;
	int64_t published_ms; /* 0: never */
	size_t value_len;
	int64_t expires;      /* seconds since the epoch, 0: never */
	const uint8_t *value; /* the last published value (value_len bytes), or NULL */
	int value_cf;         /* its Content-Format as published, -1 when none */
};

/* PUBSUB_PUBLISHED: a publication was stored (the info carries its value). */
enum pubsub_event { PUBSUB_CREATED, PUBSUB_DELETED, PUBSUB_EXPIRED, PUBSUB_PUBLISHED };

typedef void (*pubsub_event_fn)(const struct pubsub_topic_info *t, enum pubsub_event ev, void *arg);

struct pubsub_stats {
	size_t topics, subscribers;
	uint64_t created, deleted, expired, publications, notifications, rate_limited,
		refused_subscriptions, db_errors;
};

/*
 * Load the topics of @db, add the broker's resources to @ctx (driven by
 * @ev) and register the broker in @rd.  @on_event (may be NULL) hears of
 * topics created and deleted.  Returns 0 and *@out, or a negative errno
 * (-EINVAL: a bad sector, logged).
 */
int pubsub_new(struct event_base *base, coap_context_t *ctx, struct coapev *ev, struct db *db,
	       struct rdstore *rd, const struct pubsub_config *cfg, pubsub_event_fn on_event,
	       void *arg, struct pubsub **out);

/* Drop the subscriptions (without notifying) and free; NULL is fine. */
void pubsub_free(struct pubsub *ps);

/* Apply reloaded limits (interval, value size, topic count) from now on. */
void pubsub_set_limits(struct pubsub *ps, const struct pubsub_config *cfg);

/* Call @fn for each topic, in creation order. */
void pubsub_each(struct pubsub *ps, void (*fn)(const struct pubsub_topic_info *t, void *arg),
		 void *arg);

void pubsub_get_stats(const struct pubsub *ps, struct pubsub_stats *out);

/*
 * The NACK handler of the context: a notification answered with RST or
 * never acknowledged ends its subscription; NACKs of client sessions go to
 * rdsimple.  pubsub_new() installs it.
 */
void pubsub_on_nack(coap_session_t *s, const coap_pdu_t *sent, coap_nack_reason_t reason,
		    coap_mid_t mid);

#endif
