#include "lowpan/pcapfile.h"
#include "lowpan/error.h"

#include <string.h>

#define MAX_RECORD (256u * 1024u)

static uint32_t get32(const struct lowpan_pcapfile_reader *r, const uint8_t *p)
{
	if (r->swap)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

int lowpan_pcapfile_open(struct lowpan_pcapfile_reader *r, const uint8_t *buf, size_t len)
{
	memset(r, 0, sizeof(*r));
	if (len < LOWPAN_PCAPFILE_HDR_LEN)
		return LOWPAN_ERR_PCAP;
	/* "swap" here means the file is big-endian: fields are read with
	 * an explicit byte order, independent of the host. */
	static const uint8_t le_us[4] = { 0xd4, 0xc3, 0xb2, 0xa1 },
			     le_ns[4] = { 0x4d, 0x3c, 0xb2, 0xa1 };
	static const uint8_t be_us[4] = { 0xa1, 0xb2, 0xc3, 0xd4 },
			     be_ns[4] = { 0xa1, 0xb2, 0x3c, 0x4d };
	if (!memcmp(buf, le_us, 4)) {
	} else if (!memcmp(buf, le_ns, 4)) {
		r->nsec = true;
	} else if (!memcmp(buf, be_us, 4)) {
		r->swap = true;
	} else if (!memcmp(buf, be_ns, 4)) {
		r->swap = r->nsec = true;
	} else {
		return LOWPAN_ERR_PCAP;
	}
	r->buf = buf;
	r->len = len;
	r->snaplen = get32(r, buf + 16);
	r->linktype = get32(r, buf + 20) & 0x0fffffff; /* upper bits: FCS info */
	r->off = LOWPAN_PCAPFILE_HDR_LEN;
	return 0;
}

int lowpan_pcapfile_next(struct lowpan_pcapfile_reader *r, struct lowpan_pcapfile_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	if (r->off == r->len)
		return 0;
	if (r->len - r->off < LOWPAN_PCAPFILE_REC_LEN)
		return LOWPAN_ERR_PCAP;
	const uint8_t *h = r->buf + r->off;
	uint32_t caplen = get32(r, h + 8);
	if (caplen > MAX_RECORD || r->len - r->off - LOWPAN_PCAPFILE_REC_LEN < caplen)
		return LOWPAN_ERR_PCAP;
	rec->ts_sec = get32(r, h);
	rec->ts_usec = get32(r, h + 4);
	if (r->nsec)
		rec->ts_usec /= 1000;
	rec->orig_len = get32(r, h + 12);
	rec->data = h + LOWPAN_PCAPFILE_REC_LEN;
	rec->len = caplen;
	r->off += LOWPAN_PCAPFILE_REC_LEN + caplen;
	return 0;
}

void lowpan_pcapfile_put_header(uint8_t out[LOWPAN_PCAPFILE_HDR_LEN], uint32_t linktype)
{
	put32(out, 0xa1b2c3d4);
	out[4] = 2; /* version 2.4 */
	out[5] = 0;
	out[6] = 4;
	out[7] = 0;
	put32(out + 8, 0);
	put32(out + 12, 0);
	put32(out + 16, 65535);
	put32(out + 20, linktype);
}

void lowpan_pcapfile_put_record(uint8_t out[LOWPAN_PCAPFILE_REC_LEN], uint32_t ts_sec,
				uint32_t ts_usec, uint32_t len)
{
	put32(out, ts_sec);
	put32(out + 4, ts_usec);
	put32(out + 8, len);
	put32(out + 12, len);
}
