/*
 * psres — a topic's resources (see psres.h).
 */
#define LOG_COMPONENT "pubsub"

#include "psres.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coap/psconf.h"
#include "common/log.h"
#include "pssubs.h"
#include "rdreq.h"

/* --- topic-data: /ps/data/<id> --- */

static void on_data_get(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
			const coap_string_t *query, coap_pdu_t *resp)
{
	struct topic *t = pubsub_topic_of(r);
	coap_opt_iterator_t it;
	coap_opt_t *obs = coap_check_option(req, COAP_OPTION_OBSERVE, &it);
	coap_bin_const_t tok = coap_pdu_get_token(req);
	bool subscribed = false;

	if (t && !pubsub_permitted(t->ps, s, query, RDAUTH_LOOKUP, resp))
		return;
	if (!t || !t->full) {
		pubsub_reply_error(resp, 404, t ? "the topic has no data yet" : "no such topic");
		return;
	}
	if (obs && coap_decode_var_bytes(coap_opt_value(obs), coap_opt_length(obs)) ==
			   COAP_OBSERVE_ESTABLISH) {
		if (pssubs_has(t->subs, s, tok.s, tok.length)) {
			subscribed = true; /* a re-registration */
		} else if ((t->conf.present & PSCONF_BIT(PSCONF_MAX_SUBSCRIBERS)) &&
			   pssubs_count(t->subs) >= t->conf.max_subscribers) {
			t->ps->stats.refused_subscriptions++; /* a plain GET (RFC 7641 §4.1) */
		} else if (pssubs_add(t->subs, s, tok.s, tok.length, pubsub_mono_ms()) == 0) {
			t->ps->stats.subscribers++;
			/* how pubsub_on_nack() finds the broker of a failed notification */
			coap_session_set_app_data(s, t->ps);
			subscribed = true;
		}
	} else if (obs && pssubs_remove(t->subs, s, tok.s, tok.length)) {
		t->ps->stats.subscribers--;
	}
	coap_pdu_set_code(resp, COAP_RESPONSE_CODE(205));
	if (subscribed)
		pubsub_add_uint_option(resp, COAP_OPTION_OBSERVE, t->seq);
	if (t->cf >= 0)
		pubsub_add_uint_option(resp, COAP_OPTION_CONTENT_FORMAT, (uint32_t)t->cf);
	if (t->len)
		coap_add_data(resp, t->len, t->value);
}

/*
 * @data (@len bytes, Content-Format @cf) as @t's value, stored; *@was_full
 * whether it had one.  False, and @t as it was, when the row could not be
 * written.
 */
static bool publish(struct topic *t, int cf, const uint8_t *data, size_t len, bool *was_full)
{
	uint8_t *old_value = t->value, *copy = malloc(len ? len : 1);
	size_t old_len = t->len;
	int old_cf = t->cf;
	int64_t old_published = t->published_ms;

	if (!copy)
		abort();
	if (len)
		memcpy(copy, data, len);
	*was_full = t->full;
	t->value = copy;
	t->len = len;
	t->cf = cf;
	t->published_ms = pubsub_wall_ms(t->ps);
	t->full = true;
	if (pubsub_save(t) < 0) {
		free(copy);
		t->value = old_value;
		t->len = old_len;
		t->cf = old_cf;
		t->published_ms = old_published;
		t->full = *was_full;
		return false;
	}
	free(old_value);
	return true;
}

static void on_data_put(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
			const coap_string_t *query, coap_pdu_t *resp)
{
	struct topic *t = pubsub_topic_of(r);
	struct pubsub *ps;
	int cf = pubsub_content_format(req);
	const uint8_t *data;
	size_t len;
	int64_t now;
	bool was_full;

	if (!t) {
		pubsub_reply_error(resp, 404, "no such topic");
		return;
	}
	ps = t->ps;
	if (!pubsub_permitted(ps, s, query, RDAUTH_TOPIC, resp))
		return;
	if ((t->conf.present & PSCONF_BIT(PSCONF_CONTENT_FORMAT)) && cf != t->conf.content_format) {
		pubsub_reply_error(resp, 415, "the topic takes Content-Format %u",
				   t->conf.content_format);
		return;
	}
	if (!pubsub_body(req, &data, &len)) {
		pubsub_reply_error(resp, 400, "incomplete body");
		return;
	}
	if (len > ps->cfg.max_value_size) {
		/* options before the diagnostic payload */
		pubsub_add_uint_option(resp, COAP_OPTION_SIZE1, (uint32_t)ps->cfg.max_value_size);
		pubsub_reply_error(resp, 413, "at most %zu bytes", ps->cfg.max_value_size);
		return;
	}
	now = pubsub_mono_ms();
	if (t->last_pub_mono_ms &&
	    now - t->last_pub_mono_ms < (int64_t)ps->cfg.publish_interval_ms) {
		int64_t wait = (int64_t)ps->cfg.publish_interval_ms - (now - t->last_pub_mono_ms);

		ps->stats.rate_limited++;
		coap_pdu_set_code(resp, COAP_RESPONSE_CODE(429));
		/* Max-Age: whole seconds to wait before the next publication (RFC 8516) */
		pubsub_add_uint_option(resp, COAP_OPTION_MAXAGE, (uint32_t)((wait + 999) / 1000));
		return;
	}
	if (!publish(t, cf, data, len, &was_full)) {
		pubsub_reply_error(resp, 500, "the publication could not be stored");
		return;
	}
	t->last_pub_mono_ms = now;
	t->seq = (t->seq + 1) & 0xffffff;
	ps->stats.publications++;
	ps->stats.notifications += pssubs_notify(t->subs,
						 &(struct pssubs_value){ .data = t->value,
									 .len = t->len,
									 .content_format = t->cf,
									 .observe = t->seq },
						 pubsub_observer_check(t), now);
	pubsub_tell(ps, t, PUBSUB_PUBLISHED);
	coap_pdu_set_code(resp, COAP_RESPONSE_CODE(was_full ? 204 : 201));
}

/* DELETE topic-data: the value goes, subscribers get 4.04, the topic is half-created again. */
static void on_data_delete(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
			   const coap_string_t *query, coap_pdu_t *resp)
{
	struct topic *t = pubsub_topic_of(r);
	uint8_t *old;
	size_t old_len;

	(void)req;
	if (t && !pubsub_permitted(t->ps, s, query, RDAUTH_TOPIC, resp))
		return;
	if (!t || !t->full) {
		pubsub_reply_error(resp, 404, t ? "the topic has no data" : "no such topic");
		return;
	}
	old = t->value;
	old_len = t->len;
	t->value = NULL;
	t->len = 0;
	t->full = false;
	if (pubsub_save(t) < 0) {
		t->value = old;
		t->len = old_len;
		t->full = true;
		pubsub_reply_error(resp, 500, "the deletion could not be stored");
		return;
	}
	free(old);
	pubsub_end_subscriptions(t, 0);
	coap_pdu_set_code(resp, COAP_RESPONSE_CODE(202));
}

/* --- topic: /ps/<id> --- */

void psres_reply_conf(struct pubsub *ps, const struct topic *t, uint32_t mask, int code,
		      coap_pdu_t *resp)
{
	uint8_t buf[PSCONF_MAX_LEN];
	long n = psconf_encode(&t->conf, mask, buf, sizeof(buf));

	if (n < 0) {
		pubsub_reply_error(resp, 500, "the configuration does not fit");
		return;
	}
	coap_pdu_set_code(resp, COAP_RESPONSE_CODE(code));
	pubsub_add_uint_option(resp, COAP_OPTION_CONTENT_FORMAT, ps->cfg.content_format);
	coap_add_data(resp, (size_t)n, buf);
}

/*
 * topic-data is a URI reference (-19 §2.2.1), and "ps/data/<id>", the form
 * rdd gave before, resolves against the topic's URI /ps/<id> to
 * /ps/ps/data/<id>: it is read as the path-absolute "/ps/data/<id>" it meant
 * (in a request repeating it, and in rows stored before).
 */
void psres_data_ref(struct psconf *c)
{
	size_t n = strlen(c->topic_data);

	if ((c->present & PSCONF_BIT(PSCONF_TOPIC_DATA)) &&
	    strncmp(c->topic_data, "ps/data/", 8) == 0 && n < sizeof(c->topic_data) - 1) {
		memmove(c->topic_data + 1, c->topic_data, n + 1);
		c->topic_data[0] = '/';
	}
}

/*
 * The request's body as a configuration; false (error sent) when it is not
 * application/core-pubsub+cbor or does not decode.
 */
bool psres_request_conf(struct pubsub *ps, const coap_pdu_t *req, coap_pdu_t *resp,
			struct psconf *c)
{
	const uint8_t *data;
	const char *why = "";
	size_t len, where = 0;
	int cf = pubsub_content_format(req);

	if (cf != -1 && cf != ps->cfg.content_format) {
		pubsub_reply_error(resp, 415, "application/core-pubsub+cbor (%u) expected",
				   ps->cfg.content_format);
		return false;
	}
	if (!pubsub_body(req, &data, &len)) {
		pubsub_reply_error(resp, 400, "incomplete body");
		return false;
	}
	if (psconf_parse(data, len, c, &why, &where) < 0) {
		pubsub_reply_error(resp, len > PSCONF_MAX_LEN ? 413 : 400, "byte %zu: %s", where,
				   why);
		return false;
	}
	psres_data_ref(c);
	return true;
}

static void on_topic_get(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
			 const coap_string_t *query, coap_pdu_t *resp)
{
	struct topic *t = pubsub_topic_of(r);

	(void)req;
	if (!t) {
		pubsub_reply_error(resp, 404, "no such topic");
		return;
	}
	if (pubsub_permitted(t->ps, s, query, RDAUTH_LOOKUP, resp))
		psres_reply_conf(t->ps, t, PSCONF_ALL, 205, resp);
}

static void on_topic_fetch(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
			   const coap_string_t *query, coap_pdu_t *resp)
{
	struct topic *t = pubsub_topic_of(r);
	struct psconf f;

	if (!t) {
		pubsub_reply_error(resp, 404, "no such topic");
		return;
	}
	if (!pubsub_permitted(t->ps, s, query, RDAUTH_LOOKUP, resp) ||
	    !psres_request_conf(t->ps, req, resp, &f))
		return;
	if (f.present != PSCONF_BIT(PSCONF_CONF_FILTER)) {
		pubsub_reply_error(resp, 400, "FETCH on a topic takes a conf-filter (9) alone");
		return;
	}
	psres_reply_conf(t->ps, t, f.filter, 205, resp);
}

static void update(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
		   const coap_string_t *query, coap_pdu_t *resp, bool replace)
{
	struct topic *t = pubsub_topic_of(r);
	struct psconf in, merged, old;
	const char *why = "";

	if (!t) {
		pubsub_reply_error(resp, 404, "no such topic");
		return;
	}
	if (!pubsub_permitted(t->ps, s, query, RDAUTH_TOPIC, resp) ||
	    !psres_request_conf(t->ps, req, resp, &in))
		return;
	if (psconf_merge(&t->conf, &in, replace, &merged, &why) < 0) {
		pubsub_reply_error(resp, 400, "%s", why);
		return;
	}
	old = t->conf;
	t->conf = merged;
	if (pubsub_save(t) < 0) {
		t->conf = old;
		pubsub_reply_error(resp, 500, "the configuration could not be stored");
		return;
	}
	if (merged.present & PSCONF_BIT(PSCONF_MAX_SUBSCRIBERS))
		pubsub_end_subscriptions(t, merged.max_subscribers);
	pubsub_schedule_expiry(t);
	psres_reply_conf(t->ps, t, PSCONF_ALL, 204, resp);
}

/* POST (-19 §2.5.3) and PUT (-18, which updated with it) replace the configuration. */
static void on_topic_replace(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
			     const coap_string_t *query, coap_pdu_t *resp)
{
	update(r, s, req, query, resp, true);
}

static void on_topic_ipatch(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
			    const coap_string_t *query, coap_pdu_t *resp)
{
	update(r, s, req, query, resp, false);
}

static void on_topic_delete(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
			    const coap_string_t *query, coap_pdu_t *resp)
{
	struct topic *t = pubsub_topic_of(r);

	(void)req;
	if (!t) {
		pubsub_reply_error(resp, 404, "no such topic");
		return;
	}
	if (!pubsub_permitted(t->ps, s, query, RDAUTH_TOPIC, resp))
		return;
	if (pubsub_topic_remove(t, PUBSUB_DELETED) < 0) {
		pubsub_reply_error(resp, 500, "the deletion could not be stored");
		return;
	}
	coap_pdu_set_code(resp, COAP_RESPONSE_CODE(202));
}

static coap_resource_t *add_resource(struct pubsub *ps, const char *path, const char *rt,
				     struct topic *t)
{
	coap_resource_t *r = coap_resource_init(coap_make_str_const(path), 0);
	char q[40];

	if (!r)
		abort();
	snprintf(q, sizeof(q), "\"%s\"", rt);
	coap_add_attr(r, coap_make_str_const("rt"), coap_make_str_const(q), 0);
	coap_resource_set_userdata(r, t);
	coap_add_resource(ps->ctx, r);
	return r;
}

/* Attach a loaded or created topic: resources, timer, list. */
void psres_attach(struct pubsub *ps, struct topic *t)
{
	t->ps = ps;
	t->subs = pssubs_new();
	snprintf(t->path, sizeof(t->path), "ps/%s", t->id);
	snprintf(t->data_path, sizeof(t->data_path), "ps/data/%s", t->data_id);
	t->conf_res = add_resource(ps, t->path, "core.ps.conf", t);
	coap_register_handler(t->conf_res, COAP_REQUEST_GET, on_topic_get);
	coap_register_handler(t->conf_res, COAP_REQUEST_FETCH, on_topic_fetch);
	coap_register_handler(t->conf_res, COAP_REQUEST_POST, on_topic_replace);
	coap_register_handler(t->conf_res, COAP_REQUEST_PUT, on_topic_replace);
	coap_register_handler(t->conf_res, COAP_REQUEST_IPATCH, on_topic_ipatch);
	coap_register_handler(t->conf_res, COAP_REQUEST_DELETE, on_topic_delete);
	t->data_res = add_resource(ps, t->data_path, "core.ps.data", t);
	coap_register_handler(t->data_res, COAP_REQUEST_GET, on_data_get);
	coap_register_handler(t->data_res, COAP_REQUEST_PUT, on_data_put);
	coap_register_handler(t->data_res, COAP_REQUEST_DELETE, on_data_delete);
	TAILQ_INSERT_TAIL(&ps->topics, t, order);
	ps->stats.topics++;
	pubsub_schedule_expiry(t);
}
