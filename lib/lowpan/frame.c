#include "lowpan/frame.h"
#include "lowpan/error.h"

#include <errno.h>
#include <string.h>
#include <threads.h>

/* Slicing-by-8 tables for the reflected CRC-16 (polynomial 0x8408):
 * crc_table[k][b] is the CRC of byte b followed by k zero bytes.  A pure
 * function of constants, filled once on first use and read-only after. */
static uint16_t crc_table[8][256];
static once_flag crc_once = ONCE_FLAG_INIT;

static void crc_init(void)
{
	for (unsigned i = 0; i < 256; i++) {
		uint16_t c = (uint16_t)i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (uint16_t)((c >> 1) ^ 0x8408) : (uint16_t)(c >> 1);
		crc_table[0][i] = c;
	}
	for (unsigned k = 1; k < 8; k++)
		for (unsigned i = 0; i < 256; i++)
			crc_table[k][i] = (uint16_t)((crc_table[k - 1][i] >> 8) ^
						     crc_table[0][crc_table[k - 1][i] & 0xff]);
}

uint16_t lowpan_frame_crc16(const uint8_t *buf, size_t len)
{
	call_once(&crc_once, crc_init);
	uint16_t crc = 0;
	while (len >= 8) {
		const uint8_t *p = buf;
		crc = crc_table[7][(crc ^ p[0]) & 0xff] ^ crc_table[6][((crc >> 8) ^ p[1]) & 0xff] ^
		      crc_table[5][p[2]] ^ crc_table[4][p[3]] ^ crc_table[3][p[4]] ^
		      crc_table[2][p[5]] ^ crc_table[1][p[6]] ^ crc_table[0][p[7]];
		buf += 8;
		len -= 8;
	}
	while (len--)
		crc = (uint16_t)((crc >> 8) ^ crc_table[0][(crc ^ *buf++) & 0xff]);
	return crc;
}

/* Which PAN identifiers are present, per 802.15.4-2015 table 7-2 for frame
 * version 2015 and per the 2003/2006 rule (source PAN elided when both
 * addresses are present and PAN ID compression is set) otherwise. */
static int pan_presence(uint8_t version, uint8_t dm, uint8_t sm, bool comp, bool *dp, bool *sp)
{
	if (dm == 1 || sm == 1)
		return LOWPAN_ERR_ADDR_MODE;
	if (version == LOWPAN_FRAME_V2015) {
		if (dm == 0 && sm == 0) {
			*dp = comp;
			*sp = false;
		} else if (sm == 0) {
			*dp = !comp;
			*sp = false;
		} else if (dm == 0) {
			*dp = false;
			*sp = !comp;
		} else if (dm == LOWPAN_ADDR_EXT && sm == LOWPAN_ADDR_EXT) {
			*dp = !comp;
			*sp = false;
		} else {
			*dp = true;
			*sp = !comp;
		}
		return 0;
	}
	*dp = dm != 0;
	if (comp && sm != 0 && dm == 0)
		return LOWPAN_ERR_PANID;
	*sp = sm != 0 && !comp;
	return 0;
}

static inline uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void get_addr(const uint8_t *p, uint8_t mode, struct lowpan_lladdr *a)
{
	unsigned n = lowpan_lladdr_len(mode);
	memset(a, 0, sizeof(*a));
	a->mode = mode;
	for (unsigned i = 0; i < n; i++)
		a->a[i] = p[n - 1 - i];
}

static void put_addr(uint8_t *p, const struct lowpan_lladdr *a)
{
	unsigned n = lowpan_lladdr_len(a->mode);
	for (unsigned i = 0; i < n; i++)
		p[i] = a->a[n - 1 - i];
}

static unsigned key_id_len(uint8_t kim)
{
	static const uint8_t l[4] = { 0, 1, 5, 9 };
	return l[kim & 3];
}

static int parse_ies(const uint8_t *p, size_t len, bool secured, struct lowpan_frame *f,
		     size_t *used)
{
	size_t off = 0;
	bool payload_ies = false, terminated = false;

	while (len - off >= 2) {
		uint16_t d = le16(p + off);
		if (d & 0x8000)
			return LOWPAN_ERR_IE;
		size_t ilen = d & 0x7f;
		uint8_t id = (d >> 7) & 0xff;
		if (len - off - 2 < ilen)
			return LOWPAN_ERR_TRUNCATED;
		off += 2 + ilen;
		if (id == 0x7e || id == 0x7f) {
			payload_ies = id == 0x7e;
			terminated = true;
			break;
		}
	}
	if (!terminated && off != len)
		return LOWPAN_ERR_TRUNCATED;
	f->hdr_ies = p;
	f->hdr_ies_len = off;
	if (!payload_ies || secured) {
		*used = off;
		return 0;
	}
	size_t start = off;
	terminated = false;
	while (len - off >= 2) {
		uint16_t d = le16(p + off);
		if (!(d & 0x8000))
			return LOWPAN_ERR_IE;
		size_t ilen = d & 0x7ff;
		if (len - off - 2 < ilen)
			return LOWPAN_ERR_TRUNCATED;
		off += 2 + ilen;
		if (((d >> 11) & 0xf) == 0xf) {
			terminated = true;
			break;
		}
	}
	if (!terminated && off != len)
		return LOWPAN_ERR_TRUNCATED;
	f->pl_ies = p + start;
	f->pl_ies_len = off - start;
	*used = off;
	return 0;
}

/* Beacon superframe, GTS and pending address fields (2003/2006 beacons). */
static int parse_beacon(const uint8_t *p, size_t len, struct lowpan_frame *f, size_t *used)
{
	size_t off = 0;
	if (len < 4)
		return LOWPAN_ERR_TRUNCATED;
	f->superframe = le16(p);
	off = 2;
	unsigned gts = p[off++] & 7;
	if (gts)
		off += 1 + 3 * gts;
	if (off >= len)
		return LOWPAN_ERR_TRUNCATED;
	uint8_t pend = p[off++];
	off += 2u * (pend & 7) + 8u * ((pend >> 4) & 7);
	if (off > len)
		return LOWPAN_ERR_TRUNCATED;
	*used = off;
	return 0;
}

int lowpan_frame_parse(const uint8_t *buf, size_t len, unsigned flags, struct lowpan_frame *f)
{
	memset(f, 0, sizeof(*f));
	if (flags & LOWPAN_FRAME_FCS) {
		if (len < 2)
			return LOWPAN_ERR_TRUNCATED;
		len -= 2;
		if (!(flags & LOWPAN_FRAME_FCS_NOCHECK) &&
		    lowpan_frame_crc16(buf, len) != le16(buf + len))
			return LOWPAN_ERR_FCS;
	}
	if (len < 2)
		return LOWPAN_ERR_TRUNCATED;
	uint16_t fcf = le16(buf);
	f->type = fcf & 7;
	f->security = fcf >> 3 & 1;
	f->pending = fcf >> 4 & 1;
	f->ack_req = fcf >> 5 & 1;
	f->panid_comp = fcf >> 6 & 1;
	f->version = fcf >> 12 & 3;
	uint8_t dm = fcf >> 10 & 3, sm = fcf >> 14 & 3;
	if (f->type > LOWPAN_FRAME_CMD)
		return LOWPAN_ERR_FRAME_TYPE;
	if (f->version == 3)
		return LOWPAN_ERR_FRAME_VERSION;
	if (f->version == LOWPAN_FRAME_V2015) {
		f->seq_suppressed = fcf >> 8 & 1;
		f->ie_present = fcf >> 9 & 1;
	}
	int rc = pan_presence(f->version, dm, sm, f->panid_comp, &f->dst_pan_present,
			      &f->src_pan_present);
	if (rc)
		return rc;

	size_t off = 2;
	size_t need = (f->seq_suppressed ? 0 : 1) + (f->dst_pan_present ? 2 : 0) +
		      lowpan_lladdr_len(dm) + (f->src_pan_present ? 2 : 0) + lowpan_lladdr_len(sm);
	if (len - off < need)
		return LOWPAN_ERR_TRUNCATED;
	if (!f->seq_suppressed)
		f->seq = buf[off++];
	if (f->dst_pan_present) {
		f->dst_pan = le16(buf + off);
		off += 2;
	}
	get_addr(buf + off, dm, &f->dst);
	off += lowpan_lladdr_len(dm);
	if (f->src_pan_present) {
		f->src_pan = le16(buf + off);
		off += 2;
	} else if (sm != 0) {
		f->src_pan = f->dst_pan;
	}
	get_addr(buf + off, sm, &f->src);
	off += lowpan_lladdr_len(sm);

	if (f->security && f->version >= LOWPAN_FRAME_V2006) {
		struct lowpan_frame_sec *s = &f->sec;
		if (off >= len)
			return LOWPAN_ERR_TRUNCATED;
		uint8_t sc = buf[off++];
		if (f->version < LOWPAN_FRAME_V2015 && (sc & 0xe0))
			return LOWPAN_ERR_SECURITY;
		s->level = sc & 7;
		s->key_id_mode = sc >> 3 & 3;
		s->counter_suppressed = sc >> 5 & 1;
		s->asn_in_nonce = sc >> 6 & 1;
		s->mic_len = (s->level & 3) ? 2u << (s->level & 3) : 0;
		size_t sneed = (s->counter_suppressed ? 0 : 4) + key_id_len(s->key_id_mode);
		if (len - off < sneed)
			return LOWPAN_ERR_TRUNCATED;
		if (!s->counter_suppressed) {
			s->frame_counter = (uint32_t)buf[off] | (uint32_t)buf[off + 1] << 8 |
					   (uint32_t)buf[off + 2] << 16 |
					   (uint32_t)buf[off + 3] << 24;
			off += 4;
		}
		unsigned ksrc = key_id_len(s->key_id_mode);
		if (ksrc > 1)
			memcpy(s->key_source, buf + off, ksrc - 1);
		if (ksrc)
			s->key_index = buf[off + ksrc - 1];
		off += ksrc;
		if (len - off < s->mic_len)
			return LOWPAN_ERR_TRUNCATED;
		len -= s->mic_len;
	}
	f->hdr_len = off;

	if (f->ie_present) {
		size_t used;
		rc = parse_ies(buf + off, len - off, f->security, f, &used);
		if (rc)
			return rc;
		/* Secured: everything after the header IEs is ciphertext. */
		if (!f->security)
			off += used;
		else
			off += f->hdr_ies_len;
	}
	if (f->type == LOWPAN_FRAME_BEACON && f->version < LOWPAN_FRAME_V2015) {
		size_t used;
		rc = parse_beacon(buf + off, len - off, f, &used);
		if (rc)
			return rc;
		off += used;
	}
	f->payload = buf + off;
	f->payload_len = len - off;
	if (f->type == LOWPAN_FRAME_CMD && !f->security) {
		if (f->payload_len < 1)
			return LOWPAN_ERR_TRUNCATED;
		f->cmd_id = f->payload[0];
	}
	return 0;
}

int lowpan_frame_header_len(const struct lowpan_frame *f)
{
	bool dp, sp;
	int rc = pan_presence(f->version, f->dst.mode, f->src.mode, f->panid_comp, &dp, &sp);
	if (rc)
		return rc;
	bool seqsup = f->version == LOWPAN_FRAME_V2015 && f->seq_suppressed;
	int n = 2 + (seqsup ? 0 : 1) + (dp ? 2 : 0) + (int)lowpan_lladdr_len(f->dst.mode) +
		(sp ? 2 : 0) + (int)lowpan_lladdr_len(f->src.mode);
	if (f->security && f->version >= LOWPAN_FRAME_V2006)
		n += 1 + (f->sec.counter_suppressed ? 0 : 4) + (int)key_id_len(f->sec.key_id_mode);
	return n;
}

int lowpan_frame_build(const struct lowpan_frame *f, const uint8_t *payload, size_t plen,
		       unsigned flags, uint8_t *out, size_t outsize, size_t *outlen)
{
	int hl = lowpan_frame_header_len(f);
	if (hl < 0)
		return hl;
	if (f->type > LOWPAN_FRAME_CMD)
		return LOWPAN_ERR_FRAME_TYPE;
	if (f->version > LOWPAN_FRAME_V2015)
		return LOWPAN_ERR_FRAME_VERSION;
	bool ies = f->hdr_ies_len || f->pl_ies_len;
	if (ies && f->version != LOWPAN_FRAME_V2015)
		return LOWPAN_ERR_IE;
	size_t total = (size_t)hl + f->hdr_ies_len + f->pl_ies_len + plen +
		       ((flags & LOWPAN_FRAME_FCS) ? 2 : 0);
	if (total > outsize)
		return -ENOSPC;

	bool dp, sp;
	pan_presence(f->version, f->dst.mode, f->src.mode, f->panid_comp, &dp, &sp);
	bool seqsup = f->version == LOWPAN_FRAME_V2015 && f->seq_suppressed;
	uint16_t fcf = f->type | f->security << 3 | f->pending << 4 | f->ack_req << 5 |
		       f->panid_comp << 6 | seqsup << 8 | ies << 9 | f->dst.mode << 10 |
		       f->version << 12 | f->src.mode << 14;
	size_t off = 0;
	out[off++] = fcf & 0xff;
	out[off++] = fcf >> 8;
	if (!seqsup)
		out[off++] = f->seq;
	if (dp) {
		out[off++] = f->dst_pan & 0xff;
		out[off++] = f->dst_pan >> 8;
	}
	put_addr(out + off, &f->dst);
	off += lowpan_lladdr_len(f->dst.mode);
	if (sp) {
		out[off++] = f->src_pan & 0xff;
		out[off++] = f->src_pan >> 8;
	}
	put_addr(out + off, &f->src);
	off += lowpan_lladdr_len(f->src.mode);
	if (f->security && f->version >= LOWPAN_FRAME_V2006) {
		const struct lowpan_frame_sec *s = &f->sec;
		out[off++] = (s->level & 7) | (s->key_id_mode & 3) << 3 |
			     (f->version == LOWPAN_FRAME_V2015
				      ? s->counter_suppressed << 5 | s->asn_in_nonce << 6
				      : 0);
		if (!s->counter_suppressed) {
			for (int i = 0; i < 4; i++)
				out[off++] = (s->frame_counter >> (8 * i)) & 0xff;
		}
		unsigned k = key_id_len(s->key_id_mode);
		if (k > 1)
			memcpy(out + off, s->key_source, k - 1);
		if (k)
			out[off + k - 1] = s->key_index;
		off += k;
	}
	if (f->hdr_ies_len)
		memcpy(out + off, f->hdr_ies, f->hdr_ies_len);
	off += f->hdr_ies_len;
	if (f->pl_ies_len)
		memcpy(out + off, f->pl_ies, f->pl_ies_len);
	off += f->pl_ies_len;
	if (plen)
		memcpy(out + off, payload, plen);
	off += plen;
	if (flags & LOWPAN_FRAME_FCS) {
		uint16_t c = lowpan_frame_crc16(out, off);
		out[off++] = c & 0xff;
		out[off++] = c >> 8;
	}
	*outlen = off;
	return 0;
}
