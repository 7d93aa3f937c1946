#include "lwm2m/lwm2m_json.h"

#include <errno.h>
#include <string.h>

#include "lwm2m/lwm2m_base64.h"
#include "lwm2m/lwm2m_jsonr.h"
#include "lwm2m/lwm2m_jsonw.h"
#include "lwm2m/lwm2m_senml.h"

static int bad_entry(struct lwm2m_error *err, size_t i, const char *msg)
{
	return lwm2m_error_set(err, -EBADMSG, SIZE_MAX, "entry %zu: %s", i, msg);
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

static int parse_entry(struct lwm2m_jsonr *jr, size_t i, const char *bn, size_t bn_len,
		       const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
		       struct lwm2m_senml_rec *r, struct lwm2m_error *err)
{
	bool sv = false;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	for (;;) {
		struct lwm2m_jsonr_token k, v;

		rc = lwm2m_jsonr_next(jr, &k, err);
		if (rc < 0)
			return rc;
		if (k.kind == LWM2M_JSONR_OBJECT_END)
			break;
		rc = lwm2m_jsonr_next(jr, &v, err);
		if (rc < 0)
			return rc;
		if (lwm2m_jsonr_key_is(&k, "n")) {
			if (v.kind != LWM2M_JSONR_STRING)
				return bad_entry(err, i, "\"n\" must be a string");
			if (r->has_n)
				return bad_entry(err, i, "duplicate \"n\"");
			rc = lwm2m_jsonr_text(&v, doc, &r->n, &r->n_len, err);
			r->has_n = true;
		} else if (lwm2m_jsonr_key_is(&k, "t")) {
			if (v.kind != LWM2M_JSONR_NUMBER)
				return bad_entry(err, i, "\"t\" must be a number");
			r->t = v.f;
			r->has_t = true;
		} else if (lwm2m_jsonr_key_is(&k, "v")) {
			if (v.kind != LWM2M_JSONR_NUMBER)
				return bad_entry(err, i, "\"v\" must be a number");
			rc = lwm2m_senml_take_number(r, &v, i, err);
		} else if (lwm2m_jsonr_key_is(&k, "sv") || lwm2m_jsonr_key_is(&k, "ov")) {
			bool is_sv = k.s[0] == 's';

			if (v.kind != LWM2M_JSONR_STRING)
				return bad_entry(err, i,
						 is_sv ? "\"sv\" must be a string"
						       : "\"ov\" must be a string");
			rc = lwm2m_senml_take_text(r,
						   is_sv ? LWM2M_SENML_STRING : LWM2M_SENML_OBJLNK,
						   &v, doc, i, err);
			sv = is_sv;
		} else if (lwm2m_jsonr_key_is(&k, "bv")) {
			if (v.kind != LWM2M_JSONR_TRUE && v.kind != LWM2M_JSONR_FALSE)
				return bad_entry(err, i, "\"bv\" must be true or false");
			rc = lwm2m_senml_take_bool(r, &v, i, err);
		} else {
			rc = lwm2m_jsonr_skip(jr, &v, err);
		}
		if (rc < 0)
			return rc;
	}
	if (sv && is_opaque(bn, bn_len, r->n ? r->n : "", r->n_len, reg)) {
		size_t n, badpos;
		uint8_t *p = lwm2m_doc_alloc(doc, lwm2m_base64_decoded_max(r->len));

		if (!p)
			return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory");
		if (lwm2m_base64_decode((const char *)r->bytes, r->len, p, &n, &badpos) < 0)
			return lwm2m_error_set(
				err, -EBADMSG, SIZE_MAX,
				"entry %zu: Opaque \"sv\" is not base64 (character %zu)", i,
				badpos);
		r->kind = LWM2M_SENML_DATA;
		r->bytes = p;
		r->len = n;
	}
	return 0;
}

static int decode_entries(struct lwm2m_jsonr *jr, const char *bn, size_t bn_len, bool has_bn,
			  const double *bt, const struct lwm2m_path *base,
			  const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
			  struct lwm2m_error *err)
{
	struct lwm2m_senml_base b;

	lwm2m_senml_base_init(&b);
	for (size_t i = 0;; i++) {
		struct lwm2m_jsonr_token t;
		struct lwm2m_senml_rec r;
		int rc = lwm2m_jsonr_next(jr, &t, err);

		if (rc < 0)
			return rc;
		if (t.kind == LWM2M_JSONR_ARRAY_END)
			return 0;
		if (t.kind != LWM2M_JSONR_OBJECT)
			return bad_entry(err, i, "not a JSON object");
		rc = parse_entry(jr, i, bn, bn_len, reg, doc, &r, err);
		if (rc < 0)
			return rc;
		/* the top-level base name and time apply to every entry */
		if (i == 0 && has_bn) {
			r.has_bn = true;
			r.bn = bn;
			r.bn_len = bn_len;
		}
		if (i == 0 && bt) {
			r.has_bt = true;
			r.bt = *bt;
		}
		rc = lwm2m_senml_resolve(&b, &r, i, base, reg, doc, err);
		if (rc < 0)
			return rc;
	}
}

int lwm2m_json_decode(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
		      const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
		      struct lwm2m_error *err)
{
	struct lwm2m_jsonr jr, entries;
	struct lwm2m_jsonr_token t;
	const char *bn = "";
	size_t bn_len = 0;
	bool has_bn = false, has_e = false;
	double bt = 0;
	bool has_bt = false;
	int rc;

	doc->base = *base;
	lwm2m_jsonr_init(&jr, (const char *)buf, len);
	rc = lwm2m_jsonr_expect(&jr, LWM2M_JSONR_OBJECT,
				"LwM2M JSON is an object with an \"e\" array of entries", err);
	if (rc < 0)
		return rc;
	/*
	 * Members may come in any order but "bn" and "bt" apply to "e":
	 * remember where "e" starts, read the rest, then come back to it.
	 */
	for (;;) {
		struct lwm2m_jsonr_token k, v;

		rc = lwm2m_jsonr_next(&jr, &k, err);
		if (rc < 0)
			return rc;
		if (k.kind == LWM2M_JSONR_OBJECT_END)
			break;
		rc = lwm2m_jsonr_next(&jr, &v, err);
		if (rc < 0)
			return rc;
		if (lwm2m_jsonr_key_is(&k, "bn") || lwm2m_jsonr_key_is(&k, "bt")) {
			bool is_bn = k.s[1] == 'n';

			if ((is_bn && v.kind != LWM2M_JSONR_STRING) ||
			    (!is_bn && v.kind != LWM2M_JSONR_NUMBER))
				return lwm2m_error_set(
					err, -EBADMSG, SIZE_MAX,
					"\"bn\" must be a string and \"bt\" a number");
			if (is_bn) {
				rc = lwm2m_jsonr_text(&v, doc, &bn, &bn_len, err);
				has_bn = true;
			} else {
				bt = v.f;
				has_bt = true;
			}
		} else if (lwm2m_jsonr_key_is(&k, "e") && v.kind == LWM2M_JSONR_ARRAY && !has_e) {
			entries = jr;
			has_e = true;
			rc = lwm2m_jsonr_skip(&jr, &v, err);
		} else {
			rc = lwm2m_jsonr_skip(&jr, &v, err);
		}
		if (rc < 0)
			return rc;
	}
	rc = lwm2m_jsonr_next(&jr, &t, err); /* nothing may follow */
	if (rc < 0)
		return rc;
	if (!has_e)
		return lwm2m_error_set(err, -EBADMSG, 0,
				       "LwM2M JSON is an object with an \"e\" array of entries");
	rc = decode_entries(&entries, bn, bn_len, has_bn, has_bt ? &bt : NULL, base, reg, doc, err);
	/* LwM2M JSON calls its records entries */
	if (rc < 0 && err && strncmp(err->msg, "record ", 7) == 0) {
		memmove(err->msg + 5, err->msg + 6, strlen(err->msg + 6) + 1);
		memcpy(err->msg, "entry", 5);
	}
	return rc;
}

int lwm2m_json_encode(const struct lwm2m_doc *doc, struct lwm2m_buf *out, struct lwm2m_error *err)
{
	char bn[LWM2M_PATH_STR_MAX + 1], n[LWM2M_PATH_STR_MAX + 1];
	size_t start = out->len;
	struct lwm2m_senml_namer nm;
	int rc;

	lwm2m_senml_namer_init(&nm, doc);
	bn[0] = '\0';
	/* the base name of the first entry is the object's "bn" */
	if (doc->count) {
		rc = lwm2m_senml_names(&nm, doc, 0, bn, n, err);
		if (rc < 0)
			return rc;
	}
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
	if (rc < 0) {
		out->len = start;
		return lwm2m_error_set(err, rc, SIZE_MAX, "out of memory");
	}
	return lwm2m_senml_put_records(out, start, doc, &nm, &lwm2m_senml_lwm2m_labels, "]}", err);
}
