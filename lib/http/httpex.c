/* httpex — answering one request (struct http_exchange) over HTTP/1.x or HTTP/2. */
#include "http/httpconn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent_ssl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

struct http_exchange *httpex_new(struct http_conn *c, struct http_request *req, int32_t stream)
{
	struct http_exchange *ex = calloc(1, sizeof(*ex));
	if (!ex)
		abort();
	ex->conn = c;
	ex->req = req;
	ex->stream_id = stream;
	if (stream) {
		ex->data = evbuffer_new();
		if (!ex->data)
			abort();
	}
	return ex;
}

void httpex_free(struct http_exchange *ex)
{
	if (!ex)
		return;
	if (ex->on_close)
		ex->on_close(ex, ex->close_arg);
	http_request_free(ex->req);
	for (size_t i = 0; i < ex->n_hdr; i++)
		free(ex->hdr[i].name); /* the value with it */
	if (ex->data)
		evbuffer_free(ex->data);
	free(ex);
}

const struct http_request *http_exchange_request(const struct http_exchange *ex)
{
	return ex->req;
}

const char *http_exchange_protocol(const struct http_exchange *ex)
{
	if (ex->stream_id)
		return "HTTP/2";
	return ex->req->version == 10 ? "HTTP/1.0" : "HTTP/1.1";
}

bool http_exchange_tls(const struct http_exchange *ex)
{
	return ex->conn->tls;
}

int http_exchange_peer_cn(const struct http_exchange *ex, char *out, size_t size)
{
	SSL *ssl = ex->conn->tls ? bufferevent_openssl_get_ssl(ex->conn->bev) : NULL;
	X509 *cert = ssl ? SSL_get0_peer_certificate(ssl) : NULL;
	int n;

	if (!cert || SSL_get_verify_result(ssl) != X509_V_OK)
		return -ENOENT;
	n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, NULL, 0);
	if (n <= 0)
		return -ENOENT;
	if ((size_t)n >= size)
		return -EMSGSIZE;
	X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, out, (int)size);
	/* a CN with an embedded NUL is not a name */
	return strlen(out) == (size_t)n ? 0 : -ENOENT;
}

X509 *http_exchange_peer_cert(const struct http_exchange *ex)
{
	SSL *ssl = ex->conn->tls ? bufferevent_openssl_get_ssl(ex->conn->bev) : NULL;
	X509 *cert = ssl ? SSL_get0_peer_certificate(ssl) : NULL;

	return cert && SSL_get_verify_result(ssl) == X509_V_OK ? cert : NULL;
}

void http_exchange_on_close(struct http_exchange *ex, http_close_fn fn, void *arg)
{
	ex->on_close = fn;
	ex->close_arg = arg;
}

int http_exchange_add_header(struct http_exchange *ex, const char *name, const char *value)
{
	if (ex->started)
		return -EALREADY;
	if (strpbrk(name, "\r\n:") || strpbrk(value, "\r\n") || !*name)
		return -EINVAL;
	if (ex->n_hdr >= HTTPEX_MAX_HEADERS)
		return -E2BIG;
	struct http_header *h = &ex->hdr[ex->n_hdr];
	size_t nlen = strlen(name), vlen = strlen(value);
	h->name = malloc(nlen + 1 + vlen + 1);
	if (!h->name)
		abort();
	memcpy(h->name, name, nlen + 1);
	h->value = h->name + nlen + 1;
	memcpy(h->value, value, vlen + 1);
	/* HTTP/2 wants lower-case field names; HTTP/1.1 does not care */
	for (char *p = h->name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	ex->n_hdr++;
	return 0;
}

/* Status line and header section of an HTTP/1.x response. */
static void h1_head(struct http_exchange *ex, int status, const char *ctype, long long length)
{
	struct evbuffer *out = bufferevent_get_output(ex->conn->bev);
	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n", status, http_status_reason(status));
	if (ctype)
		evbuffer_add_printf(out, "Content-Type: %s\r\n", ctype);
	for (size_t i = 0; i < ex->n_hdr; i++)
		evbuffer_add_printf(out, "%s: %s\r\n", ex->hdr[i].name, ex->hdr[i].value);
	if (length >= 0)
		evbuffer_add_printf(out, "Content-Length: %lld\r\n", length);
	else if (ex->chunked)
		evbuffer_add_printf(out, "Transfer-Encoding: chunked\r\n");
	if (ex->conn->close_after)
		evbuffer_add_printf(out, "Connection: close\r\n");
	evbuffer_add(out, "\r\n", 2);
}

/* The HTTP/1.x exchange is over: free it and let the next request in. */
static void h1_done(struct http_exchange *ex)
{
	struct http_conn *c = ex->conn;
	c->h1_ex = NULL;
	httpex_free(ex);
	httpsrv_h1_resume(c);
}

int http_exchange_respond(struct http_exchange *ex, int status, const char *content_type,
			  const void *body, size_t len)
{
	if (ex->started)
		return -EALREADY;
	ex->started = true;
	ex->finished = true;
	bool head = strcmp(ex->req->method, "HEAD") == 0;
	if (ex->stream_id) {
		if (len && !head)
			evbuffer_add(ex->data, body, len);
		return http2_submit(ex, status, content_type, len && !head);
	}
	bool no_body = status == 204 || status == 304;
	h1_head(ex, status, content_type, no_body ? -1 : (long long)len);
	if (len && !head && !no_body)
		evbuffer_add(bufferevent_get_output(ex->conn->bev), body, len);
	h1_done(ex);
	return 0;
}

int http_exchange_problem(struct http_exchange *ex, int status, const char *title,
			  const char *detail)
{
	char *doc = http_problem_json(status, title, detail);
	int rc = http_exchange_respond(ex, status, "application/problem+json", doc, strlen(doc));
	free(doc);
	return rc;
}

int http_exchange_stream_begin(struct http_exchange *ex, int status, const char *content_type)
{
	if (ex->started)
		return -EALREADY;
	ex->streaming = true;
	/* a proxy must not hold back events, a cache must not keep them */
	http_exchange_add_header(ex, "cache-control", "no-store");
	ex->started = true;
	if (ex->stream_id)
		return http2_submit(ex, status, content_type, true);
	if (ex->req->version == 10)
		ex->conn->close_after = true; /* HTTP/1.0: the close ends the body */
	else
		ex->chunked = true;
	h1_head(ex, status, content_type, -1);
	return 0;
}

/*
 * A client too slow for its stream loses it, visibly: HTTP/2 resets the
 * stream, HTTP/1.1 closes without the last chunk (never a clean-looking end).
 */
static int stream_abort(struct http_exchange *ex)
{
	ex->finished = true;
	if (ex->stream_id) {
		http2_reset(ex);
		return -ENOBUFS;
	}
	ex->conn->close_after = true;
	h1_done(ex);
	return -ENOBUFS;
}

int http_exchange_stream_write(struct http_exchange *ex, const void *data, size_t len)
{
	if (!ex->streaming || ex->finished)
		return -EINVAL;
	if (ex->conn->closing)
		return -EPIPE;
	size_t limit = httpsrv_config(ex->conn)->max_pending_output;
	if (len == 0)
		return 0;
	if (ex->stream_id) {
		if (evbuffer_get_length(ex->data) + len > limit)
			return stream_abort(ex);
		evbuffer_add(ex->data, data, len);
		http2_resume(ex);
		return 0;
	}
	struct evbuffer *out = bufferevent_get_output(ex->conn->bev);
	if (evbuffer_get_length(out) + len > limit)
		return stream_abort(ex);
	if (ex->chunked)
		evbuffer_add_printf(out, "%zx\r\n", len);
	evbuffer_add(out, data, len);
	if (ex->chunked)
		evbuffer_add(out, "\r\n", 2);
	return 0;
}

int http_exchange_stream_end(struct http_exchange *ex)
{
	if (!ex->streaming || ex->finished)
		return -EINVAL;
	ex->finished = true;
	if (ex->stream_id) {
		http2_resume(ex);
		return 0;
	}
	if (ex->chunked)
		evbuffer_add(bufferevent_get_output(ex->conn->bev), "0\r\n\r\n", 5);
	h1_done(ex);
	return 0;
}
