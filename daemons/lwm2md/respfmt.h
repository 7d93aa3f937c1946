/*
 * respfmt — the payload format of a client's answer to a device-management
 * request, from its Content-Format option, for clients that are not strict
 * about that option:
 *  - no Content-Format: text for a Read (RFC 7252 §5.10.3 default, and what
 *    LwM2M 1.0 clients such as lwm2m-node-lib send), link format for a
 *    Discover (lwm2m-node-lib answers a Discover with no option at all);
 *  - the numbers of the LwM2M 1.0 drafts, which lwm2m-node-lib and early
 *    Leshan used before IANA registered the final ones: 1541 text, 1542 TLV,
 *    1543 JSON, 1544 opaque.
 */
#ifndef LWM2MD_RESPFMT_H
#define LWM2MD_RESPFMT_H

#include <stdbool.h>

#include "lwm2m/lwm2m_format.h"

/*
 * respfmt_of - the format of an answer with Content-Format @cf (@has_cf
 * false: the option is absent) to a Discover (@discover) or a Read.
 */
enum lwm2m_format respfmt_of(bool has_cf, unsigned cf, bool discover);

#endif
