/*
 * observe — observations, notifications and last known values (see observe.h).
 */
#define LOG_COMPONENT "observe"
#include "observe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <openssl/rand.h>

#include "common/keyidx.h"
#include "common/log.h"
#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_format.h"
#include "lastval.h"
#include "notifyblk.h"
#include "observeint.h"
#include "obstab.h"
#include "wattrs.h"
#include "respfmt.h"

#define OBSERVE_CACHE_KIB "16384" /* SQLite page cache of lwm2md.db */
#define OBSERVE_BODIES    1024    /* Block2 notifications being put together at once */

void observe_attrs_written(void *ctx, const char *ep, const struct lwm2m_path *path,
			   const char *query)
{
	struct observe *ob = ctx;
	char ps[LWM2M_PATH_STR_MAX], merged[WATTRS_MAX];
	struct obs *o;

	lwm2m_path_format(path, ps, sizeof(ps));
	if (wattrs_written(ob->cfg.db, ep, ps, query, merged, sizeof(merged)) < 0)
		ob->st.db_errors++;
	o = obstab_find_path(ob, ep, path);
	if (o)
		obstab_set_attrs(o, merged);
}

struct observe *observe_new(const struct observe_config *cfg)
{
	struct observe *ob = calloc(1, sizeof(*ob));

	if (!ob)
		abort();
	ob->cfg = *cfg;
	ob->by_token = keyidx_new();
	ob->by_ep = keyidx_new();
	ob->blocks = notifyblk_new(cfg->max_body ? cfg->max_body : 65536, OBSERVE_BODIES);
	/*
	 * last_values takes a write per notification, spread over every
	 * client's rows: with the 256 KiB page cache lib/common opens with,
	 * each one reads its B-tree pages back from the kernel (a third of the
	 * time at 100,000 clients, bench_lwm2md_observe).
	 */
	if (db_exec_script(cfg->db, "PRAGMA cache_size = -" OBSERVE_CACHE_KIB) < 0)
		log_warnx("page cache not enlarged: notifications cost more I/O");
	if (RAND_bytes((unsigned char *)&ob->prefix, sizeof(ob->prefix)) != 1 ||
	    RAND_bytes((unsigned char *)&ob->counter, sizeof(ob->counter)) != 1)
		abort();
	obstab_load(ob);
	return ob;
}

void observe_attach(struct observe *ob, struct dm *dm)
{
	ob->cfg.dm = dm;
}

void observe_free(struct observe *ob)
{
	if (!ob)
		return;
	while (ob->head) {
		struct obs *o = ob->head;

		ob->head = o->next;
		free(o->cpaths);
		free(o->cname);
		free(o->attrs);
		free(o->ep);
		free(o);
	}
	keyidx_free(ob->by_token);
	keyidx_free(ob->by_ep);
	notifyblk_free(ob->blocks);
	free(ob);
}

static void token_hex(const uint8_t *token, char out[2 * OBSERVE_TOKEN_LEN + 1])
{
	for (size_t i = 0; i < OBSERVE_TOKEN_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", token[i]);
}

/*
 * Observe (@stop false) or cancel actively, on @o's token; an
 * Observe-Composite names its paths in SenML (CBOR when the notifications
 * are asked in a CBOR format, else JSON), names without values.
 */
static void send_observe(struct observe *ob, struct ipc_call *call, const struct client *c,
			 struct obs *o, bool stop)
{
	struct dm_request req = { .op = stop ? DM_OBSERVE_STOP : DM_OBSERVE,
				  .path = o->path,
				  .accept = stop ? -1 : o->accept,
				  .format = -1,
				  .token = o->token,
				  .token_len = OBSERVE_TOKEN_LEN };
	struct lwm2m_value none = { .type = LWM2M_TYPE_NONE };
	struct lwm2m_error err = { 0 };
	struct lwm2m_doc doc;
	struct lwm2m_buf buf;

	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&buf);
	if (o->cname) {
		req.op = stop ? DM_OBSERVE_COMPOSITE_STOP : DM_OBSERVE_COMPOSITE;
		req.accept = o->accept;
		req.format = o->accept == LWM2M_FORMAT_SENML_CBOR || o->accept == LWM2M_FORMAT_CBOR
				     ? LWM2M_FORMAT_SENML_CBOR
				     : LWM2M_FORMAT_SENML_JSON;
		for (unsigned i = 0; i < o->ncpaths; i++)
			if (lwm2m_doc_add(&doc, &o->cpaths[i], &none) < 0)
				abort();
		if (lwm2m_format_encode((enum lwm2m_format)req.format, &doc, &buf, &err) < 0)
			abort(); /* names of valid paths always encode */
		req.payload = buf.data;
		req.len = buf.len;
	}
	if (ob->cfg.dm)
		dm_send(ob->cfg.dm, call, c, &req);
	else if (call)
		ipc_call_fail(call, IPC_ERR_UNAVAILABLE, "no CoAP side");
	lwm2m_buf_fini(&buf);
	lwm2m_doc_fini(&doc);
}

void observe_start(struct observe *ob, struct ipc_call *call, const struct client *c,
		   const struct lwm2m_path *path, int accept)
{
	struct obs *o = obstab_find_path(ob, c->ep, path);
	uint8_t token[OBSERVE_TOKEN_LEN];

	if (!o) {
		if (ob->st.observations >= ob->cfg.max) {
			ipc_call_fail(call, IPC_ERR_CONFLICT,
				      "%u observations already ([lwm2m] max_observations)",
				      ob->st.observations);
			return;
		}
		obstab_new_token(ob, token);
		o = obstab_add(ob, token, c->ep, path, accept, clients_now_ms());
		obstab_attrs_of(ob, o);
	}
	o->accept = accept;
	o->cancelling = false;
	send_observe(ob, call, c, o, false);
}

void observe_start_composite(struct observe *ob, struct ipc_call *call, const struct client *c,
			     const char *paths, int accept)
{
	struct lwm2m_path many[OBSERVE_PATHS_MAX], root = { .len = 0 };
	char name[OBSERVE_NAME_MAX];
	uint8_t token[OBSERVE_TOKEN_LEN];
	int n = obstab_parse_paths(paths, many, OBSERVE_PATHS_MAX, name, sizeof(name));
	struct obs *o;

	if (n < 0) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS,
			      "paths: '%s' is not 1 to %d LwM2M paths (/3/0/9,/1/0/1)", paths,
			      OBSERVE_PATHS_MAX);
		return;
	}
	o = obstab_find_name(ob, c->ep, name);
	if (!o) {
		if (ob->st.observations >= ob->cfg.max) {
			ipc_call_fail(call, IPC_ERR_CONFLICT,
				      "%u observations already ([lwm2m] max_observations)",
				      ob->st.observations);
			return;
		}
		obstab_new_token(ob, token);
		o = obstab_add(ob, token, c->ep, &root, accept, clients_now_ms());
		obstab_set_composite(o, many, (unsigned)n, name);
	}
	o->accept = accept;
	o->cancelling = false;
	send_observe(ob, call, c, o, false);
}

static void publish_ended(struct observe *ob, const struct obs *o, const char *reason)
{
	if (ob->cfg.ipc)
		ipc_server_publish(ob->cfg.ipc, "observe.ended",
				   json_pack("{s:s, s:s, s:s}", "endpoint", o->ep, "path",
					     obstab_name(o), "reason", reason));
}

/*
 * Mark @o passively cancelled in the database: a restart must not turn the
 * cancel back into an observation whose notifications are taken.
 */
static void store_cancelling(struct observe *ob, const struct obs *o)
{
	db_batch(ob->cfg.db);
	if (db_exec(ob->cfg.db, "UPDATE observations SET cancelling = 1 WHERE token = ?", "b",
		    o->token, (size_t)OBSERVE_TOKEN_LEN) < 0 ||
	    db_commit(ob->cfg.db) < 0) {
		ob->st.db_errors++;
		log_warnx("ep=%s path=%s: passive cancel not stored (lost on restart)", o->ep,
			  obstab_name(o));
	}
}

void observe_cancel(struct observe *ob, struct ipc_call *call, const struct client *c,
		    const char *ep, const char *paths, bool passive)
{
	struct lwm2m_path many[OBSERVE_PATHS_MAX];
	char ps[OBSERVE_NAME_MAX];
	struct obs *o;

	if (obstab_parse_paths(paths, many, OBSERVE_PATHS_MAX, ps, sizeof(ps)) < 0) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "path: '%s' is not an LwM2M path (/3/0/1)",
			      paths);
		return;
	}
	o = obstab_find_name(ob, ep, ps);
	if (!o) {
		ipc_call_fail(call, IPC_ERR_NOT_FOUND, "%s does not observe %s", ep, ps);
		return;
	}
	if (passive) {
		/* kept (in the database too) until the notification it answers with RST */
		o->cancelling = true;
		if (o->stored)
			store_cancelling(ob, o);
		ipc_call_reply(call, json_pack("{s:s, s:s, s:s}", "endpoint", ep, "path", ps,
					       "state", "cancelling"));
		return;
	}
	if (!c) {
		ipc_call_fail(call, IPC_ERR_NOT_FOUND,
			      "%s is not registered: cancel passively (mode=passive)", ep);
		return;
	}
	/* forgotten now: a notification crossing the cancel gets RST, as it should */
	ob->st.active_cancels++;
	send_observe(ob, call, c, o, true);
	log_info("cancelled ep=%s path=%s", ep, ps);
	publish_ended(ob, o, "cancelled");
	obstab_del(ob, o);
}

static json_t *obs_json(const struct obs *o)
{
	char hex[2 * OBSERVE_TOKEN_LEN + 1];
	const char *fmt = o->accept >= 0 ? lwm2m_format_name((enum lwm2m_format)o->accept) : NULL;
	json_t *j;

	token_hex(o->token, hex);
	j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:I, s:s}", "endpoint", o->ep, "path", obstab_name(o),
		      "token", hex, "format", fmt ? fmt : "any", "since",
		      clients_iso_time(o->created), "notifications", (json_int_t)o->notifications,
		      "state",
		      o->cancelling ? "cancelling"
		      : o->stored   ? "active"
				    : "pending");
	if (o->last)
		json_object_set_new(j, "last", clients_iso_time(o->last));
	if (o->attrs)
		json_object_set_new(j, "attributes", wattrs_json(o->attrs));
	return j;
}

void observe_list(struct observe *ob, struct ipc_call *call, const char *ep)
{
	struct keyidx_iter it;

	if (ep) {
		for (struct obs *o = keyidx_first(ob->by_ep, ep, strlen(ep), &it); o;
		     o = keyidx_next(&it))
			if (ipc_call_record(call, obs_json(o)) < 0)
				break;
	} else {
		for (struct obs *o = ob->head; o; o = o->next)
			if (ipc_call_record(call, obs_json(o)) < 0)
				break;
	}
	ipc_call_reply(call, json_array());
}

void observe_values(struct observe *ob, struct ipc_call *call, const char *ep,
		    const struct lwm2m_path *path)
{
	lastval_list(ob->cfg.db, call, ep, path);
}

json_t *observe_store_values(struct observe *ob, const char *ep, const struct lwm2m_doc *doc,
			     const char *source)
{
	unsigned long errors = 0;
	json_t *values = lastval_store(ob->cfg.db, ob->cfg.reg, ep, doc, source, &errors);

	ob->st.db_errors += errors;
	return values;
}

/* The values of a notification on @o: stored, published; false when undecodable. */
static bool take_values(struct observe *ob, struct obs *o, const struct observe_msg *m)
{
	enum lwm2m_format f = respfmt_of(m->has_format, m->format, false);
	struct lwm2m_error err = { 0 };
	struct lwm2m_doc doc;
	json_t *values = NULL;
	int rc;

	lwm2m_doc_init(&doc);
	rc = lwm2m_format_decode(f, m->payload, m->len, &o->path, ob->cfg.reg, &doc, &err);
	/* SenML names are absolute: a notification speaks of its path's resources only */
	for (size_t i = 0; rc == 0 && i < doc.count; i++)
		if (!obstab_covers(o, &doc.entries[i].path)) {
			snprintf(err.msg, sizeof(err.msg), "a value outside the resources of %s",
				 obstab_name(o));
			rc = -EBADMSG;
		}
	if (rc == 0)
		values = observe_store_values(ob, o->ep, &doc, "notify");
	lwm2m_doc_fini(&doc);
	if (!values) {
		ob->st.notify_undecodable++;
		log_warnx("ep=%s path=%s: notification not decoded (%s, %zu bytes): %s", o->ep,
			  obstab_name(o), lwm2m_format_name(f) ?: "unknown format", m->len,
			  err.msg[0] ? err.msg : strerror(rc < 0 ? -rc : EINVAL));
		return false;
	}
	o->last = clients_now_ms();
	o->notifications++;
	o->seq = m->seq;
	if (ob->cfg.ipc)
		ipc_server_publish(ob->cfg.ipc, "observe.notify",
				   json_pack("{s:s, s:s, s:I, s:o, s:o}", "endpoint", o->ep, "path",
					     obstab_name(o), "observe", (json_int_t)m->seq, "time",
					     clients_iso_time(o->last), "values", values));
	else
		json_decref(values);
	return true;
}

/*
 * A block of a Block2 notification of @o: NOTIFYBLK_DONE when it completed
 * the body (*@whole the notification), else taken or dropped.
 */
static int gather(struct observe *ob, struct obs *o, const struct observe_msg *m,
		  struct observe_msg *whole)
{
	uint64_t now = (uint64_t)clients_now_ms();
	int rc;

	notifyblk_expire(ob->blocks, now);
	rc = notifyblk_add(ob->blocks, m, now, whole);
	if (rc < 0)
		log_warnx("ep=%s path=%s: block %u of a notification dropped: %s", o->ep,
			  obstab_name(o), (unsigned)m->block_num,
			  rc == -EMSGSIZE ? "larger than [lwm2m] max_body"
			  : rc == -EPROTO ? "out of order, or another representation (ETag)"
					  : "malformed");
	return rc;
}

enum observe_verdict observe_notification(struct observe *ob, const char *ep_hint,
					  const struct observe_msg *m)
{
	struct obs *o = obstab_find_token(ob, m->token, m->token_len);
	struct observe_msg whole;
	char code[8];
	int rc;

	(void)ep_hint;
	if (!o || !o->stored) {
		ob->st.unknown_tokens++;
		return OBSERVE_NOT_OURS;
	}
	if (o->cancelling) {
		ob->st.passive_cancels++;
		log_info("cancelled ep=%s path=%s (RST to its notification)", o->ep, obstab_name(o));
		publish_ended(ob, o, "cancelled");
		obstab_del(ob, o);
		return OBSERVE_REJECTED;
	}
	if (m->code >> 5 == 2 && m->has_block2 && (m->block_num > 0 || m->block_more)) {
		rc = gather(ob, o, m, &whole);
		if (rc != NOTIFYBLK_DONE)
			return OBSERVE_ACCEPTED; /* a block taken: ACK it (dropped ones are logged) */
		m = &whole;
	}
	ob->st.notifications++;
	if (m->confirmable)
		ob->st.notifications_con++;
	else
		ob->st.notifications_non++;
	if (m->code >> 5 != 2 || !m->has_observe) {
		/* RFC 7641 §3.2: an error, or a response without Observe, ends it */
		snprintf(code, sizeof(code), "%u.%02u", m->code >> 5, m->code & 0x1f);
		ob->st.ended++;
		log_info("ended by the client ep=%s path=%s code=%s", o->ep, obstab_name(o), code);
		publish_ended(ob, o, m->code >> 5 != 2 ? code : "no Observe option");
		obstab_del(ob, o);
		return OBSERVE_ACCEPTED;
	}
	take_values(ob, o, m);
	if (m == &whole)
		notifyblk_release(ob->blocks, o->token, OBSERVE_TOKEN_LEN);
	return OBSERVE_ACCEPTED;
}

/* The fields observe_notification() looks at, from @pdu. */
static void msg_of(const coap_pdu_t *pdu, struct observe_msg *m)
{
	coap_bin_const_t tok = coap_pdu_get_token(pdu);
	coap_opt_iterator_t it;
	coap_opt_t *opt;
	size_t offset, total;

	memset(m, 0, sizeof(*m));
	m->token = tok.s;
	m->token_len = tok.length;
	m->code = coap_pdu_get_code(pdu);
	m->confirmable = coap_pdu_get_type(pdu) == COAP_MESSAGE_CON;
	if ((opt = coap_check_option(pdu, COAP_OPTION_OBSERVE, &it))) {
		m->has_observe = true;
		m->seq = coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt));
	}
	if ((opt = coap_check_option(pdu, COAP_OPTION_CONTENT_FORMAT, &it))) {
		m->has_format = true;
		m->format = coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt));
	}
	if ((opt = coap_check_option(pdu, COAP_OPTION_ETAG, &it)) &&
	    coap_opt_length(opt) <= OBSERVE_ETAG_MAX) {
		m->etag_len = coap_opt_length(opt);
		memcpy(m->etag, coap_opt_value(opt), m->etag_len);
	}
	if ((opt = coap_check_option(pdu, COAP_OPTION_BLOCK2, &it))) {
		m->has_block2 = true;
		m->block_num = coap_opt_block_num(opt);
		m->block_more = COAP_OPT_BLOCK_MORE(opt) != 0;
		m->block_szx = COAP_OPT_BLOCK_SZX(opt);
	}
	if (!coap_get_data_large(pdu, &m->len, &m->payload, &offset, &total)) {
		m->len = 0;
		m->payload = (const uint8_t *)"";
	}
}

enum observe_verdict observe_pdu(struct observe *ob, const coap_pdu_t *pdu, const char **ep)
{
	struct observe_msg m;
	struct obs *o;

	msg_of(pdu, &m);
	/* the endpoint first: an ended observation is freed by the call */
	o = obstab_find_token(ob, m.token, m.token_len);
	snprintf(ob->last_ep, sizeof(ob->last_ep), "%s", o ? o->ep : "");
	*ep = ob->last_ep;
	return observe_notification(ob, NULL, &m);
}

void observe_answered(void *ctx, const uint8_t *token, size_t token_len, const coap_pdu_t *response,
		      bool observing, const uint8_t *body, size_t body_len)
{
	struct observe *ob = ctx;
	struct obs *o = obstab_find_token(ob, token, token_len);
	struct observe_msg m;

	if (!o)
		return;
	if (!response || coap_pdu_get_code(response) >> 5 != 2) {
		/* a stored one stays (its client may be asleep); a new one was never made */
		if (!o->stored || response)
			obstab_del(ob, o);
		return;
	}
	msg_of(response, &m);
	m.has_observe = observing;
	if (body) {
		m.payload = body;
		m.len = body_len;
	}
	if (!m.has_observe) {
		if (o->stored) {
			publish_ended(ob, o, "no Observe option");
			ob->st.ended++;
		}
		obstab_del(ob, o);
		return;
	}
	if (!o->stored) {
		db_batch(ob->cfg.db);
		if (db_exec(ob->cfg.db,
			    "INSERT OR REPLACE INTO observations (token, ep, path, accept, "
			    "created, cancelling) "
			    "VALUES (?, ?, ?, ?, ?, ?)",
			    "bttiIi", o->token, (size_t)OBSERVE_TOKEN_LEN, o->ep, obstab_name(o),
			    o->accept, o->created, (int)o->cancelling) < 0 ||
		    db_commit(ob->cfg.db) < 0) {
			/* it works until a restart: said once, here */
			ob->st.db_errors++;
			log_warnx("ep=%s path=%s: observation not stored (lost on restart)", o->ep,
				  obstab_name(o));
		}
		o->stored = true;
		log_info("observing ep=%s path=%s", o->ep, obstab_name(o));
	}
	take_values(ob, o, &m);
}

void observe_client_removed(struct observe *ob, const struct client *c, enum clients_reason why)
{
	struct keyidx_iter it;
	struct obs *o;

	if (why == CLIENTS_REPLACED)
		return; /* registered again: observe_client_registered() follows */
	while ((o = keyidx_first(ob->by_ep, c->ep, strlen(c->ep), &it))) {
		publish_ended(ob, o, clients_reason_name(why));
		obstab_del(ob, o);
	}
}

/* After the Register's 2.01 has left: the client knows its registration then. */
static void reobserve(evutil_socket_t fd, short what, void *arg)
{
	struct observe *ob = ((void **)arg)[0];
	char *ep = ((void **)arg)[1];
	const struct client *c = ob->cfg.clients ? clients_find_ep(ob->cfg.clients, ep) : NULL;
	struct keyidx_iter it;

	for (struct obs *o = c ? keyidx_first(ob->by_ep, ep, strlen(ep), &it) : NULL; o;
	     o = keyidx_next(&it)) {
		ob->st.reobserved++;
		log_info("observing again ep=%s path=%s", ep, obstab_name(o));
		send_observe(ob, NULL, c, o, false);
	}
	free(ep);
	free(arg);
}

void observe_client_registered(struct observe *ob, const struct client *c)
{
	struct keyidx_iter it;
	void **arg;

	if (!ob->cfg.reobserve || !ob->cfg.base ||
	    !keyidx_first(ob->by_ep, c->ep, strlen(c->ep), &it))
		return;
	arg = calloc(2, sizeof(void *));
	if (!arg || !(arg[1] = strdup(c->ep)))
		abort();
	arg[0] = ob;
	if (event_base_once(ob->cfg.base, -1, EV_TIMEOUT, reobserve, arg, NULL) < 0)
		abort();
}

void observe_get_stats(const struct observe *ob, struct observe_stats *out)
{
	struct notifyblk_stats ns;

	notifyblk_get_stats(ob->blocks, &ns);
	*out = ob->st;
	out->blocks = ns.blocks;
	out->blocks_dropped = ns.dropped;
}

void observe_counters(const struct observe *ob, json_t *counters)
{
	struct notifyblk_stats ns;

	notifyblk_get_stats(ob->blocks, &ns);
#define C(name, v) json_object_set_new(counters, name, json_integer((json_int_t)(v)))
	C("observations", ob->st.observations);
	C("notifications", ob->st.notifications);
	C("notifications_con", ob->st.notifications_con);
	C("notifications_non", ob->st.notifications_non);
	C("notifications_undecodable", ob->st.notify_undecodable);
	C("notifications_unknown_token", ob->st.unknown_tokens);
	C("observe_cancels_active", ob->st.active_cancels);
	C("observe_cancels_passive", ob->st.passive_cancels);
	C("observations_ended", ob->st.ended);
	C("reobserved", ob->st.reobserved);
	C("observe_db_errors", ob->st.db_errors);
	C("notification_blocks", ns.blocks);
	C("notification_blocks_dropped", ns.dropped);
	C("notification_bodies", ns.bodies);
#undef C
}
