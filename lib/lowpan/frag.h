/* RFC 4944 section 5.3 fragmentation of one datagram into frames that fit
 * a MAC payload budget.  Fragments are produced in natural order (FRAG1
 * first, increasing offsets: LWIG guidance section 3.1.1.1); offsets and
 * datagram_size count octets of the uncompressed datagram (RFC 6282
 * section 2), and FRAG1 carries the whole compressed header. */
#ifndef LWGATE_LOWPAN_FRAG_H
#define LWGATE_LOWPAN_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest datagram_size the 11-bit field can carry. */
#define LOWPAN_FRAG_MAX_SIZE 2047

/* Iterator state; plain data owned by the caller. */
struct lowpan_frag {
	const uint8_t *hdr; /* compressed headers (with dispatch), or 0x41 */
	size_t hlen;
	size_t ulen;            /* uncompressed octets hdr stands for */
	const uint8_t *payload; /* rest of the datagram, sent verbatim */
	size_t plen;
	size_t budget; /* octets available for 6LoWPAN per frame */
	uint16_t size, tag;
	size_t next; /* next uncompressed offset; SIZE_MAX when done */
	bool fragmented;
};

/* FRAG1 and FRAGN header lengths (RFC 4944 section 5.3). */
#define LOWPAN_FRAG1_HDR_LEN 4
#define LOWPAN_FRAGN_HDR_LEN 5

/* Datagram octets after the header in a FRAG1 of budget octets that
 * carries hdr_len octets of (compressed) headers standing for ulen octets:
 * as many as fit, less what makes the next offset (ulen plus them) a
 * multiple of 8.  The caller has checked budget >= 4 + hdr_len + 7. */
static inline size_t lowpan_frag_first_len(size_t budget, size_t hdr_len, size_t ulen)
{
	size_t k = budget - LOWPAN_FRAG1_HDR_LEN - hdr_len;
	return k - (ulen + k) % 8;
}

/* Data octets in a full FRAGN of budget octets: a multiple of 8.  The
 * caller has checked budget >= 5 + 8. */
static inline size_t lowpan_frag_next_len(size_t budget)
{
	return (budget - LOWPAN_FRAGN_HDR_LEN) & ~(size_t)7;
}

/* Prepare to send hdr[0..hlen) (IPHC output, or the single byte 0x41 with
 * ulen 0 for the uncompressed dispatch) standing for ulen octets of the
 * datagram, followed by payload[0..plen), in frames of at most budget
 * octets, with datagram_tag tag.  Returns 0, LOWPAN_ERR_TOO_BIG if the
 * datagram needs fragmentation and exceeds 2047 octets, or -EMSGSIZE if
 * the budget cannot hold a FRAG1 with the whole header (plus up to 7
 * octets to align the next offset) or a FRAGN with 8 octets of data. */
int lowpan_frag_init(struct lowpan_frag *f, const uint8_t *hdr, size_t hlen, size_t ulen,
		     const uint8_t *payload, size_t plen, uint16_t tag, size_t budget);

/* Write the next frame payload (fragment header and data, or the whole
 * unfragmented datagram) into out and set *outlen; *outlen == 0 means all
 * fragments were produced.  Returns 0 or -ENOSPC if outsize < budget. */
int lowpan_frag_next(struct lowpan_frag *f, uint8_t *out, size_t outsize, size_t *outlen);

/* True if the datagram is sent as more than one fragment. */
bool lowpan_frag_is_fragmented(const struct lowpan_frag *f);

#endif
