#include "lwm2m/lwm2m_senml.h"

#include <errno.h>
#include <math.h>
#include <string.h>

void lwm2m_senml_base_init(struct lwm2m_senml_base *b)
{
	b->bn_len = 0;
	b->bn_dir = false;
	b->bt = 0;
	b->bv = 0;
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
	if (v.type != LWM2M_TYPE_NONE && lwm2m_registry_type_of(reg, &p, &want)) {
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

bool lwm2m_senml_all_base(const struct lwm2m_doc *doc)
{
	for (size_t k = 0; k < doc->count; k++) {
		if (!lwm2m_path_equal(&doc->entries[k].path, &doc->base))
			return false;
	}
	return doc->count > 0;
}

void lwm2m_senml_names(const struct lwm2m_doc *doc, size_t i, bool all_base, char *bn, char *n)
{
	char full[LWM2M_PATH_STR_MAX];
	int blen, flen;

	bn[0] = '\0';
	n[0] = '\0';
	if (doc->base.len == 0) {
		lwm2m_path_format(&doc->entries[i].path, n, LWM2M_PATH_STR_MAX + 1);
		return;
	}
	if (all_base) {
		if (i == 0)
			lwm2m_path_format(&doc->base, bn, LWM2M_PATH_STR_MAX + 1);
		return;
	}
	blen = lwm2m_path_format(&doc->base, bn, LWM2M_PATH_STR_MAX + 1);
	bn[blen] = '/';
	bn[blen + 1] = '\0';
	/* the entry's path starts with the base's text: the name is what follows "base/" */
	flen = lwm2m_path_format(&doc->entries[i].path, full, sizeof(full));
	if (flen > blen + 1)
		memcpy(n, full + blen + 1, (size_t)(flen - blen));
	if (i != 0)
		bn[0] = '\0';
}
