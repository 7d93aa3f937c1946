/*
 * pana_msg — PANA message and AVP codec (see pana_msg.h).
 */
#include "pana/pana_msg.h"

#include <errno.h>
#include <string.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* One AVP at @p (@left bytes remain); returns the bytes it takes, padding included. */
static int parse_avp(const uint8_t *p, size_t left, struct pana_avp *avp)
{
	size_t hdr = PANA_AVP_HDR_LEN;

	if (left < hdr)
		return -EBADMSG;
	avp->code = get16(p);
	avp->flags = get16(p + 2);
	avp->len = get16(p + 4);
	avp->vendor = 0;
	if (avp->flags & PANA_AVP_FLAG_V) {
		if (left < hdr + 4)
			return -EBADMSG;
		avp->vendor = get32(p + hdr);
		hdr += 4;
	}
	/* the last AVP's padding must be there too: Message Length counts it */
	if (pad4(avp->len) > left - hdr)
		return -EBADMSG;
	avp->value = p + hdr;
	return (int)(hdr + pad4(avp->len));
}

int pana_msg_parse(const uint8_t *buf, size_t len, struct pana_msg *out)
{
	size_t off = PANA_HEADER_LEN;

	if (len < PANA_HEADER_LEN || get16(buf + 2) != len)
		return -EBADMSG;
	out->flags = get16(buf + 4);
	out->type = get16(buf + 6);
	out->session_id = get32(buf + 8);
	out->seq = get32(buf + 12);
	out->navps = 0;
	while (off < len) {
		int n;

		if (out->navps == PANA_MAX_AVPS)
			return -E2BIG;
		n = parse_avp(buf + off, len - off, &out->avps[out->navps]);
		if (n < 0)
			return n;
		out->navps++;
		off += (size_t)n;
	}
	return 0;
}

const struct pana_avp *pana_msg_find(const struct pana_msg *msg, uint16_t code)
{
	for (size_t i = 0; i < msg->navps; i++)
		if (msg->avps[i].code == code && !(msg->avps[i].flags & PANA_AVP_FLAG_V))
			return &msg->avps[i];
	return NULL;
}

int pana_msg_get_u32(const struct pana_msg *msg, uint16_t code, uint32_t *out)
{
	const struct pana_avp *avp = pana_msg_find(msg, code);

	if (!avp)
		return -ENOENT;
	if (avp->len != 4)
		return -EBADMSG;
	*out = get32(avp->value);
	return 0;
}

void pana_msg_begin(struct pana_builder *b, uint16_t flags, uint16_t type, uint32_t session_id,
		    uint32_t seq)
{
	memset(b->buf, 0, PANA_HEADER_LEN);
	put16(b->buf + 4, flags);
	put16(b->buf + 6, type);
	put32(b->buf + 8, session_id);
	put32(b->buf + 12, seq);
	b->len = PANA_HEADER_LEN;
	b->error = 0;
}

void pana_msg_add(struct pana_builder *b, uint16_t code, const void *value, size_t len)
{
	uint8_t *p = b->buf + b->len;

	if (b->error)
		return;
	if (len > UINT16_MAX || PANA_AVP_HDR_LEN + pad4(len) > sizeof(b->buf) - b->len) {
		b->error = -EMSGSIZE;
		return;
	}
	put16(p, code);
	put16(p + 2, 0);
	put16(p + 4, (uint16_t)len);
	put16(p + 6, 0);
	if (len)
		memcpy(p + PANA_AVP_HDR_LEN, value, len);
	memset(p + PANA_AVP_HDR_LEN + len, 0, pad4(len) - len);
	b->len += PANA_AVP_HDR_LEN + pad4(len);
}

void pana_msg_add_u32(struct pana_builder *b, uint16_t code, uint32_t value)
{
	uint8_t v[4];

	put32(v, value);
	pana_msg_add(b, code, v, sizeof(v));
}

size_t pana_msg_add_auth(struct pana_builder *b)
{
	static const uint8_t zero[PANA_AUTH_LEN];

	pana_msg_add(b, PANA_AVP_AUTH, zero, sizeof(zero));
	return b->error ? 0 : b->len - PANA_AUTH_LEN;
}

int pana_msg_end(struct pana_builder *b)
{
	if (b->error)
		return b->error;
	put16(b->buf + 2, (uint16_t)b->len);
	return (int)b->len;
}

const char *pana_msg_name(uint16_t type, uint16_t flags)
{
	bool req = flags & PANA_FLAG_R;

	switch (type) {
	case PANA_CLIENT_INITIATION:
		return "PCI";
	case PANA_AUTH:
		return req ? "PAR" : "PAN";
	case PANA_TERMINATION:
		return req ? "PTR" : "PTA";
	case PANA_NOTIFICATION:
		return req ? "PNR" : "PNA";
	case PANA_RELAY:
		return "PRY";
	default:
		return "unknown";
	}
}
