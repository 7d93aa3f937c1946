/* libFuzzer target: the 802.15.4 frame decoder.  Property: a frame that
 * parses rebuilds to a frame that parses to the same fields and payload. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lowpan/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned flags[] = {0, LOWPAN_FRAME_FCS,
	                                 LOWPAN_FRAME_FCS | LOWPAN_FRAME_FCS_NOCHECK};
	for (size_t i = 0; i < 3; i++) {
		struct lowpan_frame f, g;
		if (lowpan_frame_parse(data, size, flags[i], &f))
			continue;
		/* A secured frame's payload includes the MIC on rebuild. */
		size_t plen = f.payload_len + (f.security ? f.sec.mic_len : 0);
		if (f.type == LOWPAN_FRAME_BEACON && f.version < LOWPAN_FRAME_V2015)
			continue; /* superframe fields are not rebuilt */
		if (f.security && f.version == LOWPAN_FRAME_V2003)
			continue;
		uint8_t *out = malloc(size + 64);
		size_t olen;
		if (lowpan_frame_build(&f, f.payload, plen, 0, out, size + 64, &olen) == 0) {
			if (lowpan_frame_parse(out, olen, 0, &g))
				abort();
			if (g.payload_len != f.payload_len ||
			    memcmp(g.payload, f.payload, f.payload_len) || g.seq != f.seq ||
			    g.dst_pan != f.dst_pan || !lowpan_lladdr_equal(&g.src, &f.src) ||
			    !lowpan_lladdr_equal(&g.dst, &f.dst))
				abort();
		}
		free(out);
	}
	return 0;
}
