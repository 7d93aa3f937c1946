/*
 * RPL as it arrives from the mesh: the control-message parser, the source
 * routing header parser and the upward strip, on arbitrary bytes.  Whatever
 * parses as a DIO, DAO or DAO-ACK must build again and parse back to the
 * same fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lowpan/rpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t root[16] = { 0xfd, [15] = 1 };
	struct lowpan_rpl_msg m, back;
	uint8_t hops[LOWPAN_RPL_MAX_HOPS][16], pkt[2048];
	int n;

	if (lowpan_rpl_parse(data, size, &m) == 0 && m.code != LOWPAN_RPL_DIS) {
		n = lowpan_rpl_build(&m, root, root, pkt, sizeof(pkt));
		if (n > 0) {
			if (lowpan_rpl_parse(pkt + 40, (size_t)n - 40, &back) != 0 ||
			    back.code != m.code || back.instance != m.instance ||
			    back.sequence != m.sequence || back.ntargets != m.ntargets)
				abort();
		}
	}
	lowpan_rpl_srh_parse(data, size, root, hops, LOWPAN_RPL_MAX_HOPS);
	if (size <= sizeof(pkt)) {
		memcpy(pkt, data, size);
		n = lowpan_rpl_strip(pkt, size, root);
		if (n > (int)size)
			abort();
	}
	return 0;
}
