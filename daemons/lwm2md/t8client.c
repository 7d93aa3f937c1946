/*
 * t8client — requests to the SCEF's T8 API (see t8client.h).
 */
#define LOG_COMPONENT "nidd"
#include "t8client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "common/log.h"

#define CONNS      4     /* kept-alive connections, requests spread over them */
#define BODY_MAX   65536 /* answer bytes read at most (a T8 answer is small) */
#define HOST_MAX   256
#define PREFIX_MAX 256

struct call {
	struct t8client *tc;
	t8client_done_fn done;
	void *arg;
	struct evhttp_request *req;
	struct call *prev, *next;
};

struct t8client {
	struct event_base *base;
	char host[HOST_MAX];
	int port;
	char prefix[PREFIX_MAX];     /* the api root's path, then /3gpp-nidd/v1/{scsAsId} */
	char root[T8CLIENT_URL_MAX]; /* http://host:port, for full URLs given back */
	struct evhttp_connection *conns[CONNS];
	unsigned next_conn;
	int timeout_s;
	size_t max_inflight, inflight;
	struct call *calls;
	char body[BODY_MAX];
};

int t8client_new(struct event_base *base, const char *api_root, const char *scs_as_id,
		 int max_inflight, int timeout_s, struct t8client **out)
{
	struct evhttp_uri *u = evhttp_uri_parse(api_root);
	const char *scheme = u ? evhttp_uri_get_scheme(u) : NULL;
	const char *host = u ? evhttp_uri_get_host(u) : NULL;
	const char *path = u ? evhttp_uri_get_path(u) : NULL;
	struct t8client *tc;

	if (!scheme || strcmp(scheme, "http") != 0 || !host || !*host || strlen(host) >= HOST_MAX ||
	    strlen(path ? path : "") + strlen(scs_as_id) + 20 >= PREFIX_MAX) {
		log_warnx("[nidd] api_root: '%s' is not an http:// URL (https is not done)",
			  api_root);
		if (u)
			evhttp_uri_free(u);
		return -EINVAL;
	}
	tc = calloc(1, sizeof(*tc));
	if (!tc)
		abort();
	tc->base = base;
	snprintf(tc->host, sizeof(tc->host), "%s", host);
	tc->port = evhttp_uri_get_port(u) > 0 ? evhttp_uri_get_port(u) : 80;
	/* without its trailing slash: the prefix is joined with "/3gpp-nidd" */
	snprintf(tc->prefix, sizeof(tc->prefix), "%.*s/3gpp-nidd/v1/%s",
		 (int)(path && *path ? strlen(path) - (path[strlen(path) - 1] == '/') : 0),
		 path ? path : "", scs_as_id);
	snprintf(tc->root, sizeof(tc->root), "http://%s%s%s:%d", strchr(host, ':') ? "[" : "", host,
		 strchr(host, ':') ? "]" : "", tc->port);
	tc->max_inflight = max_inflight > 0 ? (size_t)max_inflight : 1;
	tc->timeout_s = timeout_s;
	evhttp_uri_free(u);
	*out = tc;
	return 0;
}

static void unlink_call(struct call *c)
{
	struct t8client *tc = c->tc;

	if (c->prev)
		c->prev->next = c->next;
	else
		tc->calls = c->next;
	if (c->next)
		c->next->prev = c->prev;
	tc->inflight--;
}

void t8client_free(struct t8client *tc)
{
	if (!tc)
		return;
	/* libevent frees the requests queued on a connection without calling back: we do */
	for (unsigned i = 0; i < CONNS; i++)
		if (tc->conns[i])
			evhttp_connection_free(tc->conns[i]);
	while (tc->calls) {
		struct call *c = tc->calls;

		unlink_call(c);
		c->done(c->arg, 0, "", 0, NULL);
		free(c);
	}
	free(tc);
}

void t8client_url(const struct t8client *tc, const char *path, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", tc->root, tc->prefix, path);
}

size_t t8client_inflight(const struct t8client *tc)
{
	return tc->inflight;
}

static void on_done(struct evhttp_request *req, void *arg)
{
	struct call *c = arg;
	struct t8client *tc = c->tc;
	int status = req ? evhttp_request_get_response_code(req) : 0;
	const char *loc = NULL;
	size_t len = 0;

	if (req && status) {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);

		len = evbuffer_get_length(in);
		if (len > sizeof(tc->body))
			len = sizeof(tc->body);
		evbuffer_copyout(in, tc->body, len);
		loc = evhttp_find_header(evhttp_request_get_input_headers(req), "Location");
	}
	unlink_call(c);
	c->done(c->arg, status, tc->body, len, loc);
	free(c);
}

/* A connection for the next request: round robin, made on first use. */
static struct evhttp_connection *conn_next(struct t8client *tc)
{
	unsigned i = tc->next_conn++ % CONNS;

	if (!tc->conns[i]) {
		tc->conns[i] = evhttp_connection_base_new(tc->base, NULL, tc->host,
							  (unsigned short)tc->port);
		if (!tc->conns[i])
			return NULL;
		evhttp_connection_set_timeout(tc->conns[i], tc->timeout_s);
	}
	return tc->conns[i];
}

/* The request path of @target (see t8client.h) into @buf; false when it is not ours. */
static bool request_path(const struct t8client *tc, const char *target, char *buf, size_t size)
{
	size_t rl = strlen(tc->root);

	if (target[0] == '/')
		return (size_t)snprintf(buf, size, "%s%s", tc->prefix, target) < size;
	if (strncmp(target, tc->root, rl) != 0 || target[rl] != '/')
		return false;
	return (size_t)snprintf(buf, size, "%s", target + rl) < size;
}

int t8client_request(struct t8client *tc, const char *method, const char *target, const char *json,
		     t8client_done_fn done, void *arg)
{
	enum evhttp_cmd_type cmd = strcmp(method, "POST") == 0     ? EVHTTP_REQ_POST
				   : strcmp(method, "DELETE") == 0 ? EVHTTP_REQ_DELETE
								   : EVHTTP_REQ_GET;
	char path[T8CLIENT_URL_MAX];
	struct evhttp_connection *evcon;
	struct evkeyvalq *h;
	struct call *c;

	if (tc->inflight >= tc->max_inflight)
		return -EBUSY;
	if (!request_path(tc, target, path, sizeof(path)))
		return -EINVAL;
	evcon = conn_next(tc);
	if (!evcon)
		return -EIO;
	c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	c->tc = tc;
	c->done = done;
	c->arg = arg;
	c->req = evhttp_request_new(on_done, c);
	if (!c->req)
		abort();
	h = evhttp_request_get_output_headers(c->req);
	evhttp_add_header(h, "Host", tc->host);
	evhttp_add_header(h, "Accept", "application/json, application/problem+json");
	if (json) {
		evhttp_add_header(h, "Content-Type", "application/json");
		evbuffer_add(evhttp_request_get_output_buffer(c->req), json, strlen(json));
	}
	c->next = tc->calls;
	if (c->next)
		c->next->prev = c;
	tc->calls = c;
	tc->inflight++;
	/* on failure libevent has freed the request already */
	if (evhttp_make_request(evcon, c->req, cmd, path) < 0) {
		unlink_call(c);
		free(c);
		return -EIO;
	}
	return 0;
}
