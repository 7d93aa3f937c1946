#ifndef LWM2M_JSON_H
#define LWM2M_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_error.h"
#include "lwm2m/lwm2m_registry.h"

/*
 * application/vnd.oma.lwm2m+json (content format 11543), the LwM2M 1.0 JSON
 * format kept in 1.1 (TS Core 7.4.6):
 *   {"bn":"/3/0/","bt":T,"e":[{"n":"0","sv":"ACME"},{"n":"9","v":87},...]}
 * with "v" numbers, "sv" strings (base64 for Opaque resources), "bv"
 * booleans, "ov" object links "O:I" and "t" times relative to "bt".
 */

/*
 * lwm2m_json_decode - decode an LwM2M JSON object into @doc; @base and @reg
 * as for lwm2m_senml_json_decode.
 * Returns 0, -EBADMSG (@err names line/column or the entry), -ENOMEM.
 */
int lwm2m_json_decode(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
		      const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
		      struct lwm2m_error *err);

/*
 * lwm2m_json_encode - append @doc as LwM2M JSON: "bn" is the base path plus
 * "/", names are relative.  Returns 0, -EINVAL (entry outside the base,
 * NaN/infinity), -ENOMEM.
 */
int lwm2m_json_encode(const struct lwm2m_doc *doc, struct lwm2m_buf *out, struct lwm2m_error *err);

#endif
