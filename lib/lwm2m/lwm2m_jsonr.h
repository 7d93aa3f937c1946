#ifndef LWM2M_JSONR_H
#define LWM2M_JSONR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_error.h"

struct lwm2m_doc;

/*
 * A pull reader for JSON (RFC 8259) used by the SenML JSON and LwM2M JSON
 * decoders on the hot path: one token per call, no allocation, strings
 * pointing into the input (lwm2m_jsonr_text copies only escaped ones, into
 * the decoder's document), exact byte offsets in errors.  jansson builds a
 * whole tree with an allocation per member, which kept SenML JSON decoding
 * at half the speed the gateway needs; jansson still parses the JSON that
 * people write (lwm2m_render).  The reader checks the whole grammar:
 * nesting, commas, colons, string escapes, UTF-8 and number syntax.
 */

#define LWM2M_JSONR_MAX_DEPTH 32

enum lwm2m_jsonr_kind {
	LWM2M_JSONR_OBJECT,     /* '{' */
	LWM2M_JSONR_OBJECT_END, /* '}' */
	LWM2M_JSONR_ARRAY,      /* '[' */
	LWM2M_JSONR_ARRAY_END,  /* ']' */
	LWM2M_JSONR_KEY,        /* a member name (s, len, escaped); its ':' is consumed */
	LWM2M_JSONR_STRING,     /* s, len, escaped */
	LWM2M_JSONR_NUMBER,     /* see is_int / is_uint / f */
	LWM2M_JSONR_TRUE,
	LWM2M_JSONR_FALSE,
	LWM2M_JSONR_NULL,
	LWM2M_JSONR_END, /* the input is complete */
};

struct lwm2m_jsonr_token {
	enum lwm2m_jsonr_kind kind;
	const char *s; /* KEY, STRING: raw text between the quotes */
	size_t len;
	bool escaped; /* the raw text holds '\' escapes: use lwm2m_jsonr_unescape */
	bool is_int;  /* NUMBER fits int64_t: i */
	bool is_uint; /* NUMBER is an integer above INT64_MAX that fits uint64_t: u */
	int64_t i;
	uint64_t u;
	double f; /* NUMBER, always set */
	size_t offset;
};

struct lwm2m_jsonr {
	const char *buf;
	size_t len;
	size_t pos;
	unsigned depth;
	bool done; /* the top-level value is complete */
	uint8_t state[LWM2M_JSONR_MAX_DEPTH];
};

/* lwm2m_jsonr_init - read @buf[0..len) from the start. */
void lwm2m_jsonr_init(struct lwm2m_jsonr *r, const char *buf, size_t len);

/*
 * lwm2m_jsonr_next - the next token.
 * Returns 0, or -EBADMSG (@err: offset and what was expected).
 */
int lwm2m_jsonr_next(struct lwm2m_jsonr *r, struct lwm2m_jsonr_token *t, struct lwm2m_error *err);

/*
 * lwm2m_jsonr_expect - the next token, which must be of @kind (the start
 * of a document, say).  Returns 0, or -EBADMSG: a JSON error, or @what
 * (the caller's wording) at the offset of a token of another kind.
 */
int lwm2m_jsonr_expect(struct lwm2m_jsonr *r, enum lwm2m_jsonr_kind kind, const char *what,
		       struct lwm2m_error *err);

/*
 * lwm2m_jsonr_skip - skip the rest of the value whose first token @t was
 * just read (nothing for a scalar, the whole object or array otherwise).
 * Returns 0 or -EBADMSG.
 */
int lwm2m_jsonr_skip(struct lwm2m_jsonr *r, const struct lwm2m_jsonr_token *t,
		     struct lwm2m_error *err);

/*
 * lwm2m_jsonr_unescape - decode the escapes of a KEY or STRING token into
 * @out (at least t->len bytes: text only shrinks), \u escapes as UTF-8
 * (surrogate pairs joined).  Returns the length, or -EBADMSG for a lone
 * surrogate.
 */
int lwm2m_jsonr_unescape(const struct lwm2m_jsonr_token *t, char *out);

/*
 * lwm2m_jsonr_text - the text of STRING token @t for a decoder that builds
 * @doc: the input itself when @t holds no escapes (no copy, the common
 * case), else @t unescaped into storage of @doc (lwm2m_doc_alloc), so that
 * either way it lives as long as the input and the document.
 * @s, @n: set to the text and its length (not NUL-terminated).
 * Returns 0, -ENOMEM, or -EBADMSG for a lone UTF-16 surrogate (@err at the
 * token's offset).
 */
int lwm2m_jsonr_text(const struct lwm2m_jsonr_token *t, struct lwm2m_doc *doc, const char **s,
		     size_t *n, struct lwm2m_error *err);

/* lwm2m_jsonr_key_is - true if KEY/STRING @t (unescaped) equals @s. */
bool lwm2m_jsonr_key_is(const struct lwm2m_jsonr_token *t, const char *s);

#endif
