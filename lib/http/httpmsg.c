#include "http/httpmsg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

void http_request_init(struct http_request *req)
{
	memset(req, 0, sizeof(*req));
}

void http_request_fini(struct http_request *req)
{
	if (!req)
		return;
	free(req->target); /* path and query live in its block */
	for (size_t i = 0; i < req->n_headers; i++)
		free(req->headers[i].name); /* and a value in its name's */
	free(req->body);
	memset(req, 0, sizeof(*req));
}

void http_request_free(struct http_request *req)
{
	http_request_fini(req);
	free(req);
}

/* RFC 9110 §5.6.2 tchar */
static bool is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

int http_request_set_method(struct http_request *req, const char *m, size_t len)
{
	if (len == 0)
		return -EBADMSG;
	for (size_t i = 0; i < len; i++)
		if (!is_tchar((unsigned char)m[i]))
			return -EBADMSG;
	if (len >= sizeof(req->method))
		return -ENOTSUP;
	memcpy(req->method, m, len);
	req->method[len] = '\0';
	return 0;
}

int http_request_set_target(struct http_request *req, const char *t, size_t len)
{
	if (len == 0 || t[0] != '/')
		return -EBADMSG;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c <= 0x20 || c == 0x7f || c == '#')
			return -EBADMSG;
	}
	const char *q = memchr(t, '?', len);
	size_t plen = q ? (size_t)(q - t) : len;
	size_t qlen = q ? len - plen - 1 : 0;
	/* one allocation per request for the three strings, not three */
	char *target = malloc(len + 1 + plen + 1 + (q ? qlen + 1 : 0));
	if (!target)
		abort();
	memcpy(target, t, len);
	target[len] = '\0';
	char *path = target + len + 1;
	memcpy(path, t, plen);
	path[plen] = '\0';
	char *query = NULL;
	if (q) {
		query = path + plen + 1;
		memcpy(query, q + 1, qlen);
		query[qlen] = '\0';
	}
	free(req->target);
	req->target = target;
	req->path = path;
	req->query = query;
	return 0;
}

int http_request_add_header(struct http_request *req, const char *name, size_t nlen,
			    const char *value, size_t vlen)
{
	if (nlen == 0)
		return -EBADMSG;
	for (size_t i = 0; i < nlen; i++)
		if (!is_tchar((unsigned char)name[i]))
			return -EBADMSG;
	for (size_t i = 0; i < vlen; i++)
		if (value[i] == '\r' || value[i] == '\n' || value[i] == '\0')
			return -EBADMSG;
	while (vlen && (value[0] == ' ' || value[0] == '\t')) {
		value++;
		vlen--;
	}
	while (vlen && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
		vlen--;
	if (req->n_headers >= HTTP_MAX_HEADERS)
		return -E2BIG;
	struct http_header *h = &req->headers[req->n_headers];
	/* name and value in one allocation */
	h->name = malloc(nlen + 1 + vlen + 1);
	if (!h->name)
		abort();
	memcpy(h->name, name, nlen);
	h->name[nlen] = '\0';
	h->value = h->name + nlen + 1;
	memcpy(h->value, value, vlen);
	h->value[vlen] = '\0';
	for (char *p = h->name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	req->n_headers++;
	return 0;
}

const char *http_request_header(const struct http_request *req, const char *name)
{
	for (size_t i = 0; i < req->n_headers; i++)
		if (strcmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

bool http_header_has_token(const char *value, const char *token)
{
	size_t n = strlen(token);
	for (const char *p = value; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncasecmp(p, token, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return true;
		p = strchr(p, ',');
	}
	return false;
}

int http_request_append_body(struct http_request *req, const void *data, size_t len, size_t max)
{
	if (len == 0)
		return 0;
	if (req->body_len > max || len > max - req->body_len)
		return -EMSGSIZE;
	uint8_t *b = realloc(req->body, req->body_len + len + 1);
	if (!b)
		abort();
	memcpy(b + req->body_len, data, len);
	req->body = b;
	req->body_len += len;
	/* a NUL past the end lets JSON and text handlers read it in place */
	b[req->body_len] = '\0';
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int pct_decode(const char *s, size_t len, char *out, size_t size)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= len)
				return -EBADMSG;
			int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -EBADMSG;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (n + 1 >= size)
			return -EMSGSIZE;
		out[n++] = c;
	}
	out[n] = '\0';
	return 0;
}

int http_query_param(const char *query, const char *name, char *out, size_t size)
{
	size_t nlen = strlen(name);
	const char *p = query;
	while (p && *p) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		if (klen == nlen && memcmp(p, name, nlen) == 0) {
			if (!eq)
				return size ? (out[0] = '\0', 0) : -EMSGSIZE;
			return pct_decode(eq + 1, len - klen - 1, out, size);
		}
		p = end ? end + 1 : NULL;
	}
	return -ENOENT;
}

int http_query_next(const char **cursor, char *name, size_t nsize, char *value, size_t vsize,
		    bool *has_value)
{
	const char *p = *cursor;
	while (p && *p == '&')
		p++;
	if (!p || !*p) {
		*cursor = p;
		return 0;
	}
	const char *end = strchr(p, '&');
	size_t len = end ? (size_t)(end - p) : strlen(p);
	const char *eq = memchr(p, '=', len);
	size_t klen = eq ? (size_t)(eq - p) : len;
	*cursor = end ? end + 1 : p + len;
	*has_value = eq != NULL;
	int rc = pct_decode(p, klen, name, nsize);
	if (rc == 0 && eq)
		rc = pct_decode(eq + 1, len - klen - 1, value, vsize);
	else if (rc == 0 && vsize)
		value[0] = '\0';
	return rc < 0 ? rc : 1;
}

static const struct {
	int status;
	const char *reason;
} reasons[] = {
	{ 100, "Continue" },
	{ 101, "Switching Protocols" },
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 204, "No Content" },
	{ 304, "Not Modified" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 411, "Length Required" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
	{ 505, "HTTP Version Not Supported" },
};

const char *http_status_reason(int status)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

char *http_problem_json(int status, const char *title, const char *detail)
{
	json_t *o = json_pack("{s:s, s:s, s:i}", "type", "about:blank", "title",
			      title ? title : http_status_reason(status), "status", status);
	if (!o)
		abort();
	if (detail)
		json_object_set_new(o, "detail", json_string(detail));
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s)
		abort();
	return s;
}
