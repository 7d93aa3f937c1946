/*
 * dm — device-management requests to registered clients.
 */
#define LOG_COMPONENT "dm"
#include "dm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/keyidx.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_format.h"
#include "lwm2m/lwm2m_link.h"
#include "lwm2m/lwm2m_render.h"
#include "respfmt.h"

struct op {
	struct dm *dm;
	struct ipc_call *call;
	coap_session_t *session; /* referenced */
	enum dm_op kind;
	coap_mid_t mid;
	uint8_t token[8];
	size_t token_len;
	struct lwm2m_path path;
	char ep[REGREQ_EP_MAX + 1];
	char root[REGREQ_ROOT_MAX + 1];
	int accept;
	bool lwm2m10;        /* the client registered as LwM2M 1.0 */
	bool retried;        /* a Read sent again without Accept */
	struct event *timer; /* TCP and TLS: the answer's deadline (no retransmissions) */
	struct op *next;
};

/* An endpoint known to ignore Reads with an Accept option (see dm_nack). */
struct no_accept {
	char *ep;
	struct no_accept *next;
};

struct dm {
	coap_context_t *ctx;
	struct coapev *ev;
	struct dm_config cfg;
	struct op *ops;
	struct no_accept *no_accept;  /* owns the names, */
	struct keyidx *no_accept_idx; /* which this indexes */
	uint64_t sent, failed, timeouts, sessions_opened, accept_retries;
};

static bool ignores_accept(const struct dm *dm, const char *ep)
{
	return keyidx_get(dm->no_accept_idx, ep, strlen(ep)) != NULL;
}

bool dm_reads_without_accept(const struct dm *dm, const char *ep)
{
	return ignores_accept(dm, ep);
}

/* Remember @ep in memory (once). */
static void add_no_accept(struct dm *dm, const char *ep)
{
	struct no_accept *n;

	if (ignores_accept(dm, ep))
		return;
	n = calloc(1, sizeof(*n));
	if (!n || !(n->ep = strdup(ep)))
		abort();
	n->next = dm->no_accept;
	dm->no_accept = n;
	keyidx_add(dm->no_accept_idx, n->ep, strlen(n->ep), n);
}

static void load_no_accept(struct dm *dm)
{
	sqlite3_stmt *st =
		dm->cfg.db ? db_stmt(dm->cfg.db, "SELECT ep FROM reads_without_accept") : NULL;
	int rc, n = 0;

	if (!st)
		return;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ep = (const char *)sqlite3_column_text(st, 0);

		if (ep && *ep) {
			add_no_accept(dm, ep);
			n++;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		log_warnx("reads_without_accept: not all read; those endpoints are learnt again");
	else if (n)
		log_info("endpoints read without Accept: %d", n);
}

/* Remember @ep in memory and in the database (a failure there is logged: memory still works). */
static void learn_no_accept(struct dm *dm, const char *ep)
{
	struct timespec now;

	if (ignores_accept(dm, ep))
		return;
	add_no_accept(dm, ep);
	if (!dm->cfg.db)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	db_batch(dm->cfg.db);
	if (db_exec(dm->cfg.db,
		    "INSERT OR IGNORE INTO reads_without_accept (ep, learned) VALUES (?, ?)", "tI",
		    ep, (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000) < 0 ||
	    db_commit(dm->cfg.db) < 0)
		log_warnx("ep=%s: not stored that it ignores Accept (learnt again after a restart)",
			  ep);
}

static void op_free(struct op *op)
{
	if (op->timer)
		event_free(op->timer);
	coap_session_release(op->session);
	free(op);
}

struct dm *dm_new(coap_context_t *ctx, struct coapev *ev, const struct dm_config *cfg)
{
	struct dm *dm = calloc(1, sizeof(*dm));

	if (!dm)
		abort();
	dm->ctx = ctx;
	dm->ev = ev;
	dm->cfg = *cfg;
	dm->no_accept_idx = keyidx_new();
	load_no_accept(dm);
	return dm;
}

void dm_free(struct dm *dm)
{
	if (!dm)
		return;
	while (dm->ops) {
		struct op *op = dm->ops;

		dm->ops = op->next;
		ipc_call_fail(op->call, IPC_ERR_UNAVAILABLE, "lwm2md is stopping");
		op_free(op);
	}
	while (dm->no_accept) {
		struct no_accept *n = dm->no_accept;

		dm->no_accept = n->next;
		free(n->ep);
		free(n);
	}
	keyidx_free(dm->no_accept_idx);
	free(dm);
}

void dm_counters(const struct dm *dm, json_t *counters)
{
	json_object_set_new(counters, "dm_requests", json_integer((json_int_t)dm->sent));
	json_object_set_new(counters, "dm_failed", json_integer((json_int_t)dm->failed));
	json_object_set_new(counters, "dm_timeouts", json_integer((json_int_t)dm->timeouts));
	json_object_set_new(counters, "sessions_opened",
			    json_integer((json_int_t)dm->sessions_opened));
	json_object_set_new(counters, "dm_accept_retries",
			    json_integer((json_int_t)dm->accept_retries));
}

void dm_code_text(coap_pdu_code_t code, char *buf, size_t size)
{
	/* libcoap's names: RFC 7252 §12.1.2 and the codes registered since (4.29, 5.05…) */
	const char *name = coap_response_phrase((unsigned char)code);

	snprintf(buf, size, "%u.%02u%s%s", (unsigned)COAP_RESPONSE_CLASS(code) & 7, code & 0x1fu,
		 name ? " " : "", name ? name : "");
}

static void payload_of(const coap_pdu_t *pdu, const uint8_t **data, size_t *len)
{
	size_t offset, total;

	if (!coap_get_data_large(pdu, len, data, &offset, &total)) {
		*len = 0;
		*data = (const uint8_t *)"";
	}
}

static struct op *take(struct dm *dm, coap_session_t *s, const coap_pdu_t *pdu, coap_mid_t mid,
		       bool by_token)
{
	struct op **pp;

	for (pp = &dm->ops; *pp; pp = &(*pp)->next) {
		struct op *op = *pp;
		bool match;

		if (op->session != s)
			continue;
		if (by_token) {
			coap_bin_const_t tok = coap_pdu_get_token(pdu);

			match = tok.length == op->token_len &&
				memcmp(tok.s, op->token, op->token_len) == 0;
		} else {
			match = op->mid == mid;
		}
		if (match) {
			*pp = op->next;
			return op;
		}
	}
	return NULL;
}

/* A 2.05 Content: the values as lib/lwm2m renders them, or the links. */
static void answer_content(struct op *op, const coap_pdu_t *received, json_t *result)
{
	coap_opt_iterator_t it;
	coap_opt_t *opt = coap_check_option(received, COAP_OPTION_CONTENT_FORMAT, &it);
	int format = (int)respfmt_of(
		opt != NULL,
		opt ? coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt)) : 0,
		op->kind == DM_DISCOVER);
	const struct lwm2m_registry *reg = op->dm->cfg.reg;
	const uint8_t *data;
	size_t len;
	struct lwm2m_error err = { 0 };
	struct lwm2m_buf out;
	int rc;

	payload_of(received, &data, &len);
	lwm2m_buf_init(&out);
	json_object_set_new(result, "format",
			    json_string(lwm2m_format_name((enum lwm2m_format)format) ?: "unknown"));
	if (format == LWM2M_FORMAT_LINK) {
		struct lwm2m_link_list l;

		lwm2m_link_list_init(&l);
		rc = lwm2m_link_decode(data, len, &l, &err);
		if (rc == 0)
			rc = lwm2m_render_links(&l, reg, &out);
		lwm2m_link_list_fini(&l);
	} else {
		struct lwm2m_doc doc;

		lwm2m_doc_init(&doc);
		rc = lwm2m_format_decode((enum lwm2m_format)format, data, len, &op->path, reg, &doc,
					 &err);
		if (rc == 0)
			rc = lwm2m_render_doc(&doc, reg, reg ? LWM2M_RENDER_NAMES : 0, &out);
		lwm2m_doc_fini(&doc);
	}
	if (rc < 0) {
		op->dm->failed++;
		json_decref(result);
		ipc_call_fail(op->call, IPC_ERR_CONFLICT, "%s: cannot decode the %s payload: %s",
			      op->ep, lwm2m_format_name((enum lwm2m_format)format) ?: "unknown",
			      err.msg[0] ? err.msg : strerror(-rc));
	} else {
		json_t *values = json_loadb((const char *)out.data, out.len, 0, NULL);

		json_object_set_new(result, format == LWM2M_FORMAT_LINK ? "links" : "values",
				    values ? values : json_null());
		ipc_call_reply(op->call, result);
	}
	lwm2m_buf_fini(&out);
}

static void answer(struct op *op, const coap_pdu_t *received)
{
	coap_pdu_code_t code = coap_pdu_get_code(received);
	char text[48], path[LWM2M_PATH_STR_MAX];
	const uint8_t *data;
	size_t len;
	json_t *result;

	dm_code_text(code, text, sizeof(text));
	if (COAP_RESPONSE_CLASS(code) != 2) {
		payload_of(received, &data, &len);
		op->dm->failed++;
		/* the client's own answer: "4.04" for scripts, with its name for people */
		ipc_call_fail_detail(op->call, IPC_ERR_COAP, json_pack("{s:s%}", "coap_code", text, 4),
				     "%s: %s%s%.*s", op->ep, text, len ? ": " : "",
				     (int)(len > 200 ? 200 : len), (const char *)data);
		return;
	}
	lwm2m_path_format(&op->path, path, sizeof(path));
	result = json_pack("{s:s, s:s, s:s}", "endpoint", op->ep, "path", path, "code", text);
	if (op->retried)
		json_object_set_new(result, "note",
				    json_string("the client ignored the Accept option: read "
						"again without it"));
	if (code == COAP_RESPONSE_CODE(205) && (op->kind == DM_READ || op->kind == DM_DISCOVER)) {
		answer_content(op, received, result);
		return;
	}
	if (code == COAP_RESPONSE_CODE(201)) {
		/* Create: the new instance's path, from Location-Path */
		coap_opt_iterator_t it;
		coap_opt_filter_t f;
		coap_opt_t *opt;
		char loc[64] = "";
		size_t o = 0;

		coap_option_filter_clear(&f);
		coap_option_filter_set(&f, COAP_OPTION_LOCATION_PATH);
		coap_option_iterator_init(received, &it, &f);
		while ((opt = coap_option_next(&it)) && o + 2 + coap_opt_length(opt) < sizeof(loc))
			o += (size_t)snprintf(loc + o, sizeof(loc) - o, "/%.*s",
					      (int)coap_opt_length(opt),
					      (const char *)coap_opt_value(opt));
		if (o)
			json_object_set_new(result, "location", json_string(loc));
	}
	ipc_call_reply(op->call, result);
}

bool dm_response(struct dm *dm, coap_session_t *s, const coap_pdu_t *received)
{
	struct op *op = take(dm, s, received, 0, true);

	if (!op)
		return false;
	answer(op, received);
	op_free(op);
	return true;
}

static int transmit(struct dm *dm, struct op *op, const struct dm_request *req);

bool dm_nack(struct dm *dm, coap_session_t *s, const coap_pdu_t *sent, coap_mid_t mid,
	     coap_nack_reason_t reason)
{
	struct op *op = take(dm, s, sent, mid, sent != NULL);

	if (!op)
		return false;
	/*
	 * LwM2M 1.0 clients such as lwm2m-node-lib silently ignore a Read
	 * whose Accept they do not support (TLV, SenML): once, a Read of a
	 * single resource is sent again without Accept, and the endpoint is
	 * remembered so that its next Reads go without Accept at once.
	 */
	if (reason == COAP_NACK_TOO_MANY_RETRIES && op->kind == DM_READ && op->accept >= 0 &&
	    op->lwm2m10 && !op->retried && op->path.len >= LWM2M_PATH_RESOURCE) {
		/* two Reads may have been waiting at once: remembered once */
		learn_no_accept(dm, op->ep);
		dm->accept_retries++;
		log_info("ep=%s ignored a Read with Accept %d: reading without Accept from now on",
			 op->ep, op->accept);
		op->accept = -1;
		op->retried = true;
		if (transmit(dm, op, NULL) == 0)
			return true;
	}
	dm->failed++;
	if (reason == COAP_NACK_TOO_MANY_RETRIES) {
		dm->timeouts++;
		ipc_call_fail(op->call, IPC_ERR_TIMEOUT, "%s: no answer from the client", op->ep);
	} else if (reason == COAP_NACK_RST) {
		ipc_call_fail(op->call, IPC_ERR_UNAVAILABLE, "%s: the client reset the request",
			      op->ep);
	} else {
		ipc_call_fail(op->call, IPC_ERR_UNAVAILABLE, "%s: request failed (reason %d)",
			      op->ep, (int)reason);
	}
	op_free(op);
	return true;
}

/*
 * The session to send on, referenced for the request.  libcoap keeps one
 * per active peer (holding one per registered client would make every
 * libcoap round walk them all), so it is looked up by address, or else
 * made: a client session from our own address and port, so that the
 * request comes from where the client registered to (LwM2M clients check).
 * Its connected socket shares the port with the endpoint's; Linux hands it
 * the peer's datagrams while it lives, which is for this request only.
 */
static coap_session_t *session_for(struct dm *dm, const struct client *c)
{
	coap_address_t peer;
	coap_session_t *s;

	coap_address_init(&peer);
	memcpy(&peer.addr, &c->addr, c->addr_len);
	peer.size = c->addr_len;
	s = coap_session_get_by_peer(dm->ctx, &peer, c->ifindex);
	if (s)
		return coap_session_reference(s);
	/* a server cannot start a DTLS handshake with a PSK client: it must come back */
	if (!dm->cfg.have_local || strcmp(c->transport, "udp") != 0)
		return NULL;
	s = coap_new_client_session(dm->ctx, &dm->cfg.local, &peer, COAP_PROTO_UDP);
	if (!s) {
		log_warnx("cannot open a session to ep=%s", c->ep);
		return NULL;
	}
	dm->sessions_opened++;
	return s; /* it comes with one reference */
}

static void add_path(coap_pdu_t *pdu, const char *root, const struct lwm2m_path *path)
{
	char seg[8];

	/* the client's root path first ("/lwm2m"), then the LwM2M path */
	if (strcmp(root, "/") != 0) {
		const char *p = root + 1;

		while (*p) {
			const char *slash = strchr(p, '/');
			size_t len = slash ? (size_t)(slash - p) : strlen(p);

			coap_add_option(pdu, COAP_OPTION_URI_PATH, len, (const uint8_t *)p);
			p += len + (slash ? 1 : 0);
		}
	}
	for (unsigned i = 0; i < path->len; i++) {
		int n = snprintf(seg, sizeof(seg), "%u", path->id[i]);

		coap_add_option(pdu, COAP_OPTION_URI_PATH, (size_t)n, (const uint8_t *)seg);
	}
}

static coap_pdu_code_t method_of(enum dm_op op)
{
	switch (op) {
	case DM_READ:
	case DM_DISCOVER:
		return COAP_REQUEST_CODE_GET;
	case DM_WRITE:
	case DM_WRITE_ATTR:
		return COAP_REQUEST_CODE_PUT;
	case DM_WRITE_UPDATE:
	case DM_EXECUTE:
	case DM_CREATE:
		return COAP_REQUEST_CODE_POST;
	case DM_DELETE:
		return COAP_REQUEST_CODE_DELETE;
	}
	return COAP_REQUEST_CODE_GET;
}

/*
 * Build and send @op's request (a Read again, on a retry: @req NULL, no
 * payload) and put it on the list.  Returns 0 or -EIO (not sent, not listed).
 */
static int transmit(struct dm *dm, struct op *op, const struct dm_request *req)
{
	coap_session_t *session = op->session;
	uint8_t buf[4];
	coap_pdu_t *pdu;

	op->mid = coap_new_message_id(session);
	pdu = coap_pdu_init(COAP_MESSAGE_CON, method_of(op->kind), op->mid,
			    coap_session_max_pdu_size(session));
	if (!pdu)
		abort();
	coap_session_new_token(session, &op->token_len, op->token);
	coap_add_token(pdu, op->token_len, op->token);
	/* options in number order: Uri-Path 11, Content-Format 12, Uri-Query 15, Accept 17 */
	add_path(pdu, op->root, &op->path);
	if (req && req->format >= 0 && req->payload)
		coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT,
				coap_encode_var_safe(buf, sizeof(buf), (unsigned)req->format), buf);
	if (req && req->op == DM_WRITE_ATTR && req->query) {
		const char *q = req->query;

		while (*q) {
			const char *amp = strchr(q, '&');
			size_t len = amp ? (size_t)(amp - q) : strlen(q);

			if (len)
				coap_add_option(pdu, COAP_OPTION_URI_QUERY, len,
						(const uint8_t *)q);
			q += len + (amp ? 1 : 0);
		}
	}
	if (op->kind == DM_DISCOVER)
		coap_add_option(pdu, COAP_OPTION_ACCEPT,
				coap_encode_var_safe(buf, sizeof(buf), LWM2M_FORMAT_LINK), buf);
	else if (op->accept >= 0)
		coap_add_option(pdu, COAP_OPTION_ACCEPT,
				coap_encode_var_safe(buf, sizeof(buf), (unsigned)op->accept), buf);
	if (req && req->payload && req->len)
		coap_add_data(pdu, req->len, req->payload);
	op->next = dm->ops;
	dm->ops = op;
	dm->sent++;
	if (coap_send(session, pdu) == COAP_INVALID_MID) {
		dm->ops = op->next;
		return -EIO;
	}
	return 0;
}

/*
 * Over TCP and TLS libcoap neither retransmits nor gives up on a request
 * (RFC 8323: the connection delivers it), so a client that never answers
 * would keep the call waiting as long as the connection lives.  It gets
 * the time a UDP request has with its retransmissions (MAX_TRANSMIT_WAIT,
 * RFC 7252 §4.8.2: ACK_TIMEOUT × (2^(MAX_RETRANSMIT+1) − 1) × 1.5).
 */
static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct op *op = arg, **pp;
	struct dm *dm = op->dm;

	for (pp = &dm->ops; *pp && *pp != op; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = op->next;
	dm->failed++;
	dm->timeouts++;
	ipc_call_fail(op->call, IPC_ERR_TIMEOUT, "%s: no answer from the client", op->ep);
	op_free(op);
}

static void arm_deadline(struct dm *dm, struct op *op)
{
	coap_proto_t proto = coap_session_get_proto(op->session);
	long long ms = (long long)dm->cfg.ack_timeout_ms *
		       ((1LL << (dm->cfg.max_retransmit + 1)) - 1) * 3 / 2;
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	if (!dm->cfg.base || (proto != COAP_PROTO_TCP && proto != COAP_PROTO_TLS))
		return;
	op->timer = evtimer_new(dm->cfg.base, on_deadline, op);
	if (!op->timer)
		abort();
	evtimer_add(op->timer, &tv);
}

void dm_send(struct dm *dm, struct ipc_call *call, const struct client *c,
	     const struct dm_request *req)
{
	coap_fixed_point_t ack = { (uint16_t)(dm->cfg.ack_timeout_ms / 1000),
				   (uint16_t)(dm->cfg.ack_timeout_ms % 1000) };
	coap_session_t *session = session_for(dm, c);
	struct op *op;

	if (!session) {
		ipc_call_fail(call, IPC_ERR_UNAVAILABLE,
			      "%s: no %s session to the client (its next Update opens one)", c->ep,
			      c->transport);
		return;
	}
	op = calloc(1, sizeof(*op));
	if (!op)
		abort();
	op->dm = dm;
	op->call = call;
	op->session = session;
	op->kind = req->op;
	op->path = req->path;
	op->accept = req->accept;
	op->lwm2m10 = strcmp(c->version, "1.0") == 0;
	snprintf(op->ep, sizeof(op->ep), "%s", c->ep);
	snprintf(op->root, sizeof(op->root), "%s", c->root);
	/* a client that registers as 1.1 now (new firmware) is asked with Accept again */
	if (op->kind == DM_READ && op->accept >= 0 && op->path.len >= LWM2M_PATH_RESOURCE &&
	    op->lwm2m10 && ignores_accept(dm, c->ep))
		op->accept = -1;
	coap_session_set_ack_timeout(session, ack);
	coap_session_set_max_retransmit(session, (uint16_t)dm->cfg.max_retransmit);
	if (transmit(dm, op, req) < 0) {
		dm->failed++;
		ipc_call_fail(call, IPC_ERR_UNAVAILABLE, "%s: cannot send the request", c->ep);
		op_free(op);
		return;
	}
	arm_deadline(dm, op);
	coapev_kick(dm->ev);
}
