/*
 * http1 — HTTP/1.1 request framing (RFC 9112) on Node's http_parser
 * (Debian libhttp-parser-dev), with our bounds: the request line and
 * header fields together at most max_header_bytes, the body (with
 * Content-Length or chunked) at most max_body.  Bytes in, one complete
 * struct http_request out; pipelined requests come out one at a time.
 * Pure: no I/O.
 */
#ifndef LWGATE_HTTP_HTTP1_H
#define LWGATE_HTTP_HTTP1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/httpmsg.h"

struct http1_limits {
	size_t max_header_bytes; /* request line + fields; more is 431 (or 414) */
	size_t max_body;         /* more is 413 */
};

struct http1_parser;

/* A parser for one connection's requests. */
struct http1_parser *http1_parser_new(const struct http1_limits *lim);

/* Free @p and a request it holds; NULL is fine. */
void http1_parser_free(struct http1_parser *p);

/*
 * Feed @len bytes.  *@consumed tells how many were used; the rest belong
 * to the next request (or, after an upgrade, to the new protocol).
 * Returns 1 when a request is complete (take it with http1_parser_take()
 * before feeding more), 0 when more bytes are needed, or an error after
 * which the connection cannot go on: -EBADMSG malformed (400), -E2BIG
 * header section too large or too many fields (431), -EMSGSIZE body too
 * large (413), -ENOTSUP a method or version we do not serve (501/505).
 */
int http1_parser_feed(struct http1_parser *p, const uint8_t *data, size_t len, size_t *consumed);

/*
 * The request completed by the last feed; the caller owns it (free with
 * http_request_free()).  The parser is ready for the next one.
 */
struct http_request *http1_parser_take(struct http1_parser *p);

/* Did the completed request ask for a protocol upgrade (Upgrade:)? */
bool http1_parser_upgrade(const struct http1_parser *p);

/* May the connection carry another request after this one's response? */
bool http1_parser_keep_alive(const struct http1_parser *p);

/* The status code that answers error @err of http1_parser_feed(). */
int http1_error_status(int err);

#endif
