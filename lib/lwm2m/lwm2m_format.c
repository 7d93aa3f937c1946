#include "lwm2m/lwm2m_format.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lwm2m/lwm2m_cbor.h"
#include "lwm2m/lwm2m_json.h"
#include "lwm2m/lwm2m_opaque.h"
#include "lwm2m/lwm2m_senml_cbor.h"
#include "lwm2m/lwm2m_senml_json.h"
#include "lwm2m/lwm2m_text.h"
#include "lwm2m/lwm2m_tlv.h"

static const struct {
	enum lwm2m_format f;
	const char *name;
	const char *mime;
	bool binary;
} formats[] = {
	{ LWM2M_FORMAT_TEXT, "text", "text/plain", false },
	{ LWM2M_FORMAT_LINK, "link", "application/link-format", false },
	{ LWM2M_FORMAT_OPAQUE, "opaque", "application/octet-stream", true },
	{ LWM2M_FORMAT_SENML_JSON, "senml-json", "application/senml+json", false },
	{ LWM2M_FORMAT_SENML_CBOR, "senml-cbor", "application/senml+cbor", true },
	{ LWM2M_FORMAT_TLV, "tlv", "application/vnd.oma.lwm2m+tlv", true },
	{ LWM2M_FORMAT_JSON, "json", "application/vnd.oma.lwm2m+json", false },
	{ LWM2M_FORMAT_CBOR, "cbor", "application/vnd.oma.lwm2m+cbor", true },
};

#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

int lwm2m_format_parse(const char *s, enum lwm2m_format *out)
{
	char *end;
	long n;

	for (size_t i = 0; i < NFORMATS; i++) {
		if (strcasecmp(s, formats[i].name) == 0 || strcasecmp(s, formats[i].mime) == 0) {
			*out = formats[i].f;
			return 0;
		}
	}
	if (s[0] >= '0' && s[0] <= '9') {
		n = strtol(s, &end, 10);
		for (size_t i = 0; i < NFORMATS && *end == '\0'; i++) {
			if ((long)formats[i].f == n) {
				*out = formats[i].f;
				return 0;
			}
		}
	}
	return -EINVAL;
}

const char *lwm2m_format_name(enum lwm2m_format f)
{
	for (size_t i = 0; i < NFORMATS; i++) {
		if (formats[i].f == f)
			return formats[i].name;
	}
	return NULL;
}

const char *lwm2m_format_mime(enum lwm2m_format f)
{
	for (size_t i = 0; i < NFORMATS; i++) {
		if (formats[i].f == f)
			return formats[i].mime;
	}
	return NULL;
}

bool lwm2m_format_is_binary(enum lwm2m_format f)
{
	for (size_t i = 0; i < NFORMATS; i++) {
		if (formats[i].f == f)
			return formats[i].binary;
	}
	return true;
}

int lwm2m_format_decode(enum lwm2m_format f, const uint8_t *buf, size_t len,
			const struct lwm2m_path *base, const struct lwm2m_registry *reg,
			struct lwm2m_doc *doc, struct lwm2m_error *err)
{
	switch (f) {
	case LWM2M_FORMAT_TEXT:
		return lwm2m_text_decode(buf, len, base, reg, doc, err);
	case LWM2M_FORMAT_OPAQUE:
		return lwm2m_opaque_decode(buf, len, base, reg, doc, err);
	case LWM2M_FORMAT_SENML_JSON:
		return lwm2m_senml_json_decode(buf, len, base, reg, doc, err);
	case LWM2M_FORMAT_SENML_CBOR:
		return lwm2m_senml_cbor_decode(buf, len, base, reg, doc, err);
	case LWM2M_FORMAT_TLV:
		return lwm2m_tlv_decode(buf, len, base, reg, doc, err);
	case LWM2M_FORMAT_JSON:
		return lwm2m_json_decode(buf, len, base, reg, doc, err);
	case LWM2M_FORMAT_CBOR:
		return lwm2m_cbor_decode(buf, len, base, reg, doc, err);
	case LWM2M_FORMAT_LINK:
		break;
	}
	return lwm2m_error_set(err, -ENOTSUP, SIZE_MAX,
			       "content format %d does not carry resource values", (int)f);
}

int lwm2m_format_encode(enum lwm2m_format f, struct lwm2m_doc *doc, struct lwm2m_buf *out,
			struct lwm2m_error *err)
{
	switch (f) {
	case LWM2M_FORMAT_TEXT:
		return lwm2m_text_encode(doc, out, err);
	case LWM2M_FORMAT_OPAQUE:
		return lwm2m_opaque_encode(doc, out, err);
	case LWM2M_FORMAT_SENML_JSON:
		return lwm2m_senml_json_encode(doc, out, err);
	case LWM2M_FORMAT_SENML_CBOR:
		return lwm2m_senml_cbor_encode(doc, out, err);
	case LWM2M_FORMAT_TLV:
		lwm2m_doc_sort(doc);
		return lwm2m_tlv_encode(doc, out, err);
	case LWM2M_FORMAT_JSON:
		return lwm2m_json_encode(doc, out, err);
	case LWM2M_FORMAT_CBOR:
		lwm2m_doc_sort(doc);
		return lwm2m_cbor_encode(doc, out, err);
	case LWM2M_FORMAT_LINK:
		break;
	}
	return lwm2m_error_set(err, -ENOTSUP, SIZE_MAX,
			       "content format %d does not carry resource values", (int)f);
}
