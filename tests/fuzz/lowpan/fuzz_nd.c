/*
 * Neighbor Discovery as it arrives from the mesh: whatever parses as an NS
 * with an ARO must be answerable, and the answer must be a valid NA of
 * the same target, to the solicitation's source.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lowpan/nd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t us[16] = { 0xfd, [15] = 1 };
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 }, unspecified[16];
	struct lowpan_nd_msg m;
	uint8_t na[128];
	int n;

	if (lowpan_nd_parse(data, size, &m) != 0 || !m.has_aro)
		return 0;
	if (m.type == LOWPAN_ND_DAR) {
		/* the DAC carries the request's ROVR and address back to its sender */
		n = lowpan_nd_build_dac(&m, us, 0, na, sizeof(na));
		if (n != (int)(40 + 8 + m.rovr_len + 16) || na[40] != LOWPAN_ND_DAC ||
		    memcmp(na + n - 16, m.target, 16) != 0 || memcmp(na + 24, m.src, 16) != 0)
			abort();
		return 0;
	}
	n = lowpan_nd_build_na(&m, us, 0, NULL, na, sizeof(na));
	if (n != 80 || na[40] != LOWPAN_ND_NA || memcmp(na + 48, m.target, 16) != 0 ||
	    memcmp(na + 24, memcmp(m.src, unspecified, 16) ? m.src : all_nodes, 16) != 0)
		abort();
	return 0;
}
