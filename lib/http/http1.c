#include "http/http1.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <http_parser.h>

/* A header name or value may arrive in pieces over several reads. */
struct http1_parser {
	http_parser hp;
	http_parser_settings settings;
	struct http1_limits lim;
	struct http_request *req;
	char *field;      /* pieces of the current header name, then value */
	size_t field_len; /* bytes of name, then name + value */
	size_t name_len;
	bool in_value;
	char *url;
	size_t url_len;
	size_t header_bytes;
	int error; /* set by a callback that refused */
	bool complete, upgrade, keep_alive;
};

static int fail(struct http1_parser *p, int err)
{
	if (!p->error)
		p->error = err;
	return -1;
}

static int grow(struct http1_parser *p, char **buf, size_t *len, const char *at, size_t n)
{
	p->header_bytes += n;
	if (p->header_bytes > p->lim.max_header_bytes)
		return -E2BIG;
	char *b = realloc(*buf, *len + n + 1);
	if (!b)
		abort();
	memcpy(b + *len, at, n);
	*len += n;
	b[*len] = '\0';
	*buf = b;
	return 0;
}

static int flush_field(struct http1_parser *p)
{
	if (!p->field)
		return 0;
	int rc = http_request_add_header(p->req, p->field, p->name_len, p->field + p->name_len,
					 p->field_len - p->name_len);
	free(p->field);
	p->field = NULL;
	p->field_len = p->name_len = 0;
	p->in_value = false;
	return rc;
}

static int on_message_begin(http_parser *hp)
{
	struct http1_parser *p = hp->data;
	http_request_free(p->req);
	p->req = calloc(1, sizeof(*p->req));
	if (!p->req)
		abort();
	p->header_bytes = 0;
	return 0;
}

static int on_url(http_parser *hp, const char *at, size_t n)
{
	struct http1_parser *p = hp->data;
	int rc = grow(p, &p->url, &p->url_len, at, n);
	/* a target longer than the whole header budget is 414 rather than 431 */
	return rc ? fail(p, -ENAMETOOLONG) : 0;
}

static int on_header_field(http_parser *hp, const char *at, size_t n)
{
	struct http1_parser *p = hp->data;
	int rc = p->in_value ? flush_field(p) : 0;
	if (rc == 0)
		rc = grow(p, &p->field, &p->field_len, at, n);
	p->name_len = p->field_len;
	return rc ? fail(p, rc) : 0;
}

static int on_header_value(http_parser *hp, const char *at, size_t n)
{
	struct http1_parser *p = hp->data;
	if (!p->field)
		return fail(p, -EBADMSG);
	p->in_value = true;
	int rc = grow(p, &p->field, &p->field_len, at, n);
	return rc ? fail(p, rc) : 0;
}

static int on_headers_complete(http_parser *hp)
{
	struct http1_parser *p = hp->data;
	int rc = flush_field(p);
	if (rc)
		return fail(p, rc);
	const char *m = http_method_str((enum http_method)hp->method);
	rc = http_request_set_method(p->req, m, strlen(m));
	if (rc == 0)
		rc = http_request_set_target(p->req, p->url ? p->url : "", p->url_len);
	if (rc == 0 && (hp->http_major != 1 || hp->http_minor > 1))
		rc = -ENOTSUP;
	if (rc)
		return fail(p, rc);
	p->req->version = 10 + hp->http_minor;
	free(p->url);
	p->url = NULL;
	p->url_len = 0;
	if (hp->content_length != ULLONG_MAX && hp->content_length > p->lim.max_body)
		return fail(p, -EMSGSIZE);
	return 0;
}

static int on_body(http_parser *hp, const char *at, size_t n)
{
	struct http1_parser *p = hp->data;
	int rc = http_request_append_body(p->req, at, n, p->lim.max_body);
	return rc ? fail(p, rc) : 0;
}

/* A chunk larger than the body may still grow is refused before it arrives. */
static int on_chunk_header(http_parser *hp)
{
	struct http1_parser *p = hp->data;
	size_t body = p->req->body_len;
	if (hp->content_length > p->lim.max_body || body + hp->content_length > p->lim.max_body)
		return fail(p, -EMSGSIZE);
	return 0;
}

/*
 * http_parser knows a fixed list of methods: a token it does not know is a
 * method we do not implement (501), anything else is not HTTP at all (400).
 */
static int unknown_method(const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len && i < 16; i++) {
		if (data[i] == ' ')
			return i ? -ENOTSUP : -EBADMSG;
		if (!(data[i] >= 'A' && data[i] <= 'Z') && !(data[i] >= '0' && data[i] <= '9') &&
		    data[i] != '-' && data[i] != '_')
			return -EBADMSG;
	}
	return -EBADMSG;
}

static int on_message_complete(http_parser *hp)
{
	struct http1_parser *p = hp->data;
	p->complete = true;
	p->keep_alive = http_should_keep_alive(hp);
	/* hand this request out before the parser looks at the next one */
	http_parser_pause(hp, 1);
	return 0;
}

struct http1_parser *http1_parser_new(const struct http1_limits *lim)
{
	struct http1_parser *p = calloc(1, sizeof(*p));
	if (!p)
		abort();
	p->lim = *lim;
	http_parser_init(&p->hp, HTTP_REQUEST);
	p->hp.data = p;
	http_parser_settings_init(&p->settings);
	p->settings.on_message_begin = on_message_begin;
	p->settings.on_url = on_url;
	p->settings.on_header_field = on_header_field;
	p->settings.on_header_value = on_header_value;
	p->settings.on_headers_complete = on_headers_complete;
	p->settings.on_body = on_body;
	p->settings.on_chunk_header = on_chunk_header;
	p->settings.on_message_complete = on_message_complete;
	return p;
}

void http1_parser_free(struct http1_parser *p)
{
	if (!p)
		return;
	http_request_free(p->req);
	free(p->field);
	free(p->url);
	free(p);
}

int http1_parser_feed(struct http1_parser *p, const uint8_t *data, size_t len, size_t *consumed)
{
	*consumed = 0;
	if (p->error)
		return p->error;
	if (p->complete)
		return 1;
	size_t n = http_parser_execute(&p->hp, &p->settings, (const char *)data, len);
	*consumed = n;
	enum http_errno e = HTTP_PARSER_ERRNO(&p->hp);
	if (p->error)
		return p->error;
	if (e == HPE_PAUSED) {
		http_parser_pause(&p->hp, 0);
		p->upgrade = p->hp.upgrade;
		return 1;
	}
	if (e == HPE_HEADER_OVERFLOW)
		return p->error = -E2BIG;
	if (e == HPE_INVALID_METHOD)
		return p->error = unknown_method(data, len);
	if (e != HPE_OK)
		return p->error = -EBADMSG;
	if (p->hp.upgrade) {
		/* http_parser stops at the end of the upgrade request's head */
		p->upgrade = true;
		if (!p->complete)
			return p->error = -EBADMSG;
		return 1;
	}
	return p->complete ? 1 : 0;
}

struct http_request *http1_parser_take(struct http1_parser *p)
{
	if (!p->complete)
		return NULL;
	struct http_request *r = p->req;
	p->req = NULL;
	p->complete = false;
	return r;
}

bool http1_parser_upgrade(const struct http1_parser *p)
{
	return p->upgrade;
}

bool http1_parser_keep_alive(const struct http1_parser *p)
{
	return p->keep_alive && !p->upgrade;
}

int http1_error_status(int err)
{
	switch (err) {
	case -E2BIG:
		return 431;
	case -ENAMETOOLONG:
		return 414;
	case -EMSGSIZE:
		return 413;
	case -ENOTSUP:
		return 501;
	default:
		return 400;
	}
}
