/*
 * Route-over forwarding of fragments without reassembly (LWIG guidance,
 * seed 002 §3.1.1), through lib/lowpan/vreasm: a node that forwards a
 * fragmented datagram up to its parent sends each fragment on as it
 * arrives.  The FRAG1's header is decompressed, its hop limit (and RPL
 * option rank) updated, and compressed again for the new pair of link
 * addresses; every FRAGN follows with the tag chosen then.  When the new
 * header is longer (an IID that the old sender's MAC address stood for is
 * now inline), the FRAG1 keeps what fits and the rest of its octets goes
 * on as one more FRAGN right behind it.
 *
 * Only upward datagrams travel this way: a downward one carries a source
 * route that this node rewrites, so it is reassembled (node.c).  FRAGN
 * whose FRAG1 has not come are reassembled too (no bytes are held), and a
 * datagram whose UDP checksum was elided needs all of it: reassembled.
 */
#include "nodepriv.h"

#include <string.h>

#include "lowpan/dispatch.h"
#include "lowpan/error.h"
#include "lowpan/frag.h"
#include "lowpan/frame.h"
#include "lowpan/iphc.h"
#include "simev.h"

#define FRAG_HDR_MAX 256 /* decompressed headers of a FRAG1 that we copy */

/* Put a 6LoWPAN payload in a frame to the parent; the MAC retries. */
static bool send_to_parent(struct node *n, const uint8_t *payload, size_t plen)
{
	struct lowpan_frame f = { 0 };
	uint8_t frame[LOWPAN_FRAME_MAX];
	size_t flen;

	f.type = LOWPAN_FRAME_DATA;
	f.version = LOWPAN_FRAME_V2006;
	f.panid_comp = true;
	f.ack_req = true;
	f.seq = n->seq++;
	f.dst_pan = f.src_pan = n->panid(n->panid_arg);
	f.src.mode = LOWPAN_ADDR_EXT;
	memcpy(f.src.a, n->eui64, 8);
	f.dst = n->nbrs[n->parent].ll;
	if (lowpan_frame_build(&f, payload, plen, 0, frame, sizeof(frame), &flen) < 0)
		return false;
	for (int i = 0; i < MAC_ATTEMPTS; i++)
		if (air_send(n->air, n->station, frame, flen, NULL))
			return true;
	n->tx_failed++;
	return false;
}

/* The room for 6LoWPAN in a frame from us to the parent. */
static size_t budget(const struct node *n)
{
	struct lowpan_frame f = { .type = LOWPAN_FRAME_DATA,
				  .version = LOWPAN_FRAME_V2006,
				  .panid_comp = true };
	int h;

	f.src.mode = LOWPAN_ADDR_EXT;
	f.dst = n->nbrs[n->parent].ll;
	h = lowpan_frame_header_len(&f);
	return h < 0 ? 0 : LOWPAN_FRAME_MAX - 2 - (size_t)h; /* the radio adds the FCS */
}

static void send_fragn(struct node *n, uint16_t size, uint16_t tag, uint16_t offset,
		       const uint8_t *data, size_t len)
{
	uint8_t out[LOWPAN_FRAME_MAX];
	size_t h = lowpan_dispatch_put_frag(out, false, size, tag, offset);

	if (h + len > sizeof(out))
		return;
	memcpy(out + h, data, len);
	if (send_to_parent(n, out, h + len))
		n->vreasm_sent++;
}

static void on_held(void *arg, const struct lowpan_vreasm_hop *hop, uint16_t offset,
		    const uint8_t *data, size_t len)
{
	/* no bytes are held (max_held 0): nothing comes back this way */
	(void)arg, (void)hop, (void)offset, (void)data, (void)len;
}

/* Whether the datagram whose headers are @hdr goes up to the parent. */
static bool upward(const struct node *n, const uint8_t *hdr, const struct lowpan_lladdr *from)
{
	const uint8_t *dst = hdr + 24;

	return n->parent >= 0 && !node_mine(n, dst) && dst[0] != 0xff &&
	       !(dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80) && hdr[6] != 43 && hdr[7] > 1 &&
	       !lowpan_lladdr_equal(from, &n->nbrs[n->parent].ll);
}

/* The FRAG1 of a datagram going up, on its way at once; false: reassemble. */
static bool first(struct node *n, const struct lowpan_frame *f, const struct lowpan_dispatch *d,
		  const struct lowpan_reasm_key *key, const uint8_t *p, size_t plen)
{
	uint8_t hdr[FRAG_HDR_MAX], c[FRAG_HDR_MAX], out[LOWPAN_FRAME_MAX];
	struct lowpan_lladdr me = { .mode = LOWPAN_ADDR_EXT };
	struct lowpan_iphc_info info;
	size_t clen, consumed, inl, keep, h, room = budget(n);
	uint16_t tag;

	if (d->payload != LOWPAN_PAYLOAD_IPHC ||
	    lowpan_iphc_decompress(&n->ctx, &f->src, &f->dst, p, plen, d->dgram_size, hdr,
				   sizeof(hdr), &info) < 0 ||
	    info.udp_off || info.hdr_len < 40 || !upward(n, hdr, &f->src))
		return false;
	hdr[7]--;
	node_update_rpl_option(n, hdr, info.hdr_len);
	memcpy(me.a, n->eui64, 8);
	if (lowpan_iphc_compress_part(&n->ctx, &me, &n->nbrs[n->parent].ll, 0, hdr, info.hdr_len,
				      d->dgram_size, c, sizeof(c), &clen, &consumed) < 0)
		return false;
	inl = plen - info.consumed;
	h = LOWPAN_FRAG1_HDR_LEN + clen + (info.hdr_len - consumed);
	if (h + 8 > room)
		return false;
	/* what the FRAG1 keeps ends on an 8-octet boundary of the datagram */
	keep = inl;
	if (h + keep > room)
		keep = lowpan_frag_first_len(room, h - LOWPAN_FRAG1_HDR_LEN, info.hdr_len);
	tag = n->tag++;
	if (lowpan_vreasm_first(n->vreasm, key, hdr, info.hdr_len, info.hdr_len + inl, tag, 0,
				simev_now_ms(), on_held, n) < 0)
		return false;
	lowpan_dispatch_put_frag(out, true, d->dgram_size, tag, 0);
	memcpy(out + LOWPAN_FRAG1_HDR_LEN, c, clen);
	memcpy(out + LOWPAN_FRAG1_HDR_LEN + clen, hdr + consumed, info.hdr_len - consumed);
	memcpy(out + h, p + info.consumed, keep);
	if (send_to_parent(n, out, h + keep))
		n->vreasm_sent++;
	if (keep < inl)
		send_fragn(n, d->dgram_size, tag, (uint16_t)(info.hdr_len + keep),
			   p + info.consumed + keep, inl - keep);
	n->forwarded_up++;
	return true;
}

bool nodefrag_input(struct node *n, const struct lowpan_frame *f)
{
	struct lowpan_dispatch d;
	struct lowpan_reasm_key key;
	const uint8_t *p;
	size_t plen;

	if (!n->vreasm || lowpan_dispatch_parse(f->payload, f->payload_len, &d) < 0 ||
	    d.frag == LOWPAN_FRAG_NONE || d.mesh)
		return false;
	key.src = f->src;
	key.dst = f->dst;
	key.size = d.dgram_size;
	key.tag = d.dgram_tag;
	p = f->payload + d.hdr_len;
	plen = f->payload_len - d.hdr_len;
	lowpan_vreasm_expire(n->vreasm, simev_now_ms());
	if (d.frag == LOWPAN_FRAG_FIRST)
		return first(n, f, &d, &key, p, plen);
	if (!lowpan_vreasm_known(n->vreasm, &key))
		return false;

	enum lowpan_vreasm_action action;
	struct lowpan_vreasm_hop hop;

	if (lowpan_vreasm_next(n->vreasm, &key, d.dgram_offset, p, plen, simev_now_ms(), &action,
			       &hop) == 0 &&
	    action == LOWPAN_VREASM_FORWARD && n->parent >= 0)
		send_fragn(n, d.dgram_size, hop.out_tag, d.dgram_offset, p, plen);
	return true; /* forwarded, or a fragment of a datagram given up */
}
