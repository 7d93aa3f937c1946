/* RFC 4944 / RFC 6282 dispatch: the mesh, broadcast and fragment headers
 * that may precede a 6LoWPAN payload, and the payload dispatch itself. */
#ifndef LWGATE_LOWPAN_DISPATCH_H
#define LWGATE_LOWPAN_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lowpan/lladdr.h"

enum lowpan_frag_kind {
	LOWPAN_FRAG_NONE = 0,
	LOWPAN_FRAG_FIRST = 1, /* FRAG1: 11000xxx */
	LOWPAN_FRAG_NEXT = 2,  /* FRAGN: 11100xxx */
};

/* What the payload after the headers is (only meaningful for unfragmented
 * frames and FRAG1). */
enum lowpan_payload_kind {
	LOWPAN_PAYLOAD_IPV6 = 1, /* 01000001: uncompressed IPv6 */
	LOWPAN_PAYLOAD_IPHC = 2, /* 011xxxxx: RFC 6282 IPHC */
};

/* The headers found at the start of a 6LoWPAN frame payload. */
struct lowpan_dispatch {
	bool mesh;                  /* mesh header present */
	uint8_t hops_left;          /* mesh */
	struct lowpan_lladdr orig;  /* mesh originator address */
	struct lowpan_lladdr final; /* mesh final destination address */
	bool bc0;                   /* broadcast header (LOWPAN_BC0) present */
	uint8_t bc0_seq;
	uint8_t frag;        /* enum lowpan_frag_kind */
	uint16_t dgram_size; /* 11 bits: uncompressed datagram size */
	uint16_t dgram_tag;
	uint16_t dgram_offset; /* in octets (wire value * 8); 0 for FRAG1 */
	uint8_t payload;       /* enum lowpan_payload_kind; 0 for FRAGN */
	size_t hdr_len;        /* octets of the headers above */
};

/* Parse the headers at buf[0..len) (mesh, broadcast, fragment; RFC 4944
 * section 5 order) and classify the payload.  On success d->hdr_len is the
 * offset of the payload (the IPHC or IPv6 dispatch for unfragmented frames
 * and FRAG1, the fragment data for FRAGN).  Returns 0 or
 * LOWPAN_ERR_TRUNCATED, LOWPAN_ERR_NALP (00xxxxxx), LOWPAN_ERR_HC1
 * (01000010), LOWPAN_ERR_DISPATCH (reserved), LOWPAN_ERR_MESH or
 * LOWPAN_ERR_FRAG (zero datagram size, FRAGN at offset 0). */
int lowpan_dispatch_parse(const uint8_t *buf, size_t len, struct lowpan_dispatch *d);

/* Write a FRAG1 (offset == 0 and first) or FRAGN header into out (4 or 5
 * bytes).  size < 2048; offset is in octets and a multiple of 8.  Returns
 * the header length. */
size_t lowpan_dispatch_put_frag(uint8_t *out, bool first, uint16_t size, uint16_t tag,
				uint16_t offset);

/* Write a mesh header for orig/final (short or extended) with hops_left
 * into out (at most 18 bytes).  Returns its length, or LOWPAN_ERR_MESH. */
int lowpan_dispatch_put_mesh(uint8_t *out, uint8_t hops_left, const struct lowpan_lladdr *orig,
			     const struct lowpan_lladdr *final);

#endif
