#include "lwm2m/lwm2m_senml_json.h"

#include <errno.h>
#include <string.h>

#include "lwm2m/lwm2m_base64.h"
#include "lwm2m/lwm2m_jsonr.h"
#include "lwm2m/lwm2m_senml.h"

static int bad_field(struct lwm2m_error *err, size_t index, const char *key, const char *want)
{
	return lwm2m_error_set(err, -EBADMSG, SIZE_MAX, "record %zu: \"%s\" must be %s", index, key,
			       want);
}

enum field {
	F_BN = 1 << 0,
	F_N = 1 << 1,
	F_BT = 1 << 2,
	F_T = 1 << 3,
	F_BV = 1 << 4,
	F_V = 1 << 5,
	F_VS = 1 << 6,
	F_VB = 1 << 7,
	F_VD = 1 << 8,
	F_VLO = 1 << 9,
	F_BVER = 1 << 10,
	F_OTHER = 0,
};

static const struct {
	const char *name;
	enum field f;
} fields[] = {
	{ "bn", F_BN }, { "n", F_N },     { "bt", F_BT },     { "t", F_T },
	{ "bv", F_BV }, { "v", F_V },     { "vs", F_VS },     { "vb", F_VB },
	{ "vd", F_VD }, { "vlo", F_VLO }, { "bver", F_BVER },
};

static enum field field_of(const struct lwm2m_jsonr_token *k, char *name, size_t size)
{
	size_t n = k->len < size - 1 ? k->len : size - 1;

	/* an escaped key ("\u0062n") is unusual but still the same key */
	if (k->escaped && k->len < size) {
		int len = lwm2m_jsonr_unescape(k, name);

		n = len < 0 ? 0 : (size_t)len;
	} else {
		memcpy(name, k->s, n);
	}
	name[n] = '\0';
	if (memchr(name, '\0', n))
		return F_OTHER;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(name, fields[i].name) == 0)
			return fields[i].f;
	}
	return F_OTHER;
}

static int parse_record(struct lwm2m_jsonr *jr, size_t index, struct lwm2m_doc *doc,
			struct lwm2m_senml_rec *r, struct lwm2m_error *err)
{
	unsigned seen = 0;

	memset(r, 0, sizeof(*r));
	for (;;) {
		struct lwm2m_jsonr_token k, v;
		char key[16];
		enum field f;
		int rc = lwm2m_jsonr_next(jr, &k, err);

		if (rc < 0)
			return rc;
		if (k.kind == LWM2M_JSONR_OBJECT_END)
			return 0;
		f = field_of(&k, key, sizeof(key));
		rc = lwm2m_jsonr_next(jr, &v, err);
		if (rc < 0)
			return rc;
		if (f == F_OTHER) {
			if (k.len > 0 && k.s[k.len - 1] == '_')
				return lwm2m_error_set(
					err, -EBADMSG, SIZE_MAX,
					"record %zu: unknown must-understand field \"%s\"", index,
					key);
			rc = lwm2m_jsonr_skip(jr, &v, err);
			if (rc < 0)
				return rc;
			continue;
		}
		if (seen & f)
			return lwm2m_error_set(err, -EBADMSG, k.offset,
					       "record %zu: duplicate field \"%s\"", index, key);
		seen |= f;
		switch (f) {
		case F_BN:
		case F_N:
			if (v.kind != LWM2M_JSONR_STRING)
				return bad_field(err, index, key, "a string");
			rc = f == F_BN ? lwm2m_jsonr_text(&v, doc, &r->bn, &r->bn_len, err)
				       : lwm2m_jsonr_text(&v, doc, &r->n, &r->n_len, err);
			if (f == F_BN)
				r->has_bn = true;
			else
				r->has_n = true;
			break;
		case F_BT:
		case F_T:
		case F_BV:
			if (v.kind != LWM2M_JSONR_NUMBER)
				return bad_field(err, index, key, "a number");
			if (f == F_BT) {
				r->bt = v.f;
				r->has_bt = true;
			} else if (f == F_T) {
				r->t = v.f;
				r->has_t = true;
			} else {
				r->bv = v.f;
				r->has_bv = true;
			}
			break;
		case F_V:
			if (v.kind != LWM2M_JSONR_NUMBER)
				return bad_field(err, index, key, "a number");
			rc = lwm2m_senml_take_number(r, &v, index, err);
			break;
		case F_VS:
		case F_VLO:
			if (v.kind != LWM2M_JSONR_STRING)
				return bad_field(err, index, key, "a string");
			rc = lwm2m_senml_take_text(
				r, f == F_VS ? LWM2M_SENML_STRING : LWM2M_SENML_OBJLNK, &v, doc,
				index, err);
			break;
		case F_VB:
			if (v.kind != LWM2M_JSONR_TRUE && v.kind != LWM2M_JSONR_FALSE)
				return bad_field(err, index, key, "true or false");
			rc = lwm2m_senml_take_bool(r, &v, index, err);
			break;
		case F_VD: {
			const char *s = NULL;
			size_t n, outlen, badpos;
			uint8_t *p;

			if (v.kind != LWM2M_JSONR_STRING)
				return bad_field(err, index, key, "a base64url string");
			rc = lwm2m_senml_set_kind(r, LWM2M_SENML_DATA, index, SIZE_MAX, err);
			if (rc == 0)
				rc = lwm2m_jsonr_text(&v, doc, &s, &n, err);
			if (rc < 0)
				return rc;
			p = lwm2m_doc_alloc(doc, lwm2m_base64_decoded_max(n));
			if (!p)
				return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory");
			if (lwm2m_base64_decode(s, n, p, &outlen, &badpos) < 0)
				return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
						       "record %zu: \"vd\" is not base64url "
						       "(character %zu)",
						       index, badpos);
			r->bytes = p;
			r->len = outlen;
			break;
		}
		case F_BVER:
			if (v.kind != LWM2M_JSONR_NUMBER || !v.is_int)
				return bad_field(err, index, key, "an integer");
			break;
		case F_OTHER:
			break;
		}
		if (rc < 0)
			return rc;
	}
}

int lwm2m_senml_json_decode(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
			    const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
			    struct lwm2m_error *err)
{
	struct lwm2m_senml_base b;
	struct lwm2m_jsonr jr;
	struct lwm2m_jsonr_token t;
	int rc;

	doc->base = *base;
	lwm2m_jsonr_init(&jr, (const char *)buf, len);
	rc = lwm2m_jsonr_expect(&jr, LWM2M_JSONR_ARRAY, "a SenML pack is a JSON array of records",
				err);
	if (rc < 0)
		return rc;
	lwm2m_senml_base_init(&b);
	for (size_t index = 0;; index++) {
		struct lwm2m_senml_rec r;

		rc = lwm2m_jsonr_next(&jr, &t, err);
		if (rc < 0)
			return rc;
		if (t.kind == LWM2M_JSONR_ARRAY_END)
			break;
		if (t.kind != LWM2M_JSONR_OBJECT)
			return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
					       "record %zu: not a JSON object", index);
		rc = parse_record(&jr, index, doc, &r, err);
		if (rc == 0)
			rc = lwm2m_senml_resolve(&b, &r, index, base, reg, doc, err);
		if (rc < 0)
			return rc;
	}
	rc = lwm2m_jsonr_next(&jr, &t, err); /* nothing may follow the pack */
	return rc;
}

int lwm2m_senml_json_encode(const struct lwm2m_doc *doc, struct lwm2m_buf *out,
			    struct lwm2m_error *err)
{
	size_t start = out->len;
	struct lwm2m_senml_namer nm;
	int rc = lwm2m_buf_append_byte(out, '[');

	if (rc < 0)
		return lwm2m_error_set(err, rc, SIZE_MAX, "out of memory");
	lwm2m_senml_namer_init(&nm, doc);
	return lwm2m_senml_put_records(out, start, doc, &nm, &lwm2m_senml_json_labels, "]", err);
}
