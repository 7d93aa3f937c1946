#include "lowpan/tx.h"
#include "lowpan/error.h"
#include "lowpan/frag.h"

#include <errno.h>
#include <string.h>

int lowpan_tx_packet(const struct lowpan_tx_cfg *cfg, struct lowpan_mib *mib, const uint8_t *pkt,
                     size_t len, uint16_t tag, uint8_t *seq, lowpan_tx_emit_fn emit, void *arg)
{
	struct lowpan_mib dummy;
	struct lowpan_mib *m = mib ? mib : &dummy;
	struct lowpan_frame mac = cfg->mac;
	mac.type = LOWPAN_FRAME_DATA;
	size_t max_frame = cfg->max_frame ? cfg->max_frame : LOWPAN_FRAME_MAX;
	int hl = lowpan_frame_header_len(&mac);
	if (hl < 0)
		return hl;
	/* The FCS is on the air whether or not we store it. */
	size_t overhead = (size_t)hl + mac.hdr_ies_len + mac.pl_ies_len + 2 +
	                  (mac.security ? mac.sec.mic_len : 0);
	if (max_frame <= overhead)
		return -EMSGSIZE;
	size_t budget = max_frame - overhead;

	m->out_requests++;
	uint8_t chdr[512];
	size_t clen = 0, used = 0;
	int rc = -1;
	if (!cfg->uncompressed) {
		m->out_comp_reqds++;
		rc = lowpan_iphc_compress(cfg->ctx, &mac.src, &mac.dst, cfg->iphc_flags, pkt, len,
		                          chdr, sizeof(chdr), &clen, &used);
		if (rc)
			m->out_comp_fails++;
		else
			m->out_comp_oks++;
	}
	if (rc) {
		/* RFC 4944 section 5.1: the uncompressed IPv6 dispatch
		 * carries anything IPHC cannot represent. */
		chdr[0] = 0x41;
		clen = 1;
		used = 0;
	}
	struct lowpan_frag fr;
	rc = lowpan_frag_init(&fr, chdr, clen, used, pkt + used, len - used, tag, budget);
	bool fragmented = !rc && lowpan_frag_is_fragmented(&fr);
	if (fragmented)
		m->out_frag_reqds++;
	if (rc) {
		m->out_discards++;
		if (clen + len - used > budget) {
			m->out_frag_reqds++;
			m->out_frag_fails++;
		}
		return rc;
	}
	uint8_t payload[LOWPAN_FRAG_MAX_SIZE + 64], frame[LOWPAN_FRAG_MAX_SIZE + 128];
	for (;;) {
		size_t n, flen;
		rc = lowpan_frag_next(&fr, payload, sizeof(payload), &n);
		if (rc || n == 0)
			break;
		mac.seq = (*seq)++;
		rc = lowpan_frame_build(&mac, payload, n, cfg->fcs ? LOWPAN_FRAME_FCS : 0, frame,
		                        sizeof(frame), &flen);
		if (rc)
			break;
		if (fragmented)
			m->out_frag_creates++;
		rc = emit(arg, frame, flen);
		if (rc)
			break;
		m->out_transmits++;
	}
	if (fragmented) {
		if (rc)
			m->out_frag_fails++;
		else
			m->out_frag_oks++;
	}
	return rc;
}
