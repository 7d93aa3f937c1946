#ifndef LWM2M_TEXT_H
#define LWM2M_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_error.h"
#include "lwm2m/lwm2m_registry.h"

/*
 * text/plain (content format 0), LwM2M TS Core 7.4.1: one resource or
 * resource instance value as text.  Integers and Time in decimal, Float in
 * decimal or exponent notation, Boolean "0"/"1", Objlnk "O:I", Opaque in
 * base64; the type comes from the registry (unknown resources are String).
 */

/*
 * lwm2m_text_decode - decode the value of @base (a resource or resource
 * instance path) into one entry of @doc.
 * Returns 0, -EINVAL (@base is not a resource path), -EBADMSG (text that is
 * not a valid value of the resource's type; @err says which), -ENOMEM.
 */
int lwm2m_text_decode(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
		      const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
		      struct lwm2m_error *err);

/*
 * lwm2m_text_format_value - append the text form of @v to @out (what
 * lwm2m_text_encode writes, also used for CoAP query values).
 * Returns 0, -EINVAL for a NONE value or a NaN/infinite float, -ENOMEM.
 */
int lwm2m_text_format_value(const struct lwm2m_value *v, struct lwm2m_buf *out);

/*
 * lwm2m_text_encode - append the single entry of @doc as text.
 * Returns 0, -EINVAL (not exactly one entry, or no value; @err says), -ENOMEM.
 */
int lwm2m_text_encode(const struct lwm2m_doc *doc, struct lwm2m_buf *out, struct lwm2m_error *err);

#endif
