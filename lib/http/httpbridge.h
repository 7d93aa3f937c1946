/*
 * httpbridge — a daemon's northbound REST and event API as a front to its
 * control commands: each route turns an HTTP request into one control
 * command (the one lwgatectl would send), calls it, and answers with the
 * command's result, so the API's JSON is exactly what `lwgatectl --json`
 * prints and every argument check, privilege rule and error of the
 * command applies unchanged.  When this process serves cfg->socket (a
 * daemon's own API) the command runs in-process (lib/common's ipc_local:
 * no serialising, no kernel round trip); otherwise through the socket
 * (ipc_peer).  Events the daemon publishes stream to GET <events_path> as
 * server-sent events, optionally filtered by one field of their data.
 *
 * Authentication: bearer tokens, read-only or read-write (a write route
 * needs a read-write one).  With no token configured the bridge refuses
 * any address but loopback.  Cross-origin requests are allowed (CORS,
 * any origin): the browser never adds a bearer token by itself, so a
 * foreign page gains nothing it could not do with curl; it lets the web
 * console, served by one daemon under /ui/ (httpstatic), call the others.
 *
 * Control errors map to statuses: bad_args 400, not_found 404, denied 403,
 * conflict 409, busy 503, unavailable 502, timeout 504, coap 502 (the
 * device's CoAP code in "coap_code"), others 500; each as a problem
 * document whose "code" is the control error's name.
 */
#ifndef LWGATE_HTTP_HTTPBRIDGE_H
#define LWGATE_HTTP_HTTPBRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "http/httproute.h"
#include "http/httpsrv.h"

struct httpbridge_config {
	struct http_server_config http;
	const char *address; /* numeric IPv4 or IPv6 */
	uint16_t port;
	const char *socket;    /* the daemon's control socket */
	const char *tokens_ro; /* bearer tokens, separated by blanks or commas; "" none */
	const char *tokens_rw;
	int timeout_ms;            /* a call's default; ?timeout=S overrides (1…300 s) */
	const char *events_path;   /* "/api/event"; NULL: no event stream */
	const char *events_filter; /* query parameter that filters events ("ep"), or NULL */
	const char *events_field;  /* the string field of an event's data it must equal */
	size_t max_subscribers;    /* event streams open at once */
	const char *ui_dir; /* the web console's files, served under /ui/; NULL or "": none */
};

/* One control command to call. */
struct httpbridge_call {
	const char *cmd;
	json_t *args; /* an object the bridge then owns */
};

/*
 * Build the command for a matched route.  Return 0 with @call filled, or
 * an HTTP status (400, 415, …) with a sentence in @why.
 */
typedef int (*httpbridge_build_fn)(const struct httproute_match *m, const struct http_request *req,
				   struct httpbridge_call *call, char *why, size_t size);

/*
 * Render a command's result (a list's records as an array) for @req, for
 * a route that answers more than JSON: 0 with a malloc'd @body of @len
 * bytes and its static @ctype, or an HTTP status (406 …).  @result may be
 * the handler's own object (an in-process call): read it, never change it.
 */
typedef int (*httpbridge_render_fn)(const struct http_request *req, json_t *result, char **body,
				    size_t *len, const char **ctype);

struct httpbridge_route {
	const char *method;
	const char *pattern; /* see httproute.h */
	bool write;          /* needs a read-write token */
	const char *cmd;     /* when build is NULL: this command, its args the captures */
	httpbridge_build_fn build;
	httpbridge_render_fn render; /* NULL: the result as application/json */
	bool list; /* the command streams a list: the answer is a JSON array, [] when empty
		    * (the control protocol then sends no record, only its closing reply) */
	/*
	 * Non-NULL: a GET that streams the daemon's events named @stream_event
	 * whose data's string @stream_field equals the route's first capture,
	 * as server-sent events.  The command runs first: its error answers
	 * instead (a 404 for a topic that does not exist).
	 */
	const char *stream_event;
	const char *stream_field;
	/*
	 * Non-NULL: when the command's result (its first record) has this
	 * member, the result is the stream's first @stream_event (a topic's
	 * current value, as an Observe's first notification).  Neither lost nor
	 * sent twice: the bridge's event subscription is made before the
	 * command, an event published before the command ran is in its result,
	 * and the stream is open to the ones after it before any can arrive —
	 * in-process the command answers at once, on the socket the daemon
	 * sends events and replies on one connection, in order.
	 */
	const char *stream_first;
};

struct httpbridge;

/*
 * Listen on cfg->address/port and serve @routes (ending with {NULL}; kept
 * by reference).  Returns 0 and *@out, -EINVAL for a bad configuration (no
 * token and a non-loopback address, a TLS file refused: logged), or the
 * listener's -errno.
 */
int httpbridge_new(struct event_base *base, const struct httpbridge_config *cfg,
		   const struct httpbridge_route *routes, struct httpbridge **out);

/* Stop listening, close every connection and free; NULL is fine. */
void httpbridge_free(struct httpbridge *b);

/* The bound port (cfg port 0 picks one). */
uint16_t httpbridge_port(const struct httpbridge *b);

/*
 * The request body as a JSON object or array: 0 and *@out (owned), or 415
 * when its Content-Type is not application/json, 400 when it does not
 * parse (with @why).
 */
int httpbridge_body_json(const struct http_request *req, json_t **out, char *why, size_t size);

/*
 * Copy query parameters @names (NULL-terminated) that are present into
 * @args as strings.  Returns 0 or 400 (with @why) on a bad one.
 */
int httpbridge_query_args(const struct http_request *req, const char *const *names, json_t *args,
			  char *why, size_t size);

#endif
