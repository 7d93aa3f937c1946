#include "lwm2m/lwm2m_cbor.h"

#include <errno.h>
#include <string.h>

#include "lwm2m/lwm2m_cborr.h"
#include "lwm2m/lwm2m_cborw.h"

struct dec {
	struct lwm2m_cborr r;
	const struct lwm2m_path *base;
	const struct lwm2m_registry *reg;
	struct lwm2m_doc *doc;
	struct lwm2m_error *err;
};

static int leaf(struct dec *d, const struct lwm2m_path *p, const struct lwm2m_cborr_item *it)
{
	char ps[LWM2M_PATH_STR_MAX];
	struct lwm2m_value v;
	struct lwm2m_cborr_item tagged;
	enum lwm2m_type want;
	int rc;

	/* the path text is only needed for messages: format it when there is one */
	if (p->len < LWM2M_PATH_RESOURCE && it->kind != LWM2M_CBORR_NULL) {
		lwm2m_path_format(p, ps, sizeof(ps));
		return lwm2m_error_set(d->err, -EBADMSG, it->offset,
				       "%s: a value needs a resource path", ps);
	}
	if (!lwm2m_path_is_prefix(d->base, p)) {
		char bs[LWM2M_PATH_STR_MAX];

		lwm2m_path_format(d->base, bs, sizeof(bs));
		lwm2m_path_format(p, ps, sizeof(ps));
		return lwm2m_error_set(d->err, -EBADMSG, it->offset,
				       "%s is outside the request path %s", ps, bs);
	}
	switch (it->kind) {
	case LWM2M_CBORR_UINT:
		v = it->u > INT64_MAX ? lwm2m_value_uint(it->u) : lwm2m_value_int((int64_t)it->u);
		break;
	case LWM2M_CBORR_NEGINT:
		if (it->u > INT64_MAX) {
			lwm2m_path_format(p, ps, sizeof(ps));
			return lwm2m_error_set(d->err, -EBADMSG, it->offset,
					       "%s: negative integer out of range", ps);
		}
		v = lwm2m_value_int(-1 - (int64_t)it->u);
		break;
	case LWM2M_CBORR_FLOAT:
		v = lwm2m_value_float(it->f);
		break;
	case LWM2M_CBORR_BOOL:
		v = lwm2m_value_bool(it->b);
		break;
	case LWM2M_CBORR_BYTES:
		v = lwm2m_value_bytes(LWM2M_TYPE_OPAQUE, it->data, it->len);
		break;
	case LWM2M_CBORR_TEXT:
		if (!lwm2m_utf8_valid(it->data, it->len)) {
			lwm2m_path_format(p, ps, sizeof(ps));
			return lwm2m_error_set(d->err, -EBADMSG, it->offset,
					       "%s: text is not UTF-8", ps);
		}
		v = lwm2m_value_bytes(LWM2M_TYPE_STRING, it->data, it->len);
		if (lwm2m_registry_type_of(d->reg, p, &want) && want == LWM2M_TYPE_OBJLNK) {
			v.type = LWM2M_TYPE_OBJLNK;
			if (lwm2m_objlnk_parse((const char *)it->data, it->len, &v.v.lnk) < 0) {
				lwm2m_path_format(p, ps, sizeof(ps));
				return lwm2m_error_set(d->err, -EBADMSG, it->offset,
						       "%s: text is not an object link O:I", ps);
			}
		}
		break;
	case LWM2M_CBORR_NULL:
		v = lwm2m_value_none();
		break;
	case LWM2M_CBORR_TAG:
		/* tag 1: epoch time (RFC 8949 3.4.2), an integer here */
		rc = lwm2m_cborr_next(&d->r, &tagged, d->err);
		if (rc < 0)
			return rc;
		if (it->u != 1 ||
		    (tagged.kind != LWM2M_CBORR_UINT && tagged.kind != LWM2M_CBORR_NEGINT) ||
		    tagged.u > INT64_MAX) {
			lwm2m_path_format(p, ps, sizeof(ps));
			return lwm2m_error_set(
				d->err, -EBADMSG, it->offset,
				"%s: only tag 1 (epoch time) on an integer is allowed", ps);
		}
		v = lwm2m_value_time(tagged.kind == LWM2M_CBORR_UINT ? (int64_t)tagged.u
								     : -1 - (int64_t)tagged.u);
		break;
	default:
		lwm2m_path_format(p, ps, sizeof(ps));
		return lwm2m_error_set(d->err, -EBADMSG, it->offset, "%s: not a resource value",
				       ps);
	}
	if (v.type != LWM2M_TYPE_NONE && lwm2m_registry_type_of(d->reg, p, &want)) {
		rc = lwm2m_value_coerce(&v, want);
		if (rc < 0) {
			lwm2m_path_format(p, ps, sizeof(ps));
			return lwm2m_error_set(d->err, -EBADMSG, it->offset,
					       "%s is %s but the payload carries %s%s", ps,
					       lwm2m_type_name(want), lwm2m_type_name(v.type),
					       rc == -ERANGE ? " out of range" : "");
		}
	}
	if (lwm2m_doc_add(d->doc, p, &v) < 0)
		return lwm2m_error_set(d->err, -ENOMEM, SIZE_MAX, "out of memory");
	return 0;
}

static int id_of(struct dec *d, const struct lwm2m_cborr_item *it, struct lwm2m_path *p)
{
	if (it->kind != LWM2M_CBORR_UINT || it->u > LWM2M_ID_MAX)
		return lwm2m_error_set(d->err, -EBADMSG, it->offset,
				       "map keys must be path IDs (0..65534) or arrays of them");
	if (lwm2m_path_append(p, (uint32_t)it->u) < 0)
		return lwm2m_error_set(d->err, -EBADMSG, it->offset, "path deeper than 4 levels");
	return 0;
}

static int map(struct dec *d, const struct lwm2m_cborr_item *m, const struct lwm2m_path *parent)
{
	for (uint64_t i = 0; m->indefinite || i < m->u; i++) {
		struct lwm2m_cborr_item k, v;
		struct lwm2m_path p = *parent;
		int rc = lwm2m_cborr_next(&d->r, &k, d->err);

		if (rc < 0)
			return rc;
		if (k.kind == LWM2M_CBORR_BREAK && m->indefinite)
			return 0;
		if (k.kind == LWM2M_CBORR_ARRAY && !k.indefinite) {
			if (k.u == 0 || k.u > LWM2M_PATH_MAX_DEPTH)
				return lwm2m_error_set(d->err, -EBADMSG, k.offset,
						       "a path key holds 1 to 4 IDs");
			for (uint64_t j = 0; j < k.u; j++) {
				struct lwm2m_cborr_item id;

				rc = lwm2m_cborr_next(&d->r, &id, d->err);
				if (rc == 0)
					rc = id_of(d, &id, &p);
				if (rc < 0)
					return rc;
			}
		} else {
			rc = id_of(d, &k, &p);
			if (rc < 0)
				return rc;
		}
		rc = lwm2m_cborr_next(&d->r, &v, d->err);
		if (rc < 0)
			return rc;
		if (v.kind == LWM2M_CBORR_MAP)
			rc = map(d, &v, &p);
		else if (v.kind == LWM2M_CBORR_BREAK)
			rc = lwm2m_error_set(d->err, -EBADMSG, v.offset,
					     "map ended between a key and its value");
		else
			rc = leaf(d, &p, &v);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int lwm2m_cbor_decode(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
		      const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
		      struct lwm2m_error *err)
{
	struct dec d = { .base = base, .reg = reg, .doc = doc, .err = err };
	struct lwm2m_cborr_item top;
	struct lwm2m_path root = { .len = 0 };
	int rc;

	doc->base = *base;
	lwm2m_cborr_init(&d.r, buf, len);
	rc = lwm2m_cborr_next(&d.r, &top, err);
	if (rc < 0)
		return rc;
	if (top.kind != LWM2M_CBORR_MAP)
		return lwm2m_error_set(err, -EBADMSG, 0,
				       "LwM2M CBOR is a CBOR map keyed by path IDs");
	/* map() recurses once per path level; a path has at most 4, so depth is bounded */
	rc = map(&d, &top, &root);
	if (rc == 0 && !lwm2m_cborr_at_end(&d.r))
		rc = lwm2m_error_set(err, -EBADMSG, d.r.pos, "%zu bytes after the CBOR map",
				     len - d.r.pos);
	return rc;
}

static int put_value(struct lwm2m_buf *out, const struct lwm2m_value *v)
{
	char tmp[16];

	switch (v->type) {
	case LWM2M_TYPE_NONE:
		return lwm2m_buf_append_byte(out, 0xf6); /* null */
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_CORELNK:
		return lwm2m_cborw_text(out, v->v.bytes.data, v->v.bytes.len);
	case LWM2M_TYPE_OPAQUE:
		return lwm2m_cborw_bytes(out, v->v.bytes.data, v->v.bytes.len);
	case LWM2M_TYPE_BOOLEAN:
		return lwm2m_cborw_bool(out, v->v.b);
	case LWM2M_TYPE_OBJLNK:
		lwm2m_objlnk_format(v->v.lnk, tmp, sizeof(tmp));
		return lwm2m_cborw_text(out, tmp, strlen(tmp));
	case LWM2M_TYPE_INTEGER:
		return lwm2m_cborw_int(out, v->v.i);
	case LWM2M_TYPE_TIME: {
		int rc = lwm2m_cborw_tag(out, 1);

		return rc ? rc : lwm2m_cborw_int(out, v->v.i);
	}
	case LWM2M_TYPE_UNSIGNED:
		return lwm2m_cborw_uint(out, v->v.u);
	case LWM2M_TYPE_FLOAT:
		return lwm2m_cborw_float(out, v->v.f);
	}
	return -EINVAL;
}

/* Write the map for entries [i, end) that share the first @level IDs. */
static int emit(const struct lwm2m_doc *doc, size_t i, size_t end, unsigned level,
		struct lwm2m_buf *out)
{
	size_t groups = 0;
	int rc;

	/* a path has at most LWM2M_PATH_MAX_DEPTH IDs, so the recursion ends by then;
	 * saying so also lets gcc -O3 see that id[level] stays in bounds */
	if (level >= LWM2M_PATH_MAX_DEPTH)
		return -EINVAL;
	for (size_t k = i; k < end; groups++) {
		size_t j = k + 1;

		while (j < end && doc->entries[j].path.id[level] == doc->entries[k].path.id[level])
			j++;
		k = j;
	}
	rc = lwm2m_cborw_map(out, groups);
	while (rc == 0 && i < end) {
		size_t j = i + 1;

		while (j < end && doc->entries[j].path.id[level] == doc->entries[i].path.id[level])
			j++;
		rc = lwm2m_cborw_uint(out, doc->entries[i].path.id[level]);
		if (rc)
			break;
		if (doc->entries[i].path.len == level + 1)
			rc = put_value(out, &doc->entries[i].value);
		else
			rc = emit(doc, i, j, level + 1, out);
		i = j;
	}
	return rc;
}

int lwm2m_cbor_encode(const struct lwm2m_doc *doc, struct lwm2m_buf *out, struct lwm2m_error *err)
{
	size_t start = out->len, bad;
	int rc;

	if (lwm2m_doc_check_tree(doc, &bad) < 0)
		return lwm2m_error_set(
			err, -EINVAL, SIZE_MAX,
			"entry %zu: LwM2M CBOR needs sorted, distinct leaf paths under "
			"the base",
			bad);
	for (size_t i = 0; i < doc->count; i++) {
		if (doc->entries[i].path.len == 0)
			return lwm2m_error_set(err, -EINVAL, SIZE_MAX,
					       "entry %zu: the root cannot hold a value", i);
	}
	rc = emit(doc, 0, doc->count, 0, out);
	if (rc < 0) {
		out->len = start;
		return lwm2m_error_set(err, rc, SIZE_MAX, "out of memory");
	}
	return 0;
}
