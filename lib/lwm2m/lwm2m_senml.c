#include "lwm2m/lwm2m_senml.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "lwm2m/lwm2m_base64.h"
#include "lwm2m/lwm2m_jsonr.h"
#include "lwm2m/lwm2m_jsonw.h"

void lwm2m_senml_base_init(struct lwm2m_senml_base *b)
{
	b->bn_len = 0;
	b->bn_dir = false;
	b->obj = NULL;
	b->bt = 0;
	b->bv = 0;
}

int lwm2m_senml_set_kind(struct lwm2m_senml_rec *r, enum lwm2m_senml_kind kind, size_t index,
			 size_t offset, struct lwm2m_error *err)
{
	if (r->kind != LWM2M_SENML_NONE)
		return lwm2m_error_set(err, -EBADMSG, offset,
				       "record %zu: more than one value field", index);
	r->kind = kind;
	return 0;
}

int lwm2m_senml_take_number(struct lwm2m_senml_rec *r, const struct lwm2m_jsonr_token *v,
			    size_t index, struct lwm2m_error *err)
{
	int rc;

	if (v->is_int) {
		rc = lwm2m_senml_set_kind(r, LWM2M_SENML_INT, index, SIZE_MAX, err);
		r->i = v->i;
	} else if (v->is_uint) {
		rc = lwm2m_senml_set_kind(r, LWM2M_SENML_UINT, index, SIZE_MAX, err);
		r->u = v->u;
	} else {
		rc = lwm2m_senml_set_kind(r, LWM2M_SENML_FLOAT, index, SIZE_MAX, err);
		r->f = v->f;
	}
	return rc;
}

int lwm2m_senml_take_bool(struct lwm2m_senml_rec *r, const struct lwm2m_jsonr_token *v,
			  size_t index, struct lwm2m_error *err)
{
	int rc = lwm2m_senml_set_kind(r, LWM2M_SENML_BOOL, index, SIZE_MAX, err);

	r->b = v->kind == LWM2M_JSONR_TRUE;
	return rc;
}

int lwm2m_senml_take_text(struct lwm2m_senml_rec *r, enum lwm2m_senml_kind kind,
			  const struct lwm2m_jsonr_token *v, struct lwm2m_doc *doc, size_t index,
			  struct lwm2m_error *err)
{
	const char *s = NULL;
	size_t n = 0;
	int rc = lwm2m_senml_set_kind(r, kind, index, SIZE_MAX, err);

	if (rc == 0)
		rc = lwm2m_jsonr_text(v, doc, &s, &n, err);
	r->bytes = (const uint8_t *)s;
	r->len = n;
	return rc;
}

static int to_value(const struct lwm2m_senml_rec *r, double bv, struct lwm2m_value *v)
{
	switch (r->kind) {
	case LWM2M_SENML_NONE:
		*v = lwm2m_value_none();
		return 0;
	case LWM2M_SENML_INT:
		if (bv != 0) {
			*v = lwm2m_value_float((double)r->i + bv);
			if (floor(v->v.f) == v->v.f && fabs(v->v.f) < 9.2e18)
				*v = lwm2m_value_int((int64_t)v->v.f);
		} else {
			*v = lwm2m_value_int(r->i);
		}
		return 0;
	case LWM2M_SENML_UINT:
		*v = bv != 0 ? lwm2m_value_float((double)r->u + bv) : lwm2m_value_uint(r->u);
		return 0;
	case LWM2M_SENML_FLOAT:
		*v = lwm2m_value_float(r->f + bv);
		return 0;
	case LWM2M_SENML_STRING:
		if (!lwm2m_utf8_valid(r->bytes, r->len))
			return -EILSEQ;
		*v = lwm2m_value_bytes(LWM2M_TYPE_STRING, r->bytes, r->len);
		return 0;
	case LWM2M_SENML_BOOL:
		*v = lwm2m_value_bool(r->b);
		return 0;
	case LWM2M_SENML_DATA:
		*v = lwm2m_value_bytes(LWM2M_TYPE_OPAQUE, r->bytes, r->len);
		return 0;
	case LWM2M_SENML_OBJLNK:
		v->type = LWM2M_TYPE_OBJLNK;
		return lwm2m_objlnk_parse((const char *)r->bytes, r->len, &v->v.lnk);
	}
	return -EINVAL;
}

/* lwm2m_registry_type_of, remembering the object definition between records. */
static bool type_of(struct lwm2m_senml_base *b, const struct lwm2m_registry *reg,
		    const struct lwm2m_path *p, enum lwm2m_type *out)
{
	size_t lo = 0, hi;

	if (p->len < LWM2M_PATH_RESOURCE)
		return false;
	if (!b->obj || b->obj->id != p->id[0])
		b->obj = lwm2m_registry_object(reg, p->id[0]);
	if (!b->obj)
		return false;
	hi = b->obj->nres;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->obj->res[mid].id == p->id[2]) {
			*out = b->obj->res[mid].type;
			return true;
		}
		if (b->obj->res[mid].id < p->id[2])
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * The usual case, "bn":"/3/0/" then "n":"7/1": append the IDs of @n to the
 * parsed base name instead of parsing the concatenation again.  Anything
 * unusual (empty, leading or trailing '/') returns -EINVAL and goes the
 * general way, which also gives the error message.
 */
static int append_rel(struct lwm2m_path *p, const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || s[0] == '/' || s[n - 1] == '/')
		return -EINVAL;
	while (i < n) {
		uint32_t v = 0;
		size_t start = i;

		while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 5)
			v = v * 10 + (uint32_t)(s[i++] - '0');
		if (i == start || (i - start > 1 && s[start] == '0') || lwm2m_path_append(p, v) < 0)
			return -EINVAL;
		if (i < n && s[i++] != '/')
			return -EINVAL;
	}
	return 0;
}

int lwm2m_senml_resolve(struct lwm2m_senml_base *b, const struct lwm2m_senml_rec *r, size_t index,
			const struct lwm2m_path *base, const struct lwm2m_registry *reg,
			struct lwm2m_doc *doc, struct lwm2m_error *err)
{
	char name[sizeof(b->bn) * 2];
	char ps[LWM2M_PATH_STR_MAX];
	struct lwm2m_path p;
	struct lwm2m_value v;
	enum lwm2m_type want;
	size_t len;
	int rc;

	if (r->has_bn) {
		if (r->bn_len >= sizeof(b->bn))
			return lwm2m_error_set(
				err, -EBADMSG, SIZE_MAX,
				"record %zu: base name is %zu bytes long, not a path", index,
				r->bn_len);
		memcpy(b->bn, r->bn, r->bn_len);
		b->bn_len = r->bn_len;
		b->bn_dir = r->bn_len > 1 && r->bn[r->bn_len - 1] == '/' &&
			    lwm2m_path_parse(r->bn, r->bn_len, &b->bn_path) == 0;
	}
	if (r->has_bt)
		b->bt = r->bt;
	if (r->has_bv)
		b->bv = r->bv;
	if (!r->has_n && b->bn_len == 0)
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
				       "record %zu: no name and no base name", index);
	p = b->bn_path;
	if (b->bn_dir && r->has_n && append_rel(&p, r->n, r->n_len) == 0)
		goto named;
	len = b->bn_len + (r->has_n ? r->n_len : 0);
	if (len >= sizeof(name))
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
				       "record %zu: name is %zu bytes long, not a path", index,
				       len);
	memcpy(name, b->bn, b->bn_len);
	if (r->has_n)
		memcpy(name + b->bn_len, r->n, r->n_len);
	name[len] = '\0';
	if (memchr(name, '\0', len) || lwm2m_path_parse(name, len, &p) < 0)
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
				       "record %zu: name \"%s\" is not an LwM2M path", index, name);
named:
	if (!lwm2m_path_is_prefix(base, &p)) {
		char bs[LWM2M_PATH_STR_MAX];

		lwm2m_path_format(base, bs, sizeof(bs));
		lwm2m_path_format(&p, ps, sizeof(ps));
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
				       "record %zu: %s is outside the request path %s", index, ps,
				       bs);
	}
	rc = to_value(r, b->bv, &v);
	if (rc == -EILSEQ) {
		lwm2m_path_format(&p, ps, sizeof(ps));
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
				       "record %zu: %s: string is not UTF-8", index, ps);
	}
	if (rc < 0) {
		lwm2m_path_format(&p, ps, sizeof(ps));
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
				       "record %zu: %s: vlo \"%.*s\" is not an object link O:I",
				       index, ps, (int)(r->len < 32 ? r->len : 32),
				       (const char *)r->bytes);
	}
	if (v.type != LWM2M_TYPE_NONE && p.len < LWM2M_PATH_RESOURCE) {
		lwm2m_path_format(&p, ps, sizeof(ps));
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
				       "record %zu: %s: a value needs a resource path", index, ps);
	}
	if (v.type != LWM2M_TYPE_NONE && type_of(b, reg, &p, &want)) {
		/* time resources travel as plain numbers; objlnk/opaque need their own fields */
		rc = lwm2m_value_coerce(&v, want);
		if (rc < 0) {
			lwm2m_path_format(&p, ps, sizeof(ps));
			return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
					       "record %zu: %s is %s but the record carries %s%s",
					       index, ps, lwm2m_type_name(want),
					       lwm2m_type_name(v.type),
					       rc == -ERANGE ? " out of range" : "");
		}
	}
	if (r->has_t || b->bt != 0)
		rc = lwm2m_doc_add_timed(doc, &p, &v, b->bt + (r->has_t ? r->t : 0));
	else
		rc = lwm2m_doc_add(doc, &p, &v);
	if (rc < 0)
		return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory");
	return 0;
}

void lwm2m_senml_namer_init(struct lwm2m_senml_namer *nm, const struct lwm2m_doc *doc)
{
	nm->all_base = doc->count > 0;
	for (size_t k = 0; k < doc->count && nm->all_base; k++)
		nm->all_base = lwm2m_path_equal(&doc->entries[k].path, &doc->base);
	nm->blen = 0;
	nm->base[0] = '\0';
	if (doc->base.len > 0)
		nm->blen = (size_t)lwm2m_path_format(&doc->base, nm->base, sizeof(nm->base));
}

int lwm2m_senml_names(const struct lwm2m_senml_namer *nm, const struct lwm2m_doc *doc, size_t i,
		      char *bn, char *n, struct lwm2m_error *err)
{
	const struct lwm2m_path *p = &doc->entries[i].path;
	size_t o = 0;

	bn[0] = '\0';
	n[0] = '\0';
	if (!lwm2m_path_is_prefix(&doc->base, p))
		return lwm2m_error_set(err, -EINVAL, SIZE_MAX,
				       "entry %zu: path is outside the base path", i);
	if (nm->blen == 0) {
		lwm2m_path_format(p, n, LWM2M_PATH_STR_MAX + 1);
		return 0;
	}
	if (i == 0) {
		memcpy(bn, nm->base, nm->blen);
		if (nm->all_base) {
			bn[nm->blen] = '\0';
			return 0;
		}
		bn[nm->blen] = '/';
		bn[nm->blen + 1] = '\0';
	}
	if (nm->all_base)
		return 0;
	/* the IDs below the base, "7/1" */
	for (unsigned k = doc->base.len; k < p->len; k++) {
		char digits[5];
		unsigned v = p->id[k], nd = 0;

		do {
			digits[nd++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		if (k > doc->base.len)
			n[o++] = '/';
		while (nd)
			n[o++] = digits[--nd];
	}
	n[o] = '\0';
	return 0;
}

const struct lwm2m_senml_labels lwm2m_senml_json_labels = {
	.string = "vs",
	.opaque = "vd",
	.boolean = "vb",
	.objlnk = "vlo",
	.opaque_url_safe = true,
	.record_bn = true,
	.time_first = true,
};
const struct lwm2m_senml_labels lwm2m_senml_lwm2m_labels = {
	.string = "sv",
	.opaque = "sv",
	.boolean = "bv",
	.objlnk = "ov",
};

/* Append ["," when not @first]"@key": and clear @first. */
static int put_key(struct lwm2m_buf *out, bool *first, const char *key)
{
	int rc = lwm2m_buf_append_str(out, *first ? "\"" : ",\"");

	*first = false;
	if (rc == 0)
		rc = lwm2m_buf_append_str(out, key);
	return rc ? rc : lwm2m_buf_append_str(out, "\":");
}

/*
 * Append the member holding @v (none for a value of type none).  Returns 0,
 * -ENOMEM, -EDOM for a non-finite float or -EINVAL for an unknown type.
 */
static int put_value(struct lwm2m_buf *out, bool *first, const struct lwm2m_value *v,
		     const struct lwm2m_senml_labels *labels)
{
	char tmp[16];
	int rc;

	switch (v->type) {
	case LWM2M_TYPE_NONE:
		return 0;
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_CORELNK:
		rc = put_key(out, first, labels->string);
		return rc ? rc
			  : lwm2m_jsonw_string(out, (const char *)v->v.bytes.data, v->v.bytes.len);
	case LWM2M_TYPE_OPAQUE:
		rc = put_key(out, first, labels->opaque);
		if (rc == 0)
			rc = lwm2m_buf_append_byte(out, '"');
		if (rc == 0)
			rc = lwm2m_base64_encode(v->v.bytes.data, v->v.bytes.len,
						 labels->opaque_url_safe, out);
		return rc ? rc : lwm2m_buf_append_byte(out, '"');
	case LWM2M_TYPE_BOOLEAN:
		rc = put_key(out, first, labels->boolean);
		return rc ? rc : lwm2m_buf_append_str(out, v->v.b ? "true" : "false");
	case LWM2M_TYPE_OBJLNK:
		rc = put_key(out, first, labels->objlnk);
		lwm2m_objlnk_format(v->v.lnk, tmp, sizeof(tmp));
		return rc ? rc : lwm2m_jsonw_string(out, tmp, strlen(tmp));
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		rc = put_key(out, first, "v");
		return rc ? rc : lwm2m_jsonw_int(out, v->v.i);
	case LWM2M_TYPE_UNSIGNED:
		rc = put_key(out, first, "v");
		return rc ? rc : lwm2m_jsonw_uint(out, v->v.u);
	case LWM2M_TYPE_FLOAT:
		rc = put_key(out, first, "v");
		return rc ? rc : lwm2m_jsonw_double(out, v->v.f, 1);
	}
	return -EINVAL;
}

static int put_text(struct lwm2m_buf *out, bool *first, const char *key, const char *text)
{
	int rc = put_key(out, first, key);

	return rc ? rc : lwm2m_jsonw_string(out, text, strlen(text));
}

static int put_time(struct lwm2m_buf *out, bool *first, const struct lwm2m_entry *e)
{
	int rc;

	if (!e->has_time)
		return 0;
	rc = put_key(out, first, "t");
	return rc ? rc : lwm2m_jsonw_double(out, e->time, 0);
}

static int put_entries(struct lwm2m_buf *out, const struct lwm2m_doc *doc,
		       const struct lwm2m_senml_namer *nm, const struct lwm2m_senml_labels *labels,
		       struct lwm2m_error *err)
{
	char bn[LWM2M_PATH_STR_MAX + 1], n[LWM2M_PATH_STR_MAX + 1];

	for (size_t i = 0; i < doc->count; i++) {
		const struct lwm2m_entry *e = &doc->entries[i];
		bool first = true;
		int rc = lwm2m_senml_names(nm, doc, i, bn, n, err);

		if (rc < 0)
			return rc;
		rc = lwm2m_buf_append_str(out, i ? ",{" : "{");
		if (rc == 0 && bn[0] && labels->record_bn)
			rc = put_text(out, &first, "bn", bn);
		if (rc == 0 && n[0])
			rc = put_text(out, &first, "n", n);
		if (rc == 0 && labels->time_first)
			rc = put_time(out, &first, e);
		if (rc == 0)
			rc = put_value(out, &first, &e->value, labels);
		if (rc == 0 && !labels->time_first)
			rc = put_time(out, &first, e);
		if (rc == 0)
			rc = lwm2m_buf_append_byte(out, '}');
		if (rc == -EDOM)
			return lwm2m_error_set(err, -EINVAL, SIZE_MAX,
					       "entry %zu: JSON cannot carry NaN or infinity", i);
		if (rc < 0)
			return lwm2m_error_set(err, rc, SIZE_MAX, "out of memory");
	}
	return 0;
}

int lwm2m_senml_put_records(struct lwm2m_buf *out, size_t start, const struct lwm2m_doc *doc,
			    const struct lwm2m_senml_namer *nm,
			    const struct lwm2m_senml_labels *labels, const char *close,
			    struct lwm2m_error *err)
{
	int rc = put_entries(out, doc, nm, labels, err);

	if (rc == 0 && (rc = lwm2m_buf_append_str(out, close)) < 0)
		lwm2m_error_set(err, rc, SIZE_MAX, "out of memory");
	if (rc < 0)
		out->len = start;
	return rc;
}
