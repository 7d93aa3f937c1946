/*
 * httpmsg — the parts of an HTTP request and response that do not depend
 * on the wire version: a decoded request (method, target split into path
 * and query, lower-cased header names, body), the reason phrases, RFC 9457
 * problem+json documents and query-parameter lookup.  HTTP/1.1 (http1)
 * and HTTP/2 (http2) both fill a struct http_request, so a handler never
 * knows which one it got.  Pure: no I/O, no clock.
 */
#ifndef LWGATE_HTTP_HTTPMSG_H
#define LWGATE_HTTP_HTTPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Header fields a request may carry; one more is a 431. */
#define HTTP_MAX_HEADERS 64

struct http_header {
	char *name;  /* lower case (HTTP/2 requires it; HTTP/1.1 is folded) */
	char *value; /* in name's allocation: freeing name frees both */
};

struct http_request {
	char method[16];
	char *target; /* request-target as sent: path[?query]; path and query share its block */
	char *path;   /* up to '?', not percent-decoded; starts with '/' */
	char *query;  /* after '?', or NULL */
	struct http_header headers[HTTP_MAX_HEADERS];
	size_t n_headers;
	uint8_t *body;
	size_t body_len;
	int version; /* 10, 11 or 20 */
};

/* Zero @req; call http_request_fini() to release what it then owns. */
void http_request_init(struct http_request *req);

/* Free what @req owns and zero it; NULL is fine. */
void http_request_fini(struct http_request *req);

/* http_request_fini() and free() of a heap request; NULL is fine. */
void http_request_free(struct http_request *req);

/*
 * Set the method (a token, at most 15 bytes).  Returns 0, -EBADMSG when
 * @m is empty or not a token, -ENOTSUP when it is too long to be one we
 * serve.
 */
int http_request_set_method(struct http_request *req, const char *m, size_t len);

/*
 * Set the request-target from @t (@len bytes, no NUL needed): origin-form
 * only ("/path?query"), no control characters, spaces or NULs.  Returns 0
 * or -EBADMSG.
 */
int http_request_set_target(struct http_request *req, const char *t, size_t len);

/*
 * Append a header field; the name is lower-cased and must be a token, the
 * value must have no CR, LF or NUL (leading and trailing blanks are cut).
 * Returns 0, -EBADMSG on a bad name or value, -E2BIG past
 * HTTP_MAX_HEADERS.
 */
int http_request_add_header(struct http_request *req, const char *name, size_t nlen,
			    const char *value, size_t vlen);

/* The first value of header @name (lower case), or NULL. */
const char *http_request_header(const struct http_request *req, const char *name);

/*
 * Does the comma-separated header value @value (NULL: no) hold @token,
 * compared case-insensitively (Connection, Upgrade: RFC 9110 §7.6.1)?
 */
bool http_header_has_token(const char *value, const char *token);

/*
 * Append @len bytes to the body unless it would pass @max bytes.
 * Returns 0 or -EMSGSIZE (the body is left as it was).
 */
int http_request_append_body(struct http_request *req, const void *data, size_t len, size_t max);

/*
 * Copy the percent-decoded value of query parameter @name into @out
 * (@size bytes, NUL-terminated; '+' is a space).  Returns 0, -ENOENT when
 * absent, -EMSGSIZE when it does not fit, -EBADMSG on a bad escape or a
 * decoded NUL.  A parameter given without '=' has the value "".
 */
int http_query_param(const char *query, const char *name, char *out, size_t size);

/*
 * Walk the items of a query: at *@cursor (start: the query; NULL or "" is
 * the end) decode the next "name[=value]" into @name and @value (both
 * percent-decoded, '+' a space; *@has_value false and @value "" without
 * '=') and advance *@cursor.  Returns 1 for an item, 0 at the end,
 * -EBADMSG or -EMSGSIZE on a bad or too long one.  Empty items are skipped.
 */
int http_query_next(const char **cursor, char *name, size_t nsize, char *value, size_t vsize,
		    bool *has_value);

/* The reason phrase of @status ("Not Found"), or "Unknown". */
const char *http_status_reason(int status);

/*
 * An RFC 9457 problem document {"type":"about:blank","title":…,"status":…,
 * "detail":…} (detail left out when NULL); the title defaults to the
 * reason phrase.  Returns a malloc'd NUL-terminated string.
 */
char *http_problem_json(int status, const char *title, const char *detail);

#endif
