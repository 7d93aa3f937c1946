#ifndef LWM2M_SENML_JSON_H
#define LWM2M_SENML_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_error.h"
#include "lwm2m/lwm2m_registry.h"

/*
 * application/senml+json (content format 110): RFC 8428 SenML in JSON as
 * LwM2M 1.1 uses it (TS Core 7.4.4), parsed with jansson.
 */

/*
 * lwm2m_senml_json_decode - decode a SenML JSON pack into @doc.
 * @base: the request path (the root for Read-Composite, Send); every
 *        resolved name must lie under it; it becomes doc->base.
 * @reg: types for numbers (Integer vs Float vs Time...), may be NULL.
 * Records may come in any order; base name, base time and base value carry
 * over as RFC 8428 says; fields ending in '_' are rejected (must-understand);
 * unknown other fields are ignored.
 * Returns 0, -EBADMSG (@err names the line/column or the record), -ENOMEM.
 */
int lwm2m_senml_json_decode(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
			    const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
			    struct lwm2m_error *err);

/*
 * lwm2m_senml_json_encode - append @doc as a SenML JSON pack to @out:
 * the request path as base name in the first record, names relative to it,
 * "v"/"vs"/"vb"/"vd" (base64url)/"vlo" by type, "t" for timed entries.
 * Returns 0, -EINVAL (entry outside the base, NaN/infinite float; @err says
 * which), -ENOMEM.
 */
int lwm2m_senml_json_encode(const struct lwm2m_doc *doc, struct lwm2m_buf *out,
			    struct lwm2m_error *err);

#endif
