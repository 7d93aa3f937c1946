/* libFuzzer target: the send path against the receive path.  Input:
 * [flags][packet].  The packet is made a plausible IPv6 packet (version
 * and payload length fixed up) unless flags bit 0 says to keep it raw; it
 * is compressed and fragmented for a frame size chosen by flags, and the
 * frames are fed to lowpan_rx.  Property: whatever lowpan_tx_packet()
 * accepts comes out of lowpan_rx byte for byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lowpan/rx.h"
#include "lowpan/tx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct sink {
	struct lowpan_rx *rx;
	uint8_t *pkt;
	size_t len;
	int delivered;
	size_t max;
};

static int emit(void *arg, const uint8_t *frame, size_t len)
{
	struct sink *s = arg;
	if (len > s->max)
		abort();
	uint8_t *p;
	size_t n;
	if (lowpan_rx_frame(s->rx, frame, len, 0, &p, &n, NULL))
		abort();
	if (p) {
		free(s->pkt);
		s->pkt = p;
		s->len = n;
		s->delivered++;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 2100)
		return 0;
	uint8_t flags = data[0];
	uint8_t *pkt = malloc(size - 1);
	size_t len = size - 1;
	memcpy(pkt, data + 1, len);
	if (!(flags & 1) && len >= 40) {
		pkt[0] = (uint8_t)(0x60 | (pkt[0] & 0x0f));
		pkt[4] = (uint8_t)((len - 40) >> 8);
		pkt[5] = (len - 40) & 0xff;
	}
	struct lowpan_ctx_table ctx;
	memset(&ctx, 0, sizeof(ctx));
	static const uint8_t p0[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	lowpan_iphc_ctx_set(&ctx, 0, p0, 32, true);
	struct lowpan_tx_cfg cfg = { .ctx = &ctx,
				     .fcs = flags & 2,
				     .max_frame = 48u + (flags >> 3) * 4u };
	cfg.mac.version = (uint8_t)((flags >> 2) % 3);
	cfg.mac.panid_comp = true;
	cfg.mac.dst_pan = 0xabcd;
	if (flags & 0x80)
		lowpan_lladdr_set_ext(&cfg.mac.src, 0x00124b0000000001);
	else
		lowpan_lladdr_set_short(&cfg.mac.src, 0x0001);
	lowpan_lladdr_set_short(&cfg.mac.dst, len > 24 && pkt[24] == 0xff ? 0xffff : 0x0002);
	struct lowpan_mib rm = { 0 };
	struct lowpan_rx_cfg rc = { .frame_flags = (flags & 2) ? LOWPAN_FRAME_FCS : 0,
				    .ctx = &ctx };
	struct sink s = { .rx = lowpan_rx_new(&rc, &rm), .max = cfg.max_frame };
	uint8_t seq = 0;
	if (lowpan_tx_packet(&cfg, NULL, pkt, len, 7, &seq, emit, &s) == 0) {
		if (s.delivered != 1 || s.len != len || memcmp(s.pkt, pkt, len))
			abort();
	}
	free(s.pkt);
	lowpan_rx_free(s.rx);
	free(pkt);
	return 0;
}
