/*
 * httpsrv — the HTTP server the daemons' northbound APIs (and scefd's T8
 * API) sit on: one libevent listener per address serving, on the same
 * port, HTTP/1.1 (http1), HTTP/2 with prior knowledge or by h2c Upgrade
 * (nghttp2), and, when a certificate is configured, TLS with ALPN "h2" or
 * "http/1.1" (told apart from cleartext by the first byte, 0x16).  A
 * handler gets one struct http_exchange per request and answers it at
 * once or later, in one piece or as a stream (server-sent events, chunked
 * transfer, HTTP/2 DATA frames).  Limits on connections, streams, header
 * bytes and body bytes are enforced here; every request they refuse, and
 * every malformed one, gets a 4xx with an application/problem+json body.
 */
#ifndef LWGATE_HTTP_HTTPSRV_H
#define LWGATE_HTTP_HTTPSRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "http/httpmsg.h"

struct http_server_config {
	size_t max_connections;    /* more are accepted and closed at once */
	size_t max_streams;        /* HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS */
	size_t max_header_bytes;   /* request line/pseudo-headers + fields */
	size_t max_body;           /* request body */
	size_t max_pending_output; /* a stream whose client reads slower is cut */
	const char *cert_file;     /* PEM; "" or NULL: no TLS */
	const char *key_file;
	const char *ca_file; /* PEM CAs of client certificates; "" or NULL: none asked for */
};

/* Defaults fit for a gateway: 256 connections, 100 streams, 16 KiB, 1 MiB. */
void http_server_config_defaults(struct http_server_config *cfg);

struct http_server;
struct http_exchange;

/*
 * Called once per complete request.  The handler answers @ex with
 * http_exchange_respond() (or _problem, or _stream_begin …), now or
 * later; until then @ex stays valid unless its connection goes, which
 * the close callback (http_exchange_on_close) reports.
 */
typedef void (*http_handler_fn)(struct http_exchange *ex, void *arg);

/* Called once when @ex ends for any reason; @ex is freed right after. */
typedef void (*http_close_fn)(struct http_exchange *ex, void *arg);

struct http_server_stats {
	uint64_t connections;  /* accepted in all */
	uint64_t refused;      /* closed at once: max_connections reached */
	uint64_t requests;     /* handed to the handler */
	uint64_t bad_requests; /* answered 4xx/5xx by this layer */
	uint64_t h2_sessions;  /* connections that spoke HTTP/2 */
	uint64_t tls_sessions; /* connections that spoke TLS */
	size_t open;           /* connections open now */
	size_t h2_open;        /* HTTP/2 sessions open now */
	size_t h2_heap;        /* bytes their nghttp2 sessions hold (h2mem), slots counted whole */
	size_t h2_untrimmed;   /* sessions whose frame buffer may be resident (not idle yet) */
};

/*
 * A server on @base calling @handler(ex, @arg) for each request.  With a
 * cert_file and key_file in @cfg it also serves TLS; an unreadable or
 * mismatched pair fails.  Returns 0 and *@out, or -EINVAL (logged).
 */
int http_server_new(struct event_base *base, const struct http_server_config *cfg,
		    http_handler_fn handler, void *arg, struct http_server **out);

/*
 * Listen on @host (numeric IPv4/IPv6 address) port @port (0: any free
 * one; http_server_port() tells).  Returns 0 or -errno (logged).
 */
int http_server_listen(struct http_server *srv, const char *host, uint16_t port);

/*
 * Serve @fd, a connected stream socket (one end of a socketpair in the
 * fuzz target), as an accepted connection: the server owns it from here,
 * closing it at once past max_connections.
 */
void http_server_adopt(struct http_server *srv, int fd);

/* The port of the first listener, in host order; 0 before listening. */
uint16_t http_server_port(const struct http_server *srv);

/* Counters since http_server_new(). */
void http_server_stats(const struct http_server *srv, struct http_server_stats *out);

/* Close every connection (each open exchange's close callback runs) and free. */
void http_server_free(struct http_server *srv);

/* The request of @ex: method, path, query, headers, body. */
const struct http_request *http_exchange_request(const struct http_exchange *ex);

/* "HTTP/1.1", "HTTP/1.0" or "HTTP/2", for logs and tests. */
const char *http_exchange_protocol(const struct http_exchange *ex);

/* Is @ex on a TLS connection? */
bool http_exchange_tls(const struct http_exchange *ex);

/*
 * The subject CN of the client certificate of @ex's TLS connection, which
 * the server's ca_file verified, into @out (@size bytes).  Returns 0,
 * -ENOENT (no TLS, no certificate, or no CN), -EMSGSIZE.
 */
int http_exchange_peer_cn(const struct http_exchange *ex, char *out, size_t size);

struct x509_st; /* OpenSSL's X509 */

/*
 * The client certificate of @ex's TLS connection when the server's
 * ca_file verified it (borrowed: valid while the connection is), or NULL.
 */
struct x509_st *http_exchange_peer_cert(const struct http_exchange *ex);

/*
 * Add a response header field (before the response starts; at most 16).
 * Returns 0, -EALREADY after the response started, -E2BIG when full,
 * -EINVAL on CR/LF in either.
 */
int http_exchange_add_header(struct http_exchange *ex, const char *name, const char *value);

/*
 * Answer @ex with @status and @len bytes of @body (copied) of
 * @content_type (NULL with no body).  The exchange is then over (freed
 * when sent).  Returns 0, or -EALREADY if it was answered before.
 */
int http_exchange_respond(struct http_exchange *ex, int status, const char *content_type,
			  const void *body, size_t len);

/*
 * Answer @ex with @status and an RFC 9457 application/problem+json body;
 * @title NULL means the reason phrase, @detail may be NULL.
 */
int http_exchange_problem(struct http_exchange *ex, int status, const char *title,
			  const char *detail);

/*
 * Start a streamed response of unknown length: chunked over HTTP/1.1,
 * DATA frames over HTTP/2.  Returns 0 or -EALREADY.
 */
int http_exchange_stream_begin(struct http_exchange *ex, int status, const char *content_type);

/*
 * Send @len bytes on a stream begun above.  Returns 0, -EPIPE when the
 * peer is gone, -ENOBUFS when more than max_pending_output bytes wait for
 * it (the stream is then ended: a slow reader cannot grow us).
 */
int http_exchange_stream_write(struct http_exchange *ex, const void *data, size_t len);

/* End a stream begun above; the exchange is over. */
int http_exchange_stream_end(struct http_exchange *ex);

/* Call @fn(@ex, @arg) when @ex ends (answered and sent, or peer gone). */
void http_exchange_on_close(struct http_exchange *ex, http_close_fn fn, void *arg);

/*
 * WebSocket (RFC 6455) on the HTTP/1.1 Upgrade path, cleartext or TLS:
 * the server checks the opening handshake (GET, Connection: Upgrade,
 * Sec-WebSocket-Version 13, a valid Sec-WebSocket-Key) and asks
 * @accept(ws, req, @arg); true makes the connection @ws (101 Switching
 * Protocols), false lets the request go to the handler as any other.  The
 * server answers pings, echoes a close and then closes, refuses
 * malformed or unmasked frames (close 1002) and frames over max_body
 * (1009); messages from the client are read and dropped.
 */
struct http_ws;
typedef bool (*http_ws_accept_fn)(struct http_ws *ws, const struct http_request *req, void *arg);
/* @ws is gone (either side closed, or the server is freed); freed right after. */
typedef void (*http_ws_close_fn)(struct http_ws *ws, void *arg);

void http_server_set_websocket(struct http_server *srv, http_ws_accept_fn accept, void *arg);
void http_ws_on_close(struct http_ws *ws, http_ws_close_fn fn, void *arg);

/*
 * Send @len bytes of UTF-8 @text as one text message.  Returns 0, -EPIPE
 * once the WebSocket is closing, -ENOBUFS when more than
 * max_pending_output bytes wait for the peer (the WebSocket is then
 * closed with 1009: a slow reader cannot grow us).
 */
int http_ws_send_text(struct http_ws *ws, const char *text, size_t len);

/* Start the closing handshake with @status (RFC 6455 7.4.1). */
void http_ws_close(struct http_ws *ws, int status);

#endif
