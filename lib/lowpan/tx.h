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

#endif
