/*
 * A UDP datagram from a ZEP peer (a RIOT node, zep_dispatch): parsed, and
 * a data packet's frame re-encoded must parse back to the same frame.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lowpan/zep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[LOWPAN_ZEP_V2_HDR + 128];
	struct lowpan_zep z, back;
	int n;

	if (lowpan_zep_parse(data, size, &z) != 0 || !z.frame)
		return 0;
	if (z.frame < data || z.frame + z.frame_len > data + size)
		abort();
	n = lowpan_zep_build_data(z.frame, z.frame_len, z.channel, z.seq, out, sizeof(out));
	if (n < 0)
		abort(); /* a parsed PSDU is at most 127 octets */
	if (lowpan_zep_parse(out, (size_t)n, &back) != 0 || back.frame_len != z.frame_len ||
	    memcmp(back.frame, z.frame, z.frame_len) != 0 || back.channel != z.channel)
		abort();
	return 0;
}
