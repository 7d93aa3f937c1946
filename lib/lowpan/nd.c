/*
 * 6LoWPAN Neighbor Discovery messages (see nd.h).
 */
#include "lowpan/nd.h"

#include <errno.h>
#include <string.h>

#include "lowpan/be.h"
#include "lowpan/checksum.h"
#include "lowpan/ipv6.h"

#define IPV6_HLEN  LOWPAN_IPV6_HDR_LEN
#define ICMPV6     58
#define ND_HOPS    255 /* RFC 4861: ND messages are sent and accepted with hop limit 255 */
#define DA_HOPS    64  /* RFC 6775 §8.2.1: DAR/DAC cross the mesh (MULTIHOP_HOPLIMIT) */
#define OPT_SLLAO  1
#define OPT_TLLAO  2
#define OPT_PIO    3
#define OPT_ARO    33
#define OPT_6CO    34
#define OPT_ABRO   35
#define RA_HLEN    16 /* type, code, checksum, hop limit, flags, lifetimes, timers */
#define NA_HLEN    24 /* type, code, checksum, flags, reserved, target */
#define PIO_A      0x40
#define NA_SOLICIT 0x40
#define NA_OVERRID 0x20
#define ARO_T      0x01 /* RFC 8505: the TID field is valid: an EARO */

/* The options of an RS or NS (RFC 4861 §4.6): each at least 8 bytes, none past the end. */
static int parse_options(const uint8_t *p, size_t len, struct lowpan_nd_msg *out)
{
	while (len > 0) {
		size_t olen;

		if (len < 2 || p[1] == 0 || (size_t)p[1] * 8 > len)
			return -EBADMSG;
		olen = (size_t)p[1] * 8;
		if (p[0] == OPT_SLLAO) {
			/* 802.15.4: an EUI-64 (length 2) or a short address (length 1) */
			out->sllao_len = olen == 16 ? 8 : 2;
			memcpy(out->sllao, p + 2, out->sllao_len);
		} else if (p[0] == OPT_ARO) {
			/* RFC 8505 §4.1: with the T flag, an EARO whose ROVR is
			 * 64, 128, 192 or 256 bits; else RFC 6775's EUI-64 */
			bool earo = p[4] & ARO_T;

			if (earo ? olen > 40 : olen != 16)
				return -EBADMSG;
			out->has_aro = true;
			out->earo = earo;
			out->aro_status = p[2];
			out->aro_opaque = earo ? p[3] : 0;
			out->aro_flags = earo ? p[4] : 0;
			out->aro_tid = earo ? p[5] : 0;
			out->aro_lifetime = lowpan_get16(p + 6);
			out->rovr_len = olen - 8;
			memcpy(out->rovr, p + 8, out->rovr_len);
			memcpy(out->aro_eui64, p + 8, 8);
		}
		p += olen;
		len -= olen;
	}
	return 0;
}

/*
 * A (E)DAR (RFC 6775 §4.4, RFC 8505 §6.1): status, TID, lifetime, ROVR of
 * CodeSfx 64-bit words (0: RFC 6775's EUI-64), the registered address; no
 * options.  It crosses the mesh, so its hop limit is anything.
 */
static int parse_dar(const uint8_t *icmp, size_t icmp_len, struct lowpan_nd_msg *out)
{
	unsigned sfx = icmp[1] & 0x0f;
	size_t rovr_len = sfx ? 8 * (size_t)sfx : 8;

	if (sfx > 4 || icmp_len != 8 + rovr_len + 16)
		return -EBADMSG;
	out->has_aro = true;
	out->earo = sfx != 0;
	out->aro_flags = out->earo ? ARO_T : 0;
	out->aro_status = icmp[4];
	out->aro_tid = out->earo ? icmp[5] : 0;
	out->aro_lifetime = lowpan_get16(icmp + 6);
	out->rovr_len = rovr_len;
	memcpy(out->rovr, icmp + 8, rovr_len);
	memcpy(out->aro_eui64, icmp + 8, 8);
	memcpy(out->target, icmp + 8 + rovr_len, 16);
	return 0;
}

int lowpan_nd_parse(const uint8_t *pkt, size_t len, struct lowpan_nd_msg *out)
{
	const uint8_t *icmp = pkt + IPV6_HLEN;
	size_t icmp_len, fixed;
	bool dar;

	memset(out, 0, sizeof(*out));
	if (len < IPV6_HLEN + 4 || (pkt[0] >> 4) != 6 || pkt[6] != ICMPV6)
		return -ENOMSG;
	if (icmp[0] != LOWPAN_ND_RS && icmp[0] != LOWPAN_ND_NS && icmp[0] != LOWPAN_ND_DAR)
		return -ENOMSG;
	dar = icmp[0] == LOWPAN_ND_DAR;
	icmp_len = lowpan_get16(pkt + 4);
	fixed = icmp[0] == LOWPAN_ND_RS ? 8 : 24;
	if (icmp_len > len - IPV6_HLEN || icmp_len < fixed || (!dar && pkt[7] != ND_HOPS) ||
	    (!dar && icmp[1] != 0) || lowpan_checksum_icmp6(pkt, icmp_len) != 0)
		return -EBADMSG;
	out->type = icmp[0];
	memcpy(out->src, pkt + 8, 16);
	memcpy(out->dst, pkt + 24, 16);
	if (dar)
		return parse_dar(icmp, icmp_len, out);
	if (out->type == LOWPAN_ND_NS)
		memcpy(out->target, icmp + 8, 16);
	return parse_options(icmp + fixed, icmp_len - fixed, out);
}

/* A link-layer address option: type, length in 8-byte units, address, zero padding. */
static size_t put_lladdr(uint8_t *p, uint8_t type, const uint8_t *addr, size_t addr_len)
{
	size_t olen = (2 + addr_len + 7) / 8 * 8;

	memset(p, 0, olen);
	p[0] = type;
	p[1] = (uint8_t)(olen / 8);
	memcpy(p + 2, addr, addr_len);
	return olen;
}

static size_t put_pio(uint8_t *p, const struct lowpan_nd_ra *ra)
{
	memset(p, 0, 32);
	p[0] = OPT_PIO;
	p[1] = 4;
	p[2] = ra->prefix_len;
	p[3] = PIO_A; /* L clear: 6LoWPAN hosts send everything to the router (RFC 6775 §5.4) */
	lowpan_put32(p + 4, ra->prefix_valid);
	lowpan_put32(p + 8, ra->prefix_preferred);
	memcpy(p + 16, ra->prefix, 16);
	return 32;
}

static size_t put_6co(uint8_t *p, const struct lowpan_nd_ra *ra)
{
	size_t olen = ra->context_len > 64 ? 24 : 16;

	memset(p, 0, olen);
	p[0] = OPT_6CO;
	p[1] = (uint8_t)(olen / 8);
	p[2] = ra->context_len;
	p[3] = 0x10 | (ra->context_id & 0x0f); /* C: valid for compression */
	lowpan_put16(p + 6, ra->context_lifetime);
	memcpy(p + 8, ra->context, olen - 8);
	return olen;
}

static size_t put_abro(uint8_t *p, const struct lowpan_nd_ra *ra)
{
	p[0] = OPT_ABRO;
	p[1] = 3;
	lowpan_put16(p + 2, (uint16_t)ra->abro_version); /* version low */
	lowpan_put16(p + 4, (uint16_t)(ra->abro_version >> 16));
	lowpan_put16(p + 6, ra->abro_lifetime);
	memcpy(p + 8, ra->abro_address, 16);
	return 24;
}

static size_t put_rdao(uint8_t *p, const struct lowpan_nd_ra *ra)
{
	p[0] = LOWPAN_ND_OPT_RDAO;
	p[1] = 3;
	lowpan_put16(p + 2, 0);
	lowpan_put32(p + 4, ra->rd_lifetime);
	memcpy(p + 8, ra->rd_address, 16);
	return 24;
}

int lowpan_nd_build_ra(const struct lowpan_nd_ra *ra, const uint8_t src[16], const uint8_t dst[16],
		       uint8_t *buf, size_t size)
{
	uint8_t *icmp = buf + IPV6_HLEN, *p;
	size_t icmp_len;

	/* header 40 + RA 16 + SLLAO 16 + PIO 32 + 6CO 24 + ABRO 24 + RDAO 24 */
	if (size < 176 || (ra->sllao && ra->sllao_len != 2 && ra->sllao_len != 8))
		return -ENOSPC;
	memset(icmp, 0, RA_HLEN);
	icmp[0] = LOWPAN_ND_RA;
	icmp[4] = 64; /* Cur Hop Limit for the hosts' packets */
	lowpan_put16(icmp + 6, ra->router_lifetime);
	p = icmp + RA_HLEN;
	if (ra->sllao)
		p += put_lladdr(p, OPT_SLLAO, ra->sllao, ra->sllao_len);
	if (ra->prefix_valid)
		p += put_pio(p, ra);
	if (ra->context_lifetime)
		p += put_6co(p, ra);
	if (ra->abro_lifetime)
		p += put_abro(p, ra);
	if (ra->rd_lifetime)
		p += put_rdao(p, ra);
	icmp_len = (size_t)(p - icmp);
	lowpan_ipv6_put_header(buf, icmp_len, ICMPV6, ND_HOPS, src, dst);
	lowpan_put16(icmp + 2, lowpan_checksum_icmp6(buf, icmp_len));
	return (int)(IPV6_HLEN + icmp_len);
}

int lowpan_nd_build_na(const struct lowpan_nd_msg *ns, const uint8_t src[16], uint8_t status,
		       const uint8_t *tllao, uint8_t *buf, size_t size)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t unspecified[16];
	uint8_t *icmp = buf + IPV6_HLEN, *opt = icmp + NA_HLEN;
	const size_t aro_len = ns->has_aro ? 8 + ns->rovr_len : 0;
	const size_t icmp_len = NA_HLEN + aro_len + (tllao ? 16 : 0);
	bool dad = memcmp(ns->src, unspecified, 16) == 0;

	if (size < IPV6_HLEN + icmp_len)
		return -ENOSPC;
	memset(icmp, 0, icmp_len);
	icmp[0] = LOWPAN_ND_NA;
	/* RFC 4861 §7.2.4: the answer to a DAD probe goes to all nodes, unsolicited */
	icmp[4] = (uint8_t)((dad ? 0 : NA_SOLICIT) | NA_OVERRID);
	memcpy(icmp + 8, ns->target, 16);
	if (ns->has_aro) {
		/* the request's option echoed (RFC 8505 §5.1: TID, flags, ROVR) */
		opt[0] = OPT_ARO;
		opt[1] = (uint8_t)(aro_len / 8);
		opt[2] = status;
		opt[3] = ns->aro_opaque;
		opt[4] = ns->aro_flags;
		opt[5] = ns->aro_tid;
		lowpan_put16(opt + 6, ns->aro_lifetime);
		memcpy(opt + 8, ns->rovr, ns->rovr_len);
		opt += aro_len;
	}
	if (tllao)
		put_lladdr(opt, OPT_TLLAO, tllao, 8);
	lowpan_ipv6_put_header(buf, icmp_len, ICMPV6, ND_HOPS, src, dad ? all_nodes : ns->src);
	lowpan_put16(icmp + 2, lowpan_checksum_icmp6(buf, icmp_len));
	return (int)(IPV6_HLEN + icmp_len);
}

const uint8_t *lowpan_nd_registered_address(const struct lowpan_nd_msg *ns)
{
	return ns->earo || ns->type == LOWPAN_ND_DAR ? ns->target : ns->src;
}

int lowpan_nd_build_dac(const struct lowpan_nd_msg *dar, const uint8_t src[16], uint8_t status,
			uint8_t *buf, size_t size)
{
	uint8_t *icmp = buf + IPV6_HLEN;
	const size_t icmp_len = 8 + dar->rovr_len + 16;

	if (size < IPV6_HLEN + icmp_len)
		return -ENOSPC;
	memset(icmp, 0, 8);
	icmp[0] = LOWPAN_ND_DAC;
	icmp[1] = dar->earo ? (uint8_t)(dar->rovr_len / 8) : 0; /* CodeSfx: the ROVR's size */
	icmp[4] = status;
	icmp[5] = dar->aro_tid;
	lowpan_put16(icmp + 6, dar->aro_lifetime);
	memcpy(icmp + 8, dar->rovr, dar->rovr_len);
	memcpy(icmp + 8 + dar->rovr_len, dar->target, 16);
	lowpan_ipv6_put_header(buf, icmp_len, ICMPV6, DA_HOPS, src, dar->src);
	lowpan_put16(icmp + 2, lowpan_checksum_icmp6(buf, icmp_len));
	return (int)(IPV6_HLEN + icmp_len);
}
