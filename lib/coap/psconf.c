/*
 * Topic configuration maps (see psconf.h).  Decoding walks the input one
 * head at a time with libcbor's streaming decoder, which checks each head
 * and each definite string against the bytes left; this file checks what
 * the heads mean.  The map is flat, so no recursion is needed.
 */
#include "coap/psconf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cbor.h>

enum kind {
	K_NONE,
	K_UINT,
	K_NEG,
	K_BYTES,
	K_TEXT,
	K_ARRAY,
	K_MAP,
	K_BOOL,
	K_TAG,
	K_FLOAT,
	K_OTHER
};

struct head {
	enum kind kind;
	bool indefinite;
	uint64_t u;
	bool b;
	double f;
	const uint8_t *data;
	size_t len;
};

#define H(c) ((struct head *)(c))

static void on_u8(void *c, uint8_t v)
{
	H(c)->kind = K_UINT;
	H(c)->u = v;
}
static void on_u16(void *c, uint16_t v)
{
	H(c)->kind = K_UINT;
	H(c)->u = v;
}
static void on_u32(void *c, uint32_t v)
{
	H(c)->kind = K_UINT;
	H(c)->u = v;
}
static void on_u64(void *c, uint64_t v)
{
	H(c)->kind = K_UINT;
	H(c)->u = v;
}
static void on_n8(void *c, uint8_t v)
{
	(void)v;
	H(c)->kind = K_NEG;
}
static void on_n16(void *c, uint16_t v)
{
	(void)v;
	H(c)->kind = K_NEG;
}
static void on_n32(void *c, uint32_t v)
{
	(void)v;
	H(c)->kind = K_NEG;
}
static void on_n64(void *c, uint64_t v)
{
	(void)v;
	H(c)->kind = K_NEG;
}
static void on_bytes(void *c, cbor_data d, size_t n)
{
	H(c)->kind = K_BYTES;
	H(c)->data = d;
	H(c)->len = n;
}
static void on_text(void *c, cbor_data d, size_t n)
{
	H(c)->kind = K_TEXT;
	H(c)->data = d;
	H(c)->len = n;
}
static void on_array(void *c, size_t n)
{
	H(c)->kind = K_ARRAY;
	H(c)->u = n;
}
static void on_indef_array(void *c)
{
	H(c)->kind = K_ARRAY;
	H(c)->indefinite = true;
}
static void on_map(void *c, size_t n)
{
	H(c)->kind = K_MAP;
	H(c)->u = n;
}
static void on_indef_map(void *c)
{
	H(c)->kind = K_MAP;
	H(c)->indefinite = true;
}
static void on_bool(void *c, bool b)
{
	H(c)->kind = K_BOOL;
	H(c)->b = b;
}
static void on_other(void *c)
{
	H(c)->kind = K_OTHER;
}
static void on_tag(void *c, uint64_t v)
{
	H(c)->kind = K_TAG;
	H(c)->u = v;
}
static void on_float(void *c, float f)
{
	H(c)->kind = K_FLOAT;
	H(c)->f = f;
}
static void on_double(void *c, double f)
{
	H(c)->kind = K_FLOAT;
	H(c)->f = f;
}

static const struct cbor_callbacks callbacks = {
	.uint8 = on_u8,
	.uint16 = on_u16,
	.uint32 = on_u32,
	.uint64 = on_u64,
	.negint8 = on_n8,
	.negint16 = on_n16,
	.negint32 = on_n32,
	.negint64 = on_n64,
	.byte_string = on_bytes,
	.byte_string_start = on_other,
	.string = on_text,
	.string_start = on_other,
	.array_start = on_array,
	.indef_array_start = on_indef_array,
	.map_start = on_map,
	.indef_map_start = on_indef_map,
	.tag = on_tag,
	.float2 = on_float,
	.float4 = on_float,
	.float8 = on_double,
	.undefined = on_other,
	.null = on_other,
	.boolean = on_bool,
	.indef_break = on_other,
};

struct reader {
	const uint8_t *buf;
	size_t len, pos;
	const char *why;
	size_t where;
};

static int fail(struct reader *r, int rc, const char *why)
{
	r->why = why;
	r->where = r->pos;
	return rc;
}

/* The next head; a break (0xff) of an indefinite container is reported as K_NONE. */
static int next(struct reader *r, struct head *h)
{
	struct cbor_decoder_result res;

	memset(h, 0, sizeof(*h));
	if (r->pos >= r->len)
		return fail(r, -EBADMSG, "the map ends early");
	if (r->buf[r->pos] == 0xff) {
		r->pos++;
		h->kind = K_NONE;
		return 0;
	}
	res = cbor_stream_decode(r->buf + r->pos, r->len - r->pos, &callbacks, h);
	if (res.status != CBOR_DECODER_FINISHED || res.read == 0)
		return fail(r, -EBADMSG, "malformed CBOR");
	r->pos += res.read;
	return 0;
}

static const char *const names[PSCONF_KEY_COUNT] = {
	"topic-name", "topic-data",      "resource-type",   "topic-content-format",
	"topic-type", "expiration-date", "max-subscribers", "observer-check",
	"initialize", "conf-filter",
};

const char *psconf_key_name(unsigned k)
{
	return k < PSCONF_KEY_COUNT ? names[k] : NULL;
}

static int copy_text(struct reader *r, const struct head *h, char *dst)
{
	if (h->kind != K_TEXT)
		return fail(r, -EINVAL, "a text string was expected");
	if (h->len > PSCONF_TEXT_MAX)
		return fail(r, -EMSGSIZE, "text longer than 255 bytes");
	for (size_t i = 0; i < h->len; i++)
		if (h->data[i] < 0x20 || h->data[i] == 0x7f)
			return fail(r, -EINVAL, "text with a control character");
	memcpy(dst, h->data, h->len);
	dst[h->len] = '\0';
	return 0;
}

static int uint_in(struct reader *r, const struct head *h, uint64_t min, uint64_t max,
		   uint64_t *out)
{
	if (h->kind != K_UINT)
		return fail(r, -EINVAL, "an unsigned integer was expected");
	if (h->u < min || h->u > max)
		return fail(r, -EINVAL, "number out of range");
	*out = h->u;
	return 0;
}

/* One conf-filter element: a key number or a parameter name. */
static int filter_item(struct reader *r, const struct head *h, uint32_t *filter)
{
	if (h->kind == K_UINT) {
		if (h->u >= PSCONF_CONF_FILTER)
			return fail(r, -ENOENT, "conf-filter names an unknown parameter");
		*filter |= PSCONF_BIT(h->u);
		return 0;
	}
	if (h->kind != K_TEXT)
		return fail(r, -EINVAL, "conf-filter holds keys or names");
	for (unsigned k = 0; k < PSCONF_CONF_FILTER; k++) {
		if (strlen(names[k]) == h->len && memcmp(names[k], h->data, h->len) == 0) {
			*filter |= PSCONF_BIT(k);
			return 0;
		}
	}
	/* the draft's own FETCH example asks for "media-type" */
	if (h->len == 10 && memcmp(h->data, "media-type", 10) == 0) {
		*filter |= PSCONF_BIT(PSCONF_CONTENT_FORMAT);
		return 0;
	}
	return fail(r, -ENOENT, "conf-filter names an unknown parameter");
}

static int conf_filter(struct reader *r, const struct head *h, uint32_t *filter)
{
	struct head e;
	int rc;

	if (h->kind != K_ARRAY)
		return fail(r, -EINVAL, "conf-filter must be an array");
	for (uint64_t i = 0; h->indefinite || i < h->u; i++) {
		if ((rc = next(r, &e)) < 0)
			return rc;
		if (e.kind == K_NONE && h->indefinite)
			return 0;
		if ((rc = filter_item(r, &e, filter)) < 0)
			return rc;
	}
	return 0;
}

/* expiration-date: 1(seconds) as -19 has it, or RFC 3339 text as -18 had it. */
static int expiration(struct reader *r, const struct head *h, struct psconf *c)
{
	struct head e;
	struct tm tm;
	time_t t;
	int rc;

	if (h->kind == K_TEXT) {
		if ((rc = copy_text(r, h, c->expiration_date)) < 0)
			return rc;
		if (psconf_parse_date(c->expiration_date, &c->expires) < 0)
			return fail(r, -EINVAL, "expiration-date is not an RFC 3339 date-time");
		if (c->expires < 0) /* tag 1 carries it from here on, as whole seconds since 1970 */
			return fail(r, -EINVAL, "expiration-date before 1970");
		return 0;
	}
	if (h->kind != K_TAG || h->u != 1)
		return fail(r, -EINVAL, "expiration-date must be an epoch-based date/time (tag 1)");
	if ((rc = next(r, &e)) < 0)
		return rc;
	/*
	 * Seconds since 1970 up to the year 9999, which RFC 3339 text can still
	 * show.  Tag 1 may carry a float (RFC 8949 §3.4.2): a fraction counts as
	 * the next whole second, so that a topic never expires early.
	 */
	if (e.kind == K_FLOAT && e.f >= 0 && e.f <= 253402300799.0) {
		e.u = (uint64_t)e.f;
		if ((double)e.u < e.f)
			e.u++;
		e.kind = K_UINT;
	}
	if (e.kind != K_UINT || e.u > 253402300799ull)
		return fail(r, -EINVAL, "expiration-date must be seconds since 1970");
	c->expires = (int64_t)e.u;
	t = (time_t)e.u;
	if (!gmtime_r(&t, &tm) || strftime(c->expiration_date, sizeof(c->expiration_date),
					   "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return fail(r, -EINVAL, "expiration-date out of range");
	return 0;
}

static int value(struct reader *r, unsigned key, const struct head *h, struct psconf *c)
{
	uint64_t u;
	int rc = 0;

	switch (key) {
	case PSCONF_TOPIC_NAME:
		rc = copy_text(r, h, c->topic_name);
		if (rc == 0 && !c->topic_name[0])
			rc = fail(r, -EINVAL, "an empty topic-name");
		return rc;
	case PSCONF_TOPIC_DATA:
		return copy_text(r, h, c->topic_data);
	case PSCONF_RESOURCE_TYPE:
		return copy_text(r, h, c->resource_type);
	case PSCONF_TOPIC_TYPE:
		return copy_text(r, h, c->topic_type);
	case PSCONF_EXPIRATION_DATE:
		return expiration(r, h, c);
	case PSCONF_CONTENT_FORMAT:
		rc = uint_in(r, h, 0, UINT16_MAX, &u);
		c->content_format = (uint16_t)u;
		return rc;
	case PSCONF_MAX_SUBSCRIBERS:
		rc = uint_in(r, h, 0, UINT32_MAX, &u);
		c->max_subscribers = (uint32_t)u;
		return rc;
	case PSCONF_OBSERVER_CHECK:
		rc = uint_in(r, h, 1, UINT32_MAX, &u);
		c->observer_check = (uint32_t)u;
		return rc;
	case PSCONF_INITIALIZE:
		if (h->kind == K_BYTES) { /* bounded by PSCONF_MAX_LEN; the broker has its limit */
			c->initialize = true;
			c->initial = h->data;
			c->initial_len = h->len;
			return 0;
		}
		c->initialize = h->b; /* a bool: the -18 form (see key_of()) */
		return 0;
	default:
		return conf_filter(r, h, &c->filter);
	}
}

/*
 * The parameter that key @k with value @v means.  -19 numbers them 0-9
 * (initialize 8, a byte string; conf-filter 9).  -17 and -18 had
 * topic-history at 8, initialize at 9 as a bool and conf-filter at 10: the
 * value's type tells the two numberings apart, so both are read, except
 * topic-history, which -19 dropped and this codec does not keep.  A bool at
 * 8 is the form rdd itself wrote before it followed -19.
 */
static int key_of(struct reader *r, uint64_t k, const struct head *v, unsigned *out)
{
	*out = (unsigned)k;
	if (k == PSCONF_INITIALIZE) {
		if (v->kind == K_UINT)
			return fail(r, -EINVAL,
				    "topic-history (key 8 before -19) is not supported");
		if (v->kind != K_BYTES && v->kind != K_BOOL)
			return fail(r, -EINVAL, "initialize must be a byte string");
	} else if (k == PSCONF_CONF_FILTER) {
		if (v->kind == K_BOOL)
			*out = PSCONF_INITIALIZE;
		else if (v->kind != K_ARRAY)
			return fail(r, -EINVAL, "conf-filter must be an array");
	} else if (k == PSCONF_KEY_COUNT) {
		*out = PSCONF_CONF_FILTER;
		if (v->kind != K_ARRAY)
			return fail(r, -EINVAL, "conf-filter must be an array");
	}
	return 0;
}

int psconf_parse(const uint8_t *buf, size_t len, struct psconf *out, const char **why,
		 size_t *where)
{
	struct reader r = { .buf = buf, .len = len };
	struct head map, k, v;
	unsigned key;
	size_t kat;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (len > PSCONF_MAX_LEN) {
		rc = fail(&r, -EMSGSIZE, "configuration longer than 2048 bytes");
		goto out;
	}
	if ((rc = next(&r, &map)) < 0)
		goto out;
	if (map.kind != K_MAP) {
		rc = fail(&r, -EBADMSG, "the payload is not a CBOR map");
		goto out;
	}
	for (uint64_t i = 0; map.indefinite || i < map.u; i++) {
		size_t at = r.pos;

		if ((rc = next(&r, &k)) < 0)
			goto out;
		if (k.kind == K_NONE && map.indefinite)
			break;
		if (k.kind != K_UINT || k.u > PSCONF_KEY_COUNT) {
			r.pos = at;
			rc = fail(&r,
				  k.kind == K_UINT || k.kind == K_NEG || k.kind == K_TEXT ? -ENOENT
											  : -EINVAL,
				  "unknown parameter");
			goto out;
		}
		kat = at;
		at = r.pos;
		if ((rc = next(&r, &v)) < 0)
			goto out;
		if (v.kind == K_NONE) {
			r.pos = at;
			rc = fail(&r, -EBADMSG, "a key without a value");
			goto out;
		}
		if ((rc = key_of(&r, k.u, &v, &key)) < 0) {
			r.where = at;
			goto out;
		}
		if (out->present & PSCONF_BIT(key)) {
			r.pos = kat;
			rc = fail(&r, -EEXIST, "a parameter given twice");
			goto out;
		}
		if ((rc = value(&r, key, &v, out)) < 0) {
			if (key != PSCONF_CONF_FILTER)
				r.where = at; /* where the bad value starts */
			goto out;
		}
		out->present |= PSCONF_BIT(key);
	}
	if (r.pos != len)
		rc = fail(&r, -EBADMSG, "bytes after the map");
out:
	if (rc < 0) {
		if (why)
			*why = r.why;
		if (where)
			*where = r.where;
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

struct writer {
	uint8_t *buf;
	size_t size, pos;
	bool overflow;
};

static void put(struct writer *w, size_t n)
{
	if (n == 0)
		w->overflow = true; /* libcbor returns 0 when the item does not fit */
	else
		w->pos += n;
}

static void put_uint(struct writer *w, uint64_t v)
{
	if (!w->overflow)
		put(w, cbor_encode_uint(v, w->buf + w->pos, w->size - w->pos));
}

/* A string of @n bytes at @s after its head (text or byte string). */
static void put_string(struct writer *w, size_t head, const void *s, size_t n)
{
	put(w, head);
	if (w->overflow || w->size - w->pos < n) {
		w->overflow = true;
		return;
	}
	if (n)
		memcpy(w->buf + w->pos, s, n);
	w->pos += n;
}

static void put_text(struct writer *w, const char *s)
{
	size_t n = strlen(s);

	if (!w->overflow)
		put_string(w, cbor_encode_string_start(n, w->buf + w->pos, w->size - w->pos), s, n);
}

static void put_bytes(struct writer *w, const uint8_t *b, size_t n)
{
	if (!w->overflow)
		put_string(w, cbor_encode_bytestring_start(n, w->buf + w->pos, w->size - w->pos), b,
			   n);
}

long psconf_encode(const struct psconf *c, uint32_t mask, uint8_t *buf, size_t size)
{
	struct writer w = { .buf = buf, .size = size };
	uint32_t keys = c->present & mask & PSCONF_ALL;
	size_t n = 0;

	if (!c->initial) /* -19 has no bool form: an initialize without a value is not sent */
		keys &= ~PSCONF_BIT(PSCONF_INITIALIZE);

	for (unsigned k = 0; k < PSCONF_CONF_FILTER; k++)
		n += (keys >> k) & 1;
	put(&w, size ? cbor_encode_map_start(n, buf, size) : 0);
	for (unsigned k = 0; k < PSCONF_CONF_FILTER && !w.overflow; k++) {
		if (!(keys & PSCONF_BIT(k)))
			continue;
		put_uint(&w, k);
		switch (k) {
		case PSCONF_TOPIC_NAME:
			put_text(&w, c->topic_name);
			break;
		case PSCONF_TOPIC_DATA:
			put_text(&w, c->topic_data);
			break;
		case PSCONF_RESOURCE_TYPE:
			put_text(&w, c->resource_type);
			break;
		case PSCONF_CONTENT_FORMAT:
			put_uint(&w, c->content_format);
			break;
		case PSCONF_TOPIC_TYPE:
			put_text(&w, c->topic_type);
			break;
		case PSCONF_EXPIRATION_DATE:
			if (!w.overflow)
				put(&w, cbor_encode_tag(1, w.buf + w.pos, w.size - w.pos));
			put_uint(&w, (uint64_t)(c->expires > 0 ? c->expires : 0));
			break;
		case PSCONF_MAX_SUBSCRIBERS:
			put_uint(&w, c->max_subscribers);
			break;
		case PSCONF_OBSERVER_CHECK:
			put_uint(&w, c->observer_check);
			break;
		case PSCONF_INITIALIZE:
			put_bytes(&w, c->initial, c->initial_len);
			break;
		}
	}
	return w.overflow ? -EMSGSIZE : (long)w.pos;
}

bool psconf_match(const struct psconf *f, const struct psconf *t)
{
	uint32_t want = f->present & PSCONF_ALL;

	if ((t->present & want) != want)
		return false;
	if ((want & PSCONF_BIT(PSCONF_TOPIC_NAME)) && strcmp(f->topic_name, t->topic_name) != 0)
		return false;
	if ((want & PSCONF_BIT(PSCONF_TOPIC_DATA)) && strcmp(f->topic_data, t->topic_data) != 0)
		return false;
	if ((want & PSCONF_BIT(PSCONF_RESOURCE_TYPE)) &&
	    strcmp(f->resource_type, t->resource_type) != 0)
		return false;
	if ((want & PSCONF_BIT(PSCONF_TOPIC_TYPE)) && strcmp(f->topic_type, t->topic_type) != 0)
		return false;
	if ((want & PSCONF_BIT(PSCONF_EXPIRATION_DATE)) && f->expires != t->expires)
		return false;
	if ((want & PSCONF_BIT(PSCONF_CONTENT_FORMAT)) && f->content_format != t->content_format)
		return false;
	if ((want & PSCONF_BIT(PSCONF_MAX_SUBSCRIBERS)) && f->max_subscribers != t->max_subscribers)
		return false;
	if ((want & PSCONF_BIT(PSCONF_OBSERVER_CHECK)) && f->observer_check != t->observer_check)
		return false;
	if ((want & PSCONF_BIT(PSCONF_INITIALIZE)) && f->initialize != t->initialize)
		return false;
	return true;
}

static void take(struct psconf *out, const struct psconf *in, unsigned k)
{
	switch (k) {
	case PSCONF_CONTENT_FORMAT:
		out->content_format = in->content_format;
		break;
	case PSCONF_TOPIC_TYPE:
		memcpy(out->topic_type, in->topic_type, sizeof(out->topic_type));
		break;
	case PSCONF_EXPIRATION_DATE:
		memcpy(out->expiration_date, in->expiration_date, sizeof(out->expiration_date));
		out->expires = in->expires;
		break;
	case PSCONF_MAX_SUBSCRIBERS:
		out->max_subscribers = in->max_subscribers;
		break;
	case PSCONF_OBSERVER_CHECK:
		out->observer_check = in->observer_check;
		break;
	case PSCONF_INITIALIZE:
		out->initialize = in->initialize;
		break;
	}
}

int psconf_merge(const struct psconf *cur, const struct psconf *in, bool replace,
		 struct psconf *out, const char **why)
{
	static const uint32_t fixed = PSCONF_BIT(PSCONF_TOPIC_NAME) |
				      PSCONF_BIT(PSCONF_TOPIC_DATA) |
				      PSCONF_BIT(PSCONF_RESOURCE_TYPE);

	if (in->present & PSCONF_BIT(PSCONF_CONF_FILTER)) {
		*why = "conf-filter is for FETCH";
		return -EINVAL;
	}
	if (in->present & PSCONF_BIT(PSCONF_INITIALIZE)) {
		*why = "initialize is for creating a topic";
		return -EINVAL;
	}
	if (((in->present & PSCONF_BIT(PSCONF_TOPIC_NAME)) &&
	     strcmp(in->topic_name, cur->topic_name) != 0) ||
	    ((in->present & PSCONF_BIT(PSCONF_TOPIC_DATA)) &&
	     strcmp(in->topic_data, cur->topic_data) != 0) ||
	    ((in->present & PSCONF_BIT(PSCONF_RESOURCE_TYPE)) &&
	     strcmp(in->resource_type, cur->resource_type) != 0)) {
		*why = "topic-name, topic-data and resource-type cannot change";
		return -EPERM;
	}
	*out = *cur;
	out->filter = 0;
	/* PUT: the optional parameters are those given, iPATCH: those given are added */
	out->present = (cur->present & fixed) | ((replace ? 0 : cur->present) & ~fixed) |
		       (in->present & ~fixed);
	for (unsigned k = 0; k < PSCONF_CONF_FILTER; k++)
		if (in->present & ~fixed & PSCONF_BIT(k))
			take(out, in, k);
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, int n, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

int psconf_parse_date(const char *s, int64_t *out)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, mo, d, h, mi, sec, oh = 0, om = 0;
	const char *p = s + 19;
	int64_t t;
	int sign = 0;

	if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' ||
	    !digits(s + 17, 2, &sec))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -EINVAL;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -EINVAL;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return -EINVAL;
		p += 6;
	} else {
		return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (sec == 60 ? 59 : sec);
	*out = t - sign * (int64_t)(oh * 3600 + om * 60);
	return 0;
}
