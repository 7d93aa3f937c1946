/*
 * httpcoap — RFC 8075 HTTP⇄CoAP mapping and the CoAP-over-UDP message.
 */
#include "http/httpcoap.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define OPT_VALUE_MAX 1034 /* RFC 7252 §5.10: the longest option (Proxy-Uri) */

void httpcoap_msg_init(struct httpcoap_msg *m)
{
	memset(m, 0, sizeof(*m));
}

void httpcoap_msg_copy(struct httpcoap_msg *dst, const struct httpcoap_msg *src)
{
	*dst = *src;
	for (size_t i = 0; i < dst->n_opt; i++)
		if (src->opt[i].value >= src->store &&
		    src->opt[i].value < src->store + sizeof(src->store))
			dst->opt[i].value = dst->store + (src->opt[i].value - src->store);
}

/* An option delta or length nibble's extension (RFC 7252 §3.1). */
static int ext_value(unsigned nib, const uint8_t **p, const uint8_t *end, uint32_t *out)
{
	if (nib < 13) {
		*out = nib;
		return 0;
	}
	if (nib == 13) {
		if (end - *p < 1)
			return -EBADMSG;
		*out = 13u + (*p)[0];
		*p += 1;
		return 0;
	}
	if (nib == 14) {
		if (end - *p < 2)
			return -EBADMSG;
		*out = 269u + ((uint32_t)(*p)[0] << 8 | (*p)[1]);
		*p += 2;
		return 0;
	}
	return -EBADMSG; /* 15 is reserved (the payload marker) */
}

int httpcoap_decode(const uint8_t *buf, size_t len, struct httpcoap_msg *m)
{
	const uint8_t *p = buf + 4, *end = buf + len;
	uint32_t number = 0;

	httpcoap_msg_init(m);
	if (len < 4 || (buf[0] >> 6) != 1)
		return -EBADMSG;
	m->type = (buf[0] >> 4) & 3;
	m->token_len = buf[0] & 15;
	m->code = buf[1];
	m->mid = (uint16_t)(buf[2] << 8 | buf[3]);
	if (m->token_len > HTTPCOAP_TOKEN_MAX || (size_t)(end - p) < m->token_len)
		return -EBADMSG;
	memcpy(m->token, p, m->token_len);
	p += m->token_len;
	while (p < end) {
		uint32_t delta, olen;

		if (*p == 0xff) {
			if (end - p < 2)
				return -EBADMSG;
			m->payload = p + 1;
			m->payload_len = (size_t)(end - p - 1);
			return 0;
		}
		unsigned dn = *p >> 4, ln = *p & 15;
		p++;
		if (ext_value(dn, &p, end, &delta) < 0 || ext_value(ln, &p, end, &olen) < 0)
			return -EBADMSG;
		if ((size_t)(end - p) < olen || number + delta > 0xffff)
			return -EBADMSG;
		if (m->n_opt == HTTPCOAP_MAX_OPTIONS)
			return -E2BIG;
		number += delta;
		m->opt[m->n_opt++] =
			(struct httpcoap_option){ (uint16_t)number, (uint16_t)olen, p };
		p += olen;
	}
	return 0;
}

/* Write one nibble's extension; returns bytes written. */
static size_t put_ext(uint32_t v, uint8_t *out)
{
	if (v < 13)
		return 0;
	if (v < 269) {
		out[0] = (uint8_t)(v - 13);
		return 1;
	}
	out[0] = (uint8_t)((v - 269) >> 8);
	out[1] = (uint8_t)(v - 269);
	return 2;
}

static unsigned nibble(uint32_t v)
{
	return v < 13 ? v : v < 269 ? 13 : 14;
}

int httpcoap_encode(const struct httpcoap_msg *m, uint8_t *out, size_t size)
{
	const struct httpcoap_option *sorted[HTTPCOAP_MAX_OPTIONS];
	size_t n = 0, at;
	uint16_t prev = 0;

	if (m->token_len > HTTPCOAP_TOKEN_MAX || m->n_opt > HTTPCOAP_MAX_OPTIONS ||
	    size < 4 + m->token_len)
		return -EMSGSIZE;
	/* insertion sort: stable, and there are few options */
	for (size_t i = 0; i < m->n_opt; i++) {
		size_t j = n++;
		while (j > 0 && sorted[j - 1]->number > m->opt[i].number) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = &m->opt[i];
	}
	out[0] = (uint8_t)(1 << 6 | (m->type & 3) << 4 | m->token_len);
	out[1] = m->code;
	out[2] = (uint8_t)(m->mid >> 8);
	out[3] = (uint8_t)m->mid;
	memcpy(out + 4, m->token, m->token_len);
	at = 4 + m->token_len;
	for (size_t i = 0; i < n; i++) {
		uint32_t delta = (uint32_t)(sorted[i]->number - prev), olen = sorted[i]->len;

		if (size - at < 5 + (size_t)olen)
			return -EMSGSIZE;
		out[at++] = (uint8_t)(nibble(delta) << 4 | nibble(olen));
		at += put_ext(delta, out + at);
		at += put_ext(olen, out + at);
		if (olen)
			memcpy(out + at, sorted[i]->value, olen);
		at += olen;
		prev = sorted[i]->number;
	}
	if (m->payload_len) {
		if (size - at < 1 + m->payload_len)
			return -EMSGSIZE;
		out[at++] = 0xff;
		memcpy(out + at, m->payload, m->payload_len);
		at += m->payload_len;
	}
	return (int)at;
}

int httpcoap_add_option(struct httpcoap_msg *m, uint16_t number, const void *value, size_t len)
{
	if (m->n_opt == HTTPCOAP_MAX_OPTIONS)
		return -E2BIG;
	if (len > OPT_VALUE_MAX || len > HTTPCOAP_STORE - m->store_len)
		return -EMSGSIZE;
	if (len)
		memcpy(m->store + m->store_len, value, len);
	m->opt[m->n_opt++] =
		(struct httpcoap_option){ number, (uint16_t)len, m->store + m->store_len };
	m->store_len += len;
	return 0;
}

int httpcoap_add_uint(struct httpcoap_msg *m, uint16_t number, uint32_t value)
{
	uint8_t b[4];
	size_t n = 0;

	for (int shift = 24; shift >= 0; shift -= 8)
		if (n || (value >> shift) & 0xff)
			b[n++] = (uint8_t)(value >> shift);
	return httpcoap_add_option(m, number, b, n);
}

const struct httpcoap_option *httpcoap_find(const struct httpcoap_msg *m, uint16_t number)
{
	for (size_t i = 0; i < m->n_opt; i++)
		if (m->opt[i].number == number)
			return &m->opt[i];
	return NULL;
}

long httpcoap_uint(const struct httpcoap_msg *m, uint16_t number)
{
	const struct httpcoap_option *o = httpcoap_find(m, number);
	long v = 0;

	if (!o || o->len > 4)
		return HTTPCOAP_NO_FORMAT;
	for (size_t i = 0; i < o->len; i++)
		v = v << 8 | o->value[i];
	return v;
}

bool httpcoap_is_request(const struct httpcoap_msg *m)
{
	return m->code != 0 && (m->code >> 5) == 0;
}

bool httpcoap_is_response(const struct httpcoap_msg *m)
{
	return (m->code >> 5) >= 2 && (m->code >> 5) <= 5;
}

static const char *const methods[] = { NULL,     "GET",   "POST",  "PUT",
				       "DELETE", "FETCH", "PATCH", "iPATCH" };

int httpcoap_method_code(const char *name)
{
	for (int i = 1; i < 8; i++)
		if (strcmp(name, methods[i]) == 0)
			return i;
	return -ENOTSUP;
}

const char *httpcoap_method_name(uint8_t code)
{
	return code >= 1 && code <= 7 ? methods[code] : NULL;
}

/* CoAP codes with an HTTP status of the same digits (RFC 8075 §7). */
static const uint8_t same_digits[] = {
	HTTPCOAP_CODE(4, 0),  HTTPCOAP_CODE(4, 3),  HTTPCOAP_CODE(4, 4),  HTTPCOAP_CODE(4, 5),
	HTTPCOAP_CODE(4, 6),  HTTPCOAP_CODE(4, 9),  HTTPCOAP_CODE(4, 12), HTTPCOAP_CODE(4, 13),
	HTTPCOAP_CODE(4, 15), HTTPCOAP_CODE(4, 22), HTTPCOAP_CODE(4, 29), HTTPCOAP_CODE(5, 0),
	HTTPCOAP_CODE(5, 1),  HTTPCOAP_CODE(5, 2),  HTTPCOAP_CODE(5, 3),  HTTPCOAP_CODE(5, 4),
};

static int digits(uint8_t code)
{
	return (code >> 5) * 100 + (code & 31);
}

int httpcoap_http_status(uint8_t code, bool has_payload)
{
	switch (code) {
	case HTTPCOAP_CODE(2, 1):
		return 201;
	case HTTPCOAP_CODE(2, 2):
	case HTTPCOAP_CODE(2, 4):
		return has_payload ? 200 : 204;
	case HTTPCOAP_CODE(2, 3):
		return 304;
	case HTTPCOAP_CODE(2, 5):
		return 200;
	case HTTPCOAP_CODE(4, 1):
		return 403;
	case HTTPCOAP_CODE(4, 2):
	case HTTPCOAP_CODE(4, 8):
		return 400;
	case HTTPCOAP_CODE(5, 5):
		return 502;
	}
	for (size_t i = 0; i < sizeof(same_digits); i++)
		if (same_digits[i] == code)
			return digits(code);
	switch (code >> 5) {
	case 2:
		return 200;
	case 4:
		return 400;
	case 5:
		return 500;
	}
	return 0;
}

int httpcoap_coap_code(int status, uint8_t method)
{
	switch (status) {
	case 200:
		return method == 1 || method == 5 ? HTTPCOAP_CODE(2, 5)
		       : method == 4              ? HTTPCOAP_CODE(2, 2)
						  : HTTPCOAP_CODE(2, 4);
	case 201:
		return HTTPCOAP_CODE(2, 1);
	case 204:
		return method == 4 ? HTTPCOAP_CODE(2, 2) : HTTPCOAP_CODE(2, 4);
	case 304:
		return HTTPCOAP_CODE(2, 3);
	case 401:
		return HTTPCOAP_CODE(4, 1);
	}
	if (status < 200 || status > 599 || (status >= 300 && status < 400))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(same_digits); i++)
		if (digits(same_digits[i]) == status)
			return same_digits[i];
	if (status < 300)
		return method == 1 || method == 5 ? HTTPCOAP_CODE(2, 5) : HTTPCOAP_CODE(2, 4);
	return status < 500 ? HTTPCOAP_CODE(4, 0) : HTTPCOAP_CODE(5, 0);
}

static const struct {
	int cf;
	const char *type;
} formats[] = {
	{ 0, "text/plain" },
	{ 40, "application/link-format" },
	{ 42, "application/octet-stream" },
	{ 50, "application/json" },
	{ 60, "application/cbor" },
	{ 110, "application/senml+json" },
	{ 112, "application/senml+cbor" },
	{ 11542, "application/vnd.oma.lwm2m+tlv" },
	{ 11543, "application/vnd.oma.lwm2m+json" },
	{ 11544, "application/vnd.oma.lwm2m+cbor" },
};

const char *httpcoap_media_type(int cf)
{
	if (cf == 0)
		return "text/plain; charset=utf-8";
	for (size_t i = 1; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].cf == cf)
			return formats[i].type;
	return NULL;
}

/* Does @params (after the ';') name a charset other than UTF-8/US-ASCII? */
static bool other_charset(const char *params)
{
	const char *c = strcasestr(params, "charset");
	if (!c)
		return false;
	c += 7;
	while (*c == ' ' || *c == '\t')
		c++;
	if (*c++ != '=')
		return true;
	while (*c == ' ' || *c == '\t' || *c == '"')
		c++;
	return strncasecmp(c, "utf-8", 5) != 0 && strncasecmp(c, "us-ascii", 8) != 0;
}

int httpcoap_content_format(const char *type)
{
	size_t len;

	while (*type == ' ' || *type == '\t')
		type++;
	len = strcspn(type, "; \t");
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strlen(formats[i].type) != len || strncasecmp(formats[i].type, type, len))
			continue;
		if (formats[i].cf == 0 && strchr(type, ';') && other_charset(strchr(type, ';')))
			return -ENOENT;
		return formats[i].cf;
	}
	return -ENOENT;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decode @len bytes of @s into @out (at least @len bytes); returns length or -EBADMSG. */
static int pct_decode(const char *s, size_t len, uint8_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] != '%') {
			out[n++] = (uint8_t)s[i];
			continue;
		}
		if (i + 2 >= len)
			return -EBADMSG;
		int hi = hexval((unsigned char)s[i + 1]), lo = hexval((unsigned char)s[i + 2]);
		if (hi < 0 || lo < 0)
			return -EBADMSG;
		out[n++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return (int)n;
}

/* Add one percent-decoded piece of @s (@len bytes) as option @number. */
static int add_decoded(struct httpcoap_msg *m, uint16_t number, const char *s, size_t len)
{
	uint8_t buf[3 * OPT_VALUE_MAX]; /* escaped, a value may take 3 bytes a byte */
	int n;

	if (len > sizeof(buf))
		return -EMSGSIZE;
	n = pct_decode(s, len, buf);
	if (n < 0)
		return n;
	return httpcoap_add_option(m, number, buf, (size_t)n);
}

int httpcoap_add_target(struct httpcoap_msg *m, const char *path, const char *query)
{
	int rc;

	if (!path || path[0] != '/')
		return -EBADMSG;
	for (const char *p = path + 1; *p;) {
		size_t len = strcspn(p, "/");
		if (len == 0)
			return -EBADMSG;
		if ((rc = add_decoded(m, HTTPCOAP_OPT_URI_PATH, p, len)) < 0)
			return rc;
		p += len;
		if (*p == '/' && *++p == '\0')
			return -EBADMSG; /* "/a/": an empty last segment */
	}
	for (const char *q = query; q && *q;) {
		size_t len = strcspn(q, "&");
		if (len && (rc = add_decoded(m, HTTPCOAP_OPT_URI_QUERY, q, len)) < 0)
			return rc;
		q += len;
		if (*q == '&')
			q++;
	}
	return 0;
}

/* Append @v (@len bytes) to @out at *@at, percent-encoding what RFC 3986 does not allow there. */
static int put_encoded(const uint8_t *v, size_t len, bool query, char *out, size_t size, size_t *at)
{
	static const char extra[] = "-._~!$'()*+,;=:@";

	for (size_t i = 0; i < len; i++) {
		/* a pchar stays; in a query '/' and '?' too, but '&' separates items */
		bool plain = isalnum(v[i]) || (v[i] && strchr(extra, v[i])) ||
			     (query ? v[i] == '/' || v[i] == '?' : v[i] == '&');
		size_t need = plain ? 1 : 3;
		if (size - *at <= need)
			return -EMSGSIZE;
		if (plain)
			out[(*at)++] = (char)v[i];
		else
			*at += (size_t)snprintf(out + *at, 4, "%%%02X", v[i]);
	}
	return 0;
}

int httpcoap_target(const struct httpcoap_msg *m, uint16_t path_opt, uint16_t query_opt, char *out,
		    size_t size)
{
	size_t at = 0;
	bool any = false, first_q = true;

	if (size < 2)
		return -EMSGSIZE;
	for (size_t i = 0; i < m->n_opt; i++) {
		if (m->opt[i].number != path_opt)
			continue;
		if (size - at <= 1)
			return -EMSGSIZE;
		out[at++] = '/';
		if (put_encoded(m->opt[i].value, m->opt[i].len, false, out, size, &at) < 0)
			return -EMSGSIZE;
		any = true;
	}
	if (!any)
		out[at++] = '/';
	for (size_t i = 0; i < m->n_opt; i++) {
		if (m->opt[i].number != query_opt)
			continue;
		if (size - at <= 1)
			return -EMSGSIZE;
		out[at++] = first_q ? '?' : '&';
		first_q = false;
		if (put_encoded(m->opt[i].value, m->opt[i].len, true, out, size, &at) < 0)
			return -EMSGSIZE;
	}
	out[at] = '\0';
	return (int)at;
}

void httpcoap_token_hex(const uint8_t *token, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[token[i] >> 4];
		out[2 * i + 1] = hex[token[i] & 15];
	}
	out[2 * len] = '\0';
}

int httpcoap_token_parse(const char *hex, uint8_t token[HTTPCOAP_TOKEN_MAX])
{
	size_t len = strlen(hex);

	if (len == 0 || len % 2 || len > 2 * HTTPCOAP_TOKEN_MAX)
		return -EBADMSG;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hexval((unsigned char)hex[2 * i]),
		    lo = hexval((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EBADMSG;
		token[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(len / 2);
}
