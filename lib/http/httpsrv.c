#include "http/httpsrv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/bufferevent_ssl.h>
#include <event2/listener.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#define LOG_COMPONENT "http"
#include "common/log.h"
#include "http/httpconn.h"

#define MAX_LISTENERS 8
/* A session idle over one tick (1 to 2 s) gives its frame buffer's pages back. */
#define TRIM_TICK_S 1

static const char h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

struct http_server {
	struct event_base *base;
	struct http_server_config cfg;
	http_handler_fn handler;
	void *arg;
	SSL_CTX *ssl;
	struct evconnlistener *listeners[MAX_LISTENERS];
	size_t n_listeners;
	uint16_t port;
	struct http_conn *conns;
	struct http_server_stats stats;
	struct h2mem *h2mem;     /* every session's nghttp2 heap */
	struct event *trim_tick; /* armed while a session is dirty */
	http_ws_accept_fn ws_accept;
	void *ws_arg;
};

void http_server_set_websocket(struct http_server *srv, http_ws_accept_fn accept, void *arg)
{
	srv->ws_accept = accept;
	srv->ws_arg = arg;
}

bool httpsrv_ws_offer(struct http_conn *c, struct http_ws *ws, const struct http_request *req)
{
	return c->srv->ws_accept && c->srv->ws_accept(ws, req, c->srv->ws_arg);
}

void http_server_config_defaults(struct http_server_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_connections = 256;
	cfg->max_streams = 100;
	cfg->max_header_bytes = 16384;
	cfg->max_body = 1 << 20;
	cfg->max_pending_output = 1 << 20;
	cfg->cert_file = "";
	cfg->key_file = "";
	cfg->ca_file = "";
}

const struct http_server_config *httpsrv_config(const struct http_conn *c)
{
	return &c->srv->cfg;
}

struct h2mem *httpsrv_h2mem(const struct http_conn *c)
{
	return c->srv->h2mem;
}

void httpsrv_h2_opened(struct http_conn *c, int delta)
{
	c->srv->stats.h2_open += (size_t)delta;
}

void httpsrv_h2_dirty(struct http_conn *c)
{
	c->h2_active = true;
	if (c->h2_dirty)
		return;
	c->h2_dirty = true;
	if (c->srv->stats.h2_untrimmed++ == 0) {
		struct timeval tv = { TRIM_TICK_S, 0 };
		evtimer_add(c->srv->trim_tick, &tv);
	}
}

/*
 * Trim what has been idle since the last tick.  A walk of every connection
 * once a second, and only while one is dirty: cheaper than a trim (a
 * syscall, then a page fault) each time a busy session pauses.
 */
static void on_trim_tick(evutil_socket_t fd, short what, void *arg)
{
	struct http_server *srv = arg;
	for (struct http_conn *c = srv->conns; c; c = c->next) {
		if (c->h2_dirty && !c->h2_active && !c->closing && http2_trim(c)) {
			c->h2_dirty = false;
			srv->stats.h2_untrimmed--;
		}
		c->h2_active = false;
	}
	if (srv->stats.h2_untrimmed) {
		struct timeval tv = { TRIM_TICK_S, 0 };
		evtimer_add(srv->trim_tick, &tv);
	}
}

void httpsrv_count_bad(struct http_conn *c)
{
	c->srv->stats.bad_requests++;
}

void httpsrv_dispatch(struct http_conn *c, struct http_exchange *ex)
{
	c->srv->stats.requests++;
	ex->dispatched = true;
	bool was = c->in_handler;
	c->in_handler = true;
	c->srv->handler(ex, c->srv->arg);
	c->in_handler = was;
}

/* Free @c; only from its reaper event or http_server_free(), never under a callback. */
static void conn_free(struct http_conn *c)
{
	if (c->h1_ex) {
		struct http_exchange *ex = c->h1_ex;
		c->h1_ex = NULL;
		httpex_free(ex);
	}
	http2_close(c);
	if (c->h2_dirty)
		c->srv->stats.h2_untrimmed--;
	httpws_conn_free(c);
	http1_parser_free(c->h1);
	if (c->peek)
		event_free(c->peek);
	event_free(c->reaper);
	if (c->bev)
		bufferevent_free(c->bev);
	else if (c->fd >= 0)
		close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		c->srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->srv->stats.open--;
	free(c);
}

static void on_reap(evutil_socket_t fd, short what, void *arg)
{
	conn_free(arg);
}

void httpsrv_conn_close(struct http_conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	if (c->bev)
		bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	if (c->peek)
		event_del(c->peek);
	event_active(c->reaper, EV_TIMEOUT, 0);
}

/* Close once what is queued has gone out (an error reply, Connection: close). */
static void close_when_sent(struct http_conn *c)
{
	c->close_after = true;
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		httpsrv_conn_close(c);
}

/* A request this layer refuses gets its problem document, then the connection ends. */
static void h1_refuse(struct http_conn *c, int status, const char *detail)
{
	httpsrv_count_bad(c);
	log_debug("refused status=%d detail=\"%s\"", status, detail);
	char *doc = http_problem_json(status, NULL, detail);
	struct evbuffer *out = bufferevent_get_output(c->bev);
	evbuffer_add_printf(out,
			    "HTTP/1.1 %d %s\r\nContent-Type: application/problem+json\r\n"
			    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
			    status, http_status_reason(status), strlen(doc), doc);
	free(doc);
	close_when_sent(c);
}

/*
 * An h2c Upgrade (RFC 7540 §3.2): 101, then HTTP/2 with this request as
 * stream 1; or a WebSocket one the application accepts (httpwsconn.c).
 */
static bool try_upgrade(struct http_conn *c, struct http_request *req)
{
	const char *up = http_request_header(req, "upgrade");
	/* Without an acceptor a WebSocket request goes to the handler as before. */
	if (up && http_header_has_token(up, "websocket") && c->srv->ws_accept) {
		int rc = httpws_conn_upgrade(c, req);
		if (rc < 0) {
			http_request_free(req);
			h1_refuse(c, 400, "malformed WebSocket opening handshake");
		}
		return rc != 0;
	}
	if (c->tls || !up || !http_header_has_token(up, "h2c") ||
	    !http_request_header(req, "http2-settings"))
		return false;
	evbuffer_add_printf(bufferevent_get_output(c->bev),
			    "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
			    "Upgrade: h2c\r\n\r\n");
	http1_parser_free(c->h1);
	c->h1 = NULL;
	c->srv->stats.h2_sessions++;
	if (http2_upgrade(c, req) < 0) {
		httpsrv_conn_close(c);
		return true;
	}
	return true;
}

static void h1_process(struct http_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	while (!c->h1_ex && !c->close_after && !c->closing && c->h1) {
		size_t len = evbuffer_get_length(in), used = 0;
		if (len == 0)
			return;
		const uint8_t *data = evbuffer_pullup(in, -1);
		int rc = http1_parser_feed(c->h1, data, len, &used);
		evbuffer_drain(in, used);
		if (rc < 0) {
			h1_refuse(c, http1_error_status(rc),
				  "malformed or oversized HTTP/1.1 request");
			return;
		}
		if (rc == 0)
			return;
		bool upgrade = http1_parser_upgrade(c->h1);
		bool keep = http1_parser_keep_alive(c->h1);
		struct http_request *req = http1_parser_take(c->h1);
		if (upgrade && try_upgrade(c, req))
			return;
		/* another upgrade (WebSocket …) is answered as HTTP/1.1, then closed */
		c->close_after = !keep || upgrade;
		c->h1_ex = httpex_new(c, req, 0);
		httpsrv_dispatch(c, c->h1_ex);
	}
}

void httpsrv_h1_resume(struct http_conn *c)
{
	if (c->close_after) {
		close_when_sent(c);
		return;
	}
	if (!c->in_handler)
		h1_process(c);
}

static void start_h2(struct http_conn *c)
{
	http1_parser_free(c->h1);
	c->h1 = NULL;
	c->srv->stats.h2_sessions++;
	if (http2_start(c) < 0)
		httpsrv_conn_close(c);
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct http_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	if (!c->detected) {
		/* prior knowledge: the client preface instead of a request line */
		size_t len = evbuffer_get_length(in), n = len < 24 ? len : 24;
		bool match = memcmp(evbuffer_pullup(in, (ssize_t)n), h2_preface, n) == 0;
		if (match && n < 24)
			return;
		c->detected = true;
		if (match)
			start_h2(c);
	}
	if (c->closing)
		return;
	if (c->h2) {
		if (http2_recv(c, in) < 0 || http2_flush(c) < 0)
			httpsrv_conn_close(c);
		return;
	}
	if (c->ws) {
		httpws_conn_recv(c, in);
		return;
	}
	h1_process(c);
}

static void on_write(struct bufferevent *bev, void *arg)
{
	struct http_conn *c = arg;
	if (c->h2) {
		if (http2_flush(c) < 0)
			httpsrv_conn_close(c);
		return;
	}
	if (c->close_after && !c->h1_ex && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		httpsrv_conn_close(c);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct http_conn *c = arg;
	if (what & BEV_EVENT_CONNECTED) {
		/* TLS handshake done: ALPN chose the protocol */
		const unsigned char *proto = NULL;
		unsigned len = 0;
		SSL_get0_alpn_selected(bufferevent_openssl_get_ssl(bev), &proto, &len);
		c->detected = true;
		if (len == 2 && memcmp(proto, "h2", 2) == 0)
			start_h2(c);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		httpsrv_conn_close(c);
}

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		       const unsigned char *in, unsigned inlen, void *arg)
{
	static const unsigned char ours[] = "\x02h2\x08http/1.1";
	unsigned char *sel = NULL;
	if (SSL_select_next_proto(&sel, outlen, ours, sizeof(ours) - 1, in, inlen) !=
	    OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

/* The first byte tells TLS (a handshake record, 0x16) from cleartext HTTP. */
static void on_peek(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *c = arg;
	unsigned char first;
	ssize_t n = recv(fd, &first, 1, MSG_PEEK);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	event_free(c->peek);
	c->peek = NULL;
	if (n <= 0) {
		httpsrv_conn_close(c);
		return;
	}
	struct event_base *base = c->srv->base;
	if (first == 0x16 && c->srv->ssl) {
		SSL *ssl = SSL_new(c->srv->ssl);
		if (!ssl)
			abort();
		c->tls = true;
		c->srv->stats.tls_sessions++;
		c->bev = bufferevent_openssl_socket_new(base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
							BEV_OPT_CLOSE_ON_FREE);
	} else {
		c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	}
	if (!c->bev)
		abort();
	c->fd = -1;
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
		      void *arg)
{
	http_server_adopt(arg, fd);
}

void http_server_adopt(struct http_server *srv, int fd)
{
	srv->stats.connections++;
	if (srv->stats.open >= srv->cfg.max_connections) {
		srv->stats.refused++;
		close(fd);
		return;
	}
	struct http_conn *c = calloc(1, sizeof(*c));
	if (!c)
		abort();
	struct http1_limits lim = { srv->cfg.max_header_bytes, srv->cfg.max_body };
	c->srv = srv;
	c->fd = fd;
	/*
	 * A response often leaves in more than one write (HEADERS, then DATA,
	 * then a stream's later events): Nagle would hold each after the first
	 * until the peer's delayed ACK, some 40 ms per exchange.
	 */
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->h1 = http1_parser_new(&lim);
	c->peek = event_new(srv->base, fd, EV_READ | EV_PERSIST, on_peek, c);
	c->reaper = event_new(srv->base, -1, 0, on_reap, c);
	if (!c->peek || !c->reaper)
		abort();
	event_add(c->peek, NULL);
	c->next = srv->conns;
	if (c->next)
		c->next->prev = c;
	srv->conns = c;
	srv->stats.open++;
}

static SSL_CTX *tls_context(const struct http_server_config *cfg)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx)
		abort();
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cfg->cert_file) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, cfg->key_file, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		log_warnx("TLS certificate or key refused cert=%s key=%s: %s", cfg->cert_file,
			  cfg->key_file, ERR_reason_error_string(ERR_get_error()));
		SSL_CTX_free(ctx);
		return NULL;
	}
	/*
	 * Asked for, not required: a client without one authenticates another
	 * way (a bearer token); one that fails verification fails the handshake.
	 */
	if (cfg->ca_file && *cfg->ca_file) {
		if (SSL_CTX_load_verify_locations(ctx, cfg->ca_file, NULL) != 1) {
			log_warnx("TLS client CAs refused ca=%s: %s", cfg->ca_file,
				  ERR_reason_error_string(ERR_get_error()));
			SSL_CTX_free(ctx);
			return NULL;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"lwgate", 6);
	}
	SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
	return ctx;
}

int http_server_new(struct event_base *base, const struct http_server_config *cfg,
		    http_handler_fn handler, void *arg, struct http_server **out)
{
	bool cert = cfg->cert_file && *cfg->cert_file, key = cfg->key_file && *cfg->key_file;
	if (cert != key) {
		log_warnx("TLS needs both a certificate and a key file");
		return -EINVAL;
	}
	struct http_server *srv = calloc(1, sizeof(*srv));
	if (!srv)
		abort();
	srv->base = base;
	srv->cfg = *cfg;
	srv->handler = handler;
	srv->arg = arg;
	if (cert && !(srv->ssl = tls_context(cfg))) {
		free(srv);
		return -EINVAL;
	}
	srv->h2mem = h2mem_new(cfg->max_connections);
	srv->trim_tick = evtimer_new(base, on_trim_tick, srv);
	if (!srv->trim_tick)
		abort();
	*out = srv;
	return 0;
}

int http_server_listen(struct http_server *srv, const char *host, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	int len;
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		len = sizeof(*sin6);
	} else {
		log_warnx("bad listen address host=%s", host);
		return -EINVAL;
	}
	if (srv->n_listeners >= MAX_LISTENERS)
		return -ENOSPC;
	struct evconnlistener *l = evconnlistener_new_bind(
		srv->base, on_accept, srv,
		LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC, 512,
		(struct sockaddr *)&ss, len);
	if (!l) {
		int err = errno;
		log_warn("cannot listen host=%s port=%u", host, port);
		return -err;
	}
	srv->listeners[srv->n_listeners++] = l;
	if (!srv->port) {
		struct sockaddr_storage b;
		socklen_t blen = sizeof(b);
		getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&b, &blen);
		srv->port = ntohs(b.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&b)->sin6_port
							  : ((struct sockaddr_in *)&b)->sin_port);
	}
	return 0;
}

uint16_t http_server_port(const struct http_server *srv)
{
	return srv->port;
}

void http_server_stats(const struct http_server *srv, struct http_server_stats *out)
{
	*out = srv->stats;
	out->h2_heap = h2mem_bytes(srv->h2mem);
}

void http_server_free(struct http_server *srv)
{
	if (!srv)
		return;
	for (size_t i = 0; i < srv->n_listeners; i++)
		evconnlistener_free(srv->listeners[i]);
	while (srv->conns)
		conn_free(srv->conns);
	event_free(srv->trim_tick);
	h2mem_free(srv->h2mem);
	SSL_CTX_free(srv->ssl);
	free(srv);
}
