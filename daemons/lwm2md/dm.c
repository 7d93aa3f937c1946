/*
 * dm — device-management requests to registered clients.
 */
#define LOG_COMPONENT "dm"
#include "dm.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_format.h"
#include "lwm2m/lwm2m_link.h"
#include "lwm2m/lwm2m_render.h"
#include "block1.h"
#include "noaccept.h"
#include "respfmt.h"

struct op {
	struct dm *dm;
	struct ipc_call *call;
	dm_done_fn done; /* instead of @call (queued operations) */
	void *done_ctx;
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
	bool own_token;      /* DM_OBSERVE, DM_OBSERVE_STOP: @token is the observation's */
	bool observing;      /* DM_OBSERVE: the (first block of the) answer had Observe */
	char query[256];     /* DM_WRITE_ATTR: the attributes, for attrs_written() */
	const uint8_t *body; /* a Block2 response put together (dm->bodies owns it) */
	size_t body_len;
	struct event *timer; /* the answer's deadline (see on_deadline) */
	long long deadline_ms;
	int ack_ms, max_retransmit; /* the transmission parameters of its transport */
	struct op *next;
};

struct dm {
	coap_context_t *ctx;
	struct block1 *bodies; /* Block2 responses being received, by token */
	struct coapev *ev;
	struct dm_config cfg;
	struct op *ops;
	struct noaccept *no_accept; /* endpoints that ignore Reads with Accept */
	uint64_t sent, failed, timeouts, sessions_opened, accept_retries;
};

static bool ignores_accept(const struct dm *dm, const char *ep)
{
	return noaccept_has(dm->no_accept, ep);
}

bool dm_reads_without_accept(const struct dm *dm, const char *ep)
{
	return ignores_accept(dm, ep);
}

/* The call's answer; a re-observation lwm2md makes on its own has no call. */
/* The requests that make an observation (their answer is its first notification). */
static bool observes(enum dm_op kind)
{
	return kind == DM_OBSERVE || kind == DM_OBSERVE_COMPOSITE;
}

static void reply(struct op *op, json_t *result)
{
	if (op->done)
		op->done(op->done_ctx, result, NULL);
	else if (op->call)
		ipc_call_reply(op->call, result);
	else
		json_decref(result);
	op->call = NULL;
	op->done = NULL;
}

static void __attribute__((format(printf, 4, 5)))
fail_detail(struct op *op, enum ipc_error code, json_t *detail, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (op->done) {
		/* the error object a call would have got */
		json_object_set_new(detail, "code", json_string(ipc_error_name(code)));
		json_object_set_new(detail, "message", json_string(msg));
		op->done(op->done_ctx, NULL, detail);
	} else if (op->call) {
		ipc_call_fail_detail(op->call, code, detail, "%s", msg);
	} else {
		json_decref(detail);
	}
	op->call = NULL;
	op->done = NULL;
}

#define fail(op, code, ...) fail_detail(op, code, json_object(), __VA_ARGS__)

/* An observation's request ended without a response: the hook learns it first. */
static void observe_failed(struct op *op)
{
	if (observes(op->kind) && op->dm->cfg.observed)
		op->dm->cfg.observed(op->dm->cfg.observed_ctx, op->token, op->token_len, NULL,
				     false, NULL, 0);
}

/* The key of @op's Block2 body in dm->bodies. */
static size_t body_key(const struct op *op, uint8_t key[BLOCK1_KEY_MAX])
{
	memcpy(key, &op->session, sizeof(op->session));
	memcpy(key + sizeof(op->session), op->token, op->token_len);
	return sizeof(op->session) + op->token_len;
}

static void op_free(struct op *op)
{
	uint8_t key[BLOCK1_KEY_MAX];

	if (op->timer)
		event_free(op->timer);
	/* a Block2 body, whole or not, goes with its request */
	block1_release(op->dm->bodies, key, body_key(op, key));
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
	dm->no_accept = noaccept_new(cfg->db);
	dm->bodies = block1_new(
		&(struct block1_config){ .max_body = cfg->max_body ? cfg->max_body : 65536,
					 .max_bodies = 4096,
					 .lifetime_ms = 247000 });
	return dm;
}

void dm_free(struct dm *dm)
{
	if (!dm)
		return;
	while (dm->ops) {
		struct op *op = dm->ops;

		dm->ops = op->next;
		fail(op, IPC_ERR_UNAVAILABLE, "lwm2md is stopping");
		op_free(op);
	}
	noaccept_free(dm->no_accept);
	block1_free(dm->bodies);
	free(dm);
}

static size_t pending(const struct dm *dm)
{
	size_t n = 0;

	for (const struct op *op = dm->ops; op; op = op->next)
		n++;
	return n;
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
	json_object_set_new(counters, "dm_pending", json_integer((json_int_t)pending(dm)));
}

void dm_code_text(coap_pdu_code_t code, char *buf, size_t size)
{
	/* libcoap's names: RFC 7252 §12.1.2 and the codes registered since (4.29, 5.05…) */
	const char *name = coap_response_phrase((unsigned char)code);

	snprintf(buf, size, "%u.%02u%s%s", (unsigned)COAP_RESPONSE_CLASS(code) & 7, code & 0x1fu,
		 name ? " " : "", name ? name : "");
}

/* The whole payload of a response: the Block2 body put together, or its own. */
static void body_of(const struct op *op, const coap_pdu_t *pdu, const uint8_t **data, size_t *len)
{
	size_t offset, total;

	if (op->body) {
		*data = op->body;
		*len = op->body_len;
	} else if (!coap_get_data_large(pdu, len, data, &offset, &total)) {
		*len = 0;
		*data = (const uint8_t *)"";
	}
}

static void payload_of(const coap_pdu_t *pdu, const uint8_t **data, size_t *len)
{
	size_t offset, total;

	if (!coap_get_data_large(pdu, len, data, &offset, &total)) {
		*len = 0;
		*data = (const uint8_t *)"";
	}
}

/* The request @pdu answers, by token, left on the list. */
static struct op *find(struct dm *dm, coap_session_t *s, const coap_pdu_t *pdu)
{
	coap_bin_const_t tok = coap_pdu_get_token(pdu);

	for (struct op *op = dm->ops; op; op = op->next)
		if (op->session == s && tok.length == op->token_len &&
		    memcmp(tok.s, op->token, op->token_len) == 0)
			return op;
	return NULL;
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

	body_of(op, received, &data, &len);
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
		fail(op, IPC_ERR_CONFLICT, "%s: cannot decode the %s payload: %s", op->ep,
		     lwm2m_format_name((enum lwm2m_format)format) ?: "unknown",
		     err.msg[0] ? err.msg : strerror(-rc));
	} else {
		json_t *values = json_loadb((const char *)out.data, out.len, 0, NULL);

		json_object_set_new(result, format == LWM2M_FORMAT_LINK ? "links" : "values",
				    values ? values : json_null());
		reply(op, result);
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
	if (COAP_RESPONSE_CLASS(code) != 2 &&
	    (op->kind == DM_READ_COMPOSITE || op->kind == DM_WRITE_COMPOSITE ||
	     op->kind == DM_OBSERVE_COMPOSITE) &&
	    (code == COAP_RESPONSE_CODE(405) || code == COAP_RESPONSE_CODE(501))) {
		/* TS Core §6.3.8: a 1.0 client, or one without them, answers so */
		op->dm->failed++;
		fail_detail(op, IPC_ERR_COAP, json_pack("{s:s%}", "coap_code", text, 4),
			    "%s: the client does not support composite operations (%s)", op->ep,
			    text);
		return;
	}
	if (COAP_RESPONSE_CLASS(code) != 2) {
		payload_of(received, &data, &len);
		op->dm->failed++;
		/* the client's own answer: "4.04" for scripts, with its name for people */
		fail_detail(op, IPC_ERR_COAP, json_pack("{s:s%}", "coap_code", text, 4),
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
	if (observes(op->kind) && !op->observing)
		json_object_set_new(result, "note",
				    json_string("the client answered without Observe: the value "
						"is read, not observed"));
	if (code == COAP_RESPONSE_CODE(205) &&
	    (op->kind == DM_READ || op->kind == DM_DISCOVER || observes(op->kind) ||
	     op->kind == DM_READ_COMPOSITE)) {
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
	reply(op, result);
}

/*
 * A block of a Block2 response (RFC 7959 §2.4): libcoap asks for the next
 * ones itself and hands each over; they are put together here.  False
 * when @received is the whole response (no Block2, or its last block, then
 * in op->body); true when it was taken (more to come, or @op failed).
 */
static bool block2(struct dm *dm, struct op *op, coap_session_t *s, const coap_pdu_t *received)
{
	uint8_t key[BLOCK1_KEY_MAX];
	coap_opt_iterator_t it;
	const uint8_t *part;
	size_t n, offset, total;
	coap_block_b_t b;
	int rc;

	if (COAP_RESPONSE_CLASS(coap_pdu_get_code(received)) != 2 ||
	    !coap_get_block_b(s, received, COAP_OPTION_BLOCK2, &b) || (b.num == 0 && !b.m))
		return false;
	if (!coap_get_data_large(received, &n, &part, &offset, &total)) {
		n = 0;
		part = (const uint8_t *)"";
	}
	/* libcoap asks for the later blocks without Observe: the first block says */
	if (b.num == 0)
		op->observing = coap_check_option(received, COAP_OPTION_OBSERVE, &it) != NULL;
	rc = block1_add(dm->bodies, key, body_key(op, key), b.num, b.m, b.szx, part, n, 0,
			(uint64_t)clients_now_ms(), &op->body, &op->body_len);
	if (rc == BLOCK1_CONTINUE)
		return true;
	if (rc == BLOCK1_DONE)
		return false;
	op->body = NULL;
	take(dm, s, received, 0, true);
	dm->failed++;
	observe_failed(op);
	fail(op, IPC_ERR_CONFLICT, "%s: %s", op->ep,
	     rc == -EMSGSIZE ? "the response is larger than [lwm2m] max_body"
			     : "a block of the response is missing");
	op_free(op);
	return true;
}

bool dm_response(struct dm *dm, coap_session_t *s, const coap_pdu_t *received)
{
	struct op *op = find(dm, s, received);

	coap_opt_iterator_t it;

	if (op && block2(dm, op, s, received))
		return true;
	op = take(dm, s, received, 0, true);
	if (op && !op->body)
		op->observing = coap_check_option(received, COAP_OPTION_OBSERVE, &it) != NULL;

	if (!op)
		return false;
	if (observes(op->kind) && dm->cfg.observed)
		dm->cfg.observed(dm->cfg.observed_ctx, op->token, op->token_len, received,
				 op->observing, op->body, op->body_len);
	if (op->kind == DM_WRITE_ATTR && dm->cfg.attrs_written &&
	    coap_pdu_get_code(received) == COAP_RESPONSE_CODE(204))
		dm->cfg.attrs_written(dm->cfg.observed_ctx, op->ep, &op->path, op->query);
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
		noaccept_learn(dm->no_accept, op->ep);
		dm->accept_retries++;
		log_info("ep=%s ignored a Read with Accept %d: reading without Accept from now on",
			 op->ep, op->accept);
		op->accept = -1;
		op->retried = true;
		if (transmit(dm, op, NULL) == 0)
			return true;
	}
	dm->failed++;
	observe_failed(op);
	if (reason == COAP_NACK_TOO_MANY_RETRIES) {
		dm->timeouts++;
		fail(op, IPC_ERR_TIMEOUT, "%s: no answer from the client", op->ep);
	} else if (reason == COAP_NACK_RST) {
		fail(op, IPC_ERR_UNAVAILABLE, "%s: the client reset the request", op->ep);
	} else {
		fail(op, IPC_ERR_UNAVAILABLE, "%s: request failed (reason %d)", op->ep,
		     (int)reason);
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
/* UDP, or a virtual peer's loopback UDP (vpeer.h: "nidd", "http2"). */
static bool datagram(const struct client *c)
{
	return strcmp(c->transport, "udp") == 0 || strcmp(c->transport, "nidd") == 0 ||
	       strcmp(c->transport, "http2") == 0;
}

bool dm_connected(const struct dm *dm, const struct client *c)
{
	coap_address_t peer;

	/* over UDP lwm2md can always send (it opens a session if need be) */
	if (datagram(c))
		return true;
	coap_address_init(&peer);
	memcpy(&peer.addr, &c->addr, c->addr_len);
	peer.size = c->addr_len;
	return coap_session_get_by_peer(dm->ctx, &peer, c->ifindex) != NULL;
}

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
	if (!dm->cfg.have_local || !datagram(c))
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
	case DM_OBSERVE:
	case DM_OBSERVE_STOP:
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
	case DM_READ_COMPOSITE:
	case DM_OBSERVE_COMPOSITE:
	case DM_OBSERVE_COMPOSITE_STOP:
		return COAP_REQUEST_CODE_FETCH;
	case DM_WRITE_COMPOSITE:
		return COAP_REQUEST_CODE_IPATCH;
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
	if (!op->own_token)
		coap_session_new_token(session, &op->token_len, op->token);
	coap_add_token(pdu, op->token_len, op->token);
	/*
	 * options in number order: Observe 6, Uri-Path 11, Content-Format 12,
	 * Uri-Query 15, Accept 17
	 */
	if (observes(op->kind) || op->kind == DM_OBSERVE_STOP ||
	    op->kind == DM_OBSERVE_COMPOSITE_STOP)
		coap_add_option(pdu, COAP_OPTION_OBSERVE,
				coap_encode_var_safe(buf, sizeof(buf),
						     observes(op->kind) ? COAP_OBSERVE_ESTABLISH
									: COAP_OBSERVE_CANCEL),
				buf);
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
 * Every request has a deadline, so that no call and no exchange state
 * waits for ever:
 *  - over UDP and DTLS, a client that acknowledges a request with an
 *    empty ACK owes a separate response, which libcoap waits for without
 *    end; it gets EXCHANGE_LIFETIME (RFC 7252 §4.8.2: MAX_TRANSMIT_SPAN +
 *    2 × MAX_LATENCY + PROCESSING_DELAY, 247 s with the defaults);
 *  - over TCP and TLS libcoap neither retransmits nor gives up (RFC 8323:
 *    the connection delivers it); the request gets the time a UDP request
 *    has with its retransmissions (MAX_TRANSMIT_WAIT: ACK_TIMEOUT ×
 *    (2^(MAX_RETRANSMIT+1) − 1) × 1.5).
 * [coap] response_timeout replaces both when set.
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
	observe_failed(op);
	fail(op, IPC_ERR_TIMEOUT, "%s: no answer from the client in %lld s", op->ep,
	     (long long)op->deadline_ms / 1000);
	op_free(op);
}

static void arm_deadline(struct dm *dm, struct op *op)
{
	coap_proto_t proto = coap_session_get_proto(op->session);
	bool stream = proto == COAP_PROTO_TCP || proto == COAP_PROTO_TLS;
	long long ack = op->ack_ms, mr = op->max_retransmit;
	long long ms = stream ? ack * ((1LL << (mr + 1)) - 1) * 3 / 2
			      : ack * ((1LL << mr) - 1) * 3 / 2 + 2 * 100000 + ack;
	struct timeval tv;

	if (!dm->cfg.base)
		return;
	if (dm->cfg.response_timeout_s > 0)
		ms = (long long)dm->cfg.response_timeout_s * 1000;
	op->deadline_ms = ms;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	op->timer = evtimer_new(dm->cfg.base, on_deadline, op);
	if (!op->timer)
		abort();
	evtimer_add(op->timer, &tv);
}

static void send_op(struct dm *dm, struct op *op, const struct client *c,
		    const struct dm_request *req);

void dm_send(struct dm *dm, struct ipc_call *call, const struct client *c,
	     const struct dm_request *req)
{
	struct op *op = calloc(1, sizeof(*op));

	if (!op)
		abort();
	op->call = call;
	send_op(dm, op, c, req);
}

void dm_send_cb(struct dm *dm, const struct client *c, const struct dm_request *req,
		dm_done_fn done, void *ctx)
{
	struct op *op = calloc(1, sizeof(*op));

	if (!op)
		abort();
	op->done = done;
	op->done_ctx = ctx;
	send_op(dm, op, c, req);
}

static void send_op(struct dm *dm, struct op *op, const struct client *c,
		    const struct dm_request *req)
{
	coap_fixed_point_t ack;

	/* a NIDD path (SCEF, PSM, buffering) takes far longer than ACK_TIMEOUT over IP */
	op->ack_ms = dm->cfg.ack_timeout_ms;
	op->max_retransmit = dm->cfg.max_retransmit;
	if (strcmp(c->transport, "nidd") == 0 && dm->cfg.nidd_ack_timeout_ms > 0) {
		op->ack_ms = dm->cfg.nidd_ack_timeout_ms;
		op->max_retransmit = dm->cfg.nidd_max_retransmit;
	}
	ack.integer_part = (uint16_t)(op->ack_ms / 1000);
	ack.fractional_part = (uint16_t)(op->ack_ms % 1000);
	op->dm = dm;
	op->kind = req->op;
	if (req->op == DM_WRITE_ATTR && req->query)
		snprintf(op->query, sizeof(op->query), "%s", req->query);
	op->path = req->path;
	op->accept = req->accept;
	op->lwm2m10 = strcmp(c->version, "1.0") == 0;
	snprintf(op->ep, sizeof(op->ep), "%s", c->ep);
	snprintf(op->root, sizeof(op->root), "%s", c->root);
	if (req->token && req->token_len && req->token_len <= sizeof(op->token)) {
		memcpy(op->token, req->token, req->token_len);
		op->token_len = req->token_len;
		op->own_token = true;
	}
	op->session = session_for(dm, c);
	if (!op->session) {
		observe_failed(op);
		fail(op, IPC_ERR_UNAVAILABLE,
		     "%s: no %s session to the client (its next Update opens one)", c->ep,
		     c->transport);
		op_free(op);
		return;
	}
	/* a client that registers as 1.1 now (new firmware) is asked with Accept again */
	if (op->kind == DM_READ && op->accept >= 0 && op->path.len >= LWM2M_PATH_RESOURCE &&
	    op->lwm2m10 && ignores_accept(dm, c->ep))
		op->accept = -1;
	coap_session_set_ack_timeout(op->session, ack);
	coap_session_set_max_retransmit(op->session, (uint16_t)op->max_retransmit);
	/* lwm2md's observations outlive its sessions (and its restarts): libcoap must not cancel
	 * them */
	if (observes(op->kind))
		coap_session_set_no_observe_cancel(op->session);
	if (transmit(dm, op, req) < 0) {
		dm->failed++;
		observe_failed(op);
		fail(op, IPC_ERR_UNAVAILABLE, "%s: cannot send the request", c->ep);
		op_free(op);
		return;
	}
	arm_deadline(dm, op);
	coapev_kick(dm->ev);
}
