#ifndef LWM2M_BASE64_H
#define LWM2M_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_buf.h"

/*
 * Base64 (RFC 4648) for the text formats: opaque values are base64 in
 * text/plain and LwM2M JSON, base64url without padding in SenML JSON "vd".
 */

/*
 * lwm2m_base64_encode - append the base64 of @p[0..n) to @out.
 * @url: use the URL-safe alphabet and no '=' padding (RFC 4648 section 5).
 * Returns 0 or -ENOMEM.
 */
int lwm2m_base64_encode(const uint8_t *p, size_t n, bool url, struct lwm2m_buf *out);

/*
 * lwm2m_base64_decoded_max - an upper bound of the decoded size of @n
 * characters, to size the output of lwm2m_base64_decode.
 */
size_t lwm2m_base64_decoded_max(size_t n);

/*
 * lwm2m_base64_decode - decode @s[0..n), accepting both alphabets and
 * optional padding (but not a mix of alphabets, whitespace or bad padding).
 * @out: at least lwm2m_base64_decoded_max(n) bytes.
 * @outlen: the decoded length.
 * Returns 0 or -EBADMSG; @bad_at (may be NULL) gets the offending index.
 */
int lwm2m_base64_decode(const char *s, size_t n, uint8_t *out, size_t *outlen, size_t *bad_at);

#endif
