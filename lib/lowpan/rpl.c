#include "lowpan/rpl.h"

#include <errno.h>
#include <string.h>

#include "lowpan/be.h"
#include "lowpan/checksum.h"
#include "lowpan/ipv6.h"

#define IPV6_HDR        LOWPAN_IPV6_HDR_LEN
#define NH_HBH          0
#define NH_IPV6         41
#define NH_ROUTING      43
#define NH_ICMPV6       58
#define RPL_OPTION      0x63 /* RFC 6553, with RFC 9008's "skip" bits it is 0x23 */
#define RPL_OPTION_9008 0x23

enum opt_type {
	OPT_PAD1 = 0,
	OPT_PADN = 1,
	OPT_CONFIG = 4,
	OPT_TARGET = 5,
	OPT_TRANSIT = 6,
	OPT_PREFIX = 8,
};

static int parse_config(const uint8_t *o, size_t len, struct lowpan_rpl_msg *m)
{
	if (len < 14)
		return -EBADMSG;
	m->has_config = true;
	m->config.flags_pcs = o[0];
	m->config.dio_int_doublings = o[1];
	m->config.dio_int_min = o[2];
	m->config.dio_redundancy = o[3];
	m->config.max_rank_increase = lowpan_get16(o + 4);
	m->config.min_hop_rank_increase = lowpan_get16(o + 6);
	m->config.ocp = lowpan_get16(o + 8);
	m->config.default_lifetime = o[11];
	m->config.lifetime_unit = lowpan_get16(o + 12);
	return 0;
}

static int parse_prefix(const uint8_t *o, size_t len, struct lowpan_rpl_msg *m)
{
	if (len < 30 || o[0] > 128)
		return -EBADMSG;
	m->has_prefix = true;
	m->prefix.len = o[0];
	m->prefix.flags = o[1];
	m->prefix.valid_lifetime = lowpan_get32(o + 2);
	m->prefix.preferred_lifetime = lowpan_get32(o + 6);
	memcpy(m->prefix.prefix, o + 14, 16);
	return 0;
}

static int parse_target(const uint8_t *o, size_t len, struct lowpan_rpl_msg *m)
{
	struct lowpan_rpl_target *t;
	size_t bytes;

	if (len < 2 || o[1] > 128)
		return -EBADMSG;
	bytes = (o[1] + 7u) / 8;
	if (len < 2 + bytes)
		return -EBADMSG;
	if (m->ntargets == LOWPAN_RPL_MAX_TARGETS)
		return -E2BIG;
	t = &m->targets[m->ntargets++];
	memset(t, 0, sizeof(*t));
	t->prefix_len = o[1];
	memcpy(t->prefix, o + 2, bytes);
	return 0;
}

/* A Transit Information option applies to the targets before it that have none yet. */
static int parse_transit(const uint8_t *o, size_t len, struct lowpan_rpl_msg *m)
{
	if (len < 4 || (len != 4 && len < 20))
		return -EBADMSG;
	for (unsigned i = m->ntargets; i-- > 0 && !m->targets[i].has_transit;) {
		struct lowpan_rpl_target *t = &m->targets[i];

		t->has_transit = true;
		t->path_control = o[1];
		t->path_sequence = o[2];
		t->path_lifetime = o[3];
		t->has_parent = len >= 20;
		if (t->has_parent)
			memcpy(t->parent, o + 4, 16);
	}
	return 0;
}

/*
 * Step to the next option of the option area p[0..len) from offset *i,
 * passing over Pad1 octets: RPL control message options (RFC 6550 §6.7.1)
 * and IPv6 hop-by-hop options (RFC 8200 §4.2) share this layout (Pad1 is
 * a lone 0, every other option is type, length, value).  Returns 1 with
 * *type, *val and *vlen set and *i past the option, 0 at the end of the
 * area, -EBADMSG for an option that runs past it.
 */
static int next_option(const uint8_t *p, size_t len, size_t *i, uint8_t *type, const uint8_t **val,
		       size_t *vlen)
{
	while (*i < len && p[*i] == OPT_PAD1)
		(*i)++;
	if (*i == len)
		return 0;
	if (len - *i < 2 || p[*i + 1] > len - *i - 2)
		return -EBADMSG;
	*type = p[*i];
	*vlen = p[*i + 1];
	*val = p + *i + 2;
	*i += 2 + *vlen;
	return 1;
}

static int parse_options(const uint8_t *p, size_t len, struct lowpan_rpl_msg *m)
{
	size_t i = 0, olen;
	const uint8_t *o;
	uint8_t type;
	int more;

	while ((more = next_option(p, len, &i, &type, &o, &olen)) > 0) {
		int rc = 0;

		/* each message keeps the options RFC 6550 gives it; the rest is skipped */
		switch (m->code == LOWPAN_RPL_DIO || m->code == LOWPAN_RPL_DAO ? type : OPT_PADN) {
		case OPT_CONFIG:
			if (m->code == LOWPAN_RPL_DIO)
				rc = parse_config(o, olen, m);
			break;
		case OPT_PREFIX:
			if (m->code == LOWPAN_RPL_DIO)
				rc = parse_prefix(o, olen, m);
			break;
		case OPT_TARGET:
			if (m->code == LOWPAN_RPL_DAO)
				rc = parse_target(o, olen, m);
			break;
		case OPT_TRANSIT:
			if (m->code == LOWPAN_RPL_DAO)
				rc = parse_transit(o, olen, m);
			break;
		default: /* PadN, metrics, route information, …: not needed by a root */
			break;
		}
		if (rc < 0)
			return rc;
	}
	return more;
}

int lowpan_rpl_parse(const uint8_t *icmp, size_t len, struct lowpan_rpl_msg *m)
{
	const uint8_t *b = icmp + 4;
	size_t blen, fixed;

	memset(m, 0, sizeof(*m));
	if (len < 4 || icmp[0] != LOWPAN_RPL_ICMP_TYPE)
		return -EBADMSG;
	m->code = icmp[1];
	blen = len - 4;
	switch (m->code) {
	case LOWPAN_RPL_DIS:
		fixed = 2;
		if (blen < fixed)
			return -EBADMSG;
		break;
	case LOWPAN_RPL_DIO:
		fixed = 24;
		if (blen < fixed)
			return -EBADMSG;
		m->instance = b[0];
		m->version = b[1];
		m->rank = lowpan_get16(b + 2);
		m->grounded = b[4] & 0x80;
		m->mop = (b[4] >> 3) & 7;
		m->prf = b[4] & 7;
		m->dtsn = b[5];
		m->has_dodagid = true;
		memcpy(m->dodagid, b + 8, 16);
		break;
	case LOWPAN_RPL_DAO:
	case LOWPAN_RPL_DAO_ACK:
		if (blen < 4)
			return -EBADMSG;
		m->instance = b[0];
		if (m->code == LOWPAN_RPL_DAO) {
			m->ack_requested = b[1] & 0x80;
			m->has_dodagid = b[1] & 0x40;
			m->sequence = b[3];
		} else {
			m->has_dodagid = b[1] & 0x80;
			m->sequence = b[2];
			m->status = b[3];
		}
		/* both: four octets, then the DODAGID when the D flag is set */
		fixed = m->has_dodagid ? 20 : 4;
		if (blen < fixed)
			return -EBADMSG;
		if (m->has_dodagid)
			memcpy(m->dodagid, b + 4, 16);
		break;
	default:
		return -EPROTONOSUPPORT;
	}
	return parse_options(b + fixed, blen - fixed, m);
}

/* Append one option at b[*n], within @cap, and advance *n; returns 0 or -ENOSPC. */
static int put_option(uint8_t *b, size_t cap, size_t *n, uint8_t type, const uint8_t *val,
		      uint8_t len)
{
	if ((size_t)len + 2 > cap - *n)
		return -ENOSPC;
	b[*n] = type;
	b[*n + 1] = len;
	memcpy(b + *n + 2, val, len);
	*n += (size_t)len + 2;
	return 0;
}

static int build_body(const struct lowpan_rpl_msg *m, uint8_t *b, size_t cap)
{
	size_t n = 0;
	int rc;

	switch (m->code) {
	case LOWPAN_RPL_DIS:
		if (cap < 2)
			return -ENOSPC;
		b[0] = b[1] = 0;
		return 2;
	case LOWPAN_RPL_DIO: {
		uint8_t cfg[14] = { 0 }, pio[30] = { 0 };

		if (cap < 24)
			return -ENOSPC;
		b[0] = m->instance;
		b[1] = m->version;
		lowpan_put16(b + 2, m->rank);
		b[4] = (uint8_t)((m->grounded ? 0x80 : 0) | (m->mop & 7) << 3 | (m->prf & 7));
		b[5] = m->dtsn;
		b[6] = b[7] = 0;
		memcpy(b + 8, m->dodagid, 16);
		n = 24;
		if (m->has_config) {
			cfg[0] = m->config.flags_pcs;
			cfg[1] = m->config.dio_int_doublings;
			cfg[2] = m->config.dio_int_min;
			cfg[3] = m->config.dio_redundancy;
			lowpan_put16(cfg + 4, m->config.max_rank_increase);
			lowpan_put16(cfg + 6, m->config.min_hop_rank_increase);
			lowpan_put16(cfg + 8, m->config.ocp);
			cfg[11] = m->config.default_lifetime;
			lowpan_put16(cfg + 12, m->config.lifetime_unit);
			if ((rc = put_option(b, cap, &n, OPT_CONFIG, cfg, sizeof(cfg))))
				return rc;
		}
		if (m->has_prefix) {
			pio[0] = m->prefix.len;
			pio[1] = m->prefix.flags;
			lowpan_put32(pio + 2, m->prefix.valid_lifetime);
			lowpan_put32(pio + 6, m->prefix.preferred_lifetime);
			memcpy(pio + 14, m->prefix.prefix, 16);
			if ((rc = put_option(b, cap, &n, OPT_PREFIX, pio, sizeof(pio))))
				return rc;
		}
		return (int)n;
	}
	case LOWPAN_RPL_DAO:
	case LOWPAN_RPL_DAO_ACK:
		if (cap < 20)
			return -ENOSPC;
		b[0] = m->instance;
		if (m->code == LOWPAN_RPL_DAO) {
			b[1] = (uint8_t)((m->ack_requested ? 0x80 : 0) |
					 (m->has_dodagid ? 0x40 : 0));
			b[2] = 0;
			b[3] = m->sequence;
		} else {
			b[1] = m->has_dodagid ? 0x80 : 0;
			b[2] = m->sequence;
			b[3] = m->status;
		}
		/* both: four octets, then the DODAGID when the D flag is set */
		n = 4;
		if (m->has_dodagid) {
			memcpy(b + 4, m->dodagid, 16);
			n = 20;
		}
		if (m->code == LOWPAN_RPL_DAO_ACK)
			return (int)n;
		for (unsigned i = 0; i < m->ntargets; i++) {
			const struct lowpan_rpl_target *t = &m->targets[i];
			uint8_t opt[20] = { 0 };
			uint8_t bytes = (uint8_t)((t->prefix_len + 7) / 8);

			opt[1] = t->prefix_len;
			memcpy(opt + 2, t->prefix, bytes);
			if ((rc = put_option(b, cap, &n, OPT_TARGET, opt, (uint8_t)(2 + bytes))))
				return rc;
			if (!t->has_transit)
				continue;
			memset(opt, 0, sizeof(opt));
			opt[1] = t->path_control;
			opt[2] = t->path_sequence;
			opt[3] = t->path_lifetime;
			memcpy(opt + 4, t->parent, 16);
			if ((rc = put_option(b, cap, &n, OPT_TRANSIT, opt, t->has_parent ? 20 : 4)))
				return rc;
		}
		return (int)n;
	}
	return -EINVAL;
}

int lowpan_rpl_build(const struct lowpan_rpl_msg *m, const uint8_t src[16], const uint8_t dst[16],
		     uint8_t *out, size_t cap)
{
	uint8_t *icmp = out + IPV6_HDR;
	int body;
	size_t len;

	if (cap < IPV6_HDR + 4)
		return -ENOSPC;
	body = build_body(m, icmp + 4, cap - IPV6_HDR - 4);
	if (body < 0)
		return body;
	len = 4 + (size_t)body;
	icmp[0] = LOWPAN_RPL_ICMP_TYPE;
	icmp[1] = m->code;
	icmp[2] = icmp[3] = 0;
	lowpan_ipv6_put_header(out, len, NH_ICMPV6, 64, src, dst);
	lowpan_put16(icmp + 2, lowpan_checksum_icmp6(out, len));
	return (int)(IPV6_HDR + len);
}

static unsigned common_prefix(const uint8_t *a, const uint8_t *b)
{
	unsigned n = 0;

	while (n < 15 && a[n] == b[n]) /* at most 15: RFC 6554 CmprI/E are 4 bits */
		n++;
	return n;
}

/* Write an SRH for hops[1..n) (hops[0] is the IPv6 destination); returns its length. */
static int write_srh(uint8_t *out, size_t cap, uint8_t next_header, const uint8_t (*hops)[16],
		     size_t nhops)
{
	unsigned cmpr_i = 15, cmpr_e = common_prefix(hops[nhops - 1], hops[0]);
	size_t n = nhops - 1, addr_bytes, len, pad;
	uint8_t *p;

	for (size_t i = 1; i + 1 < nhops; i++) {
		unsigned c = common_prefix(hops[i], hops[0]);

		if (c < cmpr_i)
			cmpr_i = c;
	}
	if (n == 1)
		cmpr_i = cmpr_e; /* no intermediate address: any value, keep it tidy */
	addr_bytes = (n - 1) * (16 - cmpr_i) + (16 - cmpr_e);
	len = (8 + addr_bytes + 7) & ~(size_t)7;
	pad = len - 8 - addr_bytes;
	if (len > cap || len / 8 - 1 > 255)
		return -ENOSPC;
	out[0] = next_header;
	out[1] = (uint8_t)(len / 8 - 1);
	out[2] = 3; /* routing type: RPL source route */
	out[3] = (uint8_t)n;
	out[4] = (uint8_t)(cmpr_i << 4 | cmpr_e);
	out[5] = (uint8_t)(pad << 4);
	out[6] = out[7] = 0;
	p = out + 8;
	for (size_t i = 1; i < nhops; i++) {
		unsigned c = i + 1 < nhops ? cmpr_i : cmpr_e;

		memcpy(p, hops[i] + c, 16 - c);
		p += 16 - c;
	}
	memset(p, 0, pad);
	return (int)len;
}

int lowpan_rpl_source_route(const uint8_t *pkt, size_t len, const uint8_t root[16],
			    const uint8_t (*hops)[16], size_t nhops, bool encapsulate, uint8_t *out,
			    size_t cap)
{
	int srh;

	if (len < IPV6_HDR || (pkt[0] >> 4) != 6 || nhops < 2 || nhops > LOWPAN_RPL_MAX_HOPS ||
	    lowpan_get16(pkt + 4) != len - IPV6_HDR)
		return -EINVAL;
	if (cap < IPV6_HDR)
		return -ENOSPC;
	if (encapsulate) {
		srh = write_srh(out + IPV6_HDR, cap - IPV6_HDR, NH_IPV6, hops, nhops);
		if (srh < 0)
			return srh;
		if (IPV6_HDR + (size_t)srh + len > cap || (size_t)srh + len > 0xffff)
			return -ENOSPC;
		lowpan_ipv6_put_header(out, (size_t)srh + len, NH_ROUTING, 64, root, hops[0]);
		memcpy(out + IPV6_HDR + srh, pkt, len);
		return (int)(IPV6_HDR + (size_t)srh + len);
	}
	srh = write_srh(out + IPV6_HDR, cap - IPV6_HDR, pkt[6], hops, nhops);
	if (srh < 0)
		return srh;
	if (IPV6_HDR + (size_t)srh + len - IPV6_HDR > cap)
		return -ENOSPC;
	memcpy(out, pkt, IPV6_HDR);
	lowpan_put16(out + 4, (uint16_t)(len - IPV6_HDR + (size_t)srh));
	out[6] = NH_ROUTING;
	memcpy(out + 24, hops[0], 16);
	memcpy(out + IPV6_HDR + srh, pkt + IPV6_HDR, len - IPV6_HDR);
	return (int)(len + (size_t)srh);
}

int lowpan_rpl_srh_parse(const uint8_t *srh, size_t len, const uint8_t dst[16], uint8_t (*hops)[16],
			 size_t max_hops)
{
	unsigned cmpr_i, cmpr_e, pad;
	size_t hlen, n, addr_bytes;
	const uint8_t *p;

	if (len < 8 || srh[2] != 3)
		return -EBADMSG;
	hlen = ((size_t)srh[1] + 1) * 8;
	cmpr_i = srh[4] >> 4;
	cmpr_e = srh[4] & 15;
	pad = srh[5] >> 4;
	if (hlen > len || hlen < 8 + pad)
		return -EBADMSG;
	addr_bytes = hlen - 8 - pad;
	/* n addresses: (n - 1) * (16 - CmprI) + (16 - CmprE) bytes */
	if (addr_bytes < 16 - cmpr_e || (addr_bytes - (16 - cmpr_e)) % (16 - cmpr_i) != 0)
		return -EBADMSG;
	n = (addr_bytes - (16 - cmpr_e)) / (16 - cmpr_i) + 1;
	if (n + 1 > max_hops)
		return -EBADMSG;
	memcpy(hops[0], dst, 16);
	p = srh + 8;
	for (size_t i = 0; i < n; i++) {
		unsigned c = i + 1 < n ? cmpr_i : cmpr_e;

		memcpy(hops[i + 1], dst, c);
		memcpy(hops[i + 1] + c, p, 16 - c);
		p += 16 - c;
	}
	return (int)(n + 1);
}

/* Is the hop-by-hop header at @h (@len bytes) only an RPL option and padding? */
static bool only_rpl_option(const uint8_t *h, size_t len)
{
	size_t i = 2, olen;
	const uint8_t *o;
	uint8_t type;
	bool rpl = false;
	int more;

	while ((more = next_option(h, len, &i, &type, &o, &olen)) > 0) {
		if (type == RPL_OPTION || type == RPL_OPTION_9008)
			rpl = true;
		else if (type != OPT_PADN)
			return false;
	}
	return more == 0 && rpl;
}

int lowpan_rpl_strip(uint8_t *pkt, size_t len, const uint8_t root[16])
{
	if (len < IPV6_HDR || (pkt[0] >> 4) != 6 || lowpan_get16(pkt + 4) != len - IPV6_HDR)
		return -EBADMSG;
	if (pkt[6] == NH_HBH) {
		size_t hlen;

		if (len < IPV6_HDR + 8)
			return -EBADMSG;
		hlen = ((size_t)pkt[IPV6_HDR + 1] + 1) * 8;
		if (IPV6_HDR + hlen > len)
			return -EBADMSG;
		if (only_rpl_option(pkt + IPV6_HDR, hlen)) {
			pkt[6] = pkt[IPV6_HDR];
			memmove(pkt + IPV6_HDR, pkt + IPV6_HDR + hlen, len - IPV6_HDR - hlen);
			len -= hlen;
			lowpan_put16(pkt + 4, (uint16_t)(len - IPV6_HDR));
		}
	}
	/* IPv6-in-IPv6 to the root (RFC 9008): deliver the inner packet */
	if (pkt[6] == NH_IPV6 && memcmp(pkt + 24, root, 16) == 0) {
		if (len < 2 * IPV6_HDR || (pkt[IPV6_HDR] >> 4) != 6)
			return -EBADMSG;
		memmove(pkt, pkt + IPV6_HDR, len - IPV6_HDR);
		len -= IPV6_HDR;
		if (lowpan_get16(pkt + 4) != len - IPV6_HDR)
			return -EBADMSG;
		return lowpan_rpl_strip(pkt, len, root);
	}
	return (int)len;
}

#define SEQUENCE_WINDOW 16

bool lowpan_rpl_seq_newer(uint8_t a, uint8_t b)
{
	int d = (int)a - (int)b;

	if (a > 127 && b <= 127)
		return 256 + b - a > SEQUENCE_WINDOW;
	if (a <= 127 && b > 127)
		return 256 + a - b <= SEQUENCE_WINDOW;
	if (d > SEQUENCE_WINDOW || d < -SEQUENCE_WINDOW)
		return true;
	if (a <= 127)
		return ((a - b) & 127) != 0 && ((a - b) & 127) < 64; /* the circular region */
	return a > b;
}
