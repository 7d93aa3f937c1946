#include "lowpan/dispatch.h"
#include "lowpan/error.h"

#include <string.h>

static void get_mesh_addr(const uint8_t *p, bool is_short, struct lowpan_lladdr *a)
{
	memset(a, 0, sizeof(*a));
	a->mode = is_short ? LOWPAN_ADDR_SHORT : LOWPAN_ADDR_EXT;
	memcpy(a->a, p, is_short ? 2 : 8);
}

int lowpan_dispatch_parse(const uint8_t *buf, size_t len, struct lowpan_dispatch *d)
{
	size_t off = 0;
	memset(d, 0, sizeof(*d));
	if (len == 0)
		return LOWPAN_ERR_TRUNCATED;

	/* Mesh header: 10 V F HopsLeft(4) [deep hops] orig final
	 * (RFC 4944 section 5.2; addresses in canonical order). */
	if ((buf[0] & 0xc0) == 0x80) {
		bool v = buf[0] & 0x20, f = buf[0] & 0x10;
		d->mesh = true;
		d->hops_left = buf[0] & 0x0f;
		off = 1;
		if (d->hops_left == 0x0f) {
			/* RFC 4944 section 5.2: 0xF announces an 8-bit
			 * Deep Hops Left field. */
			if (off >= len)
				return LOWPAN_ERR_TRUNCATED;
			d->hops_left = buf[off++];
		}
		size_t need = (v ? 2 : 8) + (f ? 2 : 8);
		if (len - off < need)
			return LOWPAN_ERR_TRUNCATED;
		get_mesh_addr(buf + off, v, &d->orig);
		off += v ? 2 : 8;
		get_mesh_addr(buf + off, f, &d->final);
		off += f ? 2 : 8;
		if (off >= len)
			return LOWPAN_ERR_TRUNCATED;
	}
	/* Broadcast header (RFC 4944 section 11.1). */
	if (buf[off] == 0x50) {
		if (len - off < 2)
			return LOWPAN_ERR_TRUNCATED;
		d->bc0 = true;
		d->bc0_seq = buf[off + 1];
		off += 2;
		if (off >= len)
			return LOWPAN_ERR_TRUNCATED;
	}
	uint8_t b = buf[off];
	if ((b & 0xf8) == 0xc0 || (b & 0xf8) == 0xe0) {
		bool first = (b & 0xf8) == 0xc0;
		size_t hl = first ? 4 : 5;
		if (len - off < hl)
			return LOWPAN_ERR_TRUNCATED;
		d->frag = first ? LOWPAN_FRAG_FIRST : LOWPAN_FRAG_NEXT;
		d->dgram_size = (uint16_t)((b & 7) << 8 | buf[off + 1]);
		d->dgram_tag = (uint16_t)(buf[off + 2] << 8 | buf[off + 3]);
		if (!first)
			d->dgram_offset = (uint16_t)(buf[off + 4] * 8);
		off += hl;
		if (d->dgram_size == 0 || (!first && d->dgram_offset == 0) ||
		    d->dgram_offset >= d->dgram_size)
			return LOWPAN_ERR_FRAG;
		d->hdr_len = off;
		if (!first) {
			if (off >= len)
				return LOWPAN_ERR_FRAG;
			return 0;
		}
		if (off >= len)
			return LOWPAN_ERR_TRUNCATED;
		b = buf[off];
	}
	d->hdr_len = off;
	if ((b & 0xc0) == 0x00)
		return LOWPAN_ERR_NALP;
	if ((b & 0xe0) == 0x60) {
		d->payload = LOWPAN_PAYLOAD_IPHC;
		return 0;
	}
	if (b == 0x41) {
		d->payload = LOWPAN_PAYLOAD_IPV6;
		return 0;
	}
	if (b == 0x42)
		return LOWPAN_ERR_HC1;
	return LOWPAN_ERR_DISPATCH;
}

size_t lowpan_dispatch_put_frag(uint8_t *out, bool first, uint16_t size, uint16_t tag,
				uint16_t offset)
{
	out[0] = (uint8_t)((first ? 0xc0 : 0xe0) | ((size >> 8) & 7));
	out[1] = size & 0xff;
	out[2] = tag >> 8;
	out[3] = tag & 0xff;
	if (first)
		return 4;
	out[4] = (uint8_t)(offset / 8);
	return 5;
}

int lowpan_dispatch_put_mesh(uint8_t *out, uint8_t hops_left, const struct lowpan_lladdr *orig,
			     const struct lowpan_lladdr *final)
{
	unsigned ol = lowpan_lladdr_len(orig->mode), fl = lowpan_lladdr_len(final->mode);
	if (!ol || !fl)
		return LOWPAN_ERR_MESH;
	size_t off = 0;
	out[off++] = (uint8_t)(0x80 | (ol == 2) << 5 | (fl == 2) << 4 |
			       (hops_left >= 0x0f ? 0x0f : hops_left));
	if (hops_left >= 0x0f)
		out[off++] = hops_left;
	memcpy(out + off, orig->a, ol);
	off += ol;
	memcpy(out + off, final->a, fl);
	off += fl;
	return (int)off;
}
