/*
 * The publish-subscribe broker (see pubsub.h).
 */
#define LOG_COMPONENT "pubsub"

#include "pubsub.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/random.h>
#include <time.h>

#include "coap/linkformat.h"
#include "coap/psconf.h"
#include "coap/rdquery.h"
#include "common/log.h"
#include "psstore.h"
#include "psres.h"
#include "pssubs.h"
#include "pubsubint.h"
#include "rdreq.h"
#include "rdsimple.h"

#define CF_LINK_FORMAT         40
#define DEFAULT_OBSERVER_CHECK 86400 /* seconds (RFC 7641 §4.5), when a topic sets none */
#define BROKER_LT              2147483647u

int64_t pubsub_wall_ms(const struct pubsub *ps)
{
	struct timespec ts;

	if (ps->cfg.now_ms)
		return ps->cfg.now_ms();
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t pubsub_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An error code with a diagnostic payload (RFC 7252 §5.5.2). */
void pubsub_reply_error(coap_pdu_t *resp, int code, const char *fmt, ...)
{
	char text[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	coap_pdu_set_code(resp, COAP_RESPONSE_CODE(code));
	if (n > 0)
		coap_add_data(resp, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1,
			      (const uint8_t *)text);
}

void pubsub_add_uint_option(coap_pdu_t *pdu, coap_option_num_t num, uint32_t v)
{
	uint8_t buf[4];

	coap_add_option(pdu, num, coap_encode_var_safe(buf, sizeof(buf), v), buf);
}

/* The Content-Format of @pdu, -1 when it has none. */
int pubsub_content_format(const coap_pdu_t *pdu)
{
	coap_opt_iterator_t it;
	coap_opt_t *o = coap_check_option(pdu, COAP_OPTION_CONTENT_FORMAT, &it);

	return o ? (int)coap_decode_var_bytes(coap_opt_value(o), coap_opt_length(o)) : -1;
}

bool pubsub_body(const coap_pdu_t *req, const uint8_t **data, size_t *len)
{
	size_t offset, total;

	*len = 0;
	*data = NULL;
	if (!coap_get_data_large(req, len, data, &offset, &total))
		return true; /* no payload */
	return offset == 0 && *len == total;
}

static void info_of(const struct topic *t, struct pubsub_topic_info *out)
{
	out->name = t->conf.topic_name;
	out->path = t->path;
	out->data_path = t->data_path;
	out->content_format =
		(t->conf.present & PSCONF_BIT(PSCONF_CONTENT_FORMAT)) ? t->conf.content_format : -1;
	out->full = t->full;
	out->subscribers = pssubs_count(t->subs);
	out->published_ms = t->published_ms;
	out->value_len = t->len;
	out->value = t->value;
	out->value_cf = t->cf;
	out->expires = (t->conf.present & PSCONF_BIT(PSCONF_EXPIRATION_DATE)) ? t->conf.expires : 0;
}

void pubsub_tell(struct pubsub *ps, const struct topic *t, enum pubsub_event ev)
{
	struct pubsub_topic_info info;

	if (!ps->on_event)
		return;
	info_of(t, &info);
	ps->on_event(&info, ev, ps->arg);
}

/* Write the whole topic; the answer to the client waits for this commit. */
int pubsub_save(struct topic *t)
{
	uint8_t conf[PSCONF_MAX_LEN];
	long n = psconf_encode(&t->conf, PSCONF_ALL, conf, sizeof(conf));
	struct psstore_row row = { .id = t->id,
				   .data_id = t->data_id,
				   .conf = conf,
				   .conf_len = n > 0 ? (size_t)n : 0,
				   .full = t->full,
				   .value = t->value,
				   .value_len = t->len,
				   .content_format = t->cf,
				   .published_ms = t->published_ms,
				   .created_ms = t->created_ms };

	if (n < 0 || psstore_put(t->ps->db, &row) < 0) {
		t->ps->stats.db_errors++;
		return -EIO;
	}
	return 0;
}

uint32_t pubsub_observer_check(const struct topic *t)
{
	return (t->conf.present & PSCONF_BIT(PSCONF_OBSERVER_CHECK)) ? t->conf.observer_check
								     : DEFAULT_OBSERVER_CHECK;
}

/* End the subscriptions past @keep with a 4.04 (RFC 7641 §3.2). */
void pubsub_end_subscriptions(struct topic *t, size_t keep)
{
	t->ps->stats.subscribers -= pssubs_end(t->subs, keep);
}

static void reap(evutil_socket_t fd, short what, void *arg)
{
	struct pubsub *ps = arg;

	(void)fd;
	(void)what;
	while (ps->dead) {
		struct topic *t = ps->dead;

		ps->dead = t->dead_next;
		coap_delete_resource(ps->ctx, t->conf_res);
		coap_delete_resource(ps->ctx, t->data_res);
		pssubs_free(t->subs);
		free(t->value);
		free(t);
	}
}

/*
 * Take @t out of service: subscribers get a 4.04, the row goes, and the
 * libcoap resources are removed once the current handler has returned
 * (libcoap still uses the resource after its handler).
 */
int pubsub_topic_remove(struct topic *t, enum pubsub_event why)
{
	struct pubsub *ps = t->ps;

	if (psstore_delete(ps->db, t->id) < 0) {
		ps->stats.db_errors++;
		return -EIO;
	}
	pubsub_tell(ps, t, why); /* with the subscribers it had */
	pubsub_end_subscriptions(t, 0);
	TAILQ_REMOVE(&ps->topics, t, order);
	ps->stats.topics--;
	if (why == PUBSUB_EXPIRED)
		ps->stats.expired++;
	else
		ps->stats.deleted++;
	if (t->expiry)
		event_free(t->expiry);
	t->expiry = NULL;
	coap_resource_set_userdata(t->conf_res, NULL);
	coap_resource_set_userdata(t->data_res, NULL);
	log_info("topic %s name=%s path=/%s", why == PUBSUB_EXPIRED ? "expired" : "deleted",
		 t->conf.topic_name, t->path);
	t->dead_next = ps->dead;
	ps->dead = t;
	event_active(ps->reaper, EV_TIMEOUT, 0);
	return 0;
}

static void on_expiry(evutil_socket_t fd, short what, void *arg)
{
	struct topic *t = arg;
	struct pubsub *ps = t->ps;

	(void)fd;
	(void)what;
	if (t->conf.expires * 1000 > pubsub_wall_ms(ps)) {
		pubsub_schedule_expiry(t); /* the wall clock moved back */
		return;
	}
	if (pubsub_topic_remove(t, PUBSUB_EXPIRED) < 0) {
		pubsub_schedule_expiry(t);
		return;
	}
	/* outside libcoap's round: arm the retransmissions of the 4.04s now */
	coapev_kick(ps->ev);
}

void pubsub_schedule_expiry(struct topic *t)
{
	int64_t left;
	struct timeval tv;

	if (!(t->conf.present & PSCONF_BIT(PSCONF_EXPIRATION_DATE))) {
		if (t->expiry)
			event_del(t->expiry);
		return;
	}
	if (!t->expiry) {
		t->expiry = evtimer_new(t->ps->base, on_expiry, t);
		if (!t->expiry)
			abort();
	}
	left = t->conf.expires * 1000 - pubsub_wall_ms(t->ps);
	if (left < 0)
		left = 0;
	if (left > (int64_t)86400 * 1000 * 24) /* re-checked then: the clock may move */
		left = (int64_t)86400 * 1000 * 24;
	tv.tv_sec = (time_t)(left / 1000);
	tv.tv_usec = (suseconds_t)(left % 1000) * 1000;
	evtimer_add(t->expiry, &tv);
}

struct topic *pubsub_topic_of(coap_resource_t *r)
{
	return coap_resource_get_userdata(r);
}

/*
 * Parse @query into @q and ask rdauth whether the sender of the request on
 * @s may do @op (RDAUTH_TOPIC, RDAUTH_LOOKUP) in the broker's sector;
 * the auth= item leaves @q.  False with 4.00, 4.01 or 4.03 and the reason
 * in @resp, and @q already finished; true: the caller finishes @q.
 */
static bool permitted_query(struct pubsub *ps, coap_session_t *s, const coap_string_t *query,
			    enum rdauth_op op, struct rdquery *q, coap_pdu_t *resp)
{
	struct rdauth_who who;
	char why[192];
	int code;

	rdquery_init(q);
	if (query && rdquery_parse(query->s, query->length, q) < 0) {
		pubsub_reply_error(resp, 400, "malformed query");
		return false;
	}
	if (!ps->cfg.auth)
		return true;
	if (rdauth_identify(ps->cfg.auth, s, q, &who) != 0) {
		code = 400;
		snprintf(why, sizeof(why), "give one bearer token: auth=TOKEN");
	} else {
		code = rdauth_check(ps->cfg.auth, &who, op, ps->cfg.sector, NULL, why, sizeof(why));
	}
	if (code == 0)
		return true;
	rdquery_fini(q);
	pubsub_reply_error(resp, code, "%s", why);
	return false;
}

/* permitted_query() for a handler that has no use for the query. */
bool pubsub_permitted(struct pubsub *ps, coap_session_t *s, const coap_string_t *query,
		      enum rdauth_op op, coap_pdu_t *resp)
{
	struct rdquery q;

	if (!permitted_query(ps, s, query, op, &q, resp))
		return false;
	rdquery_fini(&q);
	return true;
}

static struct topic *find_name(struct pubsub *ps, const char *name)
{
	struct topic *t;

	TAILQ_FOREACH(t, &ps->topics, order)
	{
		if (strcmp(t->conf.topic_name, name) == 0)
			return t;
	}
	return NULL;
}

static bool id_taken(struct pubsub *ps, const char *id)
{
	struct topic *t;

	TAILQ_FOREACH(t, &ps->topics, order)
	{
		if (strcmp(t->id, id) == 0 || strcmp(t->data_id, id) == 0)
			return true;
	}
	for (t = ps->dead; t; t = t->dead_next)
		if (strcmp(t->id, id) == 0 || strcmp(t->data_id, id) == 0)
			return true;
	return false;
}

/* An unguessable name (the draft leaves the form to the broker). */
static void new_id(struct pubsub *ps, char *id)
{
	uint8_t rnd[ID_LEN / 2];

	do {
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			abort();
		for (size_t i = 0; i < sizeof(rnd); i++)
			snprintf(id + 2 * i, 3, "%02x", rnd[i]);
	} while (id_taken(ps, id));
}

/* --- the collection: /ps --- */

/* The value a topic is created with (initialize as a byte string): a copy. */
static void initial_value(struct topic *t, const uint8_t *data, size_t len)
{
	t->value = malloc(len ? len : 1);
	if (!t->value)
		abort();
	if (len)
		memcpy(t->value, data, len);
	t->len = len;
	if (t->conf.present & PSCONF_BIT(PSCONF_CONTENT_FORMAT))
		t->cf = t->conf.content_format;
}

static void on_create(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
		      const coap_string_t *query, coap_pdu_t *resp)
{
	struct pubsub *ps = coap_resource_get_userdata(r);
	struct topic *t;
	struct psconf c;

	if (!pubsub_permitted(ps, s, query, RDAUTH_TOPIC, resp) || !psres_request_conf(ps, req, resp, &c))
		return;
	if ((c.present & (PSCONF_BIT(PSCONF_TOPIC_NAME) | PSCONF_BIT(PSCONF_RESOURCE_TYPE))) !=
	    (PSCONF_BIT(PSCONF_TOPIC_NAME) | PSCONF_BIT(PSCONF_RESOURCE_TYPE))) {
		pubsub_reply_error(resp, 400, "topic-name (0) and resource-type (2) are required");
		return;
	}
	if (c.present & PSCONF_BIT(PSCONF_CONF_FILTER)) {
		pubsub_reply_error(resp, 400, "conf-filter is for FETCH");
		return;
	}
	if (find_name(ps, c.topic_name)) {
		pubsub_reply_error(resp, 400, "topic-name \"%s\" is in use", c.topic_name);
		return;
	}
	if ((c.present & PSCONF_BIT(PSCONF_EXPIRATION_DATE)) && c.expires * 1000 <= pubsub_wall_ms(ps)) {
		pubsub_reply_error(resp, 400, "expiration-date is in the past");
		return;
	}
	if (ps->stats.topics >= ps->cfg.max_topics) {
		pubsub_reply_error(resp, 403, "the broker holds %u topics, its limit", ps->cfg.max_topics);
		return;
	}
	if (c.initial && !(c.present & PSCONF_BIT(PSCONF_CONTENT_FORMAT))) {
		pubsub_reply_error(resp, 400, "initialize needs a topic-content-format (3)");
		return;
	}
	if (c.initial && c.initial_len > ps->cfg.max_value_size) {
		pubsub_add_uint_option(resp, COAP_OPTION_SIZE1, (uint32_t)ps->cfg.max_value_size);
		pubsub_reply_error(resp, 413, "initialize: at most %zu bytes", ps->cfg.max_value_size);
		return;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	t->ps = ps;
	new_id(ps, t->id);
	/* the topic-data path is the broker's: one proposed by the client is replaced */
	do
		new_id(ps, t->data_id);
	while (strcmp(t->data_id, t->id) == 0);
	t->conf = c;
	snprintf(t->conf.topic_data, sizeof(t->conf.topic_data), "/ps/data/%s", t->data_id);
	t->conf.present |= PSCONF_BIT(PSCONF_TOPIC_DATA);
	t->cf = -1;
	t->created_ms = pubsub_wall_ms(ps);
	if (c.present & PSCONF_BIT(PSCONF_INITIALIZE) && c.initialize) {
		t->full = true; /* subscribers may come before the first publication */
		t->published_ms = t->created_ms;
	}
	if (c.initial) /* the initial value is topic-data now, in the topic's content format */
		initial_value(t, c.initial, c.initial_len);
	/* either form: it is not configuration, and -19 has no bool to send back */
	t->conf.initial = NULL;
	t->conf.initialize = false;
	t->conf.present &= ~PSCONF_BIT(PSCONF_INITIALIZE);
	if (pubsub_save(t) < 0) {
		free(t->value);
		free(t);
		pubsub_reply_error(resp, 500, "the topic could not be stored");
		return;
	}
	psres_attach(ps, t);
	ps->stats.created++;
	log_info("topic created name=%s path=/%s data=/%s", t->conf.topic_name, t->path,
		 t->data_path);
	pubsub_tell(ps, t, PUBSUB_CREATED);
	coap_add_option(resp, COAP_OPTION_LOCATION_PATH, 2, (const uint8_t *)"ps");
	coap_add_option(resp, COAP_OPTION_LOCATION_PATH, strlen(t->id), (const uint8_t *)t->id);
	psres_reply_conf(ps, t, PSCONF_ALL, 201, resp);
}

static void write_link(FILE *f, bool *first, const char *path, const char *attrs)
{
	fprintf(f, "%s</%s>;%s", *first ? "" : ",", path, attrs);
	*first = false;
}

/* GET /ps: links to the topics; ?rt=core.ps.data gives the topic-data links instead. */
static void on_list(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
		    const coap_string_t *query, coap_pdu_t *resp)
{
	struct pubsub *ps = coap_resource_get_userdata(r);
	const struct rdquery_param *rt = NULL;
	struct rdquery q;
	struct topic *t;
	char *text = NULL, attrs[64];
	size_t len = 0;
	bool first = true;
	FILE *f;

	if (!permitted_query(ps, s, query, RDAUTH_LOOKUP, &q, resp))
		return;
	rt = rdquery_find(&q, "rt");
	f = open_memstream(&text, &len);
	if (!f)
		abort();
	TAILQ_FOREACH(t, &ps->topics, order)
	{
		if (!rt || rdquery_match(rt, "core.ps.conf", true)) {
			snprintf(attrs, sizeof(attrs), "rt=\"core.ps.conf\";ct=%u",
				 ps->cfg.content_format);
			write_link(f, &first, t->path, attrs);
		}
		if (rt && rdquery_match(rt, "core.ps.data", true))
			write_link(f, &first, t->data_path, "rt=\"core.ps.data\";obs");
	}
	fclose(f);
	rdquery_fini(&q);
	rdreq_reply_links(r, s, req, query, resp, text, len, CF_LINK_FORMAT);
}

/* FETCH /ps: the topics whose configuration has every parameter of the filter. */
static void on_filter(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
		      const coap_string_t *query, coap_pdu_t *resp)
{
	struct pubsub *ps = coap_resource_get_userdata(r);
	struct psconf filter;
	struct topic *t;
	char *text = NULL, attrs[64];
	size_t len = 0;
	bool first = true;
	FILE *f;

	if (!pubsub_permitted(ps, s, query, RDAUTH_LOOKUP, resp) || !psres_request_conf(ps, req, resp, &filter))
		return;
	if (filter.present & PSCONF_BIT(PSCONF_CONF_FILTER)) {
		pubsub_reply_error(resp, 400, "a collection filter is a topic configuration");
		return;
	}
	f = open_memstream(&text, &len);
	if (!f)
		abort();
	snprintf(attrs, sizeof(attrs), "rt=\"core.ps.conf\";ct=%u", ps->cfg.content_format);
	TAILQ_FOREACH(t, &ps->topics, order)
	{
		if (psconf_match(&filter, &t->conf))
			write_link(f, &first, t->path, attrs);
	}
	fclose(f);
	rdreq_reply_links(r, s, req, query, resp, text, len, CF_LINK_FORMAT);
}

static void on_load(const struct psstore_row *row, void *arg)
{
	struct pubsub *ps = arg;
	struct topic *t = calloc(1, sizeof(*t));
	const char *why = "";

	if (!t)
		abort();
	if (strlen(row->id) != ID_LEN || strlen(row->data_id) != ID_LEN ||
	    psconf_parse(row->conf, row->conf_len, &t->conf, &why, NULL) < 0) {
		log_warnx("topic %s skipped: %s", row->id, why);
		free(t);
		return;
	}
	psres_data_ref(&t->conf);
	t->conf.present &= ~PSCONF_BIT(PSCONF_INITIALIZE); /* the bool rdd kept before */
	memcpy(t->id, row->id, ID_LEN + 1);
	memcpy(t->data_id, row->data_id, ID_LEN + 1);
	t->full = row->full;
	t->len = row->full ? row->value_len : 0;
	t->value = malloc(t->len ? t->len : 1);
	if (!t->value)
		abort();
	if (t->len)
		memcpy(t->value, row->value, t->len);
	t->cf = row->content_format;
	t->published_ms = row->published_ms;
	t->created_ms = row->created_ms;
	psres_attach(ps, t);
}

/* The broker in the RD's own store, so /rd-lookup/res?rt=core.ps finds it. */
static void register_broker(struct pubsub *ps)
{
	static const char links_text[] = "</ps>;rt=\"core.ps core.ps.coll\";ct=40";
	struct rdreg_input in = { 0 };
	struct linkformat links;
	struct rdreg *reg;

	if (!ps->rd || !ps->cfg.endpoint_name || !*ps->cfg.endpoint_name)
		return;
	if (linkformat_parse((const uint8_t *)links_text, sizeof(links_text) - 1, &links) < 0)
		abort();
	in.ep = ps->cfg.endpoint_name;
	in.d = *ps->cfg.sector ? ps->cfg.sector : NULL;
	in.base = ps->cfg.base;
	in.source = ps->cfg.base;
	in.lt = BROKER_LT;
	in.links = &links;
	if (rdstore_register(ps->rd, &in, &reg) < 0)
		log_warnx("cannot register the broker in the resource directory");
	linkformat_fini(&links);
}

void pubsub_on_nack(coap_session_t *s, const coap_pdu_t *sent, coap_nack_reason_t reason,
		    coap_mid_t mid)
{
	struct pubsub *ps;
	coap_bin_const_t tok;
	struct topic *t;

	if (coap_session_get_type(s) != COAP_SESSION_TYPE_SERVER) {
		rdsimple_on_nack(s, sent, reason, mid);
		return;
	}
	ps = coap_session_get_app_data(s);
	if (!ps || !sent || (reason != COAP_NACK_RST && reason != COAP_NACK_TOO_MANY_RETRIES))
		return;
	tok = coap_pdu_get_token(sent);
	TAILQ_FOREACH(t, &ps->topics, order)
	{
		if (pssubs_remove(t->subs, s, tok.s, tok.length)) {
			ps->stats.subscribers--;
			log_debug("subscriber dropped topic=%s", t->conf.topic_name);
			return;
		}
	}
}

/* [pubsub] sector: none, or one name as rdcreds reads sector lists. */
static bool sector_valid(const char *d)
{
	return !d || !*d ||
	       (rdcreds_sectors_valid(d) && !strchr(d, ',') && strcmp(d, "-") != 0 &&
		strcmp(d, "*") != 0);
}

int pubsub_new(struct event_base *base, coap_context_t *ctx, struct coapev *ev, struct db *db,
	       struct rdstore *rd, const struct pubsub_config *cfg, pubsub_event_fn on_event,
	       void *arg, struct pubsub **out)
{
	struct pubsub *ps;

	if (!sector_valid(cfg->sector)) {
		log_error("[pubsub] sector: one sector name of 1 to 63 bytes without space, comma "
			  "or *, or none");
		return -EINVAL;
	}
	ps = calloc(1, sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	ps->base = base;
	ps->ctx = ctx;
	ps->ev = ev;
	ps->db = db;
	ps->rd = rd;
	ps->cfg = *cfg;
	ps->cfg.endpoint_name = strdup(cfg->endpoint_name ? cfg->endpoint_name : "");
	ps->cfg.base = strdup(cfg->base ? cfg->base : "");
	ps->cfg.sector = strdup(cfg->sector ? cfg->sector : "");
	ps->on_event = on_event;
	ps->arg = arg;
	TAILQ_INIT(&ps->topics);
	ps->reaper = event_new(base, -1, 0, reap, ps);
	if (!ps->reaper || !ps->cfg.endpoint_name || !ps->cfg.base || !ps->cfg.sector)
		abort();

	ps->coll = coap_resource_init(coap_make_str_const("ps"), 0);
	if (!ps->coll)
		abort();
	coap_add_attr(ps->coll, coap_make_str_const("rt"),
		      coap_make_str_const("\"core.ps core.ps.coll\""), 0);
	coap_resource_set_userdata(ps->coll, ps);
	coap_register_handler(ps->coll, COAP_REQUEST_GET, on_list);
	coap_register_handler(ps->coll, COAP_REQUEST_FETCH, on_filter);
	coap_register_handler(ps->coll, COAP_REQUEST_POST, on_create);
	coap_add_resource(ctx, ps->coll);
	if (psstore_load(db, on_load, ps) < 0) {
		pubsub_free(ps);
		return -EIO;
	}
	coap_register_nack_handler(ctx, pubsub_on_nack);
	register_broker(ps);
	log_info("publish-subscribe broker at /ps topics=%zu", ps->stats.topics);
	*out = ps;
	return 0;
}

void pubsub_free(struct pubsub *ps)
{
	struct topic *t;

	if (!ps)
		return;
	reap(-1, 0, ps);
	while ((t = TAILQ_FIRST(&ps->topics))) {
		TAILQ_REMOVE(&ps->topics, t, order);
		pssubs_free(t->subs); /* no 4.04: the daemon stops, subscribers re-register */
		if (t->expiry)
			event_free(t->expiry);
		/* the resources go with the context */
		coap_resource_set_userdata(t->conf_res, NULL);
		coap_resource_set_userdata(t->data_res, NULL);
		free(t->value);
		free(t);
	}
	coap_resource_set_userdata(ps->coll, NULL);
	if (ps->reaper)
		event_free(ps->reaper);
	free((char *)ps->cfg.endpoint_name);
	free((char *)ps->cfg.base);
	free((char *)ps->cfg.sector);
	free(ps);
}

void pubsub_set_limits(struct pubsub *ps, const struct pubsub_config *cfg)
{
	ps->cfg.publish_interval_ms = cfg->publish_interval_ms;
	ps->cfg.max_value_size = cfg->max_value_size;
	ps->cfg.max_topics = cfg->max_topics;
}

void pubsub_each(struct pubsub *ps, void (*fn)(const struct pubsub_topic_info *t, void *arg),
		 void *arg)
{
	struct topic *t;
	struct pubsub_topic_info info;

	TAILQ_FOREACH(t, &ps->topics, order)
	{
		info_of(t, &info);
		fn(&info, arg);
	}
}

void pubsub_get_stats(const struct pubsub *ps, struct pubsub_stats *out)
{
	*out = ps->stats;
}
