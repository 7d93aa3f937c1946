/* libFuzzer target: IPHC/NHC decompression of arbitrary input with link
 * addresses and contexts chosen by the first octet.  Property: whatever
 * decompresses, recompresses (same addresses and contexts) and
 * decompresses again to the same packet. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lowpan/iphc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct lowpan_ctx_table ctx;
	memset(&ctx, 0, sizeof(ctx));
	static const uint8_t p0[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1};
	static const uint8_t p3[16] = {0x20, 0x01, 0x0d, 0xb8, 0xaa, 0xbb, 0xcc, 0xdd, 0xe0};
	lowpan_iphc_ctx_set(&ctx, 0, p0, 64, true);
	lowpan_iphc_ctx_set(&ctx, 3, p3, 68, true);
	struct lowpan_lladdr src, dst;
	if (data[0] & 1)
		lowpan_lladdr_set_ext(&src, 0x00124b0000000001);
	else
		lowpan_lladdr_set_short(&src, 0x0001);
	if (data[0] & 2)
		lowpan_lladdr_set_ext(&dst, 0x00124b0000000002);
	else if (data[0] & 4)
		lowpan_lladdr_set_short(&dst, 0xffff);
	else
		memset(&dst, 0, sizeof(dst));
	unsigned flags = (data[0] & 8) ? LOWPAN_IPHC_ELIDE_UDP_CSUM : 0;
	data++;
	size--;
	static uint8_t pkt[8192], c[8192], again[8192];
	size_t plen, clen, used, alen;
	if (lowpan_iphc_decode(&ctx, &src, &dst, data, size, pkt, sizeof(pkt), &plen))
		return 0;
	if (lowpan_iphc_compress(&ctx, &src, &dst, flags, pkt, plen, c, sizeof(c), &clen, &used))
		return 0; /* e.g. a UDP length that disagrees: sent uncompressed */
	if (clen + plen - used > sizeof(c))
		abort();
	memcpy(c + clen, pkt + used, plen - used);
	if (lowpan_iphc_decode(&ctx, &src, &dst, c, clen + plen - used, again, sizeof(again),
	                       &alen))
		abort();
	/* With checksum elision the recomputed checksum may differ from a
	 * wrong one carried inline; compare everything else. */
	if (alen != plen || (!flags && memcmp(again, pkt, plen)))
		abort();
	return 0;
}
