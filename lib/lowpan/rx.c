#include "lowpan/rx.h"
#include "lowpan/checksum.h"
#include "lowpan/dispatch.h"
#include "lowpan/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct lowpan_rx {
	struct lowpan_mib *mib;
	unsigned frame_flags;
	const struct lowpan_ctx_table *ctx;
	struct lowpan_reasm *reasm;
};

/* Decompressed headers of one frame never exceed this: a frame of at
 * most 2047 octets (SUN PHYs) whose headers each expand at most 20-fold. */
#define SCRATCH 4096

struct lowpan_rx *lowpan_rx_new(const struct lowpan_rx_cfg *cfg, struct lowpan_mib *mib)
{
	struct lowpan_rx *rx = calloc(1, sizeof(*rx));
	if (!rx)
		return NULL;
	rx->mib = mib;
	rx->frame_flags = cfg->frame_flags;
	rx->ctx = cfg->ctx;
	rx->reasm = lowpan_reasm_new(&cfg->reasm, mib);
	if (!rx->reasm) {
		free(rx);
		return NULL;
	}
	return rx;
}

void lowpan_rx_free(struct lowpan_rx *rx)
{
	if (!rx)
		return;
	lowpan_reasm_free(rx->reasm);
	free(rx);
}

void lowpan_rx_expire(struct lowpan_rx *rx, uint64_t now_ms)
{
	lowpan_reasm_expire(rx->reasm, now_ms);
}

size_t lowpan_rx_pending(const struct lowpan_rx *rx)
{
	return lowpan_reasm_count(rx->reasm);
}

static int deliver(struct lowpan_rx *rx, const uint8_t *p, size_t n, uint8_t **pkt, size_t *pktlen)
{
	*pkt = malloc(n ? n : 1);
	if (!*pkt)
		return -ENOMEM;
	memcpy(*pkt, p, n);
	*pktlen = n;
	rx->mib->in_delivers++;
	return 0;
}

int lowpan_rx_frame(struct lowpan_rx *rx, const uint8_t *frame, size_t len, uint64_t now_ms,
		    uint8_t **pkt, size_t *pktlen, struct lowpan_frame *info)
{
	struct lowpan_frame fbuf, *f = info ? info : &fbuf;
	struct lowpan_mib *m = rx->mib;
	*pkt = NULL;
	*pktlen = 0;
	m->in_receives++;
	int rc = lowpan_frame_parse(frame, len, rx->frame_flags, f);
	if (rc) {
		m->in_hdr_errors++;
		return rc;
	}
	if (f->type != LOWPAN_FRAME_DATA)
		return LOWPAN_ERR_NOT_DATA;
	if (f->security) {
		m->in_discards++;
		return LOWPAN_ERR_SECURED;
	}
	struct lowpan_dispatch d;
	rc = lowpan_dispatch_parse(f->payload, f->payload_len, &d);
	if (rc) {
		m->in_hdr_errors++;
		return rc;
	}
	const struct lowpan_lladdr *src = &f->src, *dst = &f->dst;
	if (d.mesh) {
		/* RFC 6282 section 3.2.2: with a mesh header, IIDs derive
		 * from the originator and final destination. */
		m->in_mesh_receives++;
		src = &d.orig;
		dst = &d.final;
	}
	const uint8_t *p = f->payload + d.hdr_len;
	size_t n = f->payload_len - d.hdr_len;
	uint8_t scratch[SCRATCH];
	struct lowpan_reasm_frag frag = { 0 };

	if (d.frag != LOWPAN_FRAG_NEXT) {
		if (d.payload == LOWPAN_PAYLOAD_IPV6) {
			p++;
			n--;
			if (d.frag == LOWPAN_FRAG_NONE)
				return deliver(rx, p, n, pkt, pktlen);
			frag.data = p;
			frag.len = n;
		} else {
			struct lowpan_iphc_info ii;
			m->in_comp_reqds++;
			rc = lowpan_iphc_decompress(rx->ctx, src, dst, p, n, d.dgram_size, scratch,
						    sizeof(scratch), &ii);
			if (!rc && sizeof(scratch) - ii.hdr_len < n - ii.consumed)
				rc = -ENOSPC;
			if (rc) {
				m->in_comp_fails++;
				m->in_discards++;
				return rc;
			}
			m->in_comp_oks++;
			memcpy(scratch + ii.hdr_len, p + ii.consumed, n - ii.consumed);
			size_t total = ii.hdr_len + n - ii.consumed;
			if (d.frag == LOWPAN_FRAG_NONE) {
				if (ii.udp_off)
					lowpan_checksum_set_udp6(scratch, total, ii.udp_ip_off,
								 ii.udp_off);
				return deliver(rx, scratch, total, pkt, pktlen);
			}
			frag.data = scratch;
			frag.len = total;
			frag.udp_off = ii.udp_off;
			frag.udp_ip_off = ii.udp_ip_off;
		}
	} else {
		frag.offset = d.dgram_offset;
		frag.data = p;
		frag.len = n;
	}
	/* Under a mesh header the fragments of one datagram may reach us
	 * from different neighbours: key on originator and final address,
	 * whose tag space it is (RFC 4944 section 5.3). */
	struct lowpan_reasm_key k = {
		.src = *src, .dst = *dst, .size = d.dgram_size, .tag = d.dgram_tag
	};
	rc = lowpan_reasm_add(rx->reasm, &k, &frag, now_ms, pkt, pktlen);
	if (rc)
		return rc;
	if (*pkt)
		m->in_delivers++;
	return 0;
}
