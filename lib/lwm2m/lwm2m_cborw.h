#ifndef LWM2M_CBORW_H
#define LWM2M_CBORW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_buf.h"

/*
 * CBOR writing for the encoders: libcbor's encoding functions
 * (cbor_encode_uint, cbor_encode_map_start, ...) appending to a lwm2m_buf.
 * Every function returns 0 or -ENOMEM.
 */

/* lwm2m_cborw_uint - an unsigned integer (major type 0), shortest head. */
int lwm2m_cborw_uint(struct lwm2m_buf *b, uint64_t v);
/* lwm2m_cborw_int - a signed integer, as major type 0 or 1. */
int lwm2m_cborw_int(struct lwm2m_buf *b, int64_t v);
/* lwm2m_cborw_bytes - a definite byte string. */
int lwm2m_cborw_bytes(struct lwm2m_buf *b, const void *p, size_t n);
/* lwm2m_cborw_text - a definite text string (@p must be UTF-8). */
int lwm2m_cborw_text(struct lwm2m_buf *b, const void *p, size_t n);
/* lwm2m_cborw_array - the head of a definite array of @n items. */
int lwm2m_cborw_array(struct lwm2m_buf *b, size_t n);
/* lwm2m_cborw_map - the head of a definite map of @n pairs. */
int lwm2m_cborw_map(struct lwm2m_buf *b, size_t n);
/* lwm2m_cborw_indef_map - the head of an indefinite map (close with lwm2m_cborw_break). */
int lwm2m_cborw_indef_map(struct lwm2m_buf *b);
/* lwm2m_cborw_break - the "break" that ends an indefinite container. */
int lwm2m_cborw_break(struct lwm2m_buf *b);
/* lwm2m_cborw_tag - a tag head; the tagged item follows. */
int lwm2m_cborw_tag(struct lwm2m_buf *b, uint64_t tag);
/* lwm2m_cborw_bool - true or false. */
int lwm2m_cborw_bool(struct lwm2m_buf *b, bool v);
/* lwm2m_cborw_float - the shortest of single or double precision that is exact. */
int lwm2m_cborw_float(struct lwm2m_buf *b, double v);

#endif
