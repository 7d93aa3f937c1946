#ifndef LWM2M_JSONW_H
#define LWM2M_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_buf.h"

/*
 * Minimal JSON writing for the encoders: they build their output straight
 * into a buffer (jansson parses the input side).  Numbers are printed in
 * the shortest form that reads back to the same double.
 */

/*
 * lwm2m_jsonw_string - append @s[0..n) as a quoted JSON string, escaping
 * '"', '\\' and control characters.  @s must be UTF-8 (not checked here).
 * Returns 0 or -ENOMEM.
 */
int lwm2m_jsonw_string(struct lwm2m_buf *b, const char *s, size_t n);

/*
 * lwm2m_jsonw_double - append @d in the shortest round-trip form; an
 * integral value gets ".0" when @keep_float so that a reader sees a float.
 * Returns 0, -EDOM for NaN/infinity (JSON has no such numbers) or -ENOMEM.
 */
int lwm2m_jsonw_double(struct lwm2m_buf *b, double d, int keep_float);

/* lwm2m_jsonw_int - append a signed integer.  Returns 0 or -ENOMEM. */
int lwm2m_jsonw_int(struct lwm2m_buf *b, int64_t v);

/* lwm2m_jsonw_uint - append an unsigned integer.  Returns 0 or -ENOMEM. */
int lwm2m_jsonw_uint(struct lwm2m_buf *b, uint64_t v);

#endif
