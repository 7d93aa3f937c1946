#ifndef LWM2M_CBOR_H
#define LWM2M_CBOR_H

#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_error.h"
#include "lwm2m/lwm2m_registry.h"

/*
 * application/vnd.oma.lwm2m+cbor (content format 11544, LwM2M 1.2 TS Core
 * 7.4.7): nested CBOR maps keyed by path IDs from the root,
 *   {3: {0: {0: "ACME", 7: {0: 3800, 1: 5000}, 13: 1(1367491215)}}}
 * where a key may also be an array of IDs standing for several levels
 * ({[3, 0]: {...}}).  Time is tag 1 on an integer, Objlnk a text "O:I",
 * Opaque a byte string.
 */

/*
 * lwm2m_cbor_decode - decode into @doc; every path must lie under @base
 * (which becomes doc->base); @reg refines number and text types.
 * Returns 0, -EBADMSG (@err gives the offset), -ENOMEM.
 */
int lwm2m_cbor_decode(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
		      const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
		      struct lwm2m_error *err);

/*
 * lwm2m_cbor_encode - append @doc as LwM2M CBOR with definite-length maps,
 * one level per path ID.  @doc must be a tree (lwm2m_doc_check_tree).
 * Returns 0, -EINVAL (not a tree; @err names the entry), -ENOMEM.
 */
int lwm2m_cbor_encode(const struct lwm2m_doc *doc, struct lwm2m_buf *out, struct lwm2m_error *err);

#endif
