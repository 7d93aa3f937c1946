#ifndef LWM2M_CBORR_H
#define LWM2M_CBORR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_error.h"

/*
 * A pull reader over libcbor's streaming decoder (cbor_stream_decode): one
 * data item head per call, no allocation, strings pointing into the input.
 * It is what the SenML CBOR and LwM2M CBOR decoders walk their input with;
 * libcbor checks each head and definite string against the bytes left.
 */

enum lwm2m_cborr_kind {
	LWM2M_CBORR_UINT,   /* u = value */
	LWM2M_CBORR_NEGINT, /* u = n, the value is -1 - n */
	LWM2M_CBORR_BYTES,  /* data, len */
	LWM2M_CBORR_TEXT,   /* data, len */
	LWM2M_CBORR_ARRAY,  /* u = count, or indefinite */
	LWM2M_CBORR_MAP,    /* u = pair count, or indefinite */
	LWM2M_CBORR_TAG,    /* u = tag number; the tagged item follows */
	LWM2M_CBORR_FLOAT,  /* f (half, single and double) */
	LWM2M_CBORR_BOOL,   /* b */
	LWM2M_CBORR_NULL,
	LWM2M_CBORR_UNDEF,
	LWM2M_CBORR_BREAK,        /* end of an indefinite array or map */
	LWM2M_CBORR_INDEF_STRING, /* start of a chunked string (not supported by our formats) */
};

/* Only the fields named for the item's kind are set. */
struct lwm2m_cborr_item {
	enum lwm2m_cborr_kind kind;
	bool indefinite; /* ARRAY or MAP without a count */
	uint64_t u;
	double f;
	bool b;
	const uint8_t *data;
	size_t len;
	size_t offset; /* where the item starts in the input */
};

struct lwm2m_cborr {
	const uint8_t *buf;
	size_t len;
	size_t pos;
};

/* lwm2m_cborr_init - read @buf[0..len) from the start. */
void lwm2m_cborr_init(struct lwm2m_cborr *r, const uint8_t *buf, size_t len);

/*
 * lwm2m_cborr_next - read the next item head (for strings, the whole string).
 * Returns 0, or -EBADMSG at the end of input or on malformed CBOR (@err
 * gives the offset).
 */
int lwm2m_cborr_next(struct lwm2m_cborr *r, struct lwm2m_cborr_item *it, struct lwm2m_error *err);

/*
 * lwm2m_cborr_skip - skip the content of @it, whose head was just read:
 * nothing for a scalar, all elements of an array or map, the tagged item.
 * Nesting is limited to 16 levels so hostile input cannot exhaust the stack.
 * Returns 0 or -EBADMSG.
 */
int lwm2m_cborr_skip(struct lwm2m_cborr *r, const struct lwm2m_cborr_item *it,
		     struct lwm2m_error *err);

/* lwm2m_cborr_at_end - true when all input has been read. */
bool lwm2m_cborr_at_end(const struct lwm2m_cborr *r);

#endif
