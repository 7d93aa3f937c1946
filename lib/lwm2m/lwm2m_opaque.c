#include "lwm2m/lwm2m_opaque.h"

#include <errno.h>

int lwm2m_opaque_decode(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
			const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
			struct lwm2m_error *err)
{
	struct lwm2m_value v = lwm2m_value_bytes(LWM2M_TYPE_OPAQUE, buf, len);
	enum lwm2m_type t;

	if (base->len < LWM2M_PATH_RESOURCE)
		return lwm2m_error_set(err, -EINVAL, SIZE_MAX,
				       "octet-stream carries one resource: the path needs /O/I/R");
	doc->base = *base;
	if (lwm2m_registry_type_of(reg, base, &t) && t != LWM2M_TYPE_OPAQUE) {
		char ps[LWM2M_PATH_STR_MAX];

		lwm2m_path_format(base, ps, sizeof(ps));
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
				       "%s is %s: octet-stream carries only Opaque resources", ps,
				       lwm2m_type_name(t));
	}
	if (lwm2m_doc_add(doc, base, &v) < 0)
		return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory");
	return 0;
}

int lwm2m_opaque_encode(const struct lwm2m_doc *doc, struct lwm2m_buf *out, struct lwm2m_error *err)
{
	const struct lwm2m_value *v;

	if (doc->count != 1)
		return lwm2m_error_set(
			err, -EINVAL, SIZE_MAX,
			"octet-stream carries exactly one resource value (%zu entries)",
			doc->count);
	v = &doc->entries[0].value;
	if (v->type != LWM2M_TYPE_OPAQUE && v->type != LWM2M_TYPE_STRING)
		return lwm2m_error_set(err, -EINVAL, SIZE_MAX,
				       "octet-stream carries Opaque values, not %s",
				       lwm2m_type_name(v->type));
	if (lwm2m_buf_append(out, v->v.bytes.data, v->v.bytes.len) < 0)
		return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory");
	return 0;
}
