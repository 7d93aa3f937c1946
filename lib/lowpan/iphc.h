/* RFC 6282 IPv6 header compression (IPHC) and next header compression
 * (NHC: UDP, IPv6 extension headers, IPv6-in-IPv6), with up to 16
 * address contexts.  Buffers in, buffers out; no state but the caller's
 * context table. */
#ifndef LWGATE_LOWPAN_IPHC_H
#define LWGATE_LOWPAN_IPHC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lowpan/lladdr.h"

#define LOWPAN_IPHC_CONTEXTS 16

/* Longest compressed header lowpan_iphc_compress() can produce for one
 * IPv6 header plus NHC chain is bounded by the input; these bound what a
 * decompressor may write for one frame's worth of compressed headers. */
#define LOWPAN_IPHC_MAX_HDR 1280

/* One compression context (RFC 6282 section 3.1.2, RFC 6775 6CO). */
struct lowpan_ctx {
	bool valid;         /* usable for decompression */
	bool compress;      /* the 6CO C flag: also usable for compression */
	uint8_t plen;       /* prefix length in bits, 0..128 */
	uint8_t prefix[16]; /* bits past plen are zero */
};

/* The contexts of one interface, indexed by context identifier. */
struct lowpan_ctx_table {
	struct lowpan_ctx ctx[LOWPAN_IPHC_CONTEXTS];
};

/* Flags for lowpan_iphc_compress(). */
enum {
	/* Elide UDP checksums (RFC 6282 section 4.3.2: only when an upper
	 * layer authorizes it, e.g. a tunnel with its own integrity check). */
	LOWPAN_IPHC_ELIDE_UDP_CSUM = 1u << 0,
};

/* What lowpan_iphc_decompress() did. */
struct lowpan_iphc_info {
	size_t consumed; /* compressed octets read, starting at the dispatch */
	size_t hdr_len;  /* uncompressed header octets written */
	/* If a UDP checksum was elided: offsets (in the uncompressed
	 * datagram) of that UDP header and of the IPv6 header that carries
	 * it, to compute the checksum once the whole datagram is present.
	 * udp_off == 0 means none. */
	uint16_t udp_off;
	uint16_t udp_ip_off;
};

/* Set context id (0..15) to prefix/plen; compress is the C flag.  The
 * prefix bits past plen are cleared.  Returns 0 or -EINVAL. */
int lowpan_iphc_ctx_set(struct lowpan_ctx_table *t, unsigned id, const uint8_t prefix[16],
			unsigned plen, bool compress);

/* Decompress the IPHC header at in[0..inlen) (first byte 011xxxxx), with
 * its NHC chain, into out.  src/dst are the link-layer (or mesh) addresses
 * the elided IIDs derive from.  dgram_size is the uncompressed datagram
 * size from a FRAG1 header, or 0 for an unfragmented frame, where the
 * rest of in[] is the payload.  Length fields (IPv6 payload length, UDP
 * length) are filled from it.  ctx may be NULL (no contexts).
 * Returns 0 and fills *info, or LOWPAN_ERR_TRUNCATED, _IPHC, _CONTEXT,
 * _LLADDR, _NHC, _LENGTH, or -ENOSPC if out is too small. */
int lowpan_iphc_decompress(const struct lowpan_ctx_table *ctx, const struct lowpan_lladdr *src,
			   const struct lowpan_lladdr *dst, const uint8_t *in, size_t inlen,
			   size_t dgram_size, uint8_t *out, size_t outsize,
			   struct lowpan_iphc_info *info);

/* Decode a whole unfragmented 6LoWPAN payload at in[0..inlen) (IPHC
 * dispatch) into the IPv6 packet out[0..*outlen): headers, payload and, if
 * it was elided, the UDP checksum.  Same errors as lowpan_iphc_decompress. */
int lowpan_iphc_decode(const struct lowpan_ctx_table *ctx, const struct lowpan_lladdr *src,
		       const struct lowpan_lladdr *dst, const uint8_t *in, size_t inlen,
		       uint8_t *out, size_t outsize, size_t *outlen);

/* Compress the headers of the IPv6 packet pkt[0..len) for a frame from
 * src to dst: IPHC plus NHC for as many next headers as can be compressed,
 * always choosing the shortest legal encoding of each field given the two
 * link addresses and the contexts with the C flag.  Writes the compressed
 * headers to out (outsize bytes; 2 * 40 + 64 is enough for any IPHC+UDP),
 * sets *clen to their length and *consumed to the number of octets of
 * pkt they replace (the payload pkt[*consumed..len) follows unchanged).
 * flags: LOWPAN_IPHC_*.  Returns 0, LOWPAN_ERR_NOT_IPV6 (not version 6,
 * truncated, or a payload length that does not match len: such a packet
 * can only be sent with the uncompressed IPv6 dispatch), or -ENOSPC. */
int lowpan_iphc_compress(const struct lowpan_ctx_table *ctx, const struct lowpan_lladdr *src,
			 const struct lowpan_lladdr *dst, unsigned flags, const uint8_t *pkt,
			 size_t len, uint8_t *out, size_t outsize, size_t *clen, size_t *consumed);

/* Like lowpan_iphc_compress() for a datagram of total octets of which only
 * the first have are present (the first fragment of a datagram being
 * forwarded without reassembly): length fields are checked against total,
 * and only headers entirely within the first have octets are compressed.
 * Returns the same errors, or -EINVAL if have > total. */
int lowpan_iphc_compress_part(const struct lowpan_ctx_table *ctx, const struct lowpan_lladdr *src,
			      const struct lowpan_lladdr *dst, unsigned flags, const uint8_t *pkt,
			      size_t have, size_t total, uint8_t *out, size_t outsize, size_t *clen,
			      size_t *consumed);

#endif
