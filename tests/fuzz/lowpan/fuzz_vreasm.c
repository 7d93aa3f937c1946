/* libFuzzer target: virtual reassembly over an arbitrary interleaving of
 * FRAG1 and FRAGN.  Records of 6 octets {kind|link, tag, offset, len, dt,
 * fill}.  Invariants: entries and held bytes stay within bounds; a
 * forwarded fragment's hop carries the header given at FRAG1. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lowpan/vreasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t hdr[40] = {0x60, 0, 0, 0, 0, 0, 17, 64, 0xfe, 0x80};

static void fwd(void *arg, const struct lowpan_vreasm_hop *hop, uint16_t offset, const uint8_t *d,
                size_t len)
{
	if (hop->hdr_len != 40 || memcmp(hop->hdr, hdr, 40) || len == 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lowpan_mib mib = {0};
	struct lowpan_vreasm_cfg cfg = {.timeout_ms = 500, .max_entries = 3, .max_held = 600};
	struct lowpan_vreasm *v = lowpan_vreasm_new(&cfg, &mib);
	uint8_t buf[256];
	uint64_t now = 0;
	for (size_t i = 0; i + 6 <= size; i += 6) {
		const uint8_t *p = data + i;
		struct lowpan_reasm_key k;
		memset(&k, 0, sizeof(k));
		lowpan_lladdr_set_short(&k.src, p[0] >> 2 & 3);
		lowpan_lladdr_set_short(&k.dst, 0);
		k.tag = p[1] & 3;
		k.size = 640;
		now += p[4];
		memset(buf, p[5], sizeof(buf));
		if (p[0] & 1) {
			lowpan_vreasm_first(v, &k, hdr, 40, (size_t)(p[3] & 0x7f) * 8, 7, 9, now,
			                    fwd, NULL);
		} else {
			enum lowpan_vreasm_action a;
			struct lowpan_vreasm_hop hop;
			int rc = lowpan_vreasm_next(v, &k, (uint16_t)(p[2] * 8), buf, p[3], now, &a,
			                            &hop);
			if (rc == 0 && a == LOWPAN_VREASM_FORWARD)
				fwd(NULL, &hop, 0, buf, p[3]);
		}
		if (lowpan_vreasm_count(v) > cfg.max_entries ||
		    lowpan_vreasm_held_bytes(v) > cfg.max_held)
			abort();
	}
	lowpan_vreasm_free(v);
	return 0;
}
