/* Unit tests for lowpan/tx: every frame fits the PHY size, the frames
 * decode back (through lowpan/rx) to the datagram for every frame version
 * and budget, uncompressible packets fall back to the 0x41 dispatch, and
 * the lowpanOut* counters add up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lowpan/checksum.h"
#include "lowpan/dispatch.h"
#include "lowpan/error.h"
#include "lowpan/rx.h"
#include "lowpan/tx.h"
#include "lowpan/vreasm.h"

struct sink {
	struct lowpan_rx *rx;
	size_t max, frames;
	uint8_t *pkt;
	size_t plen;
	int delivered;
};

static int emit(void *arg, const uint8_t *frame, size_t len)
{
	struct sink *s = arg;
	assert_true(len <= s->max);
	s->frames++;
	uint8_t *p;
	size_t n;
	assert_int_equal(lowpan_rx_frame(s->rx, frame, len, 0, &p, &n, NULL), 0);
	if (p) {
		s->pkt = p;
		s->plen = n;
		s->delivered++;
	}
	return 0;
}

static size_t mkpkt(uint8_t *p, size_t plen)
{
	memset(p, 0, 48);
	p[0] = 0x60;
	p[4] = (uint8_t)((plen + 8) >> 8);
	p[5] = (plen + 8) & 0xff;
	p[6] = 17;
	p[7] = 64;
	p[8] = 0xfe;
	p[9] = 0x80;
	memcpy(p + 16, "\x02\x12\x4b\x00\x00\x00\x00\x01", 8);
	p[24] = 0xfe;
	p[25] = 0x80;
	memcpy(p + 32, "\x00\x00\x00\xff\xfe\x00\x00\x02", 8);
	p[40] = 0x16;
	p[41] = 0x33;
	p[42] = 0xf0;
	p[43] = 0xb1;
	p[44] = p[4];
	p[45] = p[5];
	for (size_t i = 0; i < plen; i++)
		p[48 + i] = (uint8_t)(i * 5 + 1);
	lowpan_checksum_set_udp6(p, 48 + plen, 0, 40);
	return 48 + plen;
}

static void roundtrip_versions_budgets(void **state)
{
	uint8_t pkt[2100];
	for (int version = 0; version < 3; version++) {
		for (size_t max = 60; max <= 127; max += 67 - 60) {
			for (size_t plen = 0; plen <= 1232; plen += 137) {
				size_t n = mkpkt(pkt, plen);
				struct lowpan_mib tm = { 0 }, rm = { 0 };
				struct lowpan_rx_cfg rc = { .frame_flags = LOWPAN_FRAME_FCS };
				struct sink s = { .rx = lowpan_rx_new(&rc, &rm), .max = max };
				struct lowpan_tx_cfg cfg = { .max_frame = max, .fcs = true };
				cfg.mac.version = (uint8_t)version;
				cfg.mac.panid_comp = true;
				cfg.mac.dst_pan = 0xabcd;
				lowpan_lladdr_set_ext(&cfg.mac.src, 0x00124b0000000001);
				lowpan_lladdr_set_short(&cfg.mac.dst, 0x0002);
				uint8_t seq = 0;
				assert_int_equal(
					lowpan_tx_packet(&cfg, &tm, pkt, n, 77, &seq, emit, &s), 0);
				assert_int_equal(s.delivered, 1);
				assert_int_equal(s.plen, n);
				assert_memory_equal(s.pkt, pkt, n);
				free(s.pkt);
				assert_int_equal(seq, s.frames);
				assert_int_equal(tm.out_transmits, s.frames);
				if (s.frames > 1) {
					assert_int_equal(tm.out_frag_oks, 1);
					assert_int_equal(tm.out_frag_creates, s.frames);
				}
				lowpan_rx_free(s.rx);
			}
		}
	}
}

static void fallback_and_limits(void **state)
{
	uint8_t pkt[2100];
	size_t n = mkpkt(pkt, 300);
	pkt[5] ^= 1; /* payload length no longer matches: IPHC cannot carry it */
	struct lowpan_mib tm = { 0 }, rm = { 0 };
	struct lowpan_rx_cfg rc = { .frame_flags = 0 };
	struct sink s = { .rx = lowpan_rx_new(&rc, &rm), .max = 127 };
	struct lowpan_tx_cfg cfg = { 0 };
	cfg.mac.version = 1;
	lowpan_lladdr_set_short(&cfg.mac.src, 1);
	lowpan_lladdr_set_short(&cfg.mac.dst, 2);
	uint8_t seq = 0;
	assert_int_equal(lowpan_tx_packet(&cfg, &tm, pkt, n, 1, &seq, emit, &s), 0);
	assert_int_equal(tm.out_comp_fails, 1);
	assert_int_equal(s.delivered, 1);
	assert_memory_equal(s.pkt, pkt, n);
	free(s.pkt);
	/* too big for 6LoWPAN fragmentation */
	n = mkpkt(pkt, 2000);
	assert_int_equal(lowpan_tx_packet(&cfg, &tm, pkt, n, 1, &seq, emit, &s),
			 LOWPAN_ERR_TOO_BIG);
	assert_int_equal(tm.out_frag_fails, 1);
	/* frame size that cannot hold the MAC header */
	cfg.max_frame = 10;
	assert_int_equal(lowpan_tx_packet(&cfg, &tm, pkt, 60, 1, &seq, emit, &s), -EMSGSIZE);
	lowpan_rx_free(s.rx);
}

/* Node A -> border router -> node B, the router forwarding fragments as
 * they come (lowpan_vreasm + lowpan_tx_forward_*).  On the second hop the
 * source IID no longer derives from the MAC source, so the compressed
 * header grows by 8 octets and the first fragment overflows into an extra
 * FRAGN.  Some FRAGN reach the router before their FRAG1. */
struct hop1 {
	uint8_t f[64][128];
	size_t len[64], n;
};

static int keep(void *arg, const uint8_t *frame, size_t len)
{
	struct hop1 *h = arg;
	memcpy(h->f[h->n], frame, len);
	h->len[h->n++] = len;
	return 0;
}

struct router {
	struct lowpan_vreasm *v;
	struct lowpan_tx_cfg out;
	struct sink *b;
	uint8_t seq;
};

static void release(void *arg, const struct lowpan_vreasm_hop *hop, uint16_t offset,
		    const uint8_t *data, size_t len)
{
	struct router *r = arg;
	assert_int_equal(lowpan_tx_forward_next(&r->out, NULL, offset, data, len, 600, hop->out_tag,
						&r->seq, emit, r->b),
			 0);
}

static void forward_without_reassembly(void **state)
{
	uint8_t pkt[700];
	size_t n = mkpkt(pkt, 552);
	assert_int_equal(n, 600);
	/* hop 1: A (ext, IID matches) -> router (short 0) */
	struct lowpan_tx_cfg a = { .max_frame = 80, .fcs = false };
	a.mac.version = 1;
	a.mac.panid_comp = true;
	a.mac.dst_pan = 0xabcd;
	lowpan_lladdr_set_ext(&a.mac.src, 0x00124b0000000001);
	lowpan_lladdr_set_short(&a.mac.dst, 0x0000);
	struct hop1 h = { 0 };
	uint8_t seq = 0;
	assert_int_equal(lowpan_tx_packet(&a, NULL, pkt, n, 0x0101, &seq, keep, &h), 0);
	assert_true(h.n >= 8);
	/* deliver FRAGN 2 and 3 first */
	size_t order[64], k = 0;
	order[k++] = 2;
	order[k++] = 3;
	order[k++] = 0;
	order[k++] = 1;
	for (size_t i = 4; i < h.n; i++)
		order[k++] = i;

	struct lowpan_mib vm = { 0 }, bm = { 0 }, om = { 0 };
	struct lowpan_vreasm_cfg vc = { .max_held = 512 };
	struct lowpan_rx_cfg rc = { .frame_flags = 0 };
	struct sink b = { .rx = lowpan_rx_new(&rc, &bm), .max = 80 };
	struct router r = { .v = lowpan_vreasm_new(&vc, &vm), .b = &b };
	r.out = a;
	lowpan_lladdr_set_short(&r.out.mac.src, 0x0000);
	lowpan_lladdr_set_ext(&r.out.mac.dst, 0x00124b0000000002);
	for (size_t i = 0; i < k; i++) {
		struct lowpan_frame f;
		struct lowpan_dispatch d;
		assert_int_equal(lowpan_frame_parse(h.f[order[i]], h.len[order[i]], 0, &f), 0);
		assert_int_equal(lowpan_dispatch_parse(f.payload, f.payload_len, &d), 0);
		struct lowpan_reasm_key key = {
			.src = f.src, .dst = f.dst, .size = d.dgram_size, .tag = d.dgram_tag
		};
		const uint8_t *p = f.payload + d.hdr_len;
		size_t pl = f.payload_len - d.hdr_len;
		if (d.frag == LOWPAN_FRAG_FIRST) {
			uint8_t first[256];
			struct lowpan_iphc_info ii;
			assert_int_equal(lowpan_iphc_decompress(NULL, &f.src, &f.dst, p, pl,
								d.dgram_size, first, sizeof(first),
								&ii),
					 0);
			memcpy(first + ii.hdr_len, p + ii.consumed, pl - ii.consumed);
			size_t flen = ii.hdr_len + pl - ii.consumed;
			assert_int_equal(lowpan_tx_forward_first(&r.out, &om, first, flen,
								 d.dgram_size, 0x0202, &r.seq, emit,
								 &b),
					 0);
			assert_int_equal(lowpan_vreasm_first(r.v, &key, first, 40, flen, 0x0202, 0,
							     0, release, &r),
					 0);
		} else {
			enum lowpan_vreasm_action act;
			struct lowpan_vreasm_hop hop;
			assert_int_equal(
				lowpan_vreasm_next(r.v, &key, d.dgram_offset, p, pl, 0, &act, &hop),
				0);
			if (act == LOWPAN_VREASM_FORWARD)
				assert_int_equal(lowpan_tx_forward_next(&r.out, &om, d.dgram_offset,
									p, pl, d.dgram_size,
									hop.out_tag, &r.seq, emit,
									&b),
						 0);
		}
	}
	assert_int_equal(vm.vreasm_buffered, 2);
	assert_int_equal(b.delivered, 1);
	assert_int_equal(b.plen, n);
	assert_memory_equal(b.pkt, pkt, n);
	/* the first fragment overflowed into one more frame on hop 2 */
	assert_int_equal(b.frames, h.n + 1);
	free(b.pkt);
	lowpan_vreasm_expire(r.v, 1);
	assert_int_equal(lowpan_vreasm_count(r.v), 0);
	lowpan_vreasm_free(r.v);
	lowpan_rx_free(b.rx);
}

/* RFC 7388 counts a compression request only when one is made: none with
 * IPHC switched off, whether the datagram starts here or is forwarded
 * fragment by fragment. */
static void uncompressed_requests_no_compression(void **state)
{
	uint8_t pkt[400];
	size_t n = mkpkt(pkt, 300);
	struct lowpan_mib tm = { 0 }, fm = { 0 }, rm = { 0 };
	struct lowpan_rx_cfg rc = { .frame_flags = 0 };
	struct sink s = { .rx = lowpan_rx_new(&rc, &rm), .max = 127 };
	struct lowpan_tx_cfg cfg = { .uncompressed = true };
	cfg.mac.version = 1;
	lowpan_lladdr_set_short(&cfg.mac.src, 1);
	lowpan_lladdr_set_short(&cfg.mac.dst, 2);
	uint8_t seq = 0;
	assert_int_equal(lowpan_tx_packet(&cfg, &tm, pkt, n, 1, &seq, emit, &s), 0);
	assert_int_equal(s.delivered, 1);
	assert_memory_equal(s.pkt, pkt, n);
	free(s.pkt);
	assert_int_equal(tm.out_comp_reqds, 0);
	assert_int_equal(tm.out_comp_fails, 0);
	/* the first 96 octets of the same datagram, forwarded without reassembly */
	assert_int_equal(
		lowpan_tx_forward_first(&cfg, &fm, pkt, 96, (uint16_t)n, 2, &seq, emit, &s), 0);
	assert_int_equal(fm.out_comp_reqds, 0);
	assert_int_equal(fm.out_comp_fails, 0);
	/* with IPHC on: one request, carried */
	cfg.uncompressed = false;
	memset(&fm, 0, sizeof(fm));
	assert_int_equal(
		lowpan_tx_forward_first(&cfg, &fm, pkt, 96, (uint16_t)n, 3, &seq, emit, &s), 0);
	assert_int_equal(fm.out_comp_reqds, 1);
	assert_int_equal(fm.out_comp_oks, 1);
	lowpan_rx_free(s.rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roundtrip_versions_budgets),
		cmocka_unit_test(fallback_and_limits),
		cmocka_unit_test(uncompressed_requests_no_compression),
		cmocka_unit_test(forward_without_reassembly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
