#include "lwm2m/lwm2m_senml_cbor.h"

#include <errno.h>
#include <string.h>

#include "lwm2m/lwm2m_cborr.h"
#include "lwm2m/lwm2m_cborw.h"
#include "lwm2m/lwm2m_senml.h"

/* RFC 8428 Table 4 */
enum label {
	L_BVER = -1,
	L_BN = -2,
	L_BT = -3,
	L_BU = -4,
	L_BV = -5,
	L_BS = -6,
	L_N = 0,
	L_U = 1,
	L_V = 2,
	L_VS = 3,
	L_VB = 4,
	L_S = 5,
	L_T = 6,
	L_UT = 7,
	L_VD = 8,
	L_VLO = 1000, /* the text label "vlo", mapped to a private number */
	L_UNKNOWN = 1001,
};

struct dec {
	struct lwm2m_cborr r;
	struct lwm2m_error *err;
	size_t index;
};

static int bad(struct dec *d, const struct lwm2m_cborr_item *it, const char *what)
{
	return lwm2m_error_set(d->err, -EBADMSG, it->offset, "record %zu: %s", d->index, what);
}

static int number(struct dec *d, const struct lwm2m_cborr_item *it, double *out)
{
	if (it->kind == LWM2M_CBORR_UINT)
		*out = (double)it->u;
	else if (it->kind == LWM2M_CBORR_NEGINT)
		*out = -1.0 - (double)it->u;
	else if (it->kind == LWM2M_CBORR_FLOAT)
		*out = it->f;
	else
		return bad(d, it, "base time, time and base value must be numbers");
	return 0;
}

static int field(struct dec *d, struct lwm2m_senml_rec *r, int label,
		 const struct lwm2m_cborr_item *v)
{
	int rc;

	switch (label) {
	case L_BN:
	case L_N:
		if (v->kind != LWM2M_CBORR_TEXT)
			return bad(d, v, "names must be text strings");
		if (label == L_BN) {
			r->bn = (const char *)v->data;
			r->bn_len = v->len;
			r->has_bn = true;
		} else {
			r->n = (const char *)v->data;
			r->n_len = v->len;
			r->has_n = true;
		}
		return 0;
	case L_BT:
		r->has_bt = true;
		return number(d, v, &r->bt);
	case L_BV:
		r->has_bv = true;
		return number(d, v, &r->bv);
	case L_T:
		r->has_t = true;
		return number(d, v, &r->t);
	case L_V:
		if (v->kind == LWM2M_CBORR_UINT) {
			if (v->u > INT64_MAX) {
				rc = lwm2m_senml_set_kind(r, LWM2M_SENML_UINT, d->index, v->offset,
							  d->err);
				r->u = v->u;
			} else {
				rc = lwm2m_senml_set_kind(r, LWM2M_SENML_INT, d->index, v->offset,
							  d->err);
				r->i = (int64_t)v->u;
			}
		} else if (v->kind == LWM2M_CBORR_NEGINT) {
			if (v->u > INT64_MAX)
				return bad(d, v, "negative integer out of range");
			rc = lwm2m_senml_set_kind(r, LWM2M_SENML_INT, d->index, v->offset, d->err);
			r->i = -1 - (int64_t)v->u;
		} else if (v->kind == LWM2M_CBORR_FLOAT) {
			rc = lwm2m_senml_set_kind(r, LWM2M_SENML_FLOAT, d->index, v->offset,
						  d->err);
			r->f = v->f;
		} else {
			return bad(d, v, "\"v\" must be a number");
		}
		return rc;
	case L_VS:
	case L_VLO:
		if (v->kind != LWM2M_CBORR_TEXT)
			return bad(d, v,
				   label == L_VS ? "\"vs\" must be a text string"
						 : "\"vlo\" must be a text string");
		rc = lwm2m_senml_set_kind(r,
					  label == L_VS ? LWM2M_SENML_STRING : LWM2M_SENML_OBJLNK,
					  d->index, v->offset, d->err);
		r->bytes = v->data;
		r->len = v->len;
		return rc;
	case L_VB:
		if (v->kind != LWM2M_CBORR_BOOL)
			return bad(d, v, "\"vb\" must be true or false");
		rc = lwm2m_senml_set_kind(r, LWM2M_SENML_BOOL, d->index, v->offset, d->err);
		r->b = v->b;
		return rc;
	case L_VD:
		if (v->kind != LWM2M_CBORR_BYTES)
			return bad(d, v, "\"vd\" must be a byte string");
		rc = lwm2m_senml_set_kind(r, LWM2M_SENML_DATA, d->index, v->offset, d->err);
		r->bytes = v->data;
		r->len = v->len;
		return rc;
	default:
		return lwm2m_cborr_skip(&d->r, v, d->err);
	}
}

static int parse_record(struct dec *d, struct lwm2m_senml_rec *r)
{
	struct lwm2m_cborr_item m, k, v;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = lwm2m_cborr_next(&d->r, &m, d->err);
	if (rc < 0)
		return rc;
	if (m.kind != LWM2M_CBORR_MAP)
		return bad(d, &m, "not a CBOR map");
	for (uint64_t i = 0; m.indefinite || i < m.u; i++) {
		int label;

		rc = lwm2m_cborr_next(&d->r, &k, d->err);
		if (rc < 0)
			return rc;
		if (k.kind == LWM2M_CBORR_BREAK && m.indefinite)
			return 0;
		if (k.kind == LWM2M_CBORR_UINT && k.u <= 8)
			label = (int)k.u;
		else if (k.kind == LWM2M_CBORR_NEGINT && k.u <= 5)
			label = -1 - (int)k.u;
		else if (k.kind == LWM2M_CBORR_TEXT && k.len == 3 && memcmp(k.data, "vlo", 3) == 0)
			label = L_VLO;
		else if (k.kind == LWM2M_CBORR_TEXT && k.len > 0 && k.data[k.len - 1] == '_')
			return bad(d, &k, "unknown must-understand label");
		else if (k.kind == LWM2M_CBORR_UINT || k.kind == LWM2M_CBORR_NEGINT ||
			 k.kind == LWM2M_CBORR_TEXT)
			label = L_UNKNOWN;
		else
			return bad(d, &k, "labels must be integers or text strings");
		rc = lwm2m_cborr_next(&d->r, &v, d->err);
		if (rc < 0)
			return rc;
		if (v.kind == LWM2M_CBORR_BREAK)
			return bad(d, &v, "map ended between a label and its value");
		if (v.kind == LWM2M_CBORR_INDEF_STRING)
			return lwm2m_cborr_skip(&d->r, &v, d->err);
		rc = field(d, r, label, &v);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int lwm2m_senml_cbor_decode(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
			    const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
			    struct lwm2m_error *err)
{
	struct dec d = { .err = err };
	struct lwm2m_senml_base b;
	struct lwm2m_cborr_item a;
	int rc;

	doc->base = *base;
	lwm2m_cborr_init(&d.r, buf, len);
	rc = lwm2m_cborr_next(&d.r, &a, err);
	if (rc < 0)
		return rc;
	if (a.kind != LWM2M_CBORR_ARRAY)
		return lwm2m_error_set(err, -EBADMSG, 0, "a SenML pack is a CBOR array of records");
	lwm2m_senml_base_init(&b);
	for (d.index = 0; a.indefinite || d.index < a.u; d.index++) {
		struct lwm2m_senml_rec r;

		if (a.indefinite && d.r.pos < len && buf[d.r.pos] == 0xff) {
			d.r.pos++;
			break;
		}
		rc = parse_record(&d, &r);
		if (rc == 0)
			rc = lwm2m_senml_resolve(&b, &r, d.index, base, reg, doc, err);
		if (rc < 0)
			return rc;
	}
	if (!lwm2m_cborr_at_end(&d.r))
		return lwm2m_error_set(err, -EBADMSG, d.r.pos, "%zu bytes after the SenML pack",
				       len - d.r.pos);
	return 0;
}

static int put_value(struct lwm2m_buf *out, const struct lwm2m_value *v)
{
	char tmp[16];
	int rc;

	switch (v->type) {
	case LWM2M_TYPE_NONE:
		return 0;
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_CORELNK:
		rc = lwm2m_cborw_int(out, L_VS);
		return rc ? rc : lwm2m_cborw_text(out, v->v.bytes.data, v->v.bytes.len);
	case LWM2M_TYPE_OPAQUE:
		rc = lwm2m_cborw_int(out, L_VD);
		return rc ? rc : lwm2m_cborw_bytes(out, v->v.bytes.data, v->v.bytes.len);
	case LWM2M_TYPE_BOOLEAN:
		rc = lwm2m_cborw_int(out, L_VB);
		return rc ? rc : lwm2m_cborw_bool(out, v->v.b);
	case LWM2M_TYPE_OBJLNK:
		rc = lwm2m_cborw_text(out, "vlo", 3);
		lwm2m_objlnk_format(v->v.lnk, tmp, sizeof(tmp));
		return rc ? rc : lwm2m_cborw_text(out, tmp, strlen(tmp));
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		rc = lwm2m_cborw_int(out, L_V);
		return rc ? rc : lwm2m_cborw_int(out, v->v.i);
	case LWM2M_TYPE_UNSIGNED:
		rc = lwm2m_cborw_int(out, L_V);
		return rc ? rc : lwm2m_cborw_uint(out, v->v.u);
	case LWM2M_TYPE_FLOAT:
		rc = lwm2m_cborw_int(out, L_V);
		return rc ? rc : lwm2m_cborw_float(out, v->v.f);
	}
	return -EINVAL;
}

int lwm2m_senml_cbor_encode(const struct lwm2m_doc *doc, struct lwm2m_buf *out,
			    struct lwm2m_error *err)
{
	size_t start = out->len;
	struct lwm2m_senml_namer nm;
	int rc = lwm2m_cborw_array(out, doc->count);

	lwm2m_senml_namer_init(&nm, doc);
	for (size_t i = 0; i < doc->count && rc == 0; i++) {
		const struct lwm2m_entry *e = &doc->entries[i];
		char bn[LWM2M_PATH_STR_MAX + 1], n[LWM2M_PATH_STR_MAX + 1];
		size_t fields;

		rc = lwm2m_senml_names(&nm, doc, i, bn, n, err);
		if (rc < 0) {
			out->len = start;
			return rc;
		}
		fields = (bn[0] != 0) + (n[0] != 0) + e->has_time +
			 (e->value.type != LWM2M_TYPE_NONE);
		rc = lwm2m_cborw_map(out, fields);
		if (rc == 0 && bn[0]) {
			rc = lwm2m_cborw_int(out, L_BN);
			if (rc == 0)
				rc = lwm2m_cborw_text(out, bn, strlen(bn));
		}
		if (rc == 0 && n[0]) {
			rc = lwm2m_cborw_int(out, L_N);
			if (rc == 0)
				rc = lwm2m_cborw_text(out, n, strlen(n));
		}
		if (rc == 0 && e->has_time) {
			rc = lwm2m_cborw_int(out, L_T);
			if (rc == 0)
				rc = lwm2m_cborw_float(out, e->time);
		}
		if (rc == 0)
			rc = put_value(out, &e->value);
	}
	if (rc < 0) {
		out->len = start;
		return lwm2m_error_set(err, rc, SIZE_MAX, "out of memory");
	}
	return 0;
}
