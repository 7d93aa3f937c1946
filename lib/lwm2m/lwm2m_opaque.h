#ifndef LWM2M_OPAQUE_H
#define LWM2M_OPAQUE_H

#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_error.h"
#include "lwm2m/lwm2m_registry.h"

/*
 * application/octet-stream (content format 42), LwM2M TS Core 7.4.2: the
 * raw bytes of one Opaque resource or resource instance.
 */

/*
 * lwm2m_opaque_decode - store @buf as the Opaque value of @base.
 * Returns 0, -EINVAL (@base is not a resource path), -EBADMSG (the registry
 * says the resource is not Opaque), -ENOMEM.
 */
int lwm2m_opaque_decode(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
			const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
			struct lwm2m_error *err);

/*
 * lwm2m_opaque_encode - append the bytes of the single Opaque (or String)
 * entry of @doc.
 * Returns 0, -EINVAL (not exactly one entry, or another type), -ENOMEM.
 */
int lwm2m_opaque_encode(const struct lwm2m_doc *doc, struct lwm2m_buf *out,
			struct lwm2m_error *err);

#endif
