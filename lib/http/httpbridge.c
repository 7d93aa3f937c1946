#include "http/httpbridge.h"
#include "http/httpstatic.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#define LOG_COMPONENT "http"
#include "common/ipc_local.h"
#include "common/ipc_peer.h"
#include "common/log.h"

#define MAX_TOKENS 16

struct subscriber {
	struct httpbridge *b;
	struct http_exchange *ex;
	char filter[HTTPROUTE_MAX_VALUE]; /* "" for every event */
	const char *field;                /* of the event's data that must equal filter */
	const char *event;                /* only events of this name; NULL: all */
	struct subscriber *prev, *next;
};

struct httpbridge {
	struct httpbridge_config cfg;
	struct event_base *base;
	const struct httpbridge_route *routes;
	struct http_server *srv;
	struct ipc_peer *peer; /* the control socket, when no server of this process serves it */
	char *tokens[2][MAX_TOKENS]; /* [0] read-only, [1] read-write */
	size_t n_tokens[2];
	bool subscribed;
	struct subscriber *subs;
	size_t n_subs;
};

/* One control call in flight for an exchange; the exchange may go first. */
struct pending {
	struct httpbridge *b;
	struct http_exchange *ex;
	const struct httpbridge_route *route;
	bool local; /* called in-process: the reply's 64 KiB limit is checked here */
	char stream_filter[HTTPROUTE_MAX_VALUE]; /* a stream route's capture */
};

static void add_subscriber(struct httpbridge *b, struct http_exchange *ex, const char *filter,
			   const char *field, const char *event, const char *first);
static void ensure_subscribed(struct httpbridge *b);

/* "event: TOPIC\ndata: JSON\n\n", malloc'd, its length in *@len */
static char *event_text(const char *topic, json_t *data, size_t *len)
{
	char *d = json_dumps(data, JSON_COMPACT | JSON_ENCODE_ANY), *s = NULL;
	if (!d)
		abort();
	/* compact JSON has no newline, so one data: line holds it */
	int n = asprintf(&s, "event: %s\ndata: %s\n\n", topic, d);
	free(d);
	if (n < 0)
		abort();
	*len = (size_t)n;
	return s;
}

/* A stream route's first event, from the command's result, or NULL. */
static char *first_event(const struct httpbridge_route *route, const struct ipc_response *resp)
{
	json_t *rec = resp->records ? json_array_get(resp->records, 0) : resp->result;
	size_t len;
	if (!route->stream_first || !json_is_object(rec) ||
	    !json_object_get(rec, route->stream_first))
		return NULL;
	return event_text(route->stream_event, rec, &len);
}

/*
 * The daemon's own control server when this process runs it (the daemons'
 * APIs): calls then go in-process.  Looked up on each use, as the server
 * may be freed before the bridge.
 */
static struct ipc_server *local_server(const struct httpbridge *b)
{
	return ipc_local_find(b->cfg.socket);
}

static struct ipc_peer *peer(struct httpbridge *b)
{
	if (!b->peer)
		b->peer = ipc_peer_new(b->base, b->cfg.socket);
	return b->peer;
}

static int parse_tokens(struct httpbridge *b, int scope, const char *list)
{
	char *copy = strdup(list ? list : ""), *save = NULL;
	if (!copy)
		abort();
	for (char *t = strtok_r(copy, " ,\t", &save); t; t = strtok_r(NULL, " ,\t", &save)) {
		if (b->n_tokens[scope] >= MAX_TOKENS) {
			free(copy);
			return -E2BIG;
		}
		b->tokens[scope][b->n_tokens[scope]++] = strdup(t);
	}
	free(copy);
	return 0;
}

static bool token_in(const struct httpbridge *b, int scope, const char *tok)
{
	size_t len = strlen(tok);
	bool found = false;
	/* compare with every token, in constant time for each */
	for (size_t i = 0; i < b->n_tokens[scope]; i++)
		if (strlen(b->tokens[scope][i]) == len &&
		    CRYPTO_memcmp(b->tokens[scope][i], tok, len) == 0)
			found = true;
	return found;
}

/* 0 when the request may run, else the status that refuses it (answered here). */
static int authorize(struct httpbridge *b, struct http_exchange *ex, bool write)
{
	if (b->n_tokens[0] + b->n_tokens[1] == 0)
		return 0;
	const char *h = http_request_header(http_exchange_request(ex), "authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0 ||
	    (!token_in(b, 0, h + 7) && !token_in(b, 1, h + 7))) {
		http_exchange_add_header(ex, "www-authenticate", "Bearer realm=\"lwgate\"");
		http_exchange_problem(ex, 401, NULL, "a valid bearer token is required");
		return 401;
	}
	if (write && !token_in(b, 1, h + 7)) {
		http_exchange_problem(ex, 403, NULL, "this token is read-only");
		return 403;
	}
	return 0;
}

static int ipc_status(enum ipc_error code)
{
	switch (code) {
	case IPC_ERR_BAD_REQUEST:
	case IPC_ERR_BAD_ARGS:
	case IPC_ERR_TOO_LARGE:
		return 400;
	case IPC_ERR_NOT_FOUND:
		return 404;
	case IPC_ERR_DENIED:
		return 403;
	case IPC_ERR_CONFLICT:
		return 409;
	case IPC_ERR_BUSY:
		return 503;
	case IPC_ERR_UNAVAILABLE:
	case IPC_ERR_COAP:
		return 502;
	case IPC_ERR_TIMEOUT:
		return 504;
	default:
		return 500;
	}
}

/* {"id":N,"ok":true,"result":…}: what a reply adds to its result on the socket */
#define REPLY_ENVELOPE 48

static void answer_problem(struct http_exchange *ex, int status, enum ipc_error code,
			   const char *message, json_t *error)
{
	json_t *doc = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", "about:blank", "title",
				http_status_reason(status), "status", status, "detail",
				message ? message : "", "code", ipc_error_name(code));
	const char *k;
	json_t *v;
	/* what the daemon added (coap_code, …) goes along as extension members */
	if (error)
		json_object_foreach (error, k, v)
			if (!json_object_get(doc, k) && strcmp(k, "message") != 0)
				json_object_set(doc, k, v);
	char *s = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		abort();
	http_exchange_respond(ex, status, "application/problem+json", s, strlen(s));
	free(s);
	json_decref(doc);
}

/*
 * A result the socket could not have carried (one reply record over 64
 * KiB) is refused in-process too, with the socket's words: the API's
 * answers do not depend on the path a call took.
 */
static bool reply_too_large(struct http_exchange *ex, size_t len)
{
	if (len + REPLY_ENVELOPE <= IPC_MAX_MESSAGE)
		return false;
	answer_problem(ex, 400, IPC_ERR_TOO_LARGE, "reply over 64 KiB; ask for fewer items", NULL);
	return true;
}

static void answer_result(struct http_exchange *ex, const struct httpbridge_route *route,
			  bool local, const struct ipc_response *resp)
{
	/* a list comes as records, then a reply that closes it; an empty one as the
	 * closing reply alone */
	json_t *result = resp->records ? resp->records : resp->result;
	json_t *empty = NULL;
	if (route->list && !resp->records && !json_is_array(result))
		result = empty = json_array();
	/* most answers fit the stack: no buffer grown by doubling, no strlen */
	char stack[8192], *s = NULL;
	size_t len = 0;
	if (!route->render || (local && !resp->records)) {
		const size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
		len = json_dumpb(result, stack, sizeof(stack), flags);
		s = stack;
		if (len > sizeof(stack)) {
			s = malloc(len);
			if (!s || json_dumpb(result, s, len, flags) != len)
				abort();
		}
	}
	if (local && !resp->records && reply_too_large(ex, len)) {
		/* answered */
	} else if (route->render) {
		char *body = NULL;
		const char *ctype = NULL;
		int status = route->render(http_exchange_request(ex), result, &body, &len, &ctype);
		if (status)
			http_exchange_problem(ex, status, NULL, NULL);
		else
			http_exchange_respond(ex, 200, ctype, body, len);
		free(body);
	} else {
		http_exchange_respond(ex, 200, "application/json", s, len);
	}
	if (s != stack)
		free(s);
	json_decref(empty);
}

static void on_reply(const struct ipc_response *resp, void *arg)
{
	struct pending *p = arg;
	struct http_exchange *ex = p->ex;
	const struct httpbridge_route *route = p->route;
	bool local = p->local;
	if (ex)
		http_exchange_on_close(ex, NULL, NULL);
	if (ex && resp->ok && route->stream_event) {
		char *first = first_event(route, resp);
		add_subscriber(p->b, ex, p->stream_filter, route->stream_field, route->stream_event,
			       first);
		free(first);
		ex = NULL;
	}
	free(p);
	if (!ex)
		return; /* the client left, or its stream began */
	if (resp->ok) {
		answer_result(ex, route, local, resp);
		return;
	}
	answer_problem(ex, ipc_status(resp->code), resp->code, resp->message, resp->error);
}

static void pending_gone(struct http_exchange *ex, void *arg)
{
	struct pending *p = arg;
	p->ex = NULL;
}

static int call_timeout(const struct httpbridge *b, const struct http_request *req, int *ms)
{
	char v[16];
	*ms = b->cfg.timeout_ms;
	int rc = http_query_param(req->query, "timeout", v, sizeof(v));
	if (rc == -ENOENT)
		return 0;
	char *end;
	long s = rc ? 0 : strtol(v, &end, 10);
	if (rc || *end || s < 1 || s > 300)
		return -EINVAL;
	*ms = (int)s * 1000;
	return 0;
}

/*
 * Would the command, sent on the socket, pass its 64 KiB record limit?  The
 * in-process call keeps that limit, so that the API refuses what it refused
 * before; the arguments are serialised to know only when they might be
 * near it: everything in them comes from the request, and JSON escaping
 * makes a byte at most six.
 */
static bool request_too_large(const struct http_request *req, json_t *args)
{
	size_t in = req->body_len + strlen(req->target ? req->target : "");
	if (!args || in * 6 + 1024 < IPC_MAX_MESSAGE)
		return false;
	json_t *msg = json_pack("{s:I, s:s, s:O}", "id", (json_int_t)0, "cmd", "-", "args", args);
	size_t len;
	char *s = ipc_proto_dump(msg, &len);
	json_decref(msg);
	bool big = s == NULL;
	free(s);
	return big;
}

static void run_route(struct httpbridge *b, struct http_exchange *ex,
		      const struct httpbridge_route *r, const struct httproute_match *m)
{
	const struct http_request *req = http_exchange_request(ex);
	struct httpbridge_call call = { r->cmd, NULL };
	char why[160] = "";
	int ms, status = 0;
	if (call_timeout(b, req, &ms) < 0) {
		http_exchange_problem(ex, 400, NULL, "timeout= takes whole seconds, 1 to 300");
		return;
	}
	if (r->build) {
		status = r->build(m, req, &call, why, sizeof(why));
	} else {
		call.args = json_object();
		for (size_t i = 0; i < m->n; i++)
			json_object_set_new(call.args, m->cap[i].name,
					    json_string(m->cap[i].value));
	}
	if (status) {
		json_decref(call.args);
		http_exchange_problem(ex, status, NULL, why);
		return;
	}
	struct ipc_server *ipc = local_server(b);
	if (ipc && request_too_large(req, call.args)) {
		json_decref(call.args);
		http_exchange_problem(ex, 413, NULL, "the request makes a command over 64 KiB");
		return;
	}
	struct pending *p = calloc(1, sizeof(*p));
	if (!p)
		abort();
	p->b = b;
	p->ex = ex;
	p->route = r;
	p->local = ipc != NULL;
	if (r->stream_event && m->n)
		snprintf(p->stream_filter, sizeof(p->stream_filter), "%s", m->cap[0].value);
	/* before the command: an event after its answer cannot pass the subscription */
	if (r->stream_event)
		ensure_subscribed(b);
	http_exchange_on_close(ex, pending_gone, p);
	if (ipc) {
		/* on_reply may run before this returns, and then frees p */
		ipc_local_call(ipc, call.cmd, call.args, ms, on_reply, p);
		return;
	}
	if (ipc_peer_call(peer(b), call.cmd, call.args, ms, on_reply, p) < 0) {
		http_exchange_on_close(ex, NULL, NULL);
		free(p);
		http_exchange_problem(ex, 413, NULL, "the request makes a command over 64 KiB");
	}
}

static void sub_gone(struct http_exchange *ex, void *arg)
{
	struct subscriber *s = arg;
	struct httpbridge *b = s->b;
	if (s->prev)
		s->prev->next = s->next;
	else
		b->subs = s->next;
	if (s->next)
		s->next->prev = s->prev;
	b->n_subs--;
	free(s);
}

static void on_event(const char *topic, json_t *data, void *arg)
{
	struct httpbridge *b = arg;
	char *s = NULL;
	size_t len = 0;
	for (struct subscriber *sub = b->subs, *next; sub; sub = next) {
		next = sub->next; /* a write may end the stream, and free sub */
		if (sub->event && strcmp(sub->event, topic) != 0)
			continue;
		const char *value =
			sub->field ? json_string_value(json_object_get(data, sub->field)) : NULL;
		if (sub->filter[0] && (!value || strcmp(value, sub->filter) != 0))
			continue;
		if (!s)
			s = event_text(topic, data, &len);
		http_exchange_stream_write(sub->ex, s, len);
	}
	free(s);
}

/* The daemon's events come to the bridge once anyone streams them. */
static void ensure_subscribed(struct httpbridge *b)
{
	if (b->subscribed)
		return;
	struct ipc_server *ipc = local_server(b);
	if (ipc) {
		ipc_local_subscribe(ipc, on_event, b);
	} else {
		json_t *all = json_pack("[s]", "*");
		ipc_peer_subscribe(peer(b), all, on_event, b);
		json_decref(all);
	}
	b->subscribed = true;
}

/* @first: an event to send at once (NULL: none) */
static void add_subscriber(struct httpbridge *b, struct http_exchange *ex, const char *filter,
			   const char *field, const char *event, const char *first)
{
	if (b->n_subs >= b->cfg.max_subscribers) {
		http_exchange_add_header(ex, "retry-after", "10");
		http_exchange_problem(ex, 503, NULL, "too many event streams open");
		return;
	}
	struct subscriber *s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	snprintf(s->filter, sizeof(s->filter), "%s", filter);
	s->field = field;
	s->event = event;
	ensure_subscribed(b);
	s->b = b;
	s->ex = ex;
	s->next = b->subs;
	if (s->next)
		s->next->prev = s;
	b->subs = s;
	b->n_subs++;
	http_exchange_on_close(ex, sub_gone, s);
	http_exchange_stream_begin(ex, 200, "text/event-stream");
	/* a comment first: the client knows the stream is open before any event; one
	 * write with the first event, as a write may end the stream */
	static const char opened[] = ": subscribed\n\n";
	if (!first) {
		http_exchange_stream_write(ex, opened, sizeof(opened) - 1);
		return;
	}
	char *text;
	int n = asprintf(&text, "%s%s", opened, first);
	if (n < 0)
		abort();
	http_exchange_stream_write(ex, text, (size_t)n);
	free(text);
}

static void subscribe(struct httpbridge *b, struct http_exchange *ex)
{
	const struct http_request *req = http_exchange_request(ex);
	char filter[HTTPROUTE_MAX_VALUE] = "";
	int rc = b->cfg.events_filter ? http_query_param(req->query, b->cfg.events_filter, filter,
							 sizeof(filter))
				      : -ENOENT;
	if (rc < 0 && rc != -ENOENT) {
		http_exchange_problem(ex, 400, NULL, "bad event filter");
		return;
	}
	add_subscriber(b, ex, rc < 0 ? "" : filter, b->cfg.events_field, NULL, NULL);
}

/* Answer a CORS preflight: any origin, the methods and headers the API uses. */
static void preflight(struct http_exchange *ex)
{
	http_exchange_add_header(ex, "access-control-allow-methods", "GET, PUT, POST, DELETE");
	http_exchange_add_header(ex, "access-control-allow-headers", "authorization, content-type");
	http_exchange_add_header(ex, "access-control-max-age", "600");
	http_exchange_respond(ex, 204, NULL, NULL, 0);
}

/*
 * The routes with the most literal segments that match the path own it:
 * GET .../3/0/9/attributes is the attributes route's (PUT only), so a 405,
 * not a read of the LwM2M path "3/0/9/attributes" by GET .../{path*}.
 */
static void dispatch(struct httpbridge *b, struct http_exchange *ex, const struct http_request *req)
{
	char allow[128] = "";
	const struct httpbridge_route *run = NULL;
	struct httproute_match m, run_m;
	size_t best = 0;
	for (const struct httpbridge_route *r = b->routes; r->method; r++) {
		int rc = httproute_match(r->pattern, req->path, &m);
		if (rc == -ENOENT)
			continue;
		if (rc < 0) {
			http_exchange_problem(ex, 400, NULL, "bad percent-encoding in the path");
			return;
		}
		size_t literals = httproute_literals(r->pattern);
		if (literals < best)
			continue;
		if (literals > best) {
			best = literals;
			run = NULL;
			allow[0] = '\0';
		}
		if (strcmp(r->method, req->method) == 0) {
			if (!run) {
				run = r;
				run_m = m;
			}
		} else if (!strstr(allow, r->method) &&
			   strlen(allow) + strlen(r->method) + 3 < sizeof(allow)) {
			snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow), "%s%s",
				 allow[0] ? ", " : "", r->method);
		}
	}
	if (run) {
		if (authorize(b, ex, run->write) == 0)
			run_route(b, ex, run, &run_m);
		return;
	}
	if (allow[0]) {
		http_exchange_add_header(ex, "allow", allow);
		http_exchange_problem(ex, 405, NULL, NULL);
		return;
	}
	http_exchange_problem(ex, 404, NULL, "no such API resource");
}

static void handle(struct http_exchange *ex, void *arg)
{
	struct httpbridge *b = arg;
	const struct http_request *req = http_exchange_request(ex);
	if (b->cfg.ui_dir && *b->cfg.ui_dir && strncmp(req->path, "/ui", 3) == 0 &&
	    (req->path[3] == '\0' || req->path[3] == '/')) {
		httpstatic_serve(ex, b->cfg.ui_dir, "/ui/");
		return;
	}
	http_exchange_add_header(ex, "access-control-allow-origin", "*");
	if (strcmp(req->method, "OPTIONS") == 0) {
		preflight(ex);
		return;
	}
	if (b->cfg.events_path && strcmp(req->path, b->cfg.events_path) == 0) {
		if (strcmp(req->method, "GET") != 0) {
			http_exchange_add_header(ex, "allow", "GET");
			http_exchange_problem(ex, 405, NULL, NULL);
		} else if (authorize(b, ex, false) == 0) {
			subscribe(b, ex);
		}
		return;
	}
	dispatch(b, ex, req);
}

static bool is_loopback(const char *addr)
{
	struct in_addr a4;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return strcmp(addr, "::1") == 0;
}

int httpbridge_new(struct event_base *base, const struct httpbridge_config *cfg,
		   const struct httpbridge_route *routes, struct httpbridge **out)
{
	struct httpbridge *b = calloc(1, sizeof(*b));
	if (!b)
		abort();
	b->cfg = *cfg;
	b->base = base;
	b->routes = routes;
	int rc = parse_tokens(b, 0, cfg->tokens_ro);
	if (rc == 0)
		rc = parse_tokens(b, 1, cfg->tokens_rw);
	if (rc == 0 && b->n_tokens[0] + b->n_tokens[1] == 0 && !is_loopback(cfg->address)) {
		log_warnx("[http] address=%s needs a token (tokens_ro or tokens_rw): with none "
			  "the API listens on loopback only",
			  cfg->address);
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = http_server_new(base, &cfg->http, handle, b, &b->srv);
	if (rc == 0)
		rc = http_server_listen(b->srv, cfg->address, cfg->port);
	if (rc < 0) {
		httpbridge_free(b);
		return rc;
	}
	log_info("HTTP API listening address=%s port=%u tls=%s tokens=%zu calls=%s", cfg->address,
		 http_server_port(b->srv),
		 cfg->http.cert_file && *cfg->http.cert_file ? "yes" : "no",
		 b->n_tokens[0] + b->n_tokens[1], local_server(b) ? "in-process" : "socket");
	*out = b;
	return 0;
}

void httpbridge_free(struct httpbridge *b)
{
	if (!b)
		return;
	/* connections first: their close callbacks still find the subscriber list */
	http_server_free(b->srv);
	struct ipc_server *ipc = local_server(b);
	if (ipc && b->subscribed)
		ipc_local_subscribe(ipc, NULL, NULL);
	ipc_peer_free(b->peer);
	for (int s = 0; s < 2; s++)
		for (size_t i = 0; i < b->n_tokens[s]; i++)
			free(b->tokens[s][i]);
	free(b);
}

uint16_t httpbridge_port(const struct httpbridge *b)
{
	return http_server_port(b->srv);
}

int httpbridge_body_json(const struct http_request *req, json_t **out, char *why, size_t size)
{
	const char *ct = http_request_header(req, "content-type");
	if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
		snprintf(why, size, "the body must be application/json");
		return 415;
	}
	json_error_t err;
	*out = json_loadb((const char *)req->body, req->body_len,
			  JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (!*out) {
		snprintf(why, size, "bad JSON body: %s (line %d column %d)", err.text, err.line,
			 err.column);
		return 400;
	}
	return 0;
}

int httpbridge_query_args(const struct http_request *req, const char *const *names, json_t *args,
			  char *why, size_t size)
{
	char v[HTTPROUTE_MAX_VALUE];
	for (; *names; names++) {
		int rc = http_query_param(req->query, *names, v, sizeof(v));
		if (rc == -ENOENT)
			continue;
		json_t *s = rc < 0 ? NULL : json_string(v); /* NULL too when not UTF-8 */
		if (!s) {
			snprintf(why, size, "bad query parameter %s", *names);
			return 400;
		}
		json_object_set_new(args, *names, s);
	}
	return 0;
}
