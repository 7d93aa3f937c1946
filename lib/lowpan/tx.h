/* The send path of a 6LoWPAN interface: IPv6 datagram -> IPHC/NHC (or the
 * uncompressed dispatch when it cannot be compressed) -> fragments in
 * natural order -> 802.15.4 data frames.  Used by lowpand and by
 * `lwgatectl pcap encode`. */
#ifndef LWGATE_LOWPAN_TX_H
#define LWGATE_LOWPAN_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lowpan/frame.h"
#include "lowpan/iphc.h"
#include "lowpan/mib.h"

struct lowpan_tx_cfg {
	/* MAC header template: version, ack_req, panid_comp, dst_pan,
	 * src_pan, dst, src (and security fields, rarely).  type is forced
	 * to data; seq is set per frame. */
	struct lowpan_frame mac;
	const struct lowpan_ctx_table *ctx; /* may be NULL */
	unsigned iphc_flags;                /* LOWPAN_IPHC_* */
	size_t max_frame;                   /* PHY frame including the FCS; 0 means 127 */
	bool fcs;                           /* write the FCS (link type 195) */
	bool uncompressed;                  /* always use the 0x41 dispatch */
};

/* Called once per frame, in order; returns 0 to go on or a negative
 * value to abort (returned by lowpan_tx_packet). */
typedef int (*lowpan_tx_emit_fn)(void *arg, const uint8_t *frame, size_t len);

/* Send the IPv6 datagram pkt[0..len) as frames, using datagram_tag tag if
 * it needs fragmenting and sequence numbers from *seq (incremented per
 * frame).  mib (may be NULL) gets the lowpanOut* counters.  Returns 0, an
 * error of lowpan_frag_init()/lowpan_frame_build(), or emit's error. */
int lowpan_tx_packet(const struct lowpan_tx_cfg *cfg, struct lowpan_mib *mib, const uint8_t *pkt,
		     size_t len, uint16_t tag, uint8_t *seq, lowpan_tx_emit_fn emit, void *arg);

/* Forwarding without reassembly (with lowpan_vreasm): send again, with
 * this node's link addresses (cfg->mac) and datagram_tag tag, the first
 * fragment of a datagram of size octets that another node sent.
 * first[0..first_len) is that FRAG1's content decompressed: uncompressed
 * headers, then data (first_len is a multiple of 8, or size).  The
 * headers are compressed again for the new link addresses, which may make
 * them longer: what no longer fits in one frame goes out as extra FRAGN
 * (the "overflow" of LWIG guidance 3.1.1), in natural order.  Returns 0,
 * -EMSGSIZE, -EINVAL, a lowpan_frame_build() error or emit's error. */
int lowpan_tx_forward_first(const struct lowpan_tx_cfg *cfg, struct lowpan_mib *mib,
			    const uint8_t *first, size_t first_len, uint16_t size, uint16_t tag,
			    uint8_t *seq, lowpan_tx_emit_fn emit, void *arg);

/* Send again a FRAGN of a forwarded datagram: data[0..len) at offset (a
 * multiple of 8) of a datagram of size octets, with datagram_tag tag and
 * cfg->mac's addresses; split over several frames if the budget is
 * smaller here.  Returns 0, -EMSGSIZE, -EINVAL or emit's error. */
int lowpan_tx_forward_next(const struct lowpan_tx_cfg *cfg, struct lowpan_mib *mib, uint16_t offset,
			   const uint8_t *data, size_t len, uint16_t size, uint16_t tag,
			   uint8_t *seq, lowpan_tx_emit_fn emit, void *arg);

#endif
