#include "lwm2m/lwm2m_tlv.h"

#include <errno.h>
#include <string.h>

int lwm2m_tlv_next(const uint8_t *buf, size_t len, size_t *pos, struct lwm2m_tlv *out,
		   struct lwm2m_error *err)
{
	size_t p = *pos, start = *pos, idlen, lenlen, vlen;
	uint8_t t;

	if (p >= len)
		return lwm2m_error_set(err, -EBADMSG, p, "TLV header expected, payload ended");
	t = buf[p++];
	idlen = (t & 0x20) ? 2 : 1;
	lenlen = (t >> 3) & 3;
	if (len - p < idlen + lenlen)
		return lwm2m_error_set(err, -EBADMSG, start,
				       "TLV header needs %zu bytes, only %zu left",
				       1 + idlen + lenlen, len - start);
	out->kind = (enum lwm2m_tlv_kind)(t >> 6);
	out->id = idlen == 2 ? (uint16_t)(buf[p] << 8 | buf[p + 1]) : buf[p];
	p += idlen;
	if (lenlen == 0) {
		vlen = t & 7;
	} else {
		vlen = 0;
		for (size_t i = 0; i < lenlen; i++)
			vlen = vlen << 8 | buf[p++];
	}
	if (out->id > LWM2M_ID_MAX)
		return lwm2m_error_set(err, -EBADMSG, start, "TLV identifier 65535 is reserved");
	if (vlen > len - p)
		return lwm2m_error_set(err, -EBADMSG, start,
				       "TLV value length %zu runs past the end (%zu bytes left)",
				       vlen, len - p);
	out->value = buf + p;
	out->len = vlen;
	*pos = p + vlen;
	return 0;
}

struct dec {
	const uint8_t *buf;
	const struct lwm2m_path *base;
	const struct lwm2m_registry *reg;
	struct lwm2m_doc *doc;
	struct lwm2m_error *err;
};

static uint64_t be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int decode_value(struct dec *d, const struct lwm2m_path *path, const struct lwm2m_tlv *t,
			size_t off)
{
	enum lwm2m_type type = LWM2M_TYPE_OPAQUE;
	struct lwm2m_value v;
	char ps[LWM2M_PATH_STR_MAX];
	size_t n = t->len;

	if (!lwm2m_registry_type_of(d->reg, path, &type))
		type = LWM2M_TYPE_OPAQUE;
	if (type == LWM2M_TYPE_NONE && n > 0)
		type = LWM2M_TYPE_OPAQUE;
	v.type = type;
	switch (type) {
	case LWM2M_TYPE_NONE:
		break;
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		if (n != 1 && n != 2 && n != 4 && n != 8)
			goto badlen;
		/* sign-extend the big-endian two's complement value */
		v.v.i = (int64_t)(be(t->value, n) << (64 - 8 * n)) >> (64 - 8 * n);
		break;
	case LWM2M_TYPE_UNSIGNED:
		if (n != 1 && n != 2 && n != 4 && n != 8)
			goto badlen;
		v.v.u = be(t->value, n);
		break;
	case LWM2M_TYPE_FLOAT:
		if (n == 4) {
			uint32_t u = (uint32_t)be(t->value, 4);
			float f;

			memcpy(&f, &u, 4);
			v.v.f = f;
		} else if (n == 8) {
			uint64_t u = be(t->value, 8);

			memcpy(&v.v.f, &u, 8);
		} else {
			goto badlen;
		}
		break;
	case LWM2M_TYPE_BOOLEAN:
		if (n != 1)
			goto badlen;
		if (t->value[0] > 1) {
			lwm2m_path_format(path, ps, sizeof(ps));
			return lwm2m_error_set(d->err, -EBADMSG, off,
					       "%s: Boolean value %u is neither 0 nor 1", ps,
					       t->value[0]);
		}
		v.v.b = t->value[0];
		break;
	case LWM2M_TYPE_OBJLNK:
		if (n != 4)
			goto badlen;
		v.v.lnk.obj = (uint16_t)be(t->value, 2);
		v.v.lnk.inst = (uint16_t)be(t->value + 2, 2);
		break;
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_CORELNK:
		if (!lwm2m_utf8_valid(t->value, n)) {
			lwm2m_path_format(path, ps, sizeof(ps));
			return lwm2m_error_set(d->err, -EBADMSG, off, "%s: %s value is not UTF-8",
					       ps, lwm2m_type_name(type));
		}
		/* fall through */
	case LWM2M_TYPE_OPAQUE:
		v.v.bytes.data = t->value;
		v.v.bytes.len = n;
		break;
	}
	if (lwm2m_doc_add(d->doc, path, &v) < 0)
		return lwm2m_error_set(d->err, -ENOMEM, SIZE_MAX, "out of memory");
	return 0;
badlen:
	lwm2m_path_format(path, ps, sizeof(ps));
	return lwm2m_error_set(d->err, -EBADMSG, off, "%s: %zu bytes is not a valid %s length", ps,
			       n, lwm2m_type_name(type));
}

static const char *const kind_names[] = { "Object Instance", "Resource Instance",
					  "Multiple Resource", "Resource" };

/* Path level a TLV of each kind names. */
static const unsigned kind_level[] = { 2, 4, 3, 3 };

static int decode_seq(struct dec *d, size_t start, size_t end, const struct lwm2m_path *parent,
		      bool top)
{
	size_t pos = start;

	while (pos < end) {
		size_t off = pos;
		struct lwm2m_tlv t;
		struct lwm2m_path p;
		unsigned level;
		int rc = lwm2m_tlv_next(d->buf, end, &pos, &t, d->err);

		if (rc < 0)
			return rc;
		level = kind_level[t.kind];
		if (top) {
			/* the top-level TLVs hang below the base or name one of its ancestors */
			if (d->base->len < level - 1)
				return lwm2m_error_set(d->err, -EBADMSG, off,
						       "%s TLV cannot appear at the top level of a "
						       "payload for a path of depth %u",
						       kind_names[t.kind], (unsigned)d->base->len);
			p = lwm2m_path_make(level - 1, d->base->id);
		} else {
			if (parent->len != level - 1)
				return lwm2m_error_set(d->err, -EBADMSG, off,
						       "%s TLV cannot appear inside this TLV",
						       kind_names[t.kind]);
			p = *parent;
		}
		lwm2m_path_append(&p, t.id);
		if (d->base->len >= level && d->base->id[level - 1] != t.id)
			return lwm2m_error_set(d->err, -EBADMSG, off,
					       "%s TLV with ID %u is outside the request path",
					       kind_names[t.kind], (unsigned)t.id);
		if (t.kind == LWM2M_TLV_OBJECT_INSTANCE || t.kind == LWM2M_TLV_MULTIPLE_RESOURCE)
			rc = decode_seq(d, (size_t)(t.value - d->buf),
					(size_t)(t.value - d->buf) + t.len, &p, false);
		else
			rc = decode_value(d, &p, &t, off);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int lwm2m_tlv_decode(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
		     const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
		     struct lwm2m_error *err)
{
	struct dec d = { .buf = buf, .base = base, .reg = reg, .doc = doc, .err = err };

	if (base->len == LWM2M_PATH_ROOT)
		return lwm2m_error_set(err, -EINVAL, SIZE_MAX,
				       "TLV needs a request path of at least an object");
	doc->base = *base;
	return decode_seq(&d, 0, len, NULL, true);
}

/* Encoding: measure first, then write, so each header knows its length. */

static size_t value_len(const struct lwm2m_value *v)
{
	switch (v->type) {
	case LWM2M_TYPE_NONE:
		return 0;
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		if (v->v.i >= INT8_MIN && v->v.i <= INT8_MAX)
			return 1;
		if (v->v.i >= INT16_MIN && v->v.i <= INT16_MAX)
			return 2;
		if (v->v.i >= INT32_MIN && v->v.i <= INT32_MAX)
			return 4;
		return 8;
	case LWM2M_TYPE_UNSIGNED:
		return v->v.u <= UINT8_MAX    ? 1
		       : v->v.u <= UINT16_MAX ? 2
		       : v->v.u <= UINT32_MAX ? 4
					      : 8;
	case LWM2M_TYPE_FLOAT:
		return (double)(float)v->v.f == v->v.f || v->v.f != v->v.f ? 4 : 8;
	case LWM2M_TYPE_BOOLEAN:
		return 1;
	case LWM2M_TYPE_OBJLNK:
		return 4;
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_OPAQUE:
	case LWM2M_TYPE_CORELNK:
		return v->v.bytes.len;
	}
	return 0;
}

static size_t header_len(uint16_t id, size_t len)
{
	return 1 + (id > 255 ? 2 : 1) + (len < 8 ? 0 : len < 256 ? 1 : len < 65536 ? 2 : 3);
}

struct enc {
	const struct lwm2m_doc *doc;
	struct lwm2m_buf *out;
	struct lwm2m_error *err;
};

/* End of the run of entries from @i that share the ID at @level. */
static size_t run_end(const struct lwm2m_doc *doc, size_t i, size_t end, unsigned level)
{
	size_t j = i + 1;

	while (j < end && doc->entries[j].path.id[level] == doc->entries[i].path.id[level])
		j++;
	return j;
}

static int measure(const struct enc *e, size_t i, size_t end, unsigned level, size_t *out);

/* Size of the TLV for entries [i, j) that share the ID at @level. */
static int measure_one(const struct enc *e, size_t i, size_t j, unsigned level, size_t *out)
{
	const struct lwm2m_entry *en = &e->doc->entries[i];
	uint16_t id = en->path.id[level];
	size_t inner;
	int rc;

	if (en->path.len == level + 1) {
		inner = value_len(&en->value);
	} else {
		rc = measure(e, i, j, level + 1, &inner);
		if (rc < 0)
			return rc;
	}
	if (inner >= 1u << 24) {
		char ps[LWM2M_PATH_STR_MAX];

		lwm2m_path_format(&en->path, ps, sizeof(ps));
		return lwm2m_error_set(e->err, -EMSGSIZE, SIZE_MAX,
				       "%s: %zu bytes do not fit a TLV (16 MiB at most)", ps,
				       inner);
	}
	*out = header_len(id, inner) + inner;
	return 0;
}

static int measure(const struct enc *e, size_t i, size_t end, unsigned level, size_t *out)
{
	size_t total = 0;

	while (i < end) {
		size_t j = run_end(e->doc, i, end, level), one = 0;
		int rc = measure_one(e, i, j, level, &one);

		if (rc < 0)
			return rc;
		total += one;
		i = j;
	}
	*out = total;
	return 0;
}

static void put_header(uint8_t *p, size_t *pos, enum lwm2m_tlv_kind kind, uint16_t id, size_t len)
{
	uint8_t t = (uint8_t)(kind << 6);
	size_t at = (*pos)++;

	if (id > 255) {
		t |= 0x20;
		p[(*pos)++] = (uint8_t)(id >> 8);
	}
	p[(*pos)++] = (uint8_t)id;
	if (len < 8) {
		t |= (uint8_t)len;
	} else if (len < 256) {
		t |= 0x08;
		p[(*pos)++] = (uint8_t)len;
	} else if (len < 65536) {
		t |= 0x10;
		p[(*pos)++] = (uint8_t)(len >> 8);
		p[(*pos)++] = (uint8_t)len;
	} else {
		t |= 0x18;
		p[(*pos)++] = (uint8_t)(len >> 16);
		p[(*pos)++] = (uint8_t)(len >> 8);
		p[(*pos)++] = (uint8_t)len;
	}
	p[at] = t;
}

static void put_be(uint8_t *p, size_t *pos, uint64_t v, size_t n)
{
	for (size_t k = 0; k < n; k++)
		p[(*pos)++] = (uint8_t)(v >> (8 * (n - 1 - k)));
}

static void put_value(uint8_t *p, size_t *pos, const struct lwm2m_value *v, size_t n)
{
	switch (v->type) {
	case LWM2M_TYPE_NONE:
		break;
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		put_be(p, pos, (uint64_t)v->v.i, n);
		break;
	case LWM2M_TYPE_UNSIGNED:
		put_be(p, pos, v->v.u, n);
		break;
	case LWM2M_TYPE_FLOAT:
		if (n == 4) {
			float f = (float)v->v.f;
			uint32_t u;

			memcpy(&u, &f, 4);
			put_be(p, pos, u, 4);
		} else {
			uint64_t u;

			memcpy(&u, &v->v.f, 8);
			put_be(p, pos, u, 8);
		}
		break;
	case LWM2M_TYPE_BOOLEAN:
		p[(*pos)++] = v->v.b ? 1 : 0;
		break;
	case LWM2M_TYPE_OBJLNK:
		put_be(p, pos, v->v.lnk.obj, 2);
		put_be(p, pos, v->v.lnk.inst, 2);
		break;
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_OPAQUE:
	case LWM2M_TYPE_CORELNK:
		if (n)
			memcpy(p + *pos, v->v.bytes.data, n);
		*pos += n;
		break;
	}
}

static const enum lwm2m_tlv_kind level_kind[] = { LWM2M_TLV_OBJECT_INSTANCE,
						  LWM2M_TLV_OBJECT_INSTANCE, LWM2M_TLV_RESOURCE,
						  LWM2M_TLV_RESOURCE_INSTANCE };

static void emit(const struct enc *e, uint8_t *p, size_t *pos, size_t i, size_t end, unsigned level)
{
	while (i < end) {
		size_t j = run_end(e->doc, i, end, level), inner = 0;
		const struct lwm2m_entry *en = &e->doc->entries[i];
		uint16_t id = en->path.id[level];

		if (en->path.len == level + 1) {
			inner = value_len(&en->value);
			put_header(p, pos, level_kind[level], id, inner);
			put_value(p, pos, &en->value, inner);
		} else {
			measure(e, i, j, level + 1, &inner);
			put_header(p, pos,
				   level == 2 ? LWM2M_TLV_MULTIPLE_RESOURCE : level_kind[level], id,
				   inner);
			emit(e, p, pos, i, j, level + 1);
		}
		i = j;
	}
}

int lwm2m_tlv_encode(const struct lwm2m_doc *doc, struct lwm2m_buf *out, struct lwm2m_error *err)
{
	struct enc e = { .doc = doc, .out = out, .err = err };
	unsigned start;
	size_t total, bad, pos;
	int rc;

	if (doc->base.len == LWM2M_PATH_ROOT)
		return lwm2m_error_set(err, -EINVAL, SIZE_MAX,
				       "TLV needs a base path of at least an object");
	if (lwm2m_doc_check_tree(doc, &bad) < 0)
		return lwm2m_error_set(
			err, -EINVAL, SIZE_MAX,
			"entry %zu: TLV needs sorted, distinct leaf paths under the base", bad);
	for (size_t i = 0; i < doc->count; i++) {
		if (doc->entries[i].path.len < LWM2M_PATH_RESOURCE)
			return lwm2m_error_set(err, -EINVAL, SIZE_MAX,
					       "entry %zu: TLV values belong to resources or "
					       "resource instances",
					       i);
	}
	/*
	 * Level of the top-level TLVs: object instances below an object,
	 * resources below an instance or for a resource, resource instances
	 * for a single resource instance.
	 */
	start = doc->base.len == 1 ? 1 : doc->base.len == 4 ? 3 : 2;
	rc = measure(&e, 0, doc->count, start, &total);
	if (rc < 0)
		return rc;
	if (lwm2m_buf_reserve(out, total) < 0)
		return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory");
	pos = out->len;
	emit(&e, out->data, &pos, 0, doc->count, start);
	out->len = pos;
	return 0;
}
