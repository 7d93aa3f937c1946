/* libFuzzer target: the whole receive path (frame, dispatch, IPHC/NHC,
 * reassembly) over a sequence of frames.  Input: [len][frame]... with
 * len one octet; two contexts configured.  A delivered datagram must be a
 * well-formed length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lowpan/rx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lowpan_ctx_table ctx;
	memset(&ctx, 0, sizeof(ctx));
	static const uint8_t p0[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1};
	static const uint8_t p5[16] = {0xfd, 0, 0xab, 0xcd, 0x12};
	lowpan_iphc_ctx_set(&ctx, 0, p0, 64, true);
	lowpan_iphc_ctx_set(&ctx, 5, p5, 37, true);
	struct lowpan_mib mib = {0};
	struct lowpan_rx_cfg cfg = {
	    .frame_flags = 0, .ctx = &ctx, .reasm = {.max_entries = 4, .max_bytes = 8192}};
	struct lowpan_rx *rx = lowpan_rx_new(&cfg, &mib);
	size_t off = 0;
	uint64_t now = 0;
	while (off < size) {
		size_t n = data[off++];
		if (n > size - off)
			n = size - off;
		uint8_t *frame = malloc(n ? n : 1);
		memcpy(frame, data + off, n);
		off += n;
		uint8_t *pkt;
		size_t plen;
		if (lowpan_rx_frame(rx, frame, n, now, &pkt, &plen, NULL) == 0 && pkt) {
			if (plen > 0xffff)
				abort();
			free(pkt);
		}
		free(frame);
		now += 100;
	}
	lowpan_rx_free(rx);
	return 0;
}
