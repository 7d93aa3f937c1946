/*
 * lwgate-http-testd — lib/http serving a few fixed routes, so that the
 * integration tests and benchmarks can drive the layer itself with curl,
 * nghttp, h2load and raw sockets before any daemon's API is involved:
 *
 *   GET  /hello          200 text/plain "hello\n"
 *   *    /echo           200 application/json: what the server received
 *   GET  /later          answered from the next loop iteration (async)
 *   GET  /events?n=N     N server-sent events, one per loop iteration, then the end
 *   GET  /flood?n=N&size=S  N chunks of S bytes at once (output bound)
 *   GET  /subscribe      an event stream fed by /publish
 *   GET  /subscribers    how many streams /publish would feed
 *   POST /publish?n=N    N events to every subscriber (64 per loop
 *                        iteration), then each stream ends; 202 at once
 *   anything else        404 problem+json
 *
 * Usage: lwgate-http-testd [-l ADDR] [-p PORT] [-c CERT -k KEY] [-b MAX_BODY]
 *                          [-H MAX_HEADER_BYTES] [-n MAX_CONNS] [-s MAX_STREAMS]
 * Says READY=1 (sd_notify) once listening; prints the port on stdout.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "common/log.h"
#include "common/systemd.h"
#include "http/httpsrv.h"

struct ticker {
	struct http_exchange *ex;
	struct event *ev;
	long left, n;
};

static void ticker_closed(struct http_exchange *ex, void *arg)
{
	struct ticker *t = arg;
	event_free(t->ev);
	free(t);
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
	struct ticker *t = arg;
	if (t->left == 0) {
		http_exchange_stream_end(t->ex); /* frees t through ticker_closed */
		return;
	}
	char line[96];
	int len = snprintf(line, sizeof(line), "event: tick\nid: %ld\ndata: {\"n\":%ld}\n\n", t->n,
			   t->n);
	t->n++;
	t->left--;
	if (http_exchange_stream_write(t->ex, line, (size_t)len) == 0)
		event_active(t->ev, EV_TIMEOUT, 0);
}

static long param(const struct http_request *req, const char *name, long dflt)
{
	char v[24];
	if (http_query_param(req->query, name, v, sizeof(v)) < 0)
		return dflt;
	return strtol(v, NULL, 10);
}

static void events(struct http_exchange *ex, struct event_base *base)
{
	struct ticker *t = calloc(1, sizeof(*t));
	if (!t)
		abort();
	t->ex = ex;
	t->left = param(http_exchange_request(ex), "n", 3);
	t->ev = event_new(base, -1, 0, tick, t);
	http_exchange_on_close(ex, ticker_closed, t);
	http_exchange_stream_begin(ex, 200, "text/event-stream");
	event_active(t->ev, EV_TIMEOUT, 0);
}

static void echo(struct http_exchange *ex)
{
	const struct http_request *req = http_exchange_request(ex);
	json_t *h = json_object();
	for (size_t i = 0; i < req->n_headers; i++)
		json_object_set_new(h, req->headers[i].name, json_string(req->headers[i].value));
	json_t *o =
		json_pack("{s:s, s:s, s:s?, s:s, s:b, s:s%, s:o}", "method", req->method, "path",
			  req->path, "query", req->query, "protocol", http_exchange_protocol(ex),
			  "tls", http_exchange_tls(ex), "body",
			  req->body ? (const char *)req->body : "", req->body_len, "headers", h);
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	http_exchange_respond(ex, 200, "application/json", s, strlen(s));
	free(s);
}

#define MAX_SUBS 4096

/* /subscribe streams and a /publish in progress (one at a time). */
struct hub {
	struct event_base *base;
	struct http_exchange *subs[MAX_SUBS];
	size_t n_subs;
	struct event *pump;
	long left, seq;
};

static void sub_closed(struct http_exchange *ex, void *arg)
{
	struct hub *h = arg;
	for (size_t i = 0; i < h->n_subs; i++)
		if (h->subs[i] == ex) {
			h->subs[i] = h->subs[--h->n_subs];
			return;
		}
}

static void pump(evutil_socket_t fd, short what, void *arg)
{
	struct hub *h = arg;
	char line[96];
	for (int k = 0; k < 64 && h->left > 0; k++, h->left--) {
		int len = snprintf(line, sizeof(line), "event: tick\ndata: {\"n\":%ld}\n\n",
				   h->seq++);
		/* backwards: a stream cut for a slow reader leaves the array */
		for (size_t i = h->n_subs; i-- > 0;)
			http_exchange_stream_write(h->subs[i], line, (size_t)len);
	}
	if (h->left > 0) {
		event_active(h->pump, EV_TIMEOUT, 0);
		return;
	}
	/* an HTTP/2 stream ends (and sub_closed runs) once its last DATA is sent */
	size_t n = h->n_subs;
	struct http_exchange *ending[MAX_SUBS];
	memcpy(ending, h->subs, n * sizeof(*ending));
	h->n_subs = 0;
	for (size_t i = 0; i < n; i++)
		http_exchange_stream_end(ending[i]);
}

static struct hub hub;
static struct http_server *server; /* for /stats */

static void subscribe(struct http_exchange *ex)
{
	if (hub.n_subs >= MAX_SUBS) {
		http_exchange_problem(ex, 503, NULL, "too many subscribers");
		return;
	}
	hub.subs[hub.n_subs++] = ex;
	http_exchange_on_close(ex, sub_closed, &hub);
	http_exchange_stream_begin(ex, 200, "text/event-stream");
	http_exchange_stream_write(ex, ": subscribed\n\n", 14);
}

static void publish(struct http_exchange *ex)
{
	hub.left = param(http_exchange_request(ex), "n", 1);
	if (!hub.pump)
		hub.pump = event_new(hub.base, -1, 0, pump, &hub);
	event_active(hub.pump, EV_TIMEOUT, 0);
	char n[32];
	int len = snprintf(n, sizeof(n), "%zu\n", hub.n_subs);
	http_exchange_respond(ex, 202, "text/plain", n, (size_t)len);
}

struct later {
	struct http_exchange *ex;
	struct event *ev;
};

static void later_fire(evutil_socket_t fd, short what, void *arg)
{
	struct later *l = arg;
	http_exchange_respond(l->ex, 200, "text/plain", "later\n", 6);
}

static void later_closed(struct http_exchange *ex, void *arg)
{
	struct later *l = arg;
	event_free(l->ev);
	free(l);
}

static void handle(struct http_exchange *ex, void *arg)
{
	struct event_base *base = arg;
	const struct http_request *req = http_exchange_request(ex);
	if (strcmp(req->path, "/hello") == 0) {
		http_exchange_respond(ex, 200, "text/plain", "hello\n", 6);
	} else if (strcmp(req->path, "/echo") == 0) {
		echo(ex);
	} else if (strcmp(req->path, "/events") == 0) {
		events(ex, base);
	} else if (strcmp(req->path, "/later") == 0) {
		struct later *l = calloc(1, sizeof(*l));
		if (!l)
			abort();
		l->ex = ex;
		l->ev = event_new(base, -1, 0, later_fire, l);
		http_exchange_on_close(ex, later_closed, l);
		event_active(l->ev, EV_TIMEOUT, 0);
	} else if (strcmp(req->path, "/subscribe") == 0) {
		subscribe(ex);
	} else if (strcmp(req->path, "/subscribers") == 0) {
		char n[32];
		int len = snprintf(n, sizeof(n), "%zu\n", hub.n_subs);
		http_exchange_respond(ex, 200, "text/plain", n, (size_t)len);
	} else if (strcmp(req->path, "/stats") == 0) {
		/* the layer's own counters, for tests/bench/http */
		struct http_server_stats st;
		char text[160];
		http_server_stats(server, &st);
		int len = snprintf(text, sizeof(text),
				   "open %zu h2_open %zu h2_heap %zu h2_untrimmed %zu\n", st.open,
				   st.h2_open, st.h2_heap, st.h2_untrimmed);
		http_exchange_respond(ex, 200, "text/plain", text, (size_t)len);
	} else if (strcmp(req->path, "/publish") == 0) {
		publish(ex);
	} else if (strcmp(req->path, "/flood") == 0) {
		long n = param(req, "n", 1), size = param(req, "size", 1024);
		char *chunk = calloc(1, (size_t)(size > 0 && size < 1 << 20 ? size : 1));
		http_exchange_stream_begin(ex, 200, "application/octet-stream");
		int rc = 0;
		for (long i = 0; i < n && rc == 0; i++)
			rc = http_exchange_stream_write(ex, chunk, (size_t)size);
		if (rc == 0)
			http_exchange_stream_end(ex);
		free(chunk);
	} else {
		http_exchange_problem(ex, 404, NULL, "no such resource");
	}
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopbreak(arg);
}

int main(int argc, char **argv)
{
	struct http_server_config cfg;
	http_server_config_defaults(&cfg);
	const char *addr = "127.0.0.1";
	unsigned port = 0;
	int opt;
	while ((opt = getopt(argc, argv, "l:p:c:k:b:H:n:s:o:v")) != -1) {
		switch (opt) {
		case 'l':
			addr = optarg;
			break;
		case 'p':
			port = (unsigned)atoi(optarg);
			break;
		case 'c':
			cfg.cert_file = optarg;
			break;
		case 'k':
			cfg.key_file = optarg;
			break;
		case 'b':
			cfg.max_body = strtoul(optarg, NULL, 10);
			break;
		case 'H':
			cfg.max_header_bytes = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			cfg.max_connections = strtoul(optarg, NULL, 10);
			break;
		case 's':
			cfg.max_streams = strtoul(optarg, NULL, 10);
			break;
		case 'o':
			cfg.max_pending_output = strtoul(optarg, NULL, 10);
			break;
		case 'v':
			log_set_level(LOG_LEVEL_DEBUG);
			break;
		default:
			fprintf(stderr,
				"usage: %s [-l ADDR] [-p PORT] [-c CERT -k KEY] [-b N] [-H N] "
				"[-n N] [-s N] [-o N] [-v]\n",
				argv[0]);
			return 2;
		}
	}
	log_init("http-testd", LOG_TARGET_STDERR, LOG_LEVEL_INFO);
	signal(SIGPIPE, SIG_IGN);
	struct event_base *base = event_base_new();
	struct http_server *srv;
	hub.base = base;
	if (!base || http_server_new(base, &cfg, handle, base, &srv) < 0 ||
	    http_server_listen(srv, addr, (uint16_t)port) < 0)
		return 1;
	server = srv;
	struct event *sigint = evsignal_new(base, SIGINT, on_signal, base);
	struct event *sigterm = evsignal_new(base, SIGTERM, on_signal, base);
	event_add(sigint, NULL);
	event_add(sigterm, NULL);
	printf("%u\n", http_server_port(srv));
	fflush(stdout);
	systemd_notify("READY=1");
	event_base_dispatch(base);
	struct http_server_stats st;
	http_server_stats(srv, &st);
	fprintf(stderr,
		"stats connections=%llu refused=%llu requests=%llu bad=%llu h2=%llu tls=%llu\n",
		(unsigned long long)st.connections, (unsigned long long)st.refused,
		(unsigned long long)st.requests, (unsigned long long)st.bad_requests,
		(unsigned long long)st.h2_sessions, (unsigned long long)st.tls_sessions);
	http_server_free(srv);
	if (hub.pump)
		event_free(hub.pump);
	event_free(sigint);
	event_free(sigterm);
	event_base_free(base);
	return 0;
}
