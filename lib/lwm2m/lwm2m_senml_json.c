#include "lwm2m/lwm2m_senml_json.h"

#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "lwm2m/lwm2m_base64.h"
#include "lwm2m/lwm2m_jsonw.h"
#include "lwm2m/lwm2m_senml.h"

static int bad_field(struct lwm2m_error *err, size_t index, const char *key, const char *want)
{
	return lwm2m_error_set(err, -EBADMSG, SIZE_MAX, "record %zu: \"%s\" must be %s", index, key,
			       want);
}

static int number(json_t *v, double *out)
{
	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 0;
}

static int set_value(struct lwm2m_senml_rec *r, enum lwm2m_senml_kind kind, size_t index,
		     struct lwm2m_error *err)
{
	if (r->kind != LWM2M_SENML_NONE)
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
				       "record %zu: more than one value field", index);
	r->kind = kind;
	return 0;
}

static int parse_record(json_t *obj, size_t index, struct lwm2m_doc *doc, struct lwm2m_senml_rec *r,
			struct lwm2m_error *err)
{
	const char *key;
	json_t *v;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(obj))
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX, "record %zu: not a JSON object",
				       index);
	json_object_foreach (obj, key, v) {
		int rc = 0;

		if (strcmp(key, "bn") == 0) {
			if (!json_is_string(v))
				return bad_field(err, index, key, "a string");
			r->bn = json_string_value(v);
			r->bn_len = json_string_length(v);
			r->has_bn = true;
		} else if (strcmp(key, "n") == 0) {
			if (!json_is_string(v))
				return bad_field(err, index, key, "a string");
			r->n = json_string_value(v);
			r->n_len = json_string_length(v);
			r->has_n = true;
		} else if (strcmp(key, "bt") == 0) {
			if (number(v, &r->bt) < 0)
				return bad_field(err, index, key, "a number");
			r->has_bt = true;
		} else if (strcmp(key, "t") == 0) {
			if (number(v, &r->t) < 0)
				return bad_field(err, index, key, "a number");
			r->has_t = true;
		} else if (strcmp(key, "bv") == 0) {
			if (number(v, &r->bv) < 0)
				return bad_field(err, index, key, "a number");
			r->has_bv = true;
		} else if (strcmp(key, "v") == 0) {
			if (json_is_integer(v)) {
				rc = set_value(r, LWM2M_SENML_INT, index, err);
				r->i = json_integer_value(v);
			} else if (json_is_real(v)) {
				rc = set_value(r, LWM2M_SENML_FLOAT, index, err);
				r->f = json_real_value(v);
			} else {
				return bad_field(err, index, key, "a number");
			}
		} else if (strcmp(key, "vs") == 0 || strcmp(key, "vlo") == 0) {
			if (!json_is_string(v))
				return bad_field(err, index, key, "a string");
			rc = set_value(r, key[1] == 's' ? LWM2M_SENML_STRING : LWM2M_SENML_OBJLNK,
				       index, err);
			r->bytes = (const uint8_t *)json_string_value(v);
			r->len = json_string_length(v);
		} else if (strcmp(key, "vb") == 0) {
			if (!json_is_boolean(v))
				return bad_field(err, index, key, "true or false");
			rc = set_value(r, LWM2M_SENML_BOOL, index, err);
			r->b = json_is_true(v);
		} else if (strcmp(key, "vd") == 0) {
			const char *s;
			size_t n, outlen, bad;
			uint8_t *p;

			if (!json_is_string(v))
				return bad_field(err, index, key, "a base64url string");
			rc = set_value(r, LWM2M_SENML_DATA, index, err);
			if (rc < 0)
				return rc;
			s = json_string_value(v);
			n = json_string_length(v);
			p = lwm2m_doc_alloc(doc, lwm2m_base64_decoded_max(n));
			if (!p)
				return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory");
			if (lwm2m_base64_decode(s, n, p, &outlen, &bad) < 0)
				return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
						       "record %zu: \"vd\" is not base64url "
						       "(character %zu)",
						       index, bad);
			r->bytes = p;
			r->len = outlen;
		} else if (strcmp(key, "bver") == 0) {
			if (!json_is_integer(v))
				return bad_field(err, index, key, "an integer");
		} else if (key[0] && key[strlen(key) - 1] == '_') {
			return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
					       "record %zu: unknown must-understand field \"%s\"",
					       index, key);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

int lwm2m_senml_json_decode(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
			    const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
			    struct lwm2m_error *err)
{
	struct lwm2m_senml_base b;
	json_error_t jerr;
	json_t *root, *rec;
	size_t index;
	int rc = 0;

	doc->base = *base;
	root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return lwm2m_error_set(err, -EBADMSG,
				       jerr.position >= 0 ? (size_t)jerr.position : SIZE_MAX,
				       "line %d column %d: %s", jerr.line, jerr.column, jerr.text);
	if (!json_is_array(root)) {
		json_decref(root);
		return lwm2m_error_set(err, -EBADMSG, 0, "a SenML pack is a JSON array of records");
	}
	lwm2m_senml_base_init(&b);
	json_array_foreach (root, index, rec) {
		struct lwm2m_senml_rec r;

		rc = parse_record(rec, index, doc, &r, err);
		if (rc == 0)
			rc = lwm2m_senml_resolve(&b, &r, index, base, reg, doc, err);
		if (rc < 0)
			break;
	}
	json_decref(root);
	return rc;
}

static int put_key(struct lwm2m_buf *out, bool *first, const char *key)
{
	int rc = lwm2m_buf_append_str(out, *first ? "\"" : ",\"");

	*first = false;
	if (rc == 0)
		rc = lwm2m_buf_append_str(out, key);
	if (rc == 0)
		rc = lwm2m_buf_append_str(out, "\":");
	return rc;
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
		rc = put_key(out, first, "vs");
		return rc ? rc
			  : lwm2m_jsonw_string(out, (const char *)v->v.bytes.data, v->v.bytes.len);
	case LWM2M_TYPE_OPAQUE:
		rc = put_key(out, first, "vd");
		if (rc == 0)
			rc = lwm2m_buf_append_byte(out, '"');
		if (rc == 0)
			rc = lwm2m_base64_encode(v->v.bytes.data, v->v.bytes.len, true, out);
		return rc ? rc : lwm2m_buf_append_byte(out, '"');
	case LWM2M_TYPE_BOOLEAN:
		rc = put_key(out, first, "vb");
		return rc ? rc : lwm2m_buf_append_str(out, v->v.b ? "true" : "false");
	case LWM2M_TYPE_OBJLNK:
		rc = put_key(out, first, "vlo");
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

int lwm2m_senml_json_encode(const struct lwm2m_doc *doc, struct lwm2m_buf *out,
			    struct lwm2m_error *err)
{
	size_t start = out->len;
	bool all_base = lwm2m_senml_all_base(doc);
	int rc = lwm2m_buf_append_byte(out, '[');

	for (size_t i = 0; i < doc->count && rc == 0; i++) {
		const struct lwm2m_entry *e = &doc->entries[i];
		char bn[LWM2M_PATH_STR_MAX + 1], n[LWM2M_PATH_STR_MAX + 1];
		bool first = true;

		if (!lwm2m_path_is_prefix(&doc->base, &e->path)) {
			out->len = start;
			return lwm2m_error_set(err, -EINVAL, SIZE_MAX,
					       "entry %zu: path is outside the base path", i);
		}
		lwm2m_senml_names(doc, i, all_base, bn, n);
		rc = lwm2m_buf_append_str(out, i ? ",{" : "{");
		if (rc == 0 && bn[0]) {
			rc = put_key(out, &first, "bn");
			if (rc == 0)
				rc = lwm2m_jsonw_string(out, bn, strlen(bn));
		}
		if (rc == 0 && n[0]) {
			rc = put_key(out, &first, "n");
			if (rc == 0)
				rc = lwm2m_jsonw_string(out, n, strlen(n));
		}
		if (rc == 0 && e->has_time) {
			rc = put_key(out, &first, "t");
			if (rc == 0)
				rc = lwm2m_jsonw_double(out, e->time, 0);
		}
		if (rc == 0)
			rc = put_value(out, &first, &e->value);
		if (rc == 0)
			rc = lwm2m_buf_append_byte(out, '}');
		if (rc == -EDOM) {
			out->len = start;
			return lwm2m_error_set(err, -EINVAL, SIZE_MAX,
					       "entry %zu: JSON cannot carry NaN or infinity", i);
		}
	}
	if (rc == 0)
		rc = lwm2m_buf_append_byte(out, ']');
	if (rc < 0) {
		out->len = start;
		return lwm2m_error_set(err, rc, SIZE_MAX, "out of memory");
	}
	return 0;
}
