#include "lwm2m/lwm2m_jsonr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_value.h"

/* What a container expects next. */
enum {
	ST_OBJ_FIRST, /* after '{': a key or '}' */
	ST_OBJ_KEY,   /* after ',': a key */
	ST_ARR_FIRST, /* after '[': a value or ']' */
	ST_ARR_VALUE, /* after ',': a value */
	ST_OBJ_VALUE, /* after a key and ':': a value */
	ST_OBJ_NEXT,  /* after a member: ',' or '}' */
	ST_ARR_NEXT,  /* after an element: ',' or ']' */
};

/* Longest number text we convert (RFC 8259 sets no limit; LwM2M values are short). */
#define NUM_MAX 400

void lwm2m_jsonr_init(struct lwm2m_jsonr *r, const char *buf, size_t len)
{
	r->buf = buf;
	r->len = len;
	r->pos = 0;
	r->depth = 0;
	r->done = false;
}

static void skip_ws(struct lwm2m_jsonr *r)
{
	while (r->pos < r->len) {
		char c = r->buf[r->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		r->pos++;
	}
}

static int bad(struct lwm2m_jsonr *r, const char *what, struct lwm2m_error *err)
{
	if (r->pos >= r->len)
		return lwm2m_error_set(err, -EBADMSG, r->pos, "JSON: %s, input ended", what);
	return lwm2m_error_set(err, -EBADMSG, r->pos, "JSON: %s, found '%c'", what,
			       (unsigned char)r->buf[r->pos] >= 0x20 &&
					       (unsigned char)r->buf[r->pos] < 0x7f
				       ? r->buf[r->pos]
				       : '?');
}

static int hex4(const char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v |= (c | 0x20) - 'a' + 10;
		else
			return -1;
	}
	return v;
}

static int string(struct lwm2m_jsonr *r, struct lwm2m_jsonr_token *t, struct lwm2m_error *err)
{
	size_t start = ++r->pos; /* past the opening quote */

	t->escaped = false;
	while (r->pos < r->len) {
		unsigned char c = (unsigned char)r->buf[r->pos];

		if (c == '"') {
			t->s = r->buf + start;
			t->len = r->pos - start;
			r->pos++;
			if (!lwm2m_utf8_valid((const uint8_t *)t->s, t->len))
				return lwm2m_error_set(err, -EBADMSG, start - 1,
						       "JSON: string is not UTF-8");
			return 0;
		}
		if (c < 0x20)
			return bad(r, "control character in a string", err);
		if (c == '\\') {
			t->escaped = true;
			if (r->pos + 1 >= r->len)
				break;
			c = (unsigned char)r->buf[++r->pos];
			if (c == 'u') {
				if (r->len - r->pos < 5 || hex4(r->buf + r->pos + 1) < 0)
					return bad(r, "\\u needs four hex digits", err);
				r->pos += 4;
			} else if (!strchr("\"\\/bfnrt", c)) {
				return bad(r, "unknown escape", err);
			}
		}
		r->pos++;
	}
	return lwm2m_error_set(err, -EBADMSG, start - 1, "JSON: unterminated string");
}

static int number(struct lwm2m_jsonr *r, struct lwm2m_jsonr_token *t, struct lwm2m_error *err)
{
	size_t start = r->pos, p = r->pos;
	bool neg = false, integral = true;
	uint64_t acc = 0;
	bool overflow = false;
	char tmp[NUM_MAX + 1];

	if (p < r->len && r->buf[p] == '-') {
		neg = true;
		p++;
	}
	if (p >= r->len || r->buf[p] < '0' || r->buf[p] > '9') {
		r->pos = p;
		return bad(r, "digit expected", err);
	}
	if (r->buf[p] == '0' && p + 1 < r->len && r->buf[p + 1] >= '0' && r->buf[p + 1] <= '9') {
		r->pos = p + 1;
		return bad(r, "leading zero in a number", err);
	}
	while (p < r->len && r->buf[p] >= '0' && r->buf[p] <= '9') {
		unsigned d = (unsigned)(r->buf[p++] - '0');

		if (acc > (UINT64_MAX - d) / 10)
			overflow = true;
		else
			acc = acc * 10 + d;
	}
	if (p < r->len && r->buf[p] == '.') {
		integral = false;
		if (++p >= r->len || r->buf[p] < '0' || r->buf[p] > '9') {
			r->pos = p;
			return bad(r, "digit expected after '.'", err);
		}
		while (p < r->len && r->buf[p] >= '0' && r->buf[p] <= '9')
			p++;
	}
	if (p < r->len && (r->buf[p] == 'e' || r->buf[p] == 'E')) {
		integral = false;
		p++;
		if (p < r->len && (r->buf[p] == '+' || r->buf[p] == '-'))
			p++;
		if (p >= r->len || r->buf[p] < '0' || r->buf[p] > '9') {
			r->pos = p;
			return bad(r, "digit expected in the exponent", err);
		}
		while (p < r->len && r->buf[p] >= '0' && r->buf[p] <= '9')
			p++;
	}
	r->pos = p;
	t->is_int = false;
	t->is_uint = false;
	if (integral && !overflow) {
		if (!neg && acc <= INT64_MAX) {
			t->is_int = true;
			t->i = (int64_t)acc;
		} else if (neg && acc <= (uint64_t)INT64_MAX + 1) {
			t->is_int = true;
			t->i = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
		} else if (!neg) {
			t->is_uint = true;
			t->u = acc;
		}
	}
	if (t->is_int) {
		t->f = (double)t->i;
		return 0;
	}
	if (t->is_uint) {
		t->f = (double)t->u;
		return 0;
	}
	if (p - start > NUM_MAX)
		return lwm2m_error_set(err, -EBADMSG, start,
				       "JSON: number longer than %d characters", NUM_MAX);
	memcpy(tmp, r->buf + start, p - start);
	tmp[p - start] = '\0';
	t->f = strtod(tmp, NULL);
	return 0;
}

static int literal(struct lwm2m_jsonr *r, const char *word, struct lwm2m_error *err)
{
	size_t n = strlen(word);

	if (r->len - r->pos < n || memcmp(r->buf + r->pos, word, n) != 0)
		return bad(r, "value expected", err);
	r->pos += n;
	return 0;
}

/* A value starts at r->pos. */
static int value(struct lwm2m_jsonr *r, struct lwm2m_jsonr_token *t, struct lwm2m_error *err)
{
	char c;

	if (r->pos >= r->len)
		return bad(r, "value expected", err);
	c = r->buf[r->pos];
	switch (c) {
	case '{':
	case '[':
		if (r->depth == LWM2M_JSONR_MAX_DEPTH)
			return bad(r, "nested too deeply", err);
		r->pos++;
		r->state[r->depth++] = c == '{' ? ST_OBJ_FIRST : ST_ARR_FIRST;
		t->kind = c == '{' ? LWM2M_JSONR_OBJECT : LWM2M_JSONR_ARRAY;
		return 0;
	case '"':
		t->kind = LWM2M_JSONR_STRING;
		return string(r, t, err);
	case 't':
		t->kind = LWM2M_JSONR_TRUE;
		return literal(r, "true", err);
	case 'f':
		t->kind = LWM2M_JSONR_FALSE;
		return literal(r, "false", err);
	case 'n':
		t->kind = LWM2M_JSONR_NULL;
		return literal(r, "null", err);
	default:
		if (c == '-' || (c >= '0' && c <= '9')) {
			t->kind = LWM2M_JSONR_NUMBER;
			return number(r, t, err);
		}
		return bad(r, "value expected", err);
	}
}

/* After a complete value: the container now expects a separator. */
static void after_value(struct lwm2m_jsonr *r, const struct lwm2m_jsonr_token *t)
{
	if (t->kind == LWM2M_JSONR_OBJECT || t->kind == LWM2M_JSONR_ARRAY)
		return; /* not complete yet */
	if (r->depth == 0)
		r->done = true;
	else
		r->state[r->depth - 1] =
			r->state[r->depth - 1] == ST_OBJ_VALUE ? ST_OBJ_NEXT : ST_ARR_NEXT;
}

static int close_container(struct lwm2m_jsonr *r, struct lwm2m_jsonr_token *t, bool obj)
{
	r->pos++;
	r->depth--;
	t->kind = obj ? LWM2M_JSONR_OBJECT_END : LWM2M_JSONR_ARRAY_END;
	/* the parent moved on to "separator next" when this container opened */
	if (r->depth == 0)
		r->done = true;
	return 0;
}

int lwm2m_jsonr_next(struct lwm2m_jsonr *r, struct lwm2m_jsonr_token *t, struct lwm2m_error *err)
{
	int rc;

	skip_ws(r);
	t->offset = r->pos;
	if (r->done) {
		if (r->pos < r->len)
			return bad(r, "end of input expected", err);
		t->kind = LWM2M_JSONR_END;
		return 0;
	}
	if (r->depth == 0) {
		rc = value(r, t, err);
		if (rc == 0)
			after_value(r, t);
		return rc;
	}
	for (;;) {
		uint8_t *st = &r->state[r->depth - 1];
		char c = r->pos < r->len ? r->buf[r->pos] : '\0';

		t->offset = r->pos;
		switch (*st) {
		case ST_OBJ_NEXT:
			if (c == '}')
				return close_container(r, t, true);
			if (c != ',')
				return bad(r, "',' or '}' expected", err);
			r->pos++;
			*st = ST_OBJ_KEY;
			skip_ws(r);
			continue;
		case ST_ARR_NEXT:
			if (c == ']')
				return close_container(r, t, false);
			if (c != ',')
				return bad(r, "',' or ']' expected", err);
			r->pos++;
			*st = ST_ARR_VALUE;
			skip_ws(r);
			continue;
		case ST_OBJ_FIRST:
			if (c == '}')
				return close_container(r, t, true);
			/* fall through */
		case ST_OBJ_KEY:
			if (c != '"')
				return bad(r, "member name expected", err);
			t->kind = LWM2M_JSONR_KEY;
			rc = string(r, t, err);
			if (rc < 0)
				return rc;
			skip_ws(r);
			if (r->pos >= r->len || r->buf[r->pos] != ':')
				return bad(r, "':' expected", err);
			r->pos++;
			*st = ST_OBJ_VALUE;
			return 0;
		case ST_ARR_FIRST:
			if (c == ']')
				return close_container(r, t, false);
			*st = ST_ARR_VALUE;
			/* fall through */
		case ST_ARR_VALUE:
		case ST_OBJ_VALUE:
			rc = value(r, t, err);
			if (rc == 0) {
				/* the new container's state is on top; mark the parent */
				if (t->kind == LWM2M_JSONR_OBJECT || t->kind == LWM2M_JSONR_ARRAY) {
					uint8_t *parent = &r->state[r->depth - 2];

					*parent =
						*parent == ST_OBJ_VALUE ? ST_OBJ_NEXT : ST_ARR_NEXT;
				} else {
					after_value(r, t);
				}
			}
			return rc;
		}
		return bad(r, "internal state", err);
	}
}

int lwm2m_jsonr_skip(struct lwm2m_jsonr *r, const struct lwm2m_jsonr_token *t,
		     struct lwm2m_error *err)
{
	unsigned depth;
	struct lwm2m_jsonr_token sub;

	if (t->kind != LWM2M_JSONR_OBJECT && t->kind != LWM2M_JSONR_ARRAY)
		return 0;
	depth = r->depth - 1;
	while (r->depth > depth) {
		int rc = lwm2m_jsonr_next(r, &sub, err);

		if (rc < 0)
			return rc;
		if (sub.kind == LWM2M_JSONR_END)
			return bad(r, "unterminated container", err);
	}
	return 0;
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int lwm2m_jsonr_unescape(const struct lwm2m_jsonr_token *t, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < t->len; i++) {
		char c = t->s[i];
		uint32_t cp;

		if (c != '\\') {
			out[o++] = c;
			continue;
		}
		c = t->s[++i]; /* the reader checked every escape is complete */
		switch (c) {
		case 'b':
			out[o++] = '\b';
			break;
		case 'f':
			out[o++] = '\f';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'u':
			cp = (uint32_t)hex4(t->s + i + 1);
			i += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return -EBADMSG;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				int lo;

				if (i + 6 >= t->len + 0 || t->s[i + 1] != '\\' ||
				    t->s[i + 2] != 'u')
					return -EBADMSG;
				lo = hex4(t->s + i + 3);
				if (lo < 0xdc00 || lo > 0xdfff)
					return -EBADMSG;
				cp = 0x10000 + ((cp - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
				i += 6;
			}
			o += put_utf8(out + o, cp);
			break;
		default: /* '"', '\\', '/' */
			out[o++] = c;
		}
	}
	return (int)o;
}

bool lwm2m_jsonr_key_is(const struct lwm2m_jsonr_token *t, const char *s)
{
	size_t n = strlen(s);

	return !t->escaped && t->len == n && memcmp(t->s, s, n) == 0;
}

int lwm2m_jsonr_text(const struct lwm2m_jsonr_token *t, struct lwm2m_doc *doc, const char **s,
		     size_t *n, struct lwm2m_error *err)
{
	char *p;
	int len;

	if (!t->escaped) {
		*s = t->s;
		*n = t->len;
		return 0;
	}
	p = lwm2m_doc_alloc(doc, t->len + 1);
	if (!p)
		return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory");
	len = lwm2m_jsonr_unescape(t, p);
	if (len < 0)
		return lwm2m_error_set(err, -EBADMSG, t->offset, "JSON: lone UTF-16 surrogate");
	*s = p;
	*n = (size_t)len;
	return 0;
}

int lwm2m_jsonr_expect(struct lwm2m_jsonr *r, enum lwm2m_jsonr_kind kind, const char *what,
		       struct lwm2m_error *err)
{
	struct lwm2m_jsonr_token t;
	int rc = lwm2m_jsonr_next(r, &t, err);

	if (rc < 0)
		return rc;
	if (t.kind != kind)
		return lwm2m_error_set(err, -EBADMSG, t.offset, "%s", what);
	return 0;
}
