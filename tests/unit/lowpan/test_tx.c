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
#include "lowpan/error.h"
#include "lowpan/rx.h"
#include "lowpan/tx.h"

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
				struct lowpan_mib tm = {0}, rm = {0};
				struct lowpan_rx_cfg rc = {.frame_flags = LOWPAN_FRAME_FCS};
				struct sink s = {.rx = lowpan_rx_new(&rc, &rm), .max = max};
				struct lowpan_tx_cfg cfg = {.max_frame = max, .fcs = true};
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
	struct lowpan_mib tm = {0}, rm = {0};
	struct lowpan_rx_cfg rc = {.frame_flags = 0};
	struct sink s = {.rx = lowpan_rx_new(&rc, &rm), .max = 127};
	struct lowpan_tx_cfg cfg = {0};
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(roundtrip_versions_budgets),
	    cmocka_unit_test(fallback_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
