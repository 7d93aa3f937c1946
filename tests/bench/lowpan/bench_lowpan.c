/* Benchmarks for lib/lowpan (meson benchmark lowpan): prints figures on one
 * core and asserts nothing.
 *   decode   single-frame packets: MAC + IPHC + UDP NHC (goal 2,000,000/s)
 *   reasm    1280-octet datagrams from 13 fragments (goal 1,000,000 frag/s)
 *   tx       compression + fragmentation + frame building of 1280 octets
 *   vreasm   forwarding decisions of virtual reassembly
 *   memory   bookkeeping per reassembly and per virtual-reassembly entry */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lowpan/checksum.h"
#include "lowpan/dispatch.h"
#include "lowpan/frame.h"
#include "lowpan/iphc.h"
#include "lowpan/reasm.h"
#include "lowpan/rx.h"
#include "lowpan/tx.h"
#include "lowpan/vreasm.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
	memcpy(p + 32, "\x02\x12\x4b\x00\x00\x00\x00\x02", 8);
	p[40] = 0xf0;
	p[41] = 0xb1;
	p[42] = 0x16;
	p[43] = 0x33;
	p[44] = p[4];
	p[45] = p[5];
	for (size_t i = 0; i < plen; i++)
		p[48 + i] = (uint8_t)(i * 7 + 3);
	lowpan_checksum_set_udp6(p, 48 + plen, 0, 40);
	return 48 + plen;
}

static void tx_cfg(struct lowpan_tx_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->fcs = true;
	cfg->mac.version = LOWPAN_FRAME_V2006;
	cfg->mac.panid_comp = true;
	cfg->mac.dst_pan = 0xabcd;
	lowpan_lladdr_set_ext(&cfg->mac.src, 0x00124b0000000001);
	lowpan_lladdr_set_ext(&cfg->mac.dst, 0x00124b0000000002);
}

struct frames {
	uint8_t f[64][128];
	size_t len[64];
	size_t n;
};

static int collect(void *arg, const uint8_t *frame, size_t len)
{
	struct frames *fs = arg;
	memcpy(fs->f[fs->n], frame, len);
	fs->len[fs->n++] = len;
	return 0;
}

static volatile size_t sink;

static void bench_decode(void)
{
	uint8_t pkt[256], out[512];
	size_t n = mkpkt(pkt, 50);
	struct lowpan_tx_cfg cfg;
	tx_cfg(&cfg);
	struct frames fs = { 0 };
	uint8_t seq = 0;
	lowpan_tx_packet(&cfg, NULL, pkt, n, 1, &seq, collect, &fs);
	const uint8_t *fr = fs.f[0];
	size_t flen = fs.len[0];
	long iters = 0;
	double t0 = now_s(), t;
	do {
		for (int i = 0; i < 100000; i++) {
			struct lowpan_frame f;
			struct lowpan_dispatch d;
			size_t olen;
			if (lowpan_frame_parse(fr, flen, LOWPAN_FRAME_FCS, &f) ||
			    lowpan_dispatch_parse(f.payload, f.payload_len, &d) ||
			    lowpan_iphc_decode(NULL, &f.src, &f.dst, f.payload + d.hdr_len,
					       f.payload_len - d.hdr_len, out, sizeof(out), &olen))
				abort();
			sink += olen;
		}
		iters += 100000;
		t = now_s() - t0;
	} while (t < 1.0);
	printf("decode MAC+FCS+IPHC+UDP-NHC (%zu-octet frame -> %zu-octet packet): %.0f frames/s "
	       "(goal 2000000: %s)\n",
	       flen, n, iters / t, iters / t >= 2e6 ? "met" : "NOT met");

	struct lowpan_mib mib = { 0 };
	struct lowpan_rx_cfg rc = { .frame_flags = LOWPAN_FRAME_FCS };
	struct lowpan_rx *rx = lowpan_rx_new(&rc, &mib);
	iters = 0;
	t0 = now_s();
	do {
		for (int i = 0; i < 100000; i++) {
			uint8_t *p;
			size_t pl;
			lowpan_rx_frame(rx, fr, flen, 0, &p, &pl, NULL);
			sink += pl;
			free(p);
		}
		iters += 100000;
		t = now_s() - t0;
	} while (t < 1.0);
	printf("decode via lowpan_rx_frame (adds counters and a malloc'd packet): %.0f frames/s\n",
	       iters / t);
	lowpan_rx_free(rx);
}

static void bench_reasm(void)
{
	uint8_t pkt[1300];
	size_t n = mkpkt(pkt, 1232);
	struct lowpan_tx_cfg cfg;
	tx_cfg(&cfg);
	struct frames fs = { 0 };
	uint8_t seq = 0;
	lowpan_tx_packet(&cfg, NULL, pkt, n, 1, &seq, collect, &fs);

	/* pure reassembly: the fragments as uncompressed datagram bytes */
	struct lowpan_mib mib = { 0 };
	struct lowpan_reasm *r = lowpan_reasm_new(NULL, &mib);
	struct lowpan_reasm_key k;
	memset(&k, 0, sizeof(k));
	lowpan_lladdr_set_ext(&k.src, 0x00124b0000000001);
	lowpan_lladdr_set_ext(&k.dst, 0x00124b0000000002);
	k.size = 1280;
	size_t step = 96;
	long frags = 0;
	double t0 = now_s(), t;
	do {
		for (int i = 0; i < 10000; i++) {
			k.tag = (uint16_t)i;
			for (size_t off = 0; off < 1280; off += step) {
				struct lowpan_reasm_frag f = { .offset = (uint16_t)off,
							       .data = pkt + off,
							       .len = off + step > 1280 ? 1280 - off
											: step };
				uint8_t *dg;
				size_t dl;
				lowpan_reasm_add(r, &k, &f, 0, &dg, &dl);
				frags++;
				if (dg) {
					sink += dl;
					free(dg);
				}
			}
		}
		t = now_s() - t0;
	} while (t < 1.0);
	printf("reassembly of 1280-octet datagrams from %zu fragments (lowpan_reasm_add): %.0f "
	       "fragments/s (goal 1000000: %s), %.0f datagrams/s\n",
	       (1280 + step - 1) / step, frags / t, frags / t >= 1e6 ? "met" : "NOT met",
	       frags / t / ((1280 + step - 1) / step));
	lowpan_reasm_free(r);

	/* the whole receive path on the real frames (FCS, parse, FRAG1 IPHC) */
	struct lowpan_rx_cfg rc = { .frame_flags = LOWPAN_FRAME_FCS };
	struct lowpan_rx *rx = lowpan_rx_new(&rc, &mib);
	frags = 0;
	t0 = now_s();
	do {
		for (int i = 0; i < 10000; i++) {
			for (size_t j = 0; j < fs.n; j++) {
				uint8_t *p;
				size_t pl;
				lowpan_rx_frame(rx, fs.f[j], fs.len[j], 0, &p, &pl, NULL);
				frags++;
				if (p) {
					sink += pl;
					free(p);
				}
			}
		}
		t = now_s() - t0;
	} while (t < 1.0);
	printf("reassembly via lowpan_rx_frame (%zu frames of <= 127 octets per datagram): %.0f "
	       "frames/s\n",
	       fs.n, frags / t);
	lowpan_rx_free(rx);
}

static int count_only(void *arg, const uint8_t *frame, size_t len)
{
	sink += len;
	(*(long *)arg)++;
	return 0;
}

static void bench_tx(void)
{
	uint8_t pkt[1300];
	size_t n = mkpkt(pkt, 1232);
	struct lowpan_tx_cfg cfg;
	tx_cfg(&cfg);
	long frames = 0, pkts = 0;
	uint8_t seq = 0;
	double t0 = now_s(), t;
	do {
		for (int i = 0; i < 10000; i++) {
			lowpan_tx_packet(&cfg, NULL, pkt, n, (uint16_t)i, &seq, count_only,
					 &frames);
			pkts++;
		}
		t = now_s() - t0;
	} while (t < 1.0);
	printf("compression + fragmentation + frames with FCS of 1280-octet packets: %.0f "
	       "frames/s, "
	       "%.0f packets/s\n",
	       frames / t, pkts / t);
	n = mkpkt(pkt, 50);
	frames = pkts = 0;
	t0 = now_s();
	do {
		for (int i = 0; i < 100000; i++) {
			lowpan_tx_packet(&cfg, NULL, pkt, n, 0, &seq, count_only, &frames);
			pkts++;
		}
		t = now_s() - t0;
	} while (t < 1.0);
	printf("compression + frame with FCS of single-frame packets (%zu octets): %.0f frames/s\n",
	       n, frames / t);
}

static void bench_vreasm(void)
{
	static uint8_t data[1280], hdr[40] = { 0x60 };
	struct lowpan_mib mib = { 0 };
	struct lowpan_vreasm *v = lowpan_vreasm_new(NULL, &mib);
	struct lowpan_reasm_key k;
	memset(&k, 0, sizeof(k));
	lowpan_lladdr_set_short(&k.src, 1);
	lowpan_lladdr_set_short(&k.dst, 0);
	k.size = 1280;
	long frags = 0;
	double t0 = now_s(), t;
	do {
		for (int i = 0; i < 10000; i++) {
			k.tag = (uint16_t)i;
			lowpan_vreasm_first(v, &k, hdr, 40, 96, (uint16_t)i, 0, 0, NULL, NULL);
			frags++;
			for (uint16_t off = 96; off < 1280; off += 96) {
				enum lowpan_vreasm_action a;
				struct lowpan_vreasm_hop hop;
				size_t len = off + 96u > 1280 ? 1280u - off : 96u;
				lowpan_vreasm_next(v, &k, off, data + off, len, 0, &a, &hop);
				sink += hop.out_tag;
				frags++;
			}
		}
		t = now_s() - t0;
	} while (t < 1.0);
	printf("virtual reassembly (forwarding decisions, 14 fragments per datagram): %.0f "
	       "fragments/s\n",
	       frags / t);
	lowpan_vreasm_free(v);
}

static void memory(void)
{
	printf("memory: reassembly of a 1280-octet datagram = 1280 + %zu octets of bookkeeping "
	       "(goal <= 64); 2047-octet datagram = 2047 + %zu\n",
	       lowpan_reasm_entry_overhead(1280), lowpan_reasm_entry_overhead(2047));
	printf("memory: virtual-reassembly entry = %zu octets + the IPv6 header copy (40) "
	       "(goal <= 64 + header)\n",
	       lowpan_vreasm_entry_size());
}

int main(void)
{
	bench_decode();
	bench_reasm();
	bench_tx();
	bench_vreasm();
	memory();
	return 0;
}
