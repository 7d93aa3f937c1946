#ifndef LWM2M_FORMAT_H
#define LWM2M_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_error.h"
#include "lwm2m/lwm2m_registry.h"

/* CoAP Content-Format numbers of the LwM2M 1.1/1.2 payload formats. */
enum lwm2m_format {
	LWM2M_FORMAT_TEXT = 0,
	LWM2M_FORMAT_LINK = 40,
	LWM2M_FORMAT_OPAQUE = 42,
	LWM2M_FORMAT_SENML_JSON = 110,
	LWM2M_FORMAT_SENML_CBOR = 112,
	LWM2M_FORMAT_TLV = 11542,
	LWM2M_FORMAT_JSON = 11543,
	LWM2M_FORMAT_CBOR = 11544,
};

/*
 * lwm2m_format_parse - a format from its short name (text, link, opaque,
 * senml-json, senml-cbor, tlv, json, cbor), its media type
 * ("application/vnd.oma.lwm2m+tlv") or its number ("11542").
 * Returns 0 or -EINVAL.
 */
int lwm2m_format_parse(const char *s, enum lwm2m_format *out);

/* lwm2m_format_name - the short name of @f, or NULL if @f is not one of ours. */
const char *lwm2m_format_name(enum lwm2m_format f);

/* lwm2m_format_mime - the media type of @f, or NULL. */
const char *lwm2m_format_mime(enum lwm2m_format f);

/* lwm2m_format_is_binary - true for formats whose payload is not text (TLV, CBOR, opaque). */
bool lwm2m_format_is_binary(enum lwm2m_format f);

/*
 * lwm2m_format_decode - decode a payload of format @f into @doc (see the
 * per-format decoders for @base and @reg).
 * Returns what the decoder returns; -ENOTSUP for link format, which is not
 * a resource-value format (use lwm2m_link_decode), or an unknown @f.
 */
int lwm2m_format_decode(enum lwm2m_format f, const uint8_t *buf, size_t len,
			const struct lwm2m_path *base, const struct lwm2m_registry *reg,
			struct lwm2m_doc *doc, struct lwm2m_error *err);

/*
 * lwm2m_format_encode - append @doc in format @f to @out.  For the tree
 * formats (TLV, LwM2M CBOR) @doc is sorted first, which is why it is not
 * const.  Returns what the encoder returns; -ENOTSUP as for decode.
 */
int lwm2m_format_encode(enum lwm2m_format f, struct lwm2m_doc *doc, struct lwm2m_buf *out,
			struct lwm2m_error *err);

#endif
