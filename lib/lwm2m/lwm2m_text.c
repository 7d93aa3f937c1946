#include "lwm2m/lwm2m_text.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lwm2m/lwm2m_base64.h"
#include "lwm2m/lwm2m_jsonw.h"

/* Long enough for any number LwM2M can carry in text. */
#define NUM_MAX 64

static bool all_of(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++) {
		if (!s[i] || !strchr(set, s[i]))
			return false;
	}
	return n > 0;
}

static int parse_number(const char *s, size_t n, enum lwm2m_type t, struct lwm2m_value *v)
{
	char tmp[NUM_MAX + 1];
	char *end;

	if (n == 0 || n > NUM_MAX)
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	v->type = t;
	if (t == LWM2M_TYPE_UNSIGNED) {
		if (!all_of(tmp, n, "0123456789"))
			return -EINVAL;
		v->v.u = strtoull(tmp, &end, 10);
	} else if (t == LWM2M_TYPE_FLOAT) {
		/* decimal only: strtod would also take "inf", "nan" and hex */
		if (!all_of(tmp, n, "0123456789+-.eE") || !strpbrk(tmp, "0123456789"))
			return -EINVAL;
		v->v.f = strtod(tmp, &end);
		if (errno == ERANGE && isinf(v->v.f))
			return -ERANGE;
		errno = 0;
	} else {
		if (!all_of(tmp + (tmp[0] == '-'), n - (tmp[0] == '-'), "0123456789"))
			return -EINVAL;
		v->v.i = strtoll(tmp, &end, 10);
	}
	if (errno == ERANGE)
		return -ERANGE;
	if (*end != '\0')
		return -EINVAL;
	return 0;
}

int lwm2m_text_decode(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
		      const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
		      struct lwm2m_error *err)
{
	enum lwm2m_type t = LWM2M_TYPE_STRING;
	const char *s = (const char *)buf;
	char ps[LWM2M_PATH_STR_MAX];
	struct lwm2m_value v;
	int rc = 0;

	if (base->len < LWM2M_PATH_RESOURCE)
		return lwm2m_error_set(err, -EINVAL, SIZE_MAX,
				       "text/plain carries one resource: the path needs /O/I/R");
	doc->base = *base;
	lwm2m_path_format(base, ps, sizeof(ps));
	if (!lwm2m_registry_type_of(reg, base, &t) || t == LWM2M_TYPE_NONE)
		t = LWM2M_TYPE_STRING;
	v.type = t;
	switch (t) {
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_CORELNK:
		if (!lwm2m_utf8_valid(buf, len))
			return lwm2m_error_set(err, -EBADMSG, SIZE_MAX, "%s: text is not UTF-8",
					       ps);
		v.v.bytes.data = buf;
		v.v.bytes.len = len;
		break;
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
	case LWM2M_TYPE_UNSIGNED:
	case LWM2M_TYPE_FLOAT:
		rc = parse_number(s, len, t, &v);
		if (rc < 0)
			return lwm2m_error_set(
				err, -EBADMSG, SIZE_MAX, "%s: \"%.*s\" is not %s %s%s", ps,
				(int)(len < 40 ? len : 40), s, t == LWM2M_TYPE_INTEGER ? "an" : "a",
				lwm2m_type_name(t), rc == -ERANGE ? " (out of range)" : "");
		break;
	case LWM2M_TYPE_BOOLEAN:
		if (len != 1 || (s[0] != '0' && s[0] != '1'))
			return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
					       "%s: Boolean text must be \"0\" or \"1\"", ps);
		v.v.b = s[0] == '1';
		break;
	case LWM2M_TYPE_OBJLNK:
		if (lwm2m_objlnk_parse(s, len, &v.v.lnk) < 0)
			return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
					       "%s: \"%.*s\" is not an object link O:I", ps,
					       (int)(len < 40 ? len : 40), s);
		break;
	case LWM2M_TYPE_OPAQUE: {
		uint8_t *p = lwm2m_doc_alloc(doc, lwm2m_base64_decoded_max(len));
		size_t n, bad;

		if (!p)
			return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory");
		if (lwm2m_base64_decode(s, len, p, &n, &bad) < 0)
			return lwm2m_error_set(err, -EBADMSG, bad, "%s: Opaque text must be base64",
					       ps);
		v.v.bytes.data = p;
		v.v.bytes.len = n;
		/* already in the document's storage */
		struct lwm2m_entry e = { .path = *base, .value = v };

		if (lwm2m_doc_add_owned(doc, &e) < 0)
			return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory");
		return 0;
	}
	case LWM2M_TYPE_NONE:
		break;
	}
	if (lwm2m_doc_add(doc, base, &v) < 0)
		return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory");
	return 0;
}

int lwm2m_text_format_value(const struct lwm2m_value *v, struct lwm2m_buf *out)
{
	char tmp[16];

	switch (v->type) {
	case LWM2M_TYPE_NONE:
		return -EINVAL;
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_CORELNK:
		return lwm2m_buf_append(out, v->v.bytes.data, v->v.bytes.len);
	case LWM2M_TYPE_OPAQUE:
		return lwm2m_base64_encode(v->v.bytes.data, v->v.bytes.len, false, out);
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		return lwm2m_jsonw_int(out, v->v.i);
	case LWM2M_TYPE_UNSIGNED:
		return lwm2m_jsonw_uint(out, v->v.u);
	case LWM2M_TYPE_FLOAT: {
		int rc = lwm2m_jsonw_double(out, v->v.f, 0);

		return rc == -EDOM ? -EINVAL : rc;
	}
	case LWM2M_TYPE_BOOLEAN:
		return lwm2m_buf_append_byte(out, v->v.b ? '1' : '0');
	case LWM2M_TYPE_OBJLNK:
		lwm2m_objlnk_format(v->v.lnk, tmp, sizeof(tmp));
		return lwm2m_buf_append_str(out, tmp);
	}
	return -EINVAL;
}

int lwm2m_text_encode(const struct lwm2m_doc *doc, struct lwm2m_buf *out, struct lwm2m_error *err)
{
	size_t start = out->len;
	int rc;

	if (doc->count != 1 || doc->entries[0].path.len < LWM2M_PATH_RESOURCE)
		return lwm2m_error_set(
			err, -EINVAL, SIZE_MAX,
			"text/plain carries exactly one resource value (%zu entries)", doc->count);
	rc = lwm2m_text_format_value(&doc->entries[0].value, out);
	if (rc == -EINVAL) {
		out->len = start;
		return lwm2m_error_set(
			err, -EINVAL, SIZE_MAX,
			"text/plain cannot carry this value (none, NaN or infinity)");
	}
	if (rc < 0)
		return lwm2m_error_set(err, rc, SIZE_MAX, "out of memory");
	return 0;
}
