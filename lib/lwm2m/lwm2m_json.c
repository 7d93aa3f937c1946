#include "lwm2m/lwm2m_json.h"

#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "lwm2m/lwm2m_base64.h"
#include "lwm2m/lwm2m_jsonw.h"
#include "lwm2m/lwm2m_senml.h"

static int bad_entry(struct lwm2m_error *err, size_t i, const char *msg)
{
	return lwm2m_error_set(err, -EBADMSG, SIZE_MAX, "entry %zu: %s", i, msg);
}

static int set_kind(struct lwm2m_senml_rec *r, enum lwm2m_senml_kind k, size_t i,
		    struct lwm2m_error *err)
{
	if (r->kind != LWM2M_SENML_NONE)
		return bad_entry(err, i, "more than one value field");
	r->kind = k;
	return 0;
}

/* The resource type of the entry's name (bn + n), to tell Opaque "sv" from String. */
static bool is_opaque(const char *bn, size_t bn_len, const char *n, size_t n_len,
		      const struct lwm2m_registry *reg)
{
	char name[128];
	struct lwm2m_path p;
	enum lwm2m_type t;

	if (bn_len + n_len >= sizeof(name))
		return false;
	memcpy(name, bn, bn_len);
	memcpy(name + bn_len, n, n_len);
	if (lwm2m_path_parse(name, bn_len + n_len, &p) < 0)
		return false;
	return lwm2m_registry_type_of(reg, &p, &t) && t == LWM2M_TYPE_OPAQUE;
}

static int parse_entry(json_t *e, size_t i, const char *bn, size_t bn_len,
		       const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
		       struct lwm2m_senml_rec *r, struct lwm2m_error *err)
{
	const char *key;
	json_t *v;
	json_t *sv = NULL;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(e))
		return bad_entry(err, i, "not a JSON object");
	json_object_foreach (e, key, v) {
		if (strcmp(key, "n") == 0) {
			if (!json_is_string(v))
				return bad_entry(err, i, "\"n\" must be a string");
			r->n = json_string_value(v);
			r->n_len = json_string_length(v);
			r->has_n = true;
		} else if (strcmp(key, "t") == 0) {
			if (!json_is_number(v))
				return bad_entry(err, i, "\"t\" must be a number");
			r->t = json_number_value(v);
			r->has_t = true;
		} else if (strcmp(key, "v") == 0) {
			if (json_is_integer(v)) {
				rc = set_kind(r, LWM2M_SENML_INT, i, err);
				r->i = json_integer_value(v);
			} else if (json_is_real(v)) {
				rc = set_kind(r, LWM2M_SENML_FLOAT, i, err);
				r->f = json_real_value(v);
			} else {
				return bad_entry(err, i, "\"v\" must be a number");
			}
		} else if (strcmp(key, "sv") == 0 || strcmp(key, "ov") == 0) {
			if (!json_is_string(v))
				return bad_entry(err, i,
						 key[0] == 's' ? "\"sv\" must be a string"
							       : "\"ov\" must be a string");
			rc = set_kind(r, key[0] == 's' ? LWM2M_SENML_STRING : LWM2M_SENML_OBJLNK, i,
				      err);
			r->bytes = (const uint8_t *)json_string_value(v);
			r->len = json_string_length(v);
			if (key[0] == 's')
				sv = v;
		} else if (strcmp(key, "bv") == 0) {
			if (!json_is_boolean(v))
				return bad_entry(err, i, "\"bv\" must be true or false");
			rc = set_kind(r, LWM2M_SENML_BOOL, i, err);
			r->b = json_is_true(v);
		}
		if (rc < 0)
			return rc;
	}
	if (sv && is_opaque(bn, bn_len, r->n ? r->n : "", r->n_len, reg)) {
		size_t n, bad;
		uint8_t *p = lwm2m_doc_alloc(doc, lwm2m_base64_decoded_max(r->len));

		if (!p)
			return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory");
		if (lwm2m_base64_decode((const char *)r->bytes, r->len, p, &n, &bad) < 0)
			return lwm2m_error_set(
				err, -EBADMSG, SIZE_MAX,
				"entry %zu: Opaque \"sv\" is not base64 (character %zu)", i, bad);
		r->kind = LWM2M_SENML_DATA;
		r->bytes = p;
		r->len = n;
	}
	return 0;
}

int lwm2m_json_decode(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
		      const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
		      struct lwm2m_error *err)
{
	struct lwm2m_senml_base b;
	json_error_t jerr;
	json_t *root, *e, *bn, *bt, *ent;
	const char *bns = "";
	size_t bn_len = 0, i;
	int rc = 0;

	doc->base = *base;
	root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return lwm2m_error_set(err, -EBADMSG,
				       jerr.position >= 0 ? (size_t)jerr.position : SIZE_MAX,
				       "line %d column %d: %s", jerr.line, jerr.column, jerr.text);
	e = json_object_get(root, "e");
	bn = json_object_get(root, "bn");
	bt = json_object_get(root, "bt");
	if (!json_is_object(root) || !json_is_array(e)) {
		json_decref(root);
		return lwm2m_error_set(err, -EBADMSG, 0,
				       "LwM2M JSON is an object with an \"e\" array of entries");
	}
	if ((bn && !json_is_string(bn)) || (bt && !json_is_number(bt))) {
		json_decref(root);
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
				       "\"bn\" must be a string and \"bt\" a number");
	}
	if (bn) {
		bns = json_string_value(bn);
		bn_len = json_string_length(bn);
	}
	lwm2m_senml_base_init(&b);
	json_array_foreach (e, i, ent) {
		struct lwm2m_senml_rec r;

		rc = parse_entry(ent, i, bns, bn_len, reg, doc, &r, err);
		if (rc < 0)
			break;
		/* the top-level base name and time apply to every entry */
		if (i == 0 && bn) {
			r.has_bn = true;
			r.bn = bns;
			r.bn_len = bn_len;
		}
		if (i == 0 && bt) {
			r.has_bt = true;
			r.bt = json_number_value(bt);
		}
		rc = lwm2m_senml_resolve(&b, &r, i, base, reg, doc, err);
		if (rc < 0)
			break;
	}
	json_decref(root);
	/* LwM2M JSON calls its records entries */
	if (rc < 0 && err && strncmp(err->msg, "record ", 7) == 0) {
		memmove(err->msg + 5, err->msg + 6, strlen(err->msg + 6) + 1);
		memcpy(err->msg, "entry", 5);
	}
	return rc;
}

static int put_key(struct lwm2m_buf *out, bool *first, const char *key)
{
	int rc = lwm2m_buf_append_str(out, *first ? "\"" : ",\"");

	*first = false;
	if (rc == 0)
		rc = lwm2m_buf_append_str(out, key);
	return rc ? rc : lwm2m_buf_append_str(out, "\":");
}

static int put_value(struct lwm2m_buf *out, bool *first, const struct lwm2m_value *v)
{
	char tmp[16];
	int rc;

	switch (v->type) {
	case LWM2M_TYPE_NONE:
		return 0;
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_CORELNK:
		rc = put_key(out, first, "sv");
		return rc ? rc
			  : lwm2m_jsonw_string(out, (const char *)v->v.bytes.data, v->v.bytes.len);
	case LWM2M_TYPE_OPAQUE:
		rc = put_key(out, first, "sv");
		if (rc == 0)
			rc = lwm2m_buf_append_byte(out, '"');
		if (rc == 0)
			rc = lwm2m_base64_encode(v->v.bytes.data, v->v.bytes.len, false, out);
		return rc ? rc : lwm2m_buf_append_byte(out, '"');
	case LWM2M_TYPE_BOOLEAN:
		rc = put_key(out, first, "bv");
		return rc ? rc : lwm2m_buf_append_str(out, v->v.b ? "true" : "false");
	case LWM2M_TYPE_OBJLNK:
		rc = put_key(out, first, "ov");
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

int lwm2m_json_encode(const struct lwm2m_doc *doc, struct lwm2m_buf *out, struct lwm2m_error *err)
{
	char bn[LWM2M_PATH_STR_MAX + 1], n[LWM2M_PATH_STR_MAX + 1];
	size_t start = out->len;
	bool all_base = lwm2m_senml_all_base(doc);
	int rc;

	if (doc->count)
		lwm2m_senml_names(doc, 0, all_base, bn, n);
	else
		bn[0] = '\0';
	rc = lwm2m_buf_append_byte(out, '{');
	if (rc == 0 && bn[0]) {
		rc = lwm2m_buf_append_str(out, "\"bn\":");
		if (rc == 0)
			rc = lwm2m_jsonw_string(out, bn, strlen(bn));
		if (rc == 0)
			rc = lwm2m_buf_append_byte(out, ',');
	}
	if (rc == 0)
		rc = lwm2m_buf_append_str(out, "\"e\":[");
	for (size_t i = 0; i < doc->count && rc == 0; i++) {
		const struct lwm2m_entry *e = &doc->entries[i];
		bool first = true;

		if (!lwm2m_path_is_prefix(&doc->base, &e->path)) {
			out->len = start;
			return lwm2m_error_set(err, -EINVAL, SIZE_MAX,
					       "entry %zu: path is outside the base path", i);
		}
		lwm2m_senml_names(doc, i, all_base, bn, n);
		rc = lwm2m_buf_append_str(out, i ? ",{" : "{");
		if (rc == 0 && n[0]) {
			rc = put_key(out, &first, "n");
			if (rc == 0)
				rc = lwm2m_jsonw_string(out, n, strlen(n));
		}
		if (rc == 0)
			rc = put_value(out, &first, &e->value);
		if (rc == 0 && e->has_time) {
			rc = put_key(out, &first, "t");
			if (rc == 0)
				rc = lwm2m_jsonw_double(out, e->time, 0);
		}
		if (rc == 0)
			rc = lwm2m_buf_append_byte(out, '}');
		if (rc == -EDOM) {
			out->len = start;
			return lwm2m_error_set(err, -EINVAL, SIZE_MAX,
					       "entry %zu: JSON cannot carry NaN or infinity", i);
		}
	}
	if (rc == 0)
		rc = lwm2m_buf_append_str(out, "]}");
	if (rc < 0) {
		out->len = start;
		return lwm2m_error_set(err, rc, SIZE_MAX, "out of memory");
	}
	return 0;
}
