#include "lwm2m/lwm2m_cborw.h"

#include <errno.h>

#include <cbor.h>

/* the longest head libcbor writes: 1 initial byte + 8 */
#define HEAD_MAX 9

#define EMIT(b, call)                                     \
	do {                                              \
		size_t n_;                                \
		if (lwm2m_buf_reserve((b), HEAD_MAX) < 0) \
			return -ENOMEM;                   \
		n_ = call;                                \
		if (n_ == 0)                              \
			return -ENOMEM;                   \
		(b)->len += n_;                           \
	} while (0)

#define DST(b) ((b)->data + (b)->len), HEAD_MAX

int lwm2m_cborw_uint(struct lwm2m_buf *b, uint64_t v)
{
	EMIT(b, cbor_encode_uint(v, DST(b)));
	return 0;
}

int lwm2m_cborw_int(struct lwm2m_buf *b, int64_t v)
{
	if (v >= 0)
		EMIT(b, cbor_encode_uint((uint64_t)v, DST(b)));
	else
		EMIT(b, cbor_encode_negint((uint64_t)(-1 - v), DST(b)));
	return 0;
}

int lwm2m_cborw_bytes(struct lwm2m_buf *b, const void *p, size_t n)
{
	EMIT(b, cbor_encode_bytestring_start(n, DST(b)));
	return lwm2m_buf_append(b, p, n);
}

int lwm2m_cborw_text(struct lwm2m_buf *b, const void *p, size_t n)
{
	EMIT(b, cbor_encode_string_start(n, DST(b)));
	return lwm2m_buf_append(b, p, n);
}

int lwm2m_cborw_array(struct lwm2m_buf *b, size_t n)
{
	EMIT(b, cbor_encode_array_start(n, DST(b)));
	return 0;
}

int lwm2m_cborw_map(struct lwm2m_buf *b, size_t n)
{
	EMIT(b, cbor_encode_map_start(n, DST(b)));
	return 0;
}

int lwm2m_cborw_indef_map(struct lwm2m_buf *b)
{
	EMIT(b, cbor_encode_indef_map_start(DST(b)));
	return 0;
}

int lwm2m_cborw_break(struct lwm2m_buf *b)
{
	EMIT(b, cbor_encode_break(DST(b)));
	return 0;
}

int lwm2m_cborw_tag(struct lwm2m_buf *b, uint64_t tag)
{
	EMIT(b, cbor_encode_tag(tag, DST(b)));
	return 0;
}

int lwm2m_cborw_bool(struct lwm2m_buf *b, bool v)
{
	EMIT(b, cbor_encode_bool(v, DST(b)));
	return 0;
}

int lwm2m_cborw_float(struct lwm2m_buf *b, double v)
{
	if ((double)(float)v == v || v != v)
		EMIT(b, cbor_encode_single((float)v, DST(b)));
	else
		EMIT(b, cbor_encode_double(v, DST(b)));
	return 0;
}
