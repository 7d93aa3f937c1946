#include "lowpan/iphc.h"
#include "lowpan/checksum.h"
#include "lowpan/error.h"

#include <errno.h>
#include <string.h>

/* Bound on nested IPv6-in-IPv6 NHC headers, so that hostile input cannot
 * recurse deeply. */
#define MAX_DEPTH 3
#define MAX_IP    4

static const uint8_t ll_prefix[8] = { 0xfe, 0x80 };
static const uint8_t short_iid[6] = { 0x00, 0x00, 0x00, 0xff, 0xfe, 0x00 };

int lowpan_iphc_ctx_set(struct lowpan_ctx_table *t, unsigned id, const uint8_t prefix[16],
			unsigned plen, bool compress)
{
	if (id >= LOWPAN_IPHC_CONTEXTS || plen > 128)
		return -EINVAL;
	struct lowpan_ctx *c = &t->ctx[id];
	memset(c, 0, sizeof(*c));
	memcpy(c->prefix, prefix, (plen + 7) / 8);
	if (plen % 8)
		c->prefix[plen / 8] &= (uint8_t)(0xff00 >> (plen % 8));
	c->plen = (uint8_t)plen;
	c->valid = true;
	c->compress = compress;
	return 0;
}

/* Overlay the context prefix on an address whose IID bits are already in
 * place: "bits covered by context information are always used" (RFC 6282
 * section 3.1.1). */
static void apply_ctx(const struct lowpan_ctx *c, uint8_t a[16])
{
	memcpy(a, c->prefix, c->plen / 8);
	if (c->plen % 8) {
		uint8_t m = (uint8_t)(0xff00 >> (c->plen % 8));
		a[c->plen / 8] = (uint8_t)((a[c->plen / 8] & ~m) | (c->prefix[c->plen / 8] & m));
	}
}

struct dec {
	const struct lowpan_ctx_table *ctx;
	const struct lowpan_lladdr *src, *dst;
	const uint8_t *in;
	size_t inlen, ip;
	uint8_t *out;
	size_t outsize, op;
	uint16_t ip_off[MAX_IP];
	int nip;
	int udp_len_off; /* -1: none */
	struct lowpan_iphc_info *info;
};

static inline int need(const struct dec *d, size_t n)
{
	return d->inlen - d->ip >= n ? 0 : LOWPAN_ERR_TRUNCATED;
}

static inline int room(const struct dec *d, size_t n)
{
	return d->outsize - d->op >= n ? 0 : -ENOSPC;
}

static const struct lowpan_ctx *get_ctx(const struct dec *d, unsigned id)
{
	if (!d->ctx || !d->ctx->ctx[id].valid)
		return NULL;
	return &d->ctx->ctx[id];
}

static int dec_unicast(struct dec *d, bool ac, uint8_t am, unsigned ci,
		       const struct lowpan_lladdr *ll, bool is_src, uint8_t a[16])
{
	int rc;
	memset(a, 0, 16);
	if (ac && am == 0) {
		/* SAC=1 SAM=00 is the unspecified address; DAC=1 DAM=00 is
		 * reserved. */
		return is_src ? 0 : LOWPAN_ERR_IPHC;
	}
	switch (am) {
	case 0:
		if ((rc = need(d, 16)))
			return rc;
		memcpy(a, d->in + d->ip, 16);
		d->ip += 16;
		return 0;
	case 1:
		if ((rc = need(d, 8)))
			return rc;
		memcpy(a + 8, d->in + d->ip, 8);
		d->ip += 8;
		break;
	case 2:
		if ((rc = need(d, 2)))
			return rc;
		memcpy(a + 8, short_iid, 6);
		memcpy(a + 14, d->in + d->ip, 2);
		d->ip += 2;
		break;
	default:
		if ((rc = lowpan_lladdr_iid(ll, a + 8)))
			return rc;
		break;
	}
	if (!ac) {
		memcpy(a, ll_prefix, 8);
		return 0;
	}
	const struct lowpan_ctx *c = get_ctx(d, ci);
	if (!c)
		return LOWPAN_ERR_CONTEXT;
	apply_ctx(c, a);
	return 0;
}

static int dec_mcast(struct dec *d, bool dac, uint8_t dam, unsigned ci, uint8_t a[16])
{
	static const uint8_t inl[4] = { 16, 6, 4, 1 };
	int rc;
	memset(a, 0, 16);
	if (dac && dam != 0)
		return LOWPAN_ERR_IPHC;
	if ((rc = need(d, dac ? 6 : inl[dam])))
		return rc;
	const uint8_t *p = d->in + d->ip;
	a[0] = 0xff;
	if (dac) {
		/* ffXX:XXLL:PPPP:PPPP:PPPP:PPPP:XXXX:XXXX, RFC 3306 */
		const struct lowpan_ctx *c = get_ctx(d, ci);
		if (!c || c->plen > 64)
			return LOWPAN_ERR_CONTEXT;
		a[1] = p[0];
		a[2] = p[1];
		a[3] = c->plen;
		memcpy(a + 4, c->prefix, 8);
		memcpy(a + 12, p + 2, 4);
		d->ip += 6;
		return 0;
	}
	switch (dam) {
	case 0:
		memcpy(a, p, 16);
		break;
	case 1:
		a[1] = p[0];
		memcpy(a + 11, p + 1, 5);
		break;
	case 2:
		a[1] = p[0];
		memcpy(a + 13, p + 1, 3);
		break;
	default:
		a[1] = 0x02;
		a[15] = p[0];
		break;
	}
	d->ip += inl[dam];
	return 0;
}

static int dec_iphc(struct dec *d, int depth);

static const uint8_t eid_proto[8] = { 0, 43, 44, 60, 135, 0, 0, 41 };

/* The NHC chain after an IPv6 header (RFC 6282 section 4).  nh_at is the
 * output offset of the Next Header byte to fill in; ip_off the enclosing
 * IPv6 header (for an elided UDP checksum). */
static int dec_nhc(struct dec *d, size_t nh_at, size_t ip_off, int depth)
{
	int rc;
	for (;;) {
		if ((rc = need(d, 1)))
			return rc;
		uint8_t b = d->in[d->ip];
		if ((b & 0xf8) == 0xf0) {
			static const uint8_t plen[4] = { 4, 3, 3, 1 };
			uint8_t p = b & 3;
			bool c = b & 4;
			d->ip++;
			if ((rc = need(d, plen[p] + (c ? 0 : 2))) || (rc = room(d, 8)))
				return rc;
			const uint8_t *s = d->in + d->ip;
			uint8_t *u = d->out + d->op;
			d->out[nh_at] = 17;
			switch (p) {
			case 0:
				memcpy(u, s, 4);
				break;
			case 1:
				memcpy(u, s, 2);
				u[2] = 0xf0;
				u[3] = s[2];
				break;
			case 2:
				u[0] = 0xf0;
				u[1] = s[0];
				memcpy(u + 2, s + 1, 2);
				break;
			default:
				u[0] = u[2] = 0xf0;
				u[1] = (uint8_t)(0xb0 | s[0] >> 4);
				u[3] = (uint8_t)(0xb0 | (s[0] & 0x0f));
				break;
			}
			d->ip += plen[p];
			if (c) {
				u[6] = u[7] = 0;
				d->info->udp_off = (uint16_t)d->op;
				d->info->udp_ip_off = (uint16_t)ip_off;
			} else {
				memcpy(u + 6, d->in + d->ip, 2);
				d->ip += 2;
			}
			d->udp_len_off = (int)d->op + 4;
			d->op += 8;
			return 0;
		}
		if ((b & 0xf0) != 0xe0)
			return LOWPAN_ERR_NHC;
		uint8_t eid = (b >> 1) & 7;
		bool n = b & 1;
		d->ip++;
		if (eid == 5 || eid == 6)
			return LOWPAN_ERR_NHC;
		d->out[nh_at] = eid_proto[eid];
		if (eid == 7) {
			/* RFC 6282 section 4.2: the NH bit is unused for
			 * EID 7 and what follows is LOWPAN_IPHC. */
			if (depth + 1 >= MAX_DEPTH)
				return LOWPAN_ERR_NHC;
			return dec_iphc(d, depth + 1);
		}
		uint8_t next = 0;
		if (!n) {
			if ((rc = need(d, 1)))
				return rc;
			next = d->in[d->ip++];
		}
		if ((rc = need(d, 1)))
			return rc;
		size_t len = d->in[d->ip++];
		if ((rc = need(d, len)))
			return rc;
		size_t total = 2 + len, padded = total;
		if (eid == 2) {
			if (len != 6)
				return LOWPAN_ERR_NHC;
		} else if (eid == 0 || eid == 3) {
			/* RFC 6282 section 4.2: a trailing Pad1/PadN may have
			 * been elided; restore 8-octet alignment. */
			padded = (total + 7) & ~(size_t)7;
		} else if (total % 8) {
			return LOWPAN_ERR_NHC;
		}
		if ((rc = room(d, padded)))
			return rc;
		uint8_t *e = d->out + d->op;
		e[0] = next;
		e[1] = eid == 2 ? 0 : (uint8_t)(padded / 8 - 1);
		memcpy(e + 2, d->in + d->ip, len);
		d->ip += len;
		size_t pad = padded - total;
		if (pad == 1) {
			e[total] = 0;
		} else if (pad > 1) {
			e[total] = 1;
			e[total + 1] = (uint8_t)(pad - 2);
			memset(e + total + 2, 0, pad - 2);
		}
		nh_at = d->op;
		d->op += padded;
		if (!n)
			return 0;
	}
}

static int dec_iphc(struct dec *d, int depth)
{
	static const uint8_t hl[4] = { 0, 1, 64, 255 };
	int rc;
	if ((rc = need(d, 2)))
		return rc;
	uint8_t b0 = d->in[d->ip], b1 = d->in[d->ip + 1];
	if ((b0 & 0xe0) != 0x60)
		return LOWPAN_ERR_NHC;
	d->ip += 2;
	uint8_t tf = (b0 >> 3) & 3, hlim = b0 & 3;
	bool nh = b0 & 4;
	bool sac = b1 & 0x40, m = b1 & 0x08, dac = b1 & 0x04;
	uint8_t sam = (b1 >> 4) & 3, dam = b1 & 3;
	unsigned sci = 0, dci = 0;
	if (b1 & 0x80) {
		if ((rc = need(d, 1)))
			return rc;
		sci = d->in[d->ip] >> 4;
		dci = d->in[d->ip] & 0x0f;
		d->ip++;
	}
	if ((rc = room(d, 40)))
		return rc;
	if (d->nip == MAX_IP)
		return LOWPAN_ERR_NHC;
	size_t ip_off = d->op;
	d->ip_off[d->nip++] = (uint16_t)ip_off;
	uint8_t *h = d->out + ip_off;
	d->op += 40;

	uint8_t ecn = 0, dscp = 0;
	uint32_t fl = 0;
	static const uint8_t tfl[4] = { 4, 3, 1, 0 };
	if ((rc = need(d, tfl[tf])))
		return rc;
	const uint8_t *p = d->in + d->ip;
	switch (tf) {
	case 0:
		ecn = p[0] >> 6;
		dscp = p[0] & 0x3f;
		fl = (uint32_t)(p[1] & 0x0f) << 16 | (uint32_t)p[2] << 8 | p[3];
		break;
	case 1:
		ecn = p[0] >> 6;
		fl = (uint32_t)(p[0] & 0x0f) << 16 | (uint32_t)p[1] << 8 | p[2];
		break;
	case 2:
		ecn = p[0] >> 6;
		dscp = p[0] & 0x3f;
		break;
	}
	d->ip += tfl[tf];
	uint8_t tc = (uint8_t)(dscp << 2 | ecn);
	h[0] = (uint8_t)(0x60 | tc >> 4);
	h[1] = (uint8_t)((tc & 0x0f) << 4 | fl >> 16);
	h[2] = (fl >> 8) & 0xff;
	h[3] = fl & 0xff;
	h[4] = h[5] = 0;
	if (!nh) {
		if ((rc = need(d, 1)))
			return rc;
		h[6] = d->in[d->ip++];
	}
	if (hlim == 0) {
		if ((rc = need(d, 1)))
			return rc;
		h[7] = d->in[d->ip++];
	} else {
		h[7] = hl[hlim];
	}
	if ((rc = dec_unicast(d, sac, sam, sci, d->src, true, h + 8)))
		return rc;
	rc = m ? dec_mcast(d, dac, dam, dci, h + 24)
	       : dec_unicast(d, dac, dam, dci, d->dst, false, h + 24);
	if (rc)
		return rc;
	if (nh)
		return dec_nhc(d, ip_off + 6, ip_off, depth);
	return 0;
}

int lowpan_iphc_decompress(const struct lowpan_ctx_table *ctx, const struct lowpan_lladdr *src,
			   const struct lowpan_lladdr *dst, const uint8_t *in, size_t inlen,
			   size_t dgram_size, uint8_t *out, size_t outsize,
			   struct lowpan_iphc_info *info)
{
	struct dec d = { .ctx = ctx,
			 .src = src,
			 .dst = dst,
			 .in = in,
			 .inlen = inlen,
			 .out = out,
			 .outsize = outsize,
			 .udp_len_off = -1,
			 .info = info };
	memset(info, 0, sizeof(*info));
	int rc = dec_iphc(&d, 0);
	if (rc)
		return rc;
	size_t total = dgram_size ? dgram_size : d.op + (inlen - d.ip);
	if (total < d.op || total > 0xffff)
		return LOWPAN_ERR_LENGTH;
	for (int i = 0; i < d.nip; i++) {
		size_t pl = total - d.ip_off[i] - 40;
		out[d.ip_off[i] + 4] = (uint8_t)(pl >> 8);
		out[d.ip_off[i] + 5] = pl & 0xff;
	}
	if (d.udp_len_off >= 0) {
		size_t ul = total - ((size_t)d.udp_len_off - 4);
		out[d.udp_len_off] = (uint8_t)(ul >> 8);
		out[d.udp_len_off + 1] = ul & 0xff;
	}
	info->consumed = d.ip;
	info->hdr_len = d.op;
	return 0;
}

int lowpan_iphc_decode(const struct lowpan_ctx_table *ctx, const struct lowpan_lladdr *src,
		       const struct lowpan_lladdr *dst, const uint8_t *in, size_t inlen,
		       uint8_t *out, size_t outsize, size_t *outlen)
{
	struct lowpan_iphc_info info;
	int rc = lowpan_iphc_decompress(ctx, src, dst, in, inlen, 0, out, outsize, &info);
	if (rc)
		return rc;
	size_t pl = inlen - info.consumed;
	if (outsize - info.hdr_len < pl)
		return -ENOSPC;
	memcpy(out + info.hdr_len, in + info.consumed, pl);
	*outlen = info.hdr_len + pl;
	if (info.udp_off)
		lowpan_checksum_set_udp6(out, *outlen, info.udp_ip_off, info.udp_off);
	return 0;
}

struct enc {
	const struct lowpan_ctx_table *ctx;
	const struct lowpan_lladdr *src, *dst;
	unsigned flags;
	uint8_t *out;
	size_t outsize, op;
};

static int put(struct enc *e, const void *p, size_t n)
{
	if (e->outsize - e->op < n)
		return -ENOSPC;
	memcpy(e->out + e->op, p, n);
	e->op += n;
	return 0;
}

static int put1(struct enc *e, uint8_t b)
{
	return put(e, &b, 1);
}

/* One way to encode an address: the AC bit, the AM bits, the context (if
 * AC) and the number of inline octets. */
struct aopt {
	uint8_t ac, am, ci, cost;
	bool uses_ci; /* ci must be sent in the CID byte */
};

/* In the compressor, len is the logical length of the packet from p (its
 * length fields must agree with it) and have the octets of it present
 * from p: fewer when compressing the first fragment of a datagram that is
 * being forwarded. */
static bool is_ipv6_ok(const uint8_t *p, size_t len, size_t have)
{
	return have >= 40 && len >= 40 && (p[0] >> 4) == 6 &&
	       (size_t)(p[4] << 8 | p[5]) == len - 40;
}

static bool ll_iid_is(const struct lowpan_lladdr *ll, const uint8_t iid[8])
{
	uint8_t t[8];
	return lowpan_lladdr_iid(ll, t) == 0 && memcmp(t, iid, 8) == 0;
}

/* Stateful candidate: does context c reproduce a with this IID mode? */
static bool ctx_gives(const struct lowpan_ctx *c, const uint8_t a[16], const uint8_t iid[8])
{
	uint8_t t[16] = { 0 };
	memcpy(t + 8, iid, 8);
	apply_ctx(c, t);
	return memcmp(t, a, 16) == 0;
}

static int unicast_opts(const struct enc *e, const uint8_t a[16], const struct lowpan_lladdr *ll,
			bool is_src, struct aopt *o)
{
	static const uint8_t zero[16];
	int n = 0;
	uint8_t iid16[8];
	memcpy(iid16, short_iid, 6);
	memcpy(iid16 + 6, a + 14, 2);
	bool has16 = memcmp(a + 8, short_iid, 6) == 0;

	if (is_src && memcmp(a, zero, 16) == 0)
		o[n++] = (struct aopt){ 1, 0, 0, 0, false };
	if (memcmp(a, ll_prefix, 8) == 0) {
		if (ll_iid_is(ll, a + 8))
			o[n++] = (struct aopt){ 0, 3, 0, 0, false };
		else if (has16)
			o[n++] = (struct aopt){ 0, 2, 0, 2, false };
		else
			o[n++] = (struct aopt){ 0, 1, 0, 8, false };
	} else {
		o[n++] = (struct aopt){ 0, 0, 0, 16, false };
	}
	for (unsigned i = 0; e->ctx && i < LOWPAN_IPHC_CONTEXTS; i++) {
		const struct lowpan_ctx *c = &e->ctx->ctx[i];
		if (!c->valid || !c->compress)
			continue;
		uint8_t lliid[8];
		if (lowpan_lladdr_iid(ll, lliid) == 0 && ctx_gives(c, a, lliid))
			o[n++] = (struct aopt){ 1, 3, (uint8_t)i, 0, i != 0 };
		else if (ctx_gives(c, a, iid16))
			o[n++] = (struct aopt){ 1, 2, (uint8_t)i, 2, i != 0 };
		else if (ctx_gives(c, a, a + 8))
			o[n++] = (struct aopt){ 1, 1, (uint8_t)i, 8, i != 0 };
	}
	return n;
}

static int mcast_opts(const struct enc *e, const uint8_t a[16], struct aopt *o)
{
	static const uint8_t zero[16];
	int n = 0;
	if (a[1] == 0x02 && memcmp(a + 2, zero, 13) == 0)
		o[n++] = (struct aopt){ 0, 3, 0, 1, false };
	else if (memcmp(a + 2, zero, 11) == 0)
		o[n++] = (struct aopt){ 0, 2, 0, 4, false };
	else if (memcmp(a + 2, zero, 9) == 0)
		o[n++] = (struct aopt){ 0, 1, 0, 6, false };
	else
		o[n++] = (struct aopt){ 0, 0, 0, 16, false };
	for (unsigned i = 0; e->ctx && i < LOWPAN_IPHC_CONTEXTS; i++) {
		const struct lowpan_ctx *c = &e->ctx->ctx[i];
		if (c->valid && c->compress && c->plen <= 64 && a[3] == c->plen &&
		    memcmp(a + 4, c->prefix, 8) == 0)
			o[n++] = (struct aopt){ 1, 0, (uint8_t)i, 6, i != 0 };
	}
	return n;
}

static void put_unicast(struct enc *e, const struct aopt *o, const uint8_t a[16])
{
	if (o->ac && o->am == 0)
		return;
	if (o->am == 0)
		put(e, a, 16);
	else if (o->am == 1)
		put(e, a + 8, 8);
	else if (o->am == 2)
		put(e, a + 14, 2);
}

static void put_mcast(struct enc *e, const struct aopt *o, const uint8_t a[16])
{
	if (o->ac) {
		put(e, a + 1, 2);
		put(e, a + 12, 4);
		return;
	}
	switch (o->am) {
	case 0:
		put(e, a, 16);
		break;
	case 1:
		put1(e, a[1]);
		put(e, a + 11, 5);
		break;
	case 2:
		put1(e, a[1]);
		put(e, a + 13, 3);
		break;
	default:
		put1(e, a[15]);
		break;
	}
}

static bool is_eh(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 135;
}

/* Length of the extension header at p[pos..], or 0 if it is truncated or
 * cannot be carried by NHC (compressed length must fit in 8 bits). */
static size_t eh_len(const uint8_t *p, size_t len, size_t have, size_t pos, uint8_t nh)
{
	if (pos > have || have - pos < 8 || len - pos < 8)
		return 0;
	if (nh == 44)
		return p[pos + 1] == 0 ? 8 : 0;
	size_t l = ((size_t)p[pos + 1] + 1) * 8;
	if (len - pos < l || have - pos < l || l - 2 > 255)
		return 0;
	return l;
}

/* Can the header `nh` at p[pos..len) be NHC-encoded? */
static bool nhc_ok(const uint8_t *p, size_t len, size_t have, size_t pos, uint8_t nh, int depth)
{
	if (pos > len || pos > have)
		return false;
	if (nh == 17)
		return len - pos >= 8 && have - pos >= 8 &&
		       (size_t)(p[pos + 4] << 8 | p[pos + 5]) == len - pos;
	if (nh == 41)
		return depth + 1 < MAX_DEPTH && is_ipv6_ok(p + pos, len - pos, have - pos);
	return is_eh(nh) && eh_len(p, len, have, pos, nh) != 0;
}

/* RFC 6282 section 4.2: a single trailing Pad1/PadN of a hop-by-hop or
 * destination options header may be elided; elide it only when the
 * decompressor's padding reproduces the original bytes exactly.  Returns
 * the octets to drop. */
static size_t elidable_pad(const uint8_t *h, size_t hlen)
{
	size_t o = 2, last = 0;
	while (o < hlen) {
		last = o;
		if (h[o] == 0) {
			o++;
			continue;
		}
		if (hlen - o < 2)
			return 0;
		o += 2 + (size_t)h[o + 1];
	}
	if (o != hlen || (h[last] != 0 && h[last] != 1) || last % 8 == 0)
		return 0;
	/* The decompressor pads only up to the next multiple of 8. */
	size_t pad = hlen - last;
	if (pad > 7)
		return 0;
	if (pad == 1)
		return h[last] == 0 ? 1 : 0;
	if (h[last] != 1 || h[last + 1] != pad - 2)
		return 0;
	for (size_t i = 2; i < pad; i++)
		if (h[last + i])
			return 0;
	return pad;
}

static int enc_ip(struct enc *e, const uint8_t *p, size_t len, size_t have, size_t *consumed,
		  int depth);

static int enc_chain(struct enc *e, const uint8_t *p, size_t len, size_t have, size_t pos,
		     uint8_t nh, size_t *consumed, int depth)
{
	static const uint8_t eid_of[256] = { [0] = 0, [43] = 1, [44] = 2, [60] = 3, [135] = 4 };
	int rc;
	for (;;) {
		if (nh == 17) {
			const uint8_t *u = p + pos;
			uint16_t sp = (uint16_t)(u[0] << 8 | u[1]),
				 dp = (uint16_t)(u[2] << 8 | u[3]);
			bool c = e->flags & LOWPAN_IPHC_ELIDE_UDP_CSUM;
			uint8_t h[7], n = 1;
			h[0] = 0xf0 | (uint8_t)(c << 2);
			if ((sp & 0xfff0) == 0xf0b0 && (dp & 0xfff0) == 0xf0b0) {
				h[0] |= 3;
				h[n++] = (uint8_t)((sp & 0xf) << 4 | (dp & 0xf));
			} else if ((dp & 0xff00) == 0xf000) {
				h[0] |= 1;
				memcpy(h + n, u, 2);
				h[n + 2] = u[3];
				n += 3;
			} else if ((sp & 0xff00) == 0xf000) {
				h[0] |= 2;
				h[n] = u[1];
				memcpy(h + n + 1, u + 2, 2);
				n += 3;
			} else {
				memcpy(h + n, u, 4);
				n += 4;
			}
			if (!c) {
				memcpy(h + n, u + 6, 2);
				n += 2;
			}
			*consumed = pos + 8;
			return put(e, h, n);
		}
		if (nh == 41) {
			size_t inner;
			if ((rc = put1(e, 0xee)) ||
			    (rc = enc_ip(e, p + pos, len - pos, have - pos, &inner, depth + 1)))
				return rc;
			*consumed = pos + inner;
			return 0;
		}
		size_t hlen = eh_len(p, len, have, pos, nh);
		uint8_t next = p[pos];
		bool more = nh != 44 && nhc_ok(p, len, have, pos + hlen, next, depth);
		size_t drop = (nh == 0 || nh == 60) ? elidable_pad(p + pos, hlen) : 0;
		size_t dlen = hlen - 2 - drop;
		rc = put1(e, (uint8_t)(0xe0 | eid_of[nh] << 1 | more));
		if (!rc && !more)
			rc = put1(e, next);
		if (!rc)
			rc = put1(e, (uint8_t)dlen);
		if (!rc)
			rc = put(e, p + pos + 2, dlen);
		if (rc)
			return rc;
		if (!more) {
			*consumed = pos + hlen;
			return 0;
		}
		pos += hlen;
		nh = next;
	}
}

static int enc_ip(struct enc *e, const uint8_t *p, size_t len, size_t have, size_t *consumed,
		  int depth)
{
	if (!is_ipv6_ok(p, len, have))
		return LOWPAN_ERR_NOT_IPV6;
	uint8_t tc = (uint8_t)((p[0] & 0x0f) << 4 | p[1] >> 4);
	uint32_t fl = (uint32_t)(p[1] & 0x0f) << 16 | (uint32_t)p[2] << 8 | p[3];
	uint8_t ecn = tc & 3, dscp = tc >> 2, tf;
	if (tc == 0 && fl == 0)
		tf = 3;
	else if (fl == 0)
		tf = 2;
	else if (dscp == 0)
		tf = 1;
	else
		tf = 0;
	bool nhc = nhc_ok(p, len, have, 40, p[6], depth);
	uint8_t hlim = p[7] == 1 ? 1 : p[7] == 64 ? 2 : p[7] == 255 ? 3 : 0;
	const uint8_t *sa = p + 8, *da = p + 24;
	bool m = da[0] == 0xff;

	struct aopt so[LOWPAN_IPHC_CONTEXTS + 2], dso[LOWPAN_IPHC_CONTEXTS + 2];
	int ns = unicast_opts(e, sa, e->src, true, so);
	int nd = m ? mcast_opts(e, da, dso) : unicast_opts(e, da, e->dst, false, dso);
	const struct aopt *bs = NULL, *bd = NULL;
	unsigned best = ~0u;
	for (int i = 0; i < ns; i++) {
		for (int j = 0; j < nd; j++) {
			unsigned cost = so[i].cost + dso[j].cost +
					(so[i].uses_ci || dso[j].uses_ci ? 1u : 0u);
			if (cost < best) {
				best = cost;
				bs = &so[i];
				bd = &dso[j];
			}
		}
	}
	bool cid = bs->uses_ci || bd->uses_ci;
	uint8_t b0 = (uint8_t)(0x60 | tf << 3 | nhc << 2 | hlim);
	uint8_t b1 =
		(uint8_t)(cid << 7 | bs->ac << 6 | bs->am << 4 | m << 3 | bd->ac << 2 | bd->am);
	uint8_t base[2] = { b0, b1 };
	int rc = put(e, base, 2);
	if (!rc && cid)
		rc = put1(e, (uint8_t)((bs->ac ? bs->ci : 0) << 4 | (bd->ac ? bd->ci : 0)));
	if (rc)
		return rc;
	uint8_t tfb[4];
	switch (tf) {
	case 0:
		tfb[0] = (uint8_t)(ecn << 6 | dscp);
		tfb[1] = (uint8_t)(fl >> 16);
		tfb[2] = (fl >> 8) & 0xff;
		tfb[3] = fl & 0xff;
		rc = put(e, tfb, 4);
		break;
	case 1:
		tfb[0] = (uint8_t)(ecn << 6 | fl >> 16);
		tfb[1] = (fl >> 8) & 0xff;
		tfb[2] = fl & 0xff;
		rc = put(e, tfb, 3);
		break;
	case 2:
		rc = put1(e, (uint8_t)(ecn << 6 | dscp));
		break;
	}
	if (!rc && !nhc)
		rc = put1(e, p[6]);
	if (!rc && hlim == 0)
		rc = put1(e, p[7]);
	if (rc)
		return rc;
	/* Addresses: at most 32 octets; check room once. */
	if (e->outsize - e->op < 32)
		return -ENOSPC;
	put_unicast(e, bs, sa);
	if (m)
		put_mcast(e, bd, da);
	else
		put_unicast(e, bd, da);
	if (!nhc) {
		*consumed = 40;
		return 0;
	}
	return enc_chain(e, p, len, have, 40, p[6], consumed, depth);
}

int lowpan_iphc_compress(const struct lowpan_ctx_table *ctx, const struct lowpan_lladdr *src,
			 const struct lowpan_lladdr *dst, unsigned flags, const uint8_t *pkt,
			 size_t len, uint8_t *out, size_t outsize, size_t *clen, size_t *consumed)
{
	/* the whole packet is the part we have */
	return lowpan_iphc_compress_part(ctx, src, dst, flags, pkt, len, len, out, outsize, clen,
					 consumed);
}

int lowpan_iphc_compress_part(const struct lowpan_ctx_table *ctx, const struct lowpan_lladdr *src,
			      const struct lowpan_lladdr *dst, unsigned flags, const uint8_t *pkt,
			      size_t have, size_t total, uint8_t *out, size_t outsize, size_t *clen,
			      size_t *consumed)
{
	if (have > total)
		return -EINVAL;
	struct enc e = {
		.ctx = ctx, .src = src, .dst = dst, .flags = flags, .out = out, .outsize = outsize
	};
	int rc = enc_ip(&e, pkt, total, have, consumed, 0);
	if (rc)
		return rc;
	*clen = e.op;
	return 0;
}
