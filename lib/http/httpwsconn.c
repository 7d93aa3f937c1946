/*
 * httpwsconn — a server connection after a WebSocket upgrade (see
 * http_server_set_websocket in httpsrv.h): the opening handshake's answer,
 * the client's frames (pings answered, a close echoed, anything malformed
 * or too large refused with a close) and the application's text messages.
 * The framing itself is httpws's (a pure codec).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_COMPONENT "http"
#include "common/log.h"
#include "http/httpconn.h"
#include "http/httpws.h"

struct http_ws {
	struct http_conn *conn;
	http_ws_close_fn on_close;
	void *close_arg;
	bool close_sent;
};

int httpws_conn_upgrade(struct http_conn *c, struct http_request *req)
{
	char accept[HTTPWS_ACCEPT_LEN + 1];
	const char *conn = http_request_header(req, "connection");
	const char *version = http_request_header(req, "sec-websocket-version");
	if (strcmp(req->method, "GET") != 0 || !conn || !http_header_has_token(conn, "upgrade") || !version ||
	    strcmp(version, "13") != 0 ||
	    httpws_accept_key(http_request_header(req, "sec-websocket-key"), accept) < 0)
		return -EINVAL;
	struct http_ws *ws = calloc(1, sizeof(*ws));
	if (!ws)
		return -EINVAL;
	ws->conn = c;
	if (!httpsrv_ws_offer(c, ws, req)) {
		free(ws);
		return 0;
	}
	http_request_free(req);
	evbuffer_add_printf(bufferevent_get_output(c->bev),
			    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
			    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
			    accept);
	http1_parser_free(c->h1);
	c->h1 = NULL;
	c->ws = ws;
	/* Frames the client sent right behind its request are read now. */
	httpws_conn_recv(c, bufferevent_get_input(c->bev));
	return 1;
}

/* Bytes waiting for the peer to read. */
static size_t pending(const struct http_ws *ws)
{
	return evbuffer_get_length(bufferevent_get_output(ws->conn->bev));
}

static void send_frame(struct http_ws *ws, enum httpws_opcode op, const void *p, size_t n)
{
	uint8_t h[HTTPWS_MAX_HEADER];
	struct evbuffer *out = bufferevent_get_output(ws->conn->bev);
	evbuffer_add(out, h, httpws_frame_header(h, op, n));
	evbuffer_add(out, p, n);
}

void http_ws_close(struct http_ws *ws, int status)
{
	if (ws->close_sent || ws->conn->closing)
		return;
	uint8_t code[2] = { (uint8_t)(status >> 8), (uint8_t)status };
	send_frame(ws, HTTPWS_CLOSE, code, sizeof(code));
	ws->close_sent = true;
	/* Reads stop: what the client sends after our close is not awaited. */
	struct http_conn *c = ws->conn;
	c->close_after = true;
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		httpsrv_conn_close(c);
}

/* One complete frame @f with its unmasked payload @p. */
static void on_frame(struct http_ws *ws, const struct httpws_frame *f, const uint8_t *p)
{
	switch (f->opcode) {
	case HTTPWS_PING:
		/* A client that pings without reading must not grow our output. */
		if (pending(ws) > httpsrv_config(ws->conn)->max_pending_output)
			http_ws_close(ws, HTTPWS_TOO_BIG);
		else
			send_frame(ws, HTTPWS_PONG, p, (size_t)f->payload_len);
		break;
	case HTTPWS_CLOSE:
		/* Echo the status (RFC 6455 5.5.1), then close once it is sent. */
		http_ws_close(ws, f->payload_len >= 2 ? p[0] << 8 | p[1] : HTTPWS_NORMAL);
		break;
	default:
		break; /* messages and pongs: nothing is expected from the client */
	}
}

void httpws_conn_recv(struct http_conn *c, struct evbuffer *in)
{
	struct http_ws *ws = c->ws;
	uint64_t max = httpsrv_config(c)->max_body;
	while (!ws->close_sent && !c->closing) {
		size_t len = evbuffer_get_length(in);
		struct httpws_frame f;
		size_t hn = len < HTTPWS_MAX_HEADER ? len : HTTPWS_MAX_HEADER;
		int h = httpws_frame_parse(evbuffer_pullup(in, (ssize_t)hn), hn, true, max, &f);
		if (h < 0) {
			log_debug("websocket: %s from the client",
				  h == -EMSGSIZE ? "a frame over max_body" : "a malformed frame");
			http_ws_close(ws, h == -EMSGSIZE ? HTTPWS_TOO_BIG : HTTPWS_PROTOCOL_ERROR);
			return;
		}
		/* Bounded by max_body: a whole frame is read before it is used. */
		size_t whole = (size_t)h + (size_t)f.payload_len;
		if (h == 0 || len < whole)
			return;
		uint8_t *p = evbuffer_pullup(in, (ssize_t)whole) + h;
		httpws_unmask(p, (size_t)f.payload_len, f.mask, 0);
		on_frame(ws, &f, p);
		evbuffer_drain(in, whole);
	}
}

void httpws_conn_free(struct http_conn *c)
{
	struct http_ws *ws = c->ws;
	if (!ws)
		return;
	c->ws = NULL;
	if (ws->on_close)
		ws->on_close(ws, ws->close_arg);
	free(ws);
}

void http_ws_on_close(struct http_ws *ws, http_ws_close_fn fn, void *arg)
{
	ws->on_close = fn;
	ws->close_arg = arg;
}

int http_ws_send_text(struct http_ws *ws, const char *text, size_t len)
{
	struct http_conn *c = ws->conn;
	if (ws->close_sent || c->closing)
		return -EPIPE;
	if (pending(ws) > httpsrv_config(c)->max_pending_output) {
		http_ws_close(ws, HTTPWS_TOO_BIG);
		return -ENOBUFS;
	}
	send_frame(ws, HTTPWS_TEXT, text, len);
	return 0;
}
