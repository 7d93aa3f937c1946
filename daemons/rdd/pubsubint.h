/*
 * pubsubint — what the broker (pubsub) shares with the handlers of a
 * topic's resources beside it (psres): the broker's and the topics' state,
 * request helpers and the topic's lifecycle.  Internal to the broker;
 * everything else uses pubsub.h.
 */
#ifndef LWGATE_RDD_PUBSUBINT_H
#define LWGATE_RDD_PUBSUBINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>

#include <coap3/coap.h>
#include <event2/event.h>

#include "coap/psconf.h"
#include "pssubs.h"
#include "pubsub.h"

#define ID_LEN 8 /* hex digits of a topic or topic-data name */

struct topic {
	struct pubsub *ps;
	TAILQ_ENTRY(topic) order;
	struct topic *dead_next;
	char id[ID_LEN + 1], data_id[ID_LEN + 1];
	char path[8 + ID_LEN], data_path[16 + ID_LEN]; /* "ps/<id>", "ps/data/<id>" */
	struct psconf conf;
	bool full;
	uint8_t *value;
	size_t len;
	int cf; /* of the value, -1 when the publisher gave none */
	int64_t published_ms, created_ms;
	int64_t last_pub_mono_ms; /* for the publication rate limit */
	struct pssubs *subs;
	uint32_t seq; /* Observe value of the current representation */
	coap_resource_t *conf_res, *data_res;
	struct event *expiry;
};

TAILQ_HEAD(topic_list, topic);

struct pubsub {
	struct event_base *base;
	coap_context_t *ctx;
	struct coapev *ev;
	struct db *db;
	struct rdstore *rd;
	struct pubsub_config cfg;
	pubsub_event_fn on_event;
	void *arg;
	struct topic_list topics;
	struct topic *dead; /* deleted, their resources removed after the handler returns */
	struct event *reaper;
	coap_resource_t *coll;
	struct pubsub_stats stats;
};

/* Wall-clock milliseconds (the configuration's clock when it sets one). */
int64_t pubsub_wall_ms(const struct pubsub *ps);
/* Monotonic milliseconds (the publication rate limit's clock). */
int64_t pubsub_mono_ms(void);

/* An error code with a diagnostic payload (RFC 7252 §5.5.2). */
void pubsub_reply_error(coap_pdu_t *resp, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Option @num with the value @v, in as few bytes as it takes. */
void pubsub_add_uint_option(coap_pdu_t *pdu, coap_option_num_t num, uint32_t v);
/* The Content-Format of @pdu, -1 when it has none. */
int pubsub_content_format(const coap_pdu_t *pdu);
/* @req's payload into @data/@len (none: NULL, 0); false when it came in part (Block1). */
bool pubsub_body(const coap_pdu_t *req, const uint8_t **data, size_t *len);

/* Tell the broker's owner (pubsub_new()'s callback) of @ev on @t. */
void pubsub_tell(struct pubsub *ps, const struct topic *t, enum pubsub_event ev);
/* Write the whole topic; the answer to the client waits for this commit. */
int pubsub_save(struct topic *t);
/* @t's observer-check, in seconds (RFC 7641 §4.5). */
uint32_t pubsub_observer_check(const struct topic *t);
/* End the subscriptions past @keep with a 4.04 (RFC 7641 §3.2). */
void pubsub_end_subscriptions(struct topic *t, size_t keep);
/* (Re)arm @t's expiry timer from its configuration. */
void pubsub_schedule_expiry(struct topic *t);
/*
 * Take @t out of service: subscribers get a 4.04, the row goes, and the
 * libcoap resources are removed once the current handler has returned.
 */
int pubsub_topic_remove(struct topic *t, enum pubsub_event why);
/* The topic a resource of it belongs to. */
struct topic *pubsub_topic_of(coap_resource_t *r);
/*
 * May the sender of the request on @s do @op (RDAUTH_TOPIC, RDAUTH_LOOKUP)
 * in the broker's sector?  False with 4.00, 4.01 or 4.03 in @resp.
 */
bool pubsub_permitted(struct pubsub *ps, coap_session_t *s, const coap_string_t *query,
		      enum rdauth_op op, coap_pdu_t *resp);

#endif
