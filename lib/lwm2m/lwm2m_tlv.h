#ifndef LWM2M_TLV_H
#define LWM2M_TLV_H

#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_error.h"
#include "lwm2m/lwm2m_registry.h"

/*
 * application/vnd.oma.lwm2m+tlv (content format 11542), LwM2M TS Core 7.4.3.
 * TLV does not carry data types: the decoder takes them from the registry
 * and decodes resources it does not know as Opaque.
 */

/* Bits 7-6 of the TLV type byte. */
enum lwm2m_tlv_kind {
	LWM2M_TLV_OBJECT_INSTANCE = 0,
	LWM2M_TLV_RESOURCE_INSTANCE = 1,
	LWM2M_TLV_MULTIPLE_RESOURCE = 2,
	LWM2M_TLV_RESOURCE = 3,
};

/* One TLV header and the bounds of its value (pointing into the input). */
struct lwm2m_tlv {
	enum lwm2m_tlv_kind kind;
	uint16_t id;
	const uint8_t *value;
	size_t len;
};

/*
 * lwm2m_tlv_next - read the TLV at @buf[*pos], checking that its header and
 * value fit in @len; advances *pos past it.
 * Returns 0 or -EBADMSG (with @err saying what and at which offset).
 */
int lwm2m_tlv_next(const uint8_t *buf, size_t len, size_t *pos, struct lwm2m_tlv *out,
		   struct lwm2m_error *err);

/*
 * lwm2m_tlv_decode - decode a TLV payload into @doc.
 * @buf, @len: the payload.
 * @base: the request path (object, instance, resource or resource
 *        instance); it tells what the top-level TLVs are and becomes doc->base.
 *        TLVs outside it are rejected.
 * @reg: object definitions for the value types, or NULL (all values Opaque).
 * @doc: entries are appended (call lwm2m_doc_reset first to start empty).
 * Returns 0, -EBADMSG for malformed input (@err says what and where),
 * -EINVAL for a root @base, or -ENOMEM.
 */
int lwm2m_tlv_decode(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
		     const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
		     struct lwm2m_error *err);

/*
 * lwm2m_tlv_encode - append the TLV form of @doc to @out.
 * @doc: must be a tree (lwm2m_doc_check_tree: sorted, no duplicates) whose
 *       base is an object, instance, resource or resource instance; entries
 *       are resources (/O/I/R) or resource instances (/O/I/R/RI).  Resources
 *       with resource-instance entries become Multiple Resource TLVs.
 * Integers use the shortest of 1, 2, 4 or 8 bytes, floats 4 bytes when that
 * is exact and 8 otherwise.
 * Returns 0, -EINVAL (a doc TLV cannot express; @err says which entry),
 * -EMSGSIZE (a value of 16 MiB or more) or -ENOMEM.
 */
int lwm2m_tlv_encode(const struct lwm2m_doc *doc, struct lwm2m_buf *out, struct lwm2m_error *err);

#endif
