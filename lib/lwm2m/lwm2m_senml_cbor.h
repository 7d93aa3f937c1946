#ifndef LWM2M_SENML_CBOR_H
#define LWM2M_SENML_CBOR_H

#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_error.h"
#include "lwm2m/lwm2m_registry.h"

/*
 * application/senml+cbor (content format 112): RFC 8428 section 6 (integer
 * labels: bn -2, bt -3, bv -5, n 0, v 2, vs 3, vb 4, t 6, vd 8) plus the
 * LwM2M text label "vlo" (TS Core 7.4.5).  Read with libcbor's streaming
 * decoder, written with libcbor's encoders.
 */

/*
 * lwm2m_senml_cbor_decode - decode a SenML CBOR pack into @doc.
 * Arrays and maps may be definite or indefinite; base fields, ordering and
 * typing as for lwm2m_senml_json_decode.  Unknown integer labels and text
 * labels not ending in '_' are skipped.
 * Returns 0, -EBADMSG (@err gives the offset or record), -ENOMEM.
 */
int lwm2m_senml_cbor_decode(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
			    const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
			    struct lwm2m_error *err);

/*
 * lwm2m_senml_cbor_encode - append @doc as a SenML CBOR pack: definite
 * array of definite maps, names as lwm2m_senml_json_encode, byte strings for
 * opaque values, floats in the shortest exact width.
 * Returns 0, -EINVAL (an entry outside the base), -ENOMEM.
 */
int lwm2m_senml_cbor_encode(const struct lwm2m_doc *doc, struct lwm2m_buf *out,
			    struct lwm2m_error *err);

#endif
