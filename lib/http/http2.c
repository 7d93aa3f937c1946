/* http2 — a connection's HTTP/2 server session on nghttp2: requests in, responses and streams out.
 */
#include "http/httpconn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define LOG_COMPONENT "http"
#include "common/log.h"

/* bytes queued in the socket's output before we stop asking nghttp2 for more */
#define SEND_HIGH_WATER (64 * 1024)
/*
 * Our HPACK encoder's table (SETTINGS_HEADER_TABLE_SIZE is the client's
 * bound; this is ours below it).  A response carries a handful of fields
 * (:status, content-type, content-length, access-control-allow-origin …):
 * 512 bytes index them all, and the table's ring starts at 16 entries, not
 * the 128 (1 KiB) that 4,096 bytes would make it, for each connection.
 */
#define DEFLATE_TABLE_SIZE 512
/*
 * Closed streams are not kept (nghttp2_option_set_no_closed_streams): nghttp2
 * keeps them only to place new streams in RFC 7540's priority tree, which
 * RFC 9113 deprecated and we never used; kept, a connection's stream map is
 * never empty again, and its page (h2mem) never trimmed once idle.
 */

static void unlink_stream(struct http_conn *c, struct http_exchange *ex)
{
	for (struct http_exchange **p = &c->streams; *p; p = &(*p)->next)
		if (*p == ex) {
			*p = ex->next;
			return;
		}
}

static struct http_exchange *stream_ex(nghttp2_session *s, int32_t id)
{
	return nghttp2_session_get_stream_user_data(s, id);
}

static int on_begin_headers(nghttp2_session *s, const nghttp2_frame *f, void *arg)
{
	struct http_conn *c = arg;
	if (f->hd.type != NGHTTP2_HEADERS || f->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	struct http_request *req = calloc(1, sizeof(*req));
	if (!req)
		abort();
	req->version = 20;
	struct http_exchange *ex = httpex_new(c, req, f->hd.stream_id);
	ex->next = c->streams;
	c->streams = ex;
	nghttp2_session_set_stream_user_data(s, f->hd.stream_id, ex);
	return 0;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t nlen,
		     const uint8_t *value, size_t vlen, uint8_t flags, void *arg)
{
	struct http_conn *c = arg;
	struct http_exchange *ex = stream_ex(s, f->hd.stream_id);
	if (!ex || ex->refuse)
		return 0;
	ex->header_bytes += nlen + vlen;
	if (ex->header_bytes > httpsrv_config(c)->max_header_bytes) {
		ex->refuse = 431;
		return 0;
	}
	const char *n = (const char *)name, *v = (const char *)value;
	int rc = 0;
	/* nghttp2 has checked pseudo-header order, case and duplicates already */
	if (nlen == 7 && memcmp(n, ":method", 7) == 0)
		rc = http_request_set_method(ex->req, v, vlen);
	else if (nlen == 5 && memcmp(n, ":path", 5) == 0)
		rc = http_request_set_target(ex->req, v, vlen);
	else if (nlen == 10 && memcmp(n, ":authority", 10) == 0)
		rc = http_request_add_header(ex->req, "host", 4, v, vlen);
	else if (n[0] != ':')
		rc = http_request_add_header(ex->req, n, nlen, v, vlen);
	if (rc)
		ex->refuse = rc == -E2BIG ? 431 : rc == -ENOTSUP ? 501 : 400;
	return 0;
}

static int on_data_chunk(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data,
			 size_t len, void *arg)
{
	struct http_conn *c = arg;
	struct http_exchange *ex = stream_ex(s, id);
	if (!ex || ex->refuse || ex->dispatched)
		return 0;
	if (http_request_append_body(ex->req, data, len, httpsrv_config(c)->max_body) < 0) {
		/* answer at once rather than read a body we will not use */
		ex->refuse = 413;
		httpsrv_count_bad(c);
		ex->dispatched = true;
		http_exchange_problem(ex, 413, NULL, "request body larger than the server accepts");
	}
	return 0;
}

static int on_frame_recv(nghttp2_session *s, const nghttp2_frame *f, void *arg)
{
	struct http_conn *c = arg;
	if ((f->hd.type != NGHTTP2_HEADERS && f->hd.type != NGHTTP2_DATA) ||
	    !(f->hd.flags & NGHTTP2_FLAG_END_STREAM))
		return 0;
	struct http_exchange *ex = stream_ex(s, f->hd.stream_id);
	if (!ex || ex->dispatched)
		return 0;
	if (!ex->refuse && (!ex->req->method[0] || !ex->req->path))
		ex->refuse = 400;
	if (ex->refuse) {
		httpsrv_count_bad(c);
		ex->dispatched = true;
		http_exchange_problem(ex, ex->refuse, NULL,
				      "malformed or oversized HTTP/2 request");
		return 0;
	}
	httpsrv_dispatch(c, ex);
	return 0;
}

static int on_stream_close(nghttp2_session *s, int32_t id, uint32_t code, void *arg)
{
	struct http_conn *c = arg;
	struct http_exchange *ex = stream_ex(s, id);
	if (!ex)
		return 0;
	nghttp2_session_set_stream_user_data(s, id, NULL);
	unlink_stream(c, ex);
	httpex_free(ex);
	return 0;
}

static ssize_t read_data(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
			 nghttp2_data_source *src, void *arg)
{
	struct http_exchange *ex = src->ptr;
	int n = evbuffer_remove(ex->data, buf, len);
	if (n < 0)
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	if (evbuffer_get_length(ex->data) == 0) {
		if (ex->finished)
			*flags |= NGHTTP2_DATA_FLAG_EOF;
		else if (n == 0)
			return NGHTTP2_ERR_DEFERRED;
	}
	return n;
}

static nghttp2_nv nv(const char *name, const char *value)
{
	nghttp2_nv v = { (uint8_t *)name, (uint8_t *)value, strlen(name), strlen(value),
			 NGHTTP2_NV_FLAG_NONE };
	return v;
}

int http2_submit(struct http_exchange *ex, int status, const char *ctype, bool has_body)
{
	struct http_conn *c = ex->conn;
	nghttp2_nv hdrs[HTTPEX_MAX_HEADERS + 2];
	size_t n = 0;
	char code[4];
	snprintf(code, sizeof(code), "%03d", status % 1000);
	hdrs[n++] = nv(":status", code);
	if (ctype)
		hdrs[n++] = nv("content-type", ctype);
	for (size_t i = 0; i < ex->n_hdr; i++)
		hdrs[n++] = nv(ex->hdr[i].name, ex->hdr[i].value);
	nghttp2_data_provider prov = { .source.ptr = ex, .read_callback = read_data };
	int rc = nghttp2_submit_response(c->h2, ex->stream_id, hdrs, n, has_body ? &prov : NULL);
	if (rc < 0)
		return -EPROTO;
	if (!c->in_handler && http2_flush(c) < 0)
		httpsrv_conn_close(c);
	return 0;
}

void http2_resume(struct http_exchange *ex)
{
	struct http_conn *c = ex->conn;
	nghttp2_session_resume_data(c->h2, ex->stream_id);
	if (!c->in_handler && http2_flush(c) < 0)
		httpsrv_conn_close(c);
}

void http2_reset(struct http_exchange *ex)
{
	struct http_conn *c = ex->conn;
	nghttp2_submit_rst_stream(c->h2, NGHTTP2_FLAG_NONE, ex->stream_id, NGHTTP2_INTERNAL_ERROR);
	if (!c->in_handler && http2_flush(c) < 0)
		httpsrv_conn_close(c);
}

static int session_new(struct http_conn *c)
{
	nghttp2_session_callbacks *cb;
	if (nghttp2_session_callbacks_new(&cb))
		abort();
	nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_chunk);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
	nghttp2_option *opt;
	if (nghttp2_option_new(&opt))
		abort();
	nghttp2_option_set_max_deflate_dynamic_table_size(opt, DEFLATE_TABLE_SIZE);
	nghttp2_option_set_no_closed_streams(opt, 1);
	c->h2mem = (struct h2mem_owner){ .mem = httpsrv_h2mem(c), .creating = true };
	nghttp2_mem mem = h2mem_allocator(&c->h2mem);
	int rc = nghttp2_session_server_new3(&c->h2, cb, c, opt, &mem);
	c->h2mem.creating = false;
	nghttp2_option_del(opt);
	nghttp2_session_callbacks_del(cb);
	if (rc)
		return -ENOMEM;
	httpsrv_h2_opened(c, 1);
	const struct http_server_config *cfg = httpsrv_config(c);
	nghttp2_settings_entry iv[] = {
		{ NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, (uint32_t)cfg->max_streams },
		{ NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, (uint32_t)cfg->max_header_bytes },
	};
	if (nghttp2_submit_settings(c->h2, NGHTTP2_FLAG_NONE, iv, 2))
		return -EPROTO;
	return 0;
}

int http2_start(struct http_conn *c)
{
	int rc = session_new(c);
	if (rc == 0)
		rc = http2_flush(c);
	return rc;
}

/* HTTP2-Settings is base64url without padding (RFC 7540 §3.2.1). */
static int settings_decode(const char *s, uint8_t *out, size_t size)
{
	size_t len = strlen(s);
	char b64[512];
	if (len + 4 >= sizeof(b64) || (len + 3) / 4 * 3 > size)
		return -EMSGSIZE;
	for (size_t i = 0; i < len; i++)
		b64[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	size_t pad = (4 - len % 4) % 4;
	if (pad == 3)
		return -EBADMSG;
	memset(b64 + len, '=', pad);
	int n = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)(len + pad));
	if (n < 0)
		return -EBADMSG;
	return n - (int)pad;
}

int http2_upgrade(struct http_conn *c, struct http_request *req)
{
	uint8_t settings[384];
	int n = settings_decode(http_request_header(req, "http2-settings"), settings,
				sizeof(settings));
	int rc = n < 0 ? n : session_new(c);
	if (rc == 0 && nghttp2_session_upgrade2(c->h2, settings, (size_t)n,
						strcmp(req->method, "HEAD") == 0, NULL))
		rc = -EPROTO;
	if (rc) {
		log_debug("h2c upgrade refused rc=%d", rc);
		http_request_free(req);
		return rc;
	}
	req->version = 20;
	struct http_exchange *ex = httpex_new(c, req, 1);
	c->streams = ex;
	nghttp2_session_set_stream_user_data(c->h2, 1, ex);
	httpsrv_dispatch(c, ex);
	/* what followed the upgrade request is the client's preface */
	struct evbuffer *in = bufferevent_get_input(c->bev);
	if (http2_recv(c, in) < 0)
		return -EPROTO;
	return http2_flush(c);
}

int http2_recv(struct http_conn *c, struct evbuffer *in)
{
	size_t len = evbuffer_get_length(in);
	if (len == 0)
		return 0;
	c->in_handler = true;
	c->h2_active = true;
	ssize_t n = nghttp2_session_mem_recv(c->h2, evbuffer_pullup(in, -1), len);
	c->in_handler = false;
	if (n < 0) {
		log_debug("HTTP/2 session error: %s", nghttp2_strerror((int)n));
		httpsrv_count_bad(c);
		/* nghttp2 queued a GOAWAY with the error; send it, then close */
		http2_flush(c);
		c->close_after = true;
		return 0;
	}
	evbuffer_drain(in, (size_t)n);
	return 0;
}

int http2_flush(struct http_conn *c)
{
	if (!c->h2 || c->closing)
		return 0;
	struct evbuffer *out = bufferevent_get_output(c->bev);
	while (evbuffer_get_length(out) < SEND_HIGH_WATER) {
		const uint8_t *data;
		ssize_t n = nghttp2_session_mem_send(c->h2, &data);
		if (n < 0)
			return -EPROTO;
		if (n == 0)
			break;
		evbuffer_add(out, data, (size_t)n);
		httpsrv_h2_dirty(c);
	}
	if (!nghttp2_session_want_read(c->h2) && !nghttp2_session_want_write(c->h2) &&
	    evbuffer_get_length(out) == 0)
		return -ECONNRESET;
	if (c->close_after && !nghttp2_session_want_write(c->h2) && evbuffer_get_length(out) == 0)
		return -ECONNRESET;
	return 0;
}

void http2_close(struct http_conn *c)
{
	while (c->streams) {
		struct http_exchange *ex = c->streams;
		c->streams = ex->next;
		if (c->h2)
			nghttp2_session_set_stream_user_data(c->h2, ex->stream_id, NULL);
		httpex_free(ex);
	}
	if (c->h2)
		httpsrv_h2_opened(c, -1);
	nghttp2_session_del(c->h2);
	c->h2 = NULL;
}

bool http2_trim(struct http_conn *c)
{
	if (!c->h2 || c->streams || nghttp2_session_want_write(c->h2))
		return false;
	/* nothing left to frame: the frame buffer's bytes are all dead */
	const uint8_t *data;
	ssize_t n = nghttp2_session_mem_send(c->h2, &data);
	if (n > 0)
		evbuffer_add(bufferevent_get_output(c->bev), data, (size_t)n);
	if (n != 0)
		return false;
	h2mem_trim(&c->h2mem);
	return true;
}
