/*
 * httppipe — application/http pipelines on Node's http_parser.
 */
#include "http/httppipe.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <http_parser.h>

struct pstate {
	struct httppipe_response *out;
	size_t max, n;
	int err;
	bool in_value, complete;
};

static struct httppipe_response *cur(struct pstate *s)
{
	return &s->out[s->n - 1];
}

static int on_begin(http_parser *hp)
{
	struct pstate *s = hp->data;

	if (s->n == s->max) {
		s->err = -E2BIG;
		return -1;
	}
	memset(&s->out[s->n++], 0, sizeof(s->out[0]));
	s->in_value = false;
	s->complete = false;
	return 0;
}

/* Append @len bytes to @dst (NUL-terminated, @size bytes). */
static int append(char *dst, size_t size, const char *at, size_t len, bool lower)
{
	size_t have = strlen(dst);

	if (len >= size - have)
		return -EMSGSIZE;
	for (size_t i = 0; i < len; i++)
		dst[have + i] = lower ? (char)tolower((unsigned char)at[i]) : at[i];
	dst[have + len] = '\0';
	return 0;
}

static int on_field(http_parser *hp, const char *at, size_t len)
{
	struct pstate *s = hp->data;
	struct httppipe_response *r = cur(s);

	/* a name after a value starts the next field (pieces of one come in a row) */
	if (s->in_value || r->n_fields == 0) {
		if (r->n_fields == HTTPPIPE_MAX_FIELDS) {
			s->err = -E2BIG;
			return -1;
		}
		r->n_fields++;
		s->in_value = false;
	}
	if ((s->err = append(r->field[r->n_fields - 1].name, HTTPPIPE_NAME_MAX, at, len, true)))
		return -1;
	return 0;
}

static int on_value(http_parser *hp, const char *at, size_t len)
{
	struct pstate *s = hp->data;
	struct httppipe_response *r = cur(s);

	s->in_value = true;
	if ((s->err = append(r->field[r->n_fields - 1].value, HTTPPIPE_VALUE_MAX, at, len, false)))
		return -1;
	return 0;
}

static int on_headers(http_parser *hp)
{
	struct pstate *s = hp->data;
	struct httppipe_response *r = cur(s);

	r->status = (int)hp->status_code;
	if ((hp->flags & F_CHUNKED) ||
	    (!(hp->flags & F_CONTENTLENGTH) && r->status != 204 && r->status != 304) ||
	    r->status < 200) {
		s->err = -EBADMSG;
		return -1;
	}
	return 0;
}

static int on_body(http_parser *hp, const char *at, size_t len)
{
	struct pstate *s = hp->data;
	struct httppipe_response *r = cur(s);

	/* one buffer: a Content-Length body comes in one piece */
	if (r->body && r->body + r->body_len != (const uint8_t *)at) {
		s->err = -EBADMSG;
		return -1;
	}
	if (!r->body)
		r->body = (const uint8_t *)at;
	r->body_len += len;
	return 0;
}

static int on_complete(http_parser *hp)
{
	struct pstate *s = hp->data;

	s->complete = true;
	return 0;
}

int httppipe_parse_responses(const uint8_t *buf, size_t len, struct httppipe_response *out,
			     size_t max, size_t *n)
{
	http_parser hp;
	http_parser_settings st;
	struct pstate s = { .out = out, .max = max };
	size_t used;

	*n = 0;
	if (len == 0 || max == 0)
		return -EBADMSG;
	http_parser_settings_init(&st);
	st.on_message_begin = on_begin;
	st.on_header_field = on_field;
	st.on_header_value = on_value;
	st.on_headers_complete = on_headers;
	st.on_body = on_body;
	st.on_message_complete = on_complete;
	http_parser_init(&hp, HTTP_RESPONSE);
	hp.data = &s;
	used = http_parser_execute(&hp, &st, (const char *)buf, len);
	if (s.err)
		return s.err;
	if (HTTP_PARSER_ERRNO(&hp) != HPE_OK || used != len || !s.complete || s.n == 0)
		return -EBADMSG;
	/* a field name without a value, or a message that is not HTTP/1.x */
	for (size_t i = 0; i < s.n; i++)
		for (size_t f = 0; f < out[i].n_fields; f++)
			if (!out[i].field[f].name[0])
				return -EBADMSG;
	*n = s.n;
	return 0;
}

const char *httppipe_field(const struct httppipe_response *r, const char *name)
{
	for (size_t i = 0; i < r->n_fields; i++)
		if (strcmp(r->field[i].name, name) == 0)
			return r->field[i].value;
	return NULL;
}

static bool clean(const char *s, bool no_space)
{
	for (; *s; s++)
		if (*s == '\r' || *s == '\n' || (no_space && (*s == ' ' || *s == '\t')))
			return false;
	return true;
}

int httppipe_write_request(const char *method, const char *target,
			   const struct httppipe_field *fields, size_t n, const uint8_t *body,
			   size_t len, uint8_t *out, size_t size)
{
	size_t at;
	int k;

	if (!*method || !*target || !clean(method, true) || !clean(target, true))
		return -EINVAL;
	k = snprintf((char *)out, size, "%s %s HTTP/1.1\r\n", method, target);
	if (k < 0 || (size_t)k >= size)
		return -EMSGSIZE;
	at = (size_t)k;
	for (size_t i = 0; i < n; i++) {
		if (!fields[i].name[0] || !clean(fields[i].name, true) ||
		    !clean(fields[i].value, false))
			return -EINVAL;
		k = snprintf((char *)out + at, size - at, "%s: %s\r\n", fields[i].name,
			     fields[i].value);
		if (k < 0 || (size_t)k >= size - at)
			return -EMSGSIZE;
		at += (size_t)k;
	}
	k = snprintf((char *)out + at, size - at, "Content-Length: %zu\r\n\r\n", len);
	if (k < 0 || (size_t)k >= size - at || len > size - at - (size_t)k)
		return -EMSGSIZE;
	at += (size_t)k;
	if (len)
		memcpy(out + at, body, len);
	return (int)(at + len);
}
