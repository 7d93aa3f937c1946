/*
 * httpconn — what httpsrv (connections, HTTP/1.1, TLS), http2 (nghttp2
 * sessions) and httpex (answering an exchange) share about a connection
 * and an exchange.  Internal to lib/http: no daemon includes it.
 */
#ifndef LWGATE_HTTP_HTTPCONN_H
#define LWGATE_HTTP_HTTPCONN_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <nghttp2/nghttp2.h>

#include "http/h2mem.h"
#include "http/http1.h"
#include "http/httpsrv.h"

#define HTTPEX_MAX_HEADERS 16

struct http_exchange {
	struct http_conn *conn;
	struct http_request *req;
	int32_t stream_id; /* HTTP/2; 0 on HTTP/1.x */
	struct http_header hdr[HTTPEX_MAX_HEADERS];
	size_t n_hdr;
	size_t header_bytes;   /* HTTP/2: received field bytes so far */
	int refuse;            /* HTTP/2: status to answer at end of stream, or 0 */
	bool started;          /* status line / HEADERS queued */
	bool streaming;        /* a response of unknown length */
	bool finished;         /* the handler wrote its last byte */
	bool chunked;          /* HTTP/1.1 chunked framing */
	bool dispatched;       /* handed to the handler */
	struct evbuffer *data; /* HTTP/2: DATA not yet framed */
	http_close_fn on_close;
	void *close_arg;
	struct http_exchange *next; /* HTTP/2: the connection's open streams */
};

struct http_conn {
	struct http_server *srv;
	struct bufferevent *bev;
	struct event *peek;   /* waiting for the first byte: TLS or not */
	struct event *reaper; /* frees the connection outside its callbacks */
	int fd;
	struct http_conn *prev, *next;
	bool tls, detected, close_after, in_handler, closing;
	struct http1_parser *h1;
	struct http_exchange *h1_ex; /* the HTTP/1.x request being answered */
	nghttp2_session *h2;
	struct h2mem_owner h2mem; /* the session's heap */
	bool h2_dirty;            /* frames went out since its frame buffer was trimmed */
	bool h2_active;           /* read or wrote since the last trim tick */
	struct http_exchange *streams;
	struct http_ws *ws; /* after a WebSocket upgrade (httpwsconn.c) */
};

/* httpsrv.c */
void httpsrv_dispatch(struct http_conn *c, struct http_exchange *ex);
void httpsrv_count_bad(struct http_conn *c);
void httpsrv_conn_close(struct http_conn *c);
void httpsrv_h1_resume(struct http_conn *c);
const struct http_server_config *httpsrv_config(const struct http_conn *c);
struct h2mem *httpsrv_h2mem(const struct http_conn *c);
/* @c sent frames: its session is trimmed once idle (httpsrv's trim tick) */
void httpsrv_h2_dirty(struct http_conn *c);
void httpsrv_h2_opened(struct http_conn *c, int delta);

/* The application's WebSocket acceptor, or false when it has none. */
bool httpsrv_ws_offer(struct http_conn *c, struct http_ws *ws, const struct http_request *req);

/* httpwsconn.c */
/*
 * A WebSocket opening handshake (RFC 6455 4.2) in @req: 1 when it became
 * one (101 sent), 0 when the application declined it (answer it as
 * HTTP/1.1), -EINVAL when it is malformed (400).
 */
int httpws_conn_upgrade(struct http_conn *c, struct http_request *req);
/* Frames from the client in @in. */
void httpws_conn_recv(struct http_conn *c, struct evbuffer *in);
/* The connection goes: tell the application, free the WebSocket. */
void httpws_conn_free(struct http_conn *c);

/* httpex.c */
struct http_exchange *httpex_new(struct http_conn *c, struct http_request *req, int32_t stream);
/* Run the close callback and free @ex (after unlinking it). */
void httpex_free(struct http_exchange *ex);

/* http2.c */
int http2_start(struct http_conn *c);
int http2_upgrade(struct http_conn *c, struct http_request *req);
int http2_recv(struct http_conn *c, struct evbuffer *in);
int http2_flush(struct http_conn *c);
int http2_submit(struct http_exchange *ex, int status, const char *ctype, bool has_body);
void http2_resume(struct http_exchange *ex);
void http2_reset(struct http_exchange *ex);
void http2_close(struct http_conn *c);
/* Give an idle session's frame buffer pages back; false when it is not idle. */
bool http2_trim(struct http_conn *c);

#endif
