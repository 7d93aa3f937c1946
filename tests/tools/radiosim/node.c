/* The data path of a simulated node (see node.h): the 6LoWPAN receive
 * path, local delivery (echo, UDP echo), upward forwarding, RFC 6554
 * source routes and RFC 9008 decapsulation.  RPL is in noderpl.c, the
 * forwarding of fragments without reassembly in nodefrag.c. */
#include "nodepana.h"
#include "nodepriv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lowpan/checksum.h"
#include "lowpan/frame.h"
#include "lowpan/iphc.h"
#include "lowpan/lladdr.h"
#include "lowpan/mib.h"
#include "lowpan/rpl.h"
#include "lowpan/rx.h"
#include "lowpan/tx.h"
#include "simev.h"

const uint8_t node_all_rpl_nodes[16] = { 0xff, 0x02, [15] = 0x1a };
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };

void node_arm(struct event *ev, uint32_t ms)
{
	struct timeval tv = { ms / 1000, (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

uint32_t node_jitter(struct node *n, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(air_random(n->air) % (hi - lo + 1));
}

/* The link address a node's IPv6 address stands for: the EUI-64 from the
 * IID with the universal/local bit inverted back; multicast → broadcast. */
static void link_address(const uint8_t ip[16], struct lowpan_lladdr *ll)
{
	if (ip[0] == 0xff) {
		lowpan_lladdr_set_short(ll, 0xffff);
		return;
	}
	ll->mode = LOWPAN_ADDR_EXT;
	memcpy(ll->a, ip + 8, 8);
	ll->a[0] ^= 0x02;
}

bool node_mine(const struct node *n, const uint8_t a[16])
{
	return memcmp(a, n->ll, 16) == 0 || (n->has_global && memcmp(a, n->global, 16) == 0);
}

/* ---- sending ---------------------------------------------------------- */

struct emit_ctx {
	struct node *n;
	bool unicast;
};

static int emit(void *arg, const uint8_t *frame, size_t len)
{
	struct emit_ctx *e = arg;

	for (int i = 0; i < MAC_ATTEMPTS; i++)
		if (air_send(e->n->air, e->n->station, frame, len, NULL) || !e->unicast)
			return 0;
	e->n->tx_failed++;
	return -EHOSTUNREACH; /* the rest of the datagram is useless now */
}

/* Send @pkt to the neighbour with link address @dst. */
static void send_link(struct node *n, const uint8_t *pkt, size_t len,
		      const struct lowpan_lladdr *dst)
{
	struct lowpan_tx_cfg tx = { 0 };
	struct emit_ctx e = { n, dst->mode == LOWPAN_ADDR_EXT };

	tx.mac.type = LOWPAN_FRAME_DATA;
	tx.mac.version = LOWPAN_FRAME_V2006;
	tx.mac.panid_comp = true;
	tx.mac.dst_pan = tx.mac.src_pan = n->panid(n->panid_arg);
	tx.mac.src.mode = LOWPAN_ADDR_EXT;
	memcpy(tx.mac.src.a, n->eui64, 8);
	tx.mac.dst = *dst;
	tx.mac.ack_req = e.unicast;
	tx.max_frame = LOWPAN_FRAME_MAX;
	tx.ctx = &n->ctx;
	n->tx_packets++;
	if (lowpan_tx_packet(&tx, &n->mib, pkt, len, n->tag++, &n->seq, emit, &e) == -EHOSTUNREACH)
		noderpl_link_failed(n, dst);
}

void node_set_rpl_option(struct node *n, bool on)
{
	n->rpl_option = on;
}

/* The RPL option of an upward packet carries the rank of the node sending
 * it on (RFC 6553 §4.2), as Contiki-NG's forwarders update it. */
void node_update_rpl_option(const struct node *n, uint8_t *pkt, size_t len)
{
	if (len >= 40 + HBH_LEN && pkt[6] == 0 && pkt[42] == OPT_RPL && pkt[43] == 4) {
		pkt[46] = (uint8_t)(n->rank >> 8);
		pkt[47] = (uint8_t)n->rank;
	}
}

/* Route @pkt, which this node originates, by its destination: multicast
 * and link-local on the link, anything else up to the parent (the default
 * route) with an RPL option in a hop-by-hop header first when the node
 * inserts one (Contiki-NG RPL Lite does so for every such packet,
 * DAOs included). */
void node_send_ip(struct node *n, const uint8_t *pkt, size_t len)
{
	const uint8_t *dst = pkt + 24;
	struct lowpan_lladdr ll;
	uint8_t buf[PKT_MAX + HBH_LEN];

	if (dst[0] == 0xff || (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80)) {
		link_address(dst, &ll);
	} else if (n->parent >= 0) {
		ll = n->nbrs[n->parent].ll;
		if (n->rpl_option && len <= PKT_MAX && pkt[6] != 0) {
			size_t plen = len - 40 + HBH_LEN;

			memcpy(buf, pkt, 40);
			memcpy(buf + 40 + HBH_LEN, pkt + 40, len - 40);
			buf[4] = (uint8_t)(plen >> 8);
			buf[5] = (uint8_t)plen;
			buf[6] = 0;
			buf[40] = pkt[6];
			buf[41] = 0;
			buf[42] = OPT_RPL;
			buf[43] = 4;
			buf[44] = 0; /* O = 0: going up; no rank or forwarding error */
			buf[45] = n->instance;
			pkt = buf;
			len += HBH_LEN;
			node_update_rpl_option(n, buf, len);
		}
	} else {
		n->dropped++;
		return;
	}
	send_link(n, pkt, len, &ll);
}

/* ---- local delivery ---------------------------------------------------- */

static bool checksum_ok(const uint8_t *pkt, size_t len, size_t off, uint8_t nh)
{
	uint32_t sum = lowpan_checksum_pseudo6(pkt + 8, pkt + 24, (uint32_t)(len - off), nh);

	return lowpan_checksum_finish(lowpan_checksum_add(sum, pkt + off, len - off)) == 0;
}

/* The answer's source: the address the request was sent to, or our global
 * address for a multicast request. */
static const uint8_t *reply_source(const struct node *n, const uint8_t dst[16])
{
	if (dst[0] != 0xff)
		return dst;
	return n->has_global ? n->global : n->ll;
}

static void reply_header(uint8_t *out, const uint8_t *req, const struct node *n, size_t plen,
			 uint8_t nh)
{
	memset(out, 0, 8);
	out[0] = 0x60;
	out[4] = (uint8_t)(plen >> 8);
	out[5] = (uint8_t)plen;
	out[6] = nh;
	out[7] = 64;
	memcpy(out + 8, reply_source(n, req + 24), 16);
	memcpy(out + 24, req + 8, 16);
}

static uint8_t pattern(uint16_t seq, size_t i)
{
	return (uint8_t)(seq * 31 + i);
}

static void on_echo_reply(struct node *n, const uint8_t *pkt, size_t len, size_t off)
{
	uint16_t seq = (uint16_t)(pkt[off + 6] << 8 | pkt[off + 7]);
	size_t size = len - off - 8;
	bool intact = true;

	for (size_t i = 0; i < size; i++)
		intact &= pkt[off + 8 + i] == pattern(seq, i);
	simev_emit(json_pack("{s:s, s:s, s:s, s:i, s:I, s:b}", "event", "echo-reply", "node",
			     n->name, "from", simev_ntop(pkt + 8), "seq", seq, "size",
			     (json_int_t)size, "intact", intact));
}

int node_ping(struct node *n, const uint8_t dst[16], size_t size, uint16_t seq)
{
	uint8_t out[PKT_MAX];
	size_t ilen = 8 + size;
	uint32_t sum;

	if (!n->has_global)
		return -ENETUNREACH;
	if (40 + ilen > sizeof(out))
		return -EMSGSIZE;
	memset(out, 0, 48);
	out[0] = 0x60;
	out[4] = (uint8_t)(ilen >> 8);
	out[5] = (uint8_t)ilen;
	out[6] = 58;
	out[7] = 64;
	memcpy(out + 8, n->global, 16);
	memcpy(out + 24, dst, 16);
	out[40] = 128;
	out[44] = PING_IDENT >> 8;
	out[45] = PING_IDENT & 0xff;
	out[46] = (uint8_t)(seq >> 8);
	out[47] = (uint8_t)seq;
	for (size_t i = 0; i < size; i++)
		out[48 + i] = pattern(seq, i);
	sum = lowpan_checksum_pseudo6(out + 8, out + 24, (uint32_t)ilen, 58);
	sum = lowpan_checksum_add(sum, out + 40, ilen);
	out[42] = (uint8_t)(lowpan_checksum_finish(sum) >> 8);
	out[43] = (uint8_t)lowpan_checksum_finish(sum);
	node_send_ip(n, out, 40 + ilen);
	return 0;
}

static void on_icmp(struct node *n, const uint8_t *pkt, size_t len, size_t off,
		    const struct lowpan_lladdr *from)
{
	uint8_t out[PKT_MAX];
	size_t ilen = len - off;
	uint32_t sum;

	if (ilen < 4 || !checksum_ok(pkt, len, off, 58)) {
		n->bad_checksum++;
		return;
	}
	if (pkt[off] == LOWPAN_RPL_ICMP_TYPE) {
		noderpl_input(n, pkt, len, off, from);
		return;
	}
	if (pkt[off] == 129 && ilen >= 8 && (pkt[off + 4] << 8 | pkt[off + 5]) == PING_IDENT) {
		on_echo_reply(n, pkt, len, off);
		return;
	}
	if (pkt[off] != 128 || ilen < 8 || 40 + ilen > sizeof(out))
		return;
	reply_header(out, pkt, n, ilen, 58);
	memcpy(out + 40, pkt + off, ilen);
	out[40] = 129;
	out[42] = out[43] = 0;
	sum = lowpan_checksum_pseudo6(out + 8, out + 24, (uint32_t)ilen, 58);
	sum = lowpan_checksum_add(sum, out + 40, ilen);
	out[42] = (uint8_t)(lowpan_checksum_finish(sum) >> 8);
	out[43] = (uint8_t)lowpan_checksum_finish(sum);
	n->echo_replies++;
	node_send_ip(n, out, 40 + ilen);
}

static void on_udp(struct node *n, const uint8_t *pkt, size_t len, size_t off)
{
	uint8_t out[PKT_MAX];
	size_t ulen = len - off;

	if (ulen < 8 || (size_t)(pkt[off + 4] << 8 | pkt[off + 5]) != ulen ||
	    (pkt[off + 6] == 0 && pkt[off + 7] == 0) || !checksum_ok(pkt, len, off, 17)) {
		n->bad_checksum++;
		return;
	}
	if (n->pana && (pkt[off + 2] << 8 | pkt[off + 3]) == NODEPANA_PORT) {
		nodepana_input(n->pana, pkt, len, off);
		return;
	}
	if ((pkt[off + 2] << 8 | pkt[off + 3]) != 7 || 40 + ulen > sizeof(out) || pkt[24] == 0xff)
		return;
	reply_header(out, pkt, n, ulen, 17);
	memcpy(out + 40, pkt + off, ulen);
	/* ports swapped */
	memcpy(out + 40, pkt + off + 2, 2);
	memcpy(out + 42, pkt + off, 2);
	lowpan_checksum_set_udp6(out, 40 + ulen, 0, 40);
	n->udp_echoes++;
	node_send_ip(n, out, 40 + ulen);
}

static void handle(struct node *n, uint8_t *pkt, size_t len, const struct lowpan_lladdr *from,
		   int depth);

/* RFC 6554 §4.2: the next address of the source route becomes the
 * destination, the old destination takes its place in the header. */
static void srh_forward(struct node *n, uint8_t *pkt, size_t len, size_t off)
{
	size_t ext = ((size_t)pkt[off + 1] + 1) * 8, body = ext - 8;
	unsigned cmpri = pkt[off + 4] >> 4, cmpre = pkt[off + 4] & 15, pad = pkt[off + 5] >> 4;
	unsigned segleft = pkt[off + 3];
	size_t isz_n = 16 - cmpri, isz_e = 16 - cmpre, nad, i, isz, ipos;
	uint8_t *dst = pkt + 24, newdst[16];
	struct lowpan_lladdr ll;

	if (off + ext > len || body < pad + isz_e || (body - pad - isz_e) % isz_n != 0) {
		n->dropped++;
		return;
	}
	nad = (body - pad - isz_e) / isz_n + 1;
	if (segleft > nad || pkt[7] <= 1) {
		n->dropped++;
		return;
	}
	i = nad - segleft;
	isz = i == nad - 1 ? isz_e : isz_n;
	ipos = off + 8 + i * isz_n;
	memcpy(newdst, dst, 16);
	memcpy(newdst + 16 - isz, pkt + ipos, isz);
	if (newdst[0] == 0xff || node_mine(n, newdst)) {
		n->dropped++;
		return;
	}
	memcpy(pkt + ipos, dst + 16 - isz, isz);
	memcpy(dst, newdst, 16);
	pkt[off + 3] = (uint8_t)(segleft - 1);
	pkt[7]--;
	n->forwarded_down++;
	link_address(newdst, &ll);
	send_link(n, pkt, len, &ll);
}

/* A packet for one of our addresses: walk its headers. */
static void local(struct node *n, uint8_t *pkt, size_t len, const struct lowpan_lladdr *from,
		  int depth)
{
	uint8_t nh = pkt[6];
	size_t off = 40;

	for (;;) {
		switch (nh) {
		case 0: /* hop-by-hop (the RPL option): nothing to do here */
		case 60:
			if (off + 8 > len || off + ((size_t)pkt[off + 1] + 1) * 8 > len)
				goto drop;
			nh = pkt[off];
			off += ((size_t)pkt[off + 1] + 1) * 8;
			break;
		case 43:
			if (off + 8 > len)
				goto drop;
			if (pkt[off + 3] > 0) {
				if (pkt[off + 2] != 3)
					goto drop;
				srh_forward(n, pkt, len, off);
				return;
			}
			nh = pkt[off];
			off += ((size_t)pkt[off + 1] + 1) * 8;
			if (off > len)
				goto drop;
			break;
		case 41: /* IPv6-in-IPv6 from the root (RFC 9008): unwrap */
			if (depth >= MAX_DECAP_DEPTH)
				goto drop;
			n->decapsulated++;
			handle(n, pkt + off, len - off, from, depth + 1);
			return;
		case 58:
			on_icmp(n, pkt, len, off, from);
			return;
		case 17:
			on_udp(n, pkt, len, off);
			return;
		default:
			goto drop;
		}
	}
drop:
	n->dropped++;
}

static void handle(struct node *n, uint8_t *pkt, size_t len, const struct lowpan_lladdr *from,
		   int depth)
{
	const uint8_t *dst;
	size_t plen;

	if (len < 40 || (pkt[0] >> 4) != 6)
		goto drop;
	plen = (size_t)(pkt[4] << 8 | pkt[5]);
	if (40 + plen > len)
		goto drop;
	len = 40 + plen;
	dst = pkt + 24;
	if (node_mine(n, dst) || memcmp(dst, all_nodes, 16) == 0 ||
	    memcmp(dst, node_all_rpl_nodes, 16) == 0) {
		local(n, pkt, len, from, depth);
		return;
	}
	if (dst[0] == 0xff || (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80))
		return; /* not for us: another group, another link */
	/* upward: the parent is the default route; never back down to the
	 * parent a packet came from, a downward packet needs a source route */
	if (n->parent < 0 || lowpan_lladdr_equal(from, &n->nbrs[n->parent].ll) || pkt[7] <= 1)
		goto drop;
	pkt[7]--;
	n->forwarded_up++;
	node_update_rpl_option(n, pkt, len);
	send_link(n, pkt, len, &n->nbrs[n->parent].ll);
	return;
drop:
	n->dropped++;
}

void node_input(struct node *n, const uint8_t *frame, size_t len)
{
	struct lowpan_frame f;
	uint8_t *pkt = NULL;
	size_t pktlen = 0;

	if (lowpan_frame_parse(frame, len, 0, &f) != 0)
		return;
	/* the radio's address filter */
	if (f.dst.mode == LOWPAN_ADDR_EXT ? memcmp(f.dst.a, n->eui64, 8) != 0
					  : !(f.dst.mode == LOWPAN_ADDR_SHORT &&
					      f.dst.a[0] == 0xff && f.dst.a[1] == 0xff))
		return;
	n->rx_frames++;
	if (nodefrag_input(n, &f))
		return;
	if (lowpan_rx_frame(n->rx, frame, len, simev_now_ms(), &pkt, &pktlen, &f) < 0 || !pkt)
		return;
	n->rx_packets++;
	handle(n, pkt, pktlen, &f.src, 0);
	free(pkt);
}

struct node *node_new(struct event_base *base, struct air *air, int station, const char *name,
		      const uint8_t eui64[8], node_panid_fn panid, void *panid_arg)
{
	static const uint8_t fd00[16] = { 0xfd };
	struct lowpan_rx_cfg rc = { 0 };
	/* no early FRAGN held: those are reassembled here (nodefrag.c) */
	struct lowpan_vreasm_cfg vc = { .max_entries = 16 };
	struct lowpan_lladdr me = { .mode = LOWPAN_ADDR_EXT };
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->base = base;
	n->air = air;
	n->station = station;
	snprintf(n->name, sizeof(n->name), "%s", name);
	memcpy(n->eui64, eui64, 8);
	n->panid = panid;
	n->panid_arg = panid_arg;
	n->parent = -1;
	n->rank = n->rank_limit = INFINITE_RANK;
	n->dao_seq = n->path_seq = 240; /* 256 - SEQUENCE_WINDOW, RFC 6550 §7.2 */
	n->seq = (uint8_t)air_random(air);
	n->tag = (uint16_t)air_random(air);
	lowpan_iphc_ctx_set(&n->ctx, 0, fd00, 64, true);
	memcpy(me.a, eui64, 8);
	n->ll[0] = 0xfe;
	n->ll[1] = 0x80;
	lowpan_lladdr_iid(&me, n->ll + 8);
	rc.ctx = &n->ctx;
	n->rx = lowpan_rx_new(&rc, &n->mib);
	n->vreasm = lowpan_vreasm_new(&vc, &n->mib);
	if (!n->rx || !n->vreasm || noderpl_start(n) < 0) {
		node_free(n);
		return NULL;
	}
	return n;
}

void node_free(struct node *n)
{
	if (!n)
		return;
	lowpan_rx_free(n->rx);
	lowpan_vreasm_free(n->vreasm);
	noderpl_stop(n);
	nodepana_free(n->pana);
	free(n);
}

json_t *node_status_json(const struct node *n)
{
	json_t *o = json_pack("{s:s, s:s, s:i, s:b, s:b}", "name", n->name, "link_local",
			      simev_ntop(n->ll), "rank", n->rank, "joined", n->joined, "in_dodag",
			      n->in_dodag);

	json_object_set_new(o, "address",
			    n->has_global ? json_string(simev_ntop(n->global)) : json_null());
	uint8_t pg[16];

	if (noderpl_parent_address(n, pg)) {
		json_object_set_new(o, "parent", json_string(simev_ntop(pg)));
	} else {
		json_object_set_new(o, "parent", json_null());
	}
	json_object_set_new(
		o, "counters",
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
			  "s:I, s:I, s:I}",
			  "rx_frames", (json_int_t)n->rx_frames, "rx_packets",
			  (json_int_t)n->rx_packets, "tx_packets", (json_int_t)n->tx_packets,
			  "tx_failed", (json_int_t)n->tx_failed, "echo_replies",
			  (json_int_t)n->echo_replies, "udp_echoes", (json_int_t)n->udp_echoes,
			  "forwarded_up", (json_int_t)n->forwarded_up, "forwarded_down",
			  (json_int_t)n->forwarded_down, "decapsulated",
			  (json_int_t)n->decapsulated, "dropped", (json_int_t)n->dropped,
			  "bad_checksum", (json_int_t)n->bad_checksum, "dao_sent",
			  (json_int_t)n->dao_sent, "dio_sent", (json_int_t)n->dio_sent,
			  "reasm_fails", (json_int_t)n->mib.in_reasm_fails, "in_discards",
			  (json_int_t)n->mib.in_discards, "vreasm_forwarded",
			  (json_int_t)n->mib.vreasm_forwarded, "vreasm_frames_sent",
			  (json_int_t)n->vreasm_sent));
	return o;
}

int node_pana(struct node *n, const uint8_t paa[16], const char *identity, const uint8_t psk[16])
{
	if (!n->has_global)
		return -ENETUNREACH;
	nodepana_free(n->pana);
	n->pana = nodepana_new(n, paa, identity, psk);
	return n->pana ? 0 : -EINVAL;
}

int node_pana_terminate(struct node *n)
{
	if (!n->pana)
		return -ENOENT;
	nodepana_terminate(n->pana);
	return 0;
}
