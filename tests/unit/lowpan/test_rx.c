/* Unit tests for lowpan/rx: the frames of shared/tools/sixlowpan_oracle.py
 * (scapy-built, tshark-accepted; rx_vectors.h) decode to scapy's packets in
 * order, shuffled and with duplicates; mesh headers, secured frames,
 * non-data frames and refused dispatches are counted by reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "lowpan/dispatch.h"
#include "lowpan/error.h"
#include "lowpan/frame.h"
#include "lowpan/rx.h"

#include "rx_vectors.h"
#include "testutil.h"

static struct lowpan_rx *new_rx(struct lowpan_mib *mib, struct lowpan_ctx_table *ctx,
				const char *ctx0)
{
	memset(ctx, 0, sizeof(*ctx));
	if (ctx0 && ctx0[0]) {
		char buf[64];
		strcpy(buf, ctx0);
		*strchr(buf, '/') = 0;
		uint8_t p[16];
		assert_int_equal(inet_pton(AF_INET6, buf, p), 1);
		lowpan_iphc_ctx_set(ctx, 0, p, (unsigned)atoi(strchr(ctx0, '/') + 1), true);
	}
	struct lowpan_rx_cfg cfg = { .frame_flags = LOWPAN_FRAME_FCS, .ctx = ctx };
	return lowpan_rx_new(&cfg, mib);
}

static void oracle_vectors(void **state)
{
	for (size_t v = 0; v < sizeof(rx_vectors) / sizeof(rx_vectors[0]); v++) {
		const struct rx_vector *rv = &rx_vectors[v];
		uint8_t want[1500], fr[8][200];
		size_t wn = unhex(rv->ipv6, want), fn[8];
		for (int i = 0; i < rv->nframes; i++)
			fn[i] = unhex(rv->frames[i], fr[i]);
		/* orders: natural, reversed, natural with every frame twice */
		for (int order = 0; order < 3; order++) {
			struct lowpan_mib mib = { 0 };
			struct lowpan_ctx_table ctx;
			struct lowpan_rx *rx = new_rx(&mib, &ctx, rv->ctx0);
			int delivered = 0;
			for (int j = 0; j < rv->nframes * (order == 2 ? 2 : 1); j++) {
				int i = order == 0 ? j : order == 1 ? rv->nframes - 1 - j : j / 2;
				uint8_t *pkt;
				size_t plen;
				int rc = lowpan_rx_frame(rx, fr[i], fn[i], 1000, &pkt, &plen, NULL);
				if (rc)
					fail_msg("%s order %d frame %d: %s", rv->name, order, i,
						 lowpan_error_str(rc));
				if (pkt) {
					if (plen != wn || memcmp(pkt, want, wn))
						fail_msg("%s order %d: wrong packet", rv->name,
							 order);
					delivered++;
					free(pkt);
				}
			}
			/* a repeated unfragmented frame is a new datagram; a
			 * repeated fragment never completes one twice */
			int times = order == 2 && rv->nframes == 1 ? 2 : 1;
			assert_int_equal(delivered, times);
			assert_int_equal(mib.in_delivers, times);
			lowpan_rx_free(rx);
		}
	}
}

static void reasons(void **state)
{
	struct lowpan_mib mib = { 0 };
	struct lowpan_ctx_table ctx;
	struct lowpan_rx *rx = new_rx(&mib, &ctx, NULL);
	const struct rx_vector *rv = &rx_vectors[3]; /* single-frame multicast */
	uint8_t fr[200], *pkt;
	size_t n = unhex(rv->frames[0], fr), plen;
	struct lowpan_frame f;
	assert_int_equal(lowpan_frame_parse(fr, n, LOWPAN_FRAME_FCS, &f), 0);
	size_t hl = f.hdr_len;
	/* rebuild the same frame with other 6LoWPAN payloads */
	uint8_t pl[200], out[256];
	size_t on;
	struct {
		const char *hex;
		int want;
	} t[] = {
		{ "42ff", LOWPAN_ERR_HC1 },       { "01ff", LOWPAN_ERR_NALP },
		{ "4401", LOWPAN_ERR_DISPATCH },  { "c000000000", LOWPAN_ERR_FRAG },
		{ "7a33", LOWPAN_ERR_TRUNCATED },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t pn = unhex(t[i].hex, pl);
		assert_int_equal(
			lowpan_frame_build(&f, pl, pn, LOWPAN_FRAME_FCS, out, sizeof(out), &on), 0);
		assert_int_equal(lowpan_rx_frame(rx, out, on, 0, &pkt, &plen, NULL), t[i].want);
		assert_null(pkt);
	}
	/* secured: never interpreted */
	struct lowpan_frame s = f;
	s.security = true;
	s.sec.level = 5;
	s.sec.key_id_mode = 1;
	assert_int_equal(lowpan_frame_build(&s, f.payload, f.payload_len, LOWPAN_FRAME_FCS, out,
					    sizeof(out), &on),
			 0);
	assert_int_equal(lowpan_rx_frame(rx, out, on, 0, &pkt, &plen, NULL), LOWPAN_ERR_SECURED);
	/* ACK frame */
	uint8_t ack[5] = { 0x02, 0x00, 0x01 };
	uint16_t c = lowpan_frame_crc16(ack, 3);
	ack[3] = c & 0xff;
	ack[4] = c >> 8;
	assert_int_equal(lowpan_rx_frame(rx, ack, 5, 0, &pkt, &plen, NULL), LOWPAN_ERR_NOT_DATA);
	/* bad FCS */
	fr[n - 1] ^= 1;
	assert_int_equal(lowpan_rx_frame(rx, fr, n, 0, &pkt, &plen, NULL), LOWPAN_ERR_FCS);
	/* secured + undecompressable; HC1, NALP, dispatch, frag, FCS */
	assert_int_equal(mib.in_discards, 2);
	assert_int_equal(mib.in_comp_fails, 1);
	assert_int_equal(mib.in_hdr_errors, 5);
	assert_int_equal(mib.in_delivers, 0);
	(void)hl;
	lowpan_rx_free(rx);
}

/* A mesh header (RFC 4944 5.2): IIDs derive from originator and final
 * address, not from the MAC addresses of the hop. */
static void mesh(void **state)
{
	struct lowpan_mib mib = { 0 };
	struct lowpan_ctx_table ctx;
	struct lowpan_rx *rx = new_rx(&mib, &ctx, NULL);
	struct lowpan_frame f = {
		.type = LOWPAN_FRAME_DATA, .version = 1, .panid_comp = true, .dst_pan = 0xabcd
	};
	lowpan_lladdr_set_short(&f.src, 0x0005); /* the forwarding neighbour */
	lowpan_lladdr_set_short(&f.dst, 0x0000);
	struct lowpan_lladdr orig, fin;
	lowpan_lladdr_set_short(&orig, 0x0033);
	lowpan_lladdr_set_ext(&fin, 0x00124b0000000009);
	uint8_t pl[64];
	int ml = lowpan_dispatch_put_mesh(pl, 3, &orig, &fin);
	/* IPHC: TF=3 NH=0 HLIM=64, SAM=3 DAM=3, next header 59, no payload */
	memcpy(pl + ml, "\x7a\x33\x3b", 3);
	uint8_t out[128], *pkt;
	size_t on, plen;
	assert_int_equal(
		lowpan_frame_build(&f, pl, (size_t)ml + 3, LOWPAN_FRAME_FCS, out, sizeof(out), &on),
		0);
	assert_int_equal(lowpan_rx_frame(rx, out, on, 0, &pkt, &plen, NULL), 0);
	assert_non_null(pkt);
	assert_int_equal(plen, 40);
	uint8_t src[16], dst[16];
	inet_pton(AF_INET6, "fe80::ff:fe00:33", src);
	inet_pton(AF_INET6, "fe80::212:4b00:0:9", dst);
	assert_memory_equal(pkt + 8, src, 16);
	assert_memory_equal(pkt + 24, dst, 16);
	assert_int_equal(mib.in_mesh_receives, 1);
	free(pkt);
	lowpan_rx_free(rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(oracle_vectors),
		cmocka_unit_test(reasons),
		cmocka_unit_test(mesh),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
