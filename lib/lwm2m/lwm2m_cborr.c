#include "lwm2m/lwm2m_cborr.h"

#include <errno.h>
#include <string.h>

#include <cbor.h>

#define MAX_DEPTH 16

static struct lwm2m_cborr_item *I(void *ctx)
{
	return ctx;
}

static void on_uint8(void *c, uint8_t v)
{
	I(c)->kind = LWM2M_CBORR_UINT;
	I(c)->u = v;
}
static void on_uint16(void *c, uint16_t v)
{
	I(c)->kind = LWM2M_CBORR_UINT;
	I(c)->u = v;
}
static void on_uint32(void *c, uint32_t v)
{
	I(c)->kind = LWM2M_CBORR_UINT;
	I(c)->u = v;
}
static void on_uint64(void *c, uint64_t v)
{
	I(c)->kind = LWM2M_CBORR_UINT;
	I(c)->u = v;
}
static void on_neg8(void *c, uint8_t v)
{
	I(c)->kind = LWM2M_CBORR_NEGINT;
	I(c)->u = v;
}
static void on_neg16(void *c, uint16_t v)
{
	I(c)->kind = LWM2M_CBORR_NEGINT;
	I(c)->u = v;
}
static void on_neg32(void *c, uint32_t v)
{
	I(c)->kind = LWM2M_CBORR_NEGINT;
	I(c)->u = v;
}
static void on_neg64(void *c, uint64_t v)
{
	I(c)->kind = LWM2M_CBORR_NEGINT;
	I(c)->u = v;
}
static void on_bytes(void *c, cbor_data d, size_t n)
{
	I(c)->kind = LWM2M_CBORR_BYTES;
	I(c)->data = d;
	I(c)->len = n;
}
static void on_text(void *c, cbor_data d, size_t n)
{
	I(c)->kind = LWM2M_CBORR_TEXT;
	I(c)->data = d;
	I(c)->len = n;
}
static void on_indef_string(void *c)
{
	I(c)->kind = LWM2M_CBORR_INDEF_STRING;
}
static void on_array(void *c, size_t n)
{
	I(c)->kind = LWM2M_CBORR_ARRAY;
	I(c)->u = n;
}
static void on_indef_array(void *c)
{
	I(c)->kind = LWM2M_CBORR_ARRAY;
	I(c)->indefinite = true;
}
static void on_map(void *c, size_t n)
{
	I(c)->kind = LWM2M_CBORR_MAP;
	I(c)->u = n;
}
static void on_indef_map(void *c)
{
	I(c)->kind = LWM2M_CBORR_MAP;
	I(c)->indefinite = true;
}
static void on_tag(void *c, uint64_t v)
{
	I(c)->kind = LWM2M_CBORR_TAG;
	I(c)->u = v;
}
static void on_float(void *c, float f)
{
	I(c)->kind = LWM2M_CBORR_FLOAT;
	I(c)->f = f;
}
static void on_double(void *c, double f)
{
	I(c)->kind = LWM2M_CBORR_FLOAT;
	I(c)->f = f;
}
static void on_null(void *c)
{
	I(c)->kind = LWM2M_CBORR_NULL;
}
static void on_undef(void *c)
{
	I(c)->kind = LWM2M_CBORR_UNDEF;
}
static void on_bool(void *c, bool b)
{
	I(c)->kind = LWM2M_CBORR_BOOL;
	I(c)->b = b;
}
static void on_break(void *c)
{
	I(c)->kind = LWM2M_CBORR_BREAK;
}

static const struct cbor_callbacks callbacks = {
	.uint8 = on_uint8,
	.uint16 = on_uint16,
	.uint32 = on_uint32,
	.uint64 = on_uint64,
	.negint8 = on_neg8,
	.negint16 = on_neg16,
	.negint32 = on_neg32,
	.negint64 = on_neg64,
	.byte_string_start = on_indef_string,
	.byte_string = on_bytes,
	.string = on_text,
	.string_start = on_indef_string,
	.indef_array_start = on_indef_array,
	.array_start = on_array,
	.indef_map_start = on_indef_map,
	.map_start = on_map,
	.tag = on_tag,
	.float2 = on_float,
	.float4 = on_float,
	.float8 = on_double,
	.undefined = on_undef,
	.null = on_null,
	.boolean = on_bool,
	.indef_break = on_break,
};

void lwm2m_cborr_init(struct lwm2m_cborr *r, const uint8_t *buf, size_t len)
{
	r->buf = buf;
	r->len = len;
	r->pos = 0;
}

bool lwm2m_cborr_at_end(const struct lwm2m_cborr *r)
{
	return r->pos >= r->len;
}

/*
 * Items whose head is one byte (integers 0..23 and -1..-24, strings shorter
 * than 24 bytes, arrays and maps of fewer than 24 items, false/true/null)
 * are most of a SenML or LwM2M CBOR payload; decoding them here skips a call
 * into libcbor and a callback for each, which is a third of the decode time.
 * Everything else goes through cbor_stream_decode.
 */
static bool small_item(struct lwm2m_cborr *r, struct lwm2m_cborr_item *it)
{
	uint8_t b = r->buf[r->pos];
	uint8_t info = b & 0x1f;

	if (info >= 24) {
		switch (b) {
		case 0xf4:
		case 0xf5:
			it->kind = LWM2M_CBORR_BOOL;
			it->b = b == 0xf5;
			break;
		case 0xf6:
			it->kind = LWM2M_CBORR_NULL;
			break;
		default:
			return false;
		}
		r->pos++;
		return true;
	}
	switch (b >> 5) {
	case 0:
	case 1:
		it->kind = b >> 5 ? LWM2M_CBORR_NEGINT : LWM2M_CBORR_UINT;
		it->u = info;
		break;
	case 2:
	case 3:
		if (r->len - r->pos - 1 < info)
			return false; /* truncated: let libcbor report it */
		it->kind = b >> 5 == 2 ? LWM2M_CBORR_BYTES : LWM2M_CBORR_TEXT;
		it->data = r->buf + r->pos + 1;
		it->len = info;
		r->pos += info;
		break;
	case 4:
	case 5:
		it->kind = b >> 5 == 4 ? LWM2M_CBORR_ARRAY : LWM2M_CBORR_MAP;
		it->u = info;
		break;
	default:
		return false;
	}
	r->pos++;
	return true;
}

int lwm2m_cborr_next(struct lwm2m_cborr *r, struct lwm2m_cborr_item *it, struct lwm2m_error *err)
{
	struct cbor_decoder_result res;

	if (r->pos >= r->len)
		return lwm2m_error_set(err, -EBADMSG, r->pos, "CBOR item expected, payload ended");
	/* the callbacks set the fields their kind uses; callers read only those */
	it->kind = LWM2M_CBORR_UNDEF;
	it->indefinite = false;
	it->offset = r->pos;
	if (small_item(r, it))
		return 0;
	res = cbor_stream_decode(r->buf + r->pos, r->len - r->pos, &callbacks, it);
	/* libcbor's "required" is the whole item's size, not what is missing */
	if (res.status == CBOR_DECODER_NEDATA)
		return lwm2m_error_set(err, -EBADMSG, r->pos,
				       "CBOR item truncated: needs %zu bytes, %zu left",
				       res.required, r->len - r->pos);
	if (res.status != CBOR_DECODER_FINISHED || res.read == 0)
		return lwm2m_error_set(err, -EBADMSG, r->pos,
				       "malformed CBOR (initial byte 0x%02x)", r->buf[r->pos]);
	r->pos += res.read;
	return 0;
}

static int skip(struct lwm2m_cborr *r, const struct lwm2m_cborr_item *it, unsigned depth,
		struct lwm2m_error *err)
{
	struct lwm2m_cborr_item sub;
	uint64_t n;
	int rc;

	if (it->kind == LWM2M_CBORR_INDEF_STRING)
		return lwm2m_error_set(err, -EBADMSG, it->offset,
				       "indefinite-length strings are not supported");
	if (it->kind != LWM2M_CBORR_ARRAY && it->kind != LWM2M_CBORR_MAP &&
	    it->kind != LWM2M_CBORR_TAG)
		return 0;
	if (depth >= MAX_DEPTH)
		return lwm2m_error_set(err, -EBADMSG, it->offset, "CBOR nested more than %d levels",
				       MAX_DEPTH);
	if (it->kind == LWM2M_CBORR_TAG) {
		rc = lwm2m_cborr_next(r, &sub, err);
		return rc ? rc : skip(r, &sub, depth + 1, err);
	}
	/* a definite count can be anything; each element still needs a byte */
	n = it->indefinite ? 0 : it->kind == LWM2M_CBORR_MAP ? it->u * 2 : it->u;
	for (uint64_t k = 0; it->indefinite || k < n; k++) {
		rc = lwm2m_cborr_next(r, &sub, err);
		if (rc < 0)
			return rc;
		if (sub.kind == LWM2M_CBORR_BREAK) {
			if (it->indefinite)
				return 0;
			return lwm2m_error_set(err, -EBADMSG, sub.offset, "unexpected CBOR break");
		}
		rc = skip(r, &sub, depth + 1, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int lwm2m_cborr_skip(struct lwm2m_cborr *r, const struct lwm2m_cborr_item *it,
		     struct lwm2m_error *err)
{
	return skip(r, it, 0, err);
}
