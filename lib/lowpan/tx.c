#include "lowpan/tx.h"
#include "lowpan/dispatch.h"
#include "lowpan/error.h"
#include "lowpan/frag.h"

#include <errno.h>
#include <string.h>

/* What one call sends with: the data-frame template for cfg and the MAC
 * payload octets per frame it leaves, the counters and the caller's
 * sequence numbers and output. */
struct sender {
	const struct lowpan_tx_cfg *cfg;
	struct lowpan_frame mac;
	size_t budget;
	struct lowpan_mib *m;
	struct lowpan_mib dummy; /* counts nobody reads, when the caller has no mib */
	uint8_t *seq;
	lowpan_tx_emit_fn emit;
	void *arg;
};

static int sender_init(struct sender *s, const struct lowpan_tx_cfg *cfg, struct lowpan_mib *mib,
		       uint8_t *seq, lowpan_tx_emit_fn emit, void *arg)
{
	s->cfg = cfg;
	s->m = mib ? mib : &s->dummy;
	s->seq = seq;
	s->emit = emit;
	s->arg = arg;
	s->mac = cfg->mac;
	s->mac.type = LOWPAN_FRAME_DATA;
	size_t max_frame = cfg->max_frame ? cfg->max_frame : LOWPAN_FRAME_MAX;
	int hl = lowpan_frame_header_len(&s->mac);
	if (hl < 0)
		return hl;
	size_t overhead = (size_t)hl + s->mac.hdr_ies_len + s->mac.pl_ies_len + 2 +
			  (s->mac.security ? s->mac.sec.mic_len : 0);
	if (max_frame <= overhead + LOWPAN_FRAGN_HDR_LEN + 8)
		return -EMSGSIZE;
	s->budget = max_frame - overhead;
	return 0;
}

static int send_frame(struct sender *s, const uint8_t *payload, size_t n)
{
	uint8_t frame[LOWPAN_FRAG_MAX_SIZE + 128];
	size_t flen;
	s->mac.seq = (*s->seq)++;
	int rc = lowpan_frame_build(&s->mac, payload, n, s->cfg->fcs ? LOWPAN_FRAME_FCS : 0, frame,
				    sizeof(frame), &flen);
	if (!rc)
		rc = s->emit(s->arg, frame, flen);
	if (!rc)
		s->m->out_transmits++;
	return rc;
}

/* FRAGN frames for [off, end) of the datagram, data starting at off. */
static int send_fragn(struct sender *s, size_t off, size_t end, const uint8_t *data, uint16_t size,
		      uint16_t tag)
{
	uint8_t payload[LOWPAN_FRAG_MAX_SIZE + 64];
	size_t step = lowpan_frag_next_len(s->budget);
	const uint8_t *p = data;
	while (off < end) {
		size_t n = end - off < step ? end - off : step;
		size_t h = lowpan_dispatch_put_frag(payload, false, size, tag, (uint16_t)off);
		memcpy(payload + h, p, n);
		int rc = send_frame(s, payload, h + n);
		if (rc)
			return rc;
		s->m->out_frag_creates++;
		off += n;
		p += n;
	}
	return 0;
}

/* RFC 4944 section 5.1: the uncompressed IPv6 dispatch carries anything
 * IPHC cannot represent; it stands for no octets of the datagram. */
static void use_ipv6_dispatch(uint8_t *chdr, size_t *clen, size_t *used)
{
	chdr[0] = 0x41;
	*clen = 1;
	*used = 0;
}

/*
 * The datagram's header for the first frame: IPHC over the @have octets at
 * @pkt of a datagram of @total, else (IPHC off, or unable to carry it) the
 * uncompressed IPv6 dispatch.  RFC 7388 counts a compression request only
 * when one is made.
 */
static void compress_header(struct sender *s, const uint8_t *pkt, size_t have, size_t total,
			    uint8_t *chdr, size_t cap, size_t *clen, size_t *used)
{
	const struct lowpan_tx_cfg *cfg = s->cfg;
	int rc = -1;

	if (!cfg->uncompressed) {
		s->m->out_comp_reqds++;
		rc = lowpan_iphc_compress_part(cfg->ctx, &s->mac.src, &s->mac.dst, cfg->iphc_flags,
					       pkt, have, total, chdr, cap, clen, used);
		if (rc)
			s->m->out_comp_fails++;
		else
			s->m->out_comp_oks++;
	}
	if (rc)
		use_ipv6_dispatch(chdr, clen, used);
}

int lowpan_tx_packet(const struct lowpan_tx_cfg *cfg, struct lowpan_mib *mib, const uint8_t *pkt,
		     size_t len, uint16_t tag, uint8_t *seq, lowpan_tx_emit_fn emit, void *arg)
{
	struct sender s;
	int rc = sender_init(&s, cfg, mib, seq, emit, arg);
	if (rc)
		return rc;
	struct lowpan_mib *m = s.m;

	m->out_requests++;
	uint8_t chdr[512];
	size_t clen = 0, used = 0;
	compress_header(&s, pkt, len, len, chdr, sizeof(chdr), &clen, &used);
	struct lowpan_frag fr;
	rc = lowpan_frag_init(&fr, chdr, clen, used, pkt + used, len - used, tag, s.budget);
	bool fragmented = !rc && lowpan_frag_is_fragmented(&fr);
	if (fragmented)
		m->out_frag_reqds++;
	if (rc) {
		m->out_discards++;
		if (clen + len - used > s.budget) {
			m->out_frag_reqds++;
			m->out_frag_fails++;
		}
		return rc;
	}
	uint8_t payload[LOWPAN_FRAG_MAX_SIZE + 64];
	for (;;) {
		size_t n;
		rc = lowpan_frag_next(&fr, payload, sizeof(payload), &n);
		if (rc || n == 0)
			break;
		rc = send_frame(&s, payload, n);
		if (rc)
			break;
		if (fragmented)
			m->out_frag_creates++;
	}
	if (fragmented) {
		if (rc)
			m->out_frag_fails++;
		else
			m->out_frag_oks++;
	}
	return rc;
}

int lowpan_tx_forward_first(const struct lowpan_tx_cfg *cfg, struct lowpan_mib *mib,
			    const uint8_t *first, size_t first_len, uint16_t size, uint16_t tag,
			    uint8_t *seq, lowpan_tx_emit_fn emit, void *arg)
{
	struct sender s;
	int rc = sender_init(&s, cfg, mib, seq, emit, arg);
	if (rc)
		return rc;
	if (first_len > size || size > LOWPAN_FRAG_MAX_SIZE || (first_len < size && first_len % 8))
		return -EINVAL;
	struct lowpan_mib *m = s.m;
	uint8_t chdr[512];
	size_t clen = 0, used = 0;
	compress_header(&s, first, first_len, size, chdr, sizeof(chdr), &clen, &used);
	uint8_t payload[LOWPAN_FRAG_MAX_SIZE + 64];
	if (first_len == size && clen + size - used <= s.budget) {
		/* The whole datagram was in the first fragment after all. */
		memcpy(payload, chdr, clen);
		memcpy(payload + clen, first + used, size - used);
		return send_frame(&s, payload, clen + size - used);
	}
	if (s.budget < LOWPAN_FRAG1_HDR_LEN + clen + 7)
		return -EMSGSIZE;
	size_t k = lowpan_frag_first_len(s.budget, clen, used);
	if (k > first_len - used)
		k = first_len - used;
	if (used + k == 0)
		return -EMSGSIZE;
	size_t h = lowpan_dispatch_put_frag(payload, true, size, tag, 0);
	memcpy(payload + h, chdr, clen);
	memcpy(payload + h + clen, first + used, k);
	rc = send_frame(&s, payload, h + clen + k);
	if (rc)
		return rc;
	m->out_frag_creates++;
	return send_fragn(&s, used + k, first_len, first + used + k, size, tag);
}

int lowpan_tx_forward_next(const struct lowpan_tx_cfg *cfg, struct lowpan_mib *mib, uint16_t offset,
			   const uint8_t *data, size_t len, uint16_t size, uint16_t tag,
			   uint8_t *seq, lowpan_tx_emit_fn emit, void *arg)
{
	struct sender s;
	int rc = sender_init(&s, cfg, mib, seq, emit, arg);
	if (rc)
		return rc;
	if (offset % 8 || len == 0 || (size_t)offset + len > size)
		return -EINVAL;
	return send_fragn(&s, offset, (size_t)offset + len, data, size, tag);
}
