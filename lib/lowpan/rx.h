/* The receive path of a 6LoWPAN interface, as one call per MAC frame:
 * 802.15.4 frame -> mesh/broadcast/fragment headers -> IPHC/NHC or
 * uncompressed IPv6 -> reassembly -> IPv6 datagram.  Used by lowpand and
 * by `lwgatectl pcap decode`.  Pure: time comes in as a parameter. */
#ifndef LWGATE_LOWPAN_RX_H
#define LWGATE_LOWPAN_RX_H

#include <stddef.h>
#include <stdint.h>

#include "lowpan/frame.h"
#include "lowpan/iphc.h"
#include "lowpan/mib.h"
#include "lowpan/reasm.h"

struct lowpan_rx;

struct lowpan_rx_cfg {
	struct lowpan_reasm_cfg reasm;
	unsigned frame_flags;               /* LOWPAN_FRAME_FCS[_NOCHECK] */
	const struct lowpan_ctx_table *ctx; /* may be NULL; must outlive rx */
};

/* Create a receive path.  mib (caller-owned, must outlive it) gets the
 * lowpanIn* counters.  Returns NULL on allocation failure. */
struct lowpan_rx *lowpan_rx_new(const struct lowpan_rx_cfg *cfg, struct lowpan_mib *mib);

/* Free it and any partial datagrams (NULL is accepted). */
void lowpan_rx_free(struct lowpan_rx *rx);

/* Process one MAC frame received at now_ms.  If it completes an IPv6
 * datagram, *pkt is set to a malloc'd buffer of *pktlen octets (the caller
 * frees it) and *info (if not NULL) to the frame it came with; otherwise
 * *pkt is NULL.  Returns 0 (datagram delivered, or fragment held), or the
 * reason the frame was dropped: a frame error (lowpan_frame_parse),
 * LOWPAN_ERR_NOT_DATA, LOWPAN_ERR_SECURED (secured frame, not
 * decrypted: never interpreted), a dispatch error (LOWPAN_ERR_NALP, _HC1,
 * _DISPATCH, _MESH, _FRAG), a decompression error, a reassembly error, or
 * -ENOMEM. */
int lowpan_rx_frame(struct lowpan_rx *rx, const uint8_t *frame, size_t len, uint64_t now_ms,
		    uint8_t **pkt, size_t *pktlen, struct lowpan_frame *info);

/* Drop partial datagrams that timed out at now_ms. */
void lowpan_rx_expire(struct lowpan_rx *rx, uint64_t now_ms);

/* Number of partial datagrams held. */
size_t lowpan_rx_pending(const struct lowpan_rx *rx);

#endif
