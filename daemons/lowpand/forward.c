#include "forward.h"

#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "lowpan/frame.h"
#include "lowpan/lladdr.h"
#include "lowpan/rpl.h"
#include "lowpan/rx.h"
#include "lowpan/tx.h"
#include "neighbors.h"
#include "radio.h"
#include "tun.h"

/* a bounded batch of TUN reads per wake-up, so that the radio side gets its turn */
#define TUN_BATCH 64

struct forward {
	struct forward_cfg cfg;
	struct event *tun_ev, *expire_ev;
	struct lowpan_rx *rx;
	struct lowpan_mib mib;
	uint8_t seq;
	uint16_t tag;
	struct forward_stats st;
};

static bool in_mesh(const struct forward *f, const uint8_t a[16])
{
	const uint8_t *p = f->cfg.address.s6_addr;
	unsigned bytes = f->cfg.prefix_len / 8, bits = f->cfg.prefix_len % 8;

	if (memcmp(a, p, bytes) != 0)
		return false;
	return bits == 0 || ((a[bytes] ^ p[bytes]) & (0xff00 >> bits)) == 0;
}

/*
 * One of the root's own addresses: a packet from it started at the root
 * (RFC 9008).  The link-local one follows the dongle's EUI-64, which is
 * known once the radio's handshake is done.
 */
static bool is_root_address(const struct forward *f, const uint8_t a[16])
{
	uint8_t eui[8];

	if (memcmp(a, f->cfg.address.s6_addr, 16) == 0 ||
	    memcmp(a, f->cfg.dodag_id.s6_addr, 16) == 0)
		return true;
	if (a[0] != 0xfe || a[1] != 0x80 || memcmp(a + 2, "\0\0\0\0\0\0", 6) != 0 ||
	    !radio_eui64(f->cfg.radio, eui))
		return false;
	eui[0] ^= 0x02; /* the IID inverts the universal/local bit */
	return memcmp(a + 8, eui, 8) == 0;
}

/* The 802.15.4 address an on-link IPv6 address maps to (RFC 4944 §6, §9). */
static void link_address(const uint8_t a[16], struct lowpan_lladdr *ll)
{
	static const uint8_t short_iid[6] = { 0, 0, 0, 0xff, 0xfe, 0 };

	if (a[0] == 0xff) {
		lowpan_lladdr_set_short(ll, 0xffff);
	} else if (memcmp(a + 8, short_iid, sizeof(short_iid)) == 0) {
		lowpan_lladdr_set_short(ll, (uint16_t)(a[14] << 8 | a[15]));
	} else {
		ll->mode = LOWPAN_ADDR_EXT;
		memcpy(ll->a, a + 8, 8);
		ll->a[0] ^= 0x02;
	}
}

static int emit_frame(void *arg, const uint8_t *frame, size_t len)
{
	struct forward *f = arg;

	return radio_send(f->cfg.radio, frame, len);
}

/* Compress, fragment and queue @pkt for the 802.15.4 neighbour owning @next. */
static void transmit(struct forward *f, const uint8_t *pkt, size_t len, const uint8_t next[16])
{
	struct lowpan_tx_cfg tx = { 0 };
	uint8_t eui[8];
	int rc;

	if (!radio_ready(f->cfg.radio) || !radio_eui64(f->cfg.radio, eui)) {
		f->st.no_route++;
		return;
	}
	tx.mac.type = LOWPAN_FRAME_DATA;
	tx.mac.version = LOWPAN_FRAME_V2006;
	tx.mac.panid_comp = true;
	tx.mac.dst_pan = tx.mac.src_pan = f->cfg.panid;
	tx.mac.src.mode = LOWPAN_ADDR_EXT;
	memcpy(tx.mac.src.a, eui, 8);
	link_address(next, &tx.mac.dst);
	tx.mac.ack_req = !(tx.mac.dst.mode == LOWPAN_ADDR_SHORT && tx.mac.dst.a[0] == 0xff &&
			   tx.mac.dst.a[1] == 0xff);
	tx.max_frame = 127;
	tx.fcs = false; /* the dongle adds it */
	tx.ctx = f->cfg.contexts;
	rc = lowpan_tx_packet(&tx, &f->mib, pkt, len, f->tag++, &f->seq, emit_frame, f);
	if (rc < 0)
		log_debug("packet not sent len=%zu reason=%d", len, rc);
}

/*
 * Multicast goes to the broadcast address, a node more than one hop away
 * goes to the first hop as it is in storing mode, or gets an RPL source route — around the packet
 * (IPv6 in IPv6, RFC 9008) unless the root itself sent it — and anything else goes to the neighbour
 * its address names.
 */
void forward_send(struct forward *f, const uint8_t *pkt, size_t len)
{
	const struct forward_hooks *h = &f->cfg.hooks;
	uint8_t hops[LOWPAN_RPL_MAX_HOPS][16], routed[2048];
	const uint8_t *dst = pkt + 24;
	size_t nhops = 0;
	int n;

	if (len < 40 || (pkt[0] >> 4) != 6) {
		f->st.no_route++;
		return;
	}
	if (dst[0] != 0xff && h->route)
		nhops = h->route(h->arg, dst, hops, LOWPAN_RPL_MAX_HOPS);
	if (nhops < 2) {
		transmit(f, pkt, len, dst);
		return;
	}
	if (f->cfg.storing) { /* each router on the way holds its subtree's routes */
		transmit(f, pkt, len, hops[0]);
		return;
	}
	n = lowpan_rpl_source_route(pkt, len, f->cfg.dodag_id.s6_addr, (const uint8_t(*)[16])hops,
				    nhops, !is_root_address(f, pkt + 8), routed, sizeof(routed));
	if (n < 0) {
		f->st.no_route++;
		return;
	}
	transmit(f, routed, (size_t)n, hops[0]);
}

/* Node to node through the root: back down, one hop fewer to live. */
static void send_back_down(struct forward *f, uint8_t *pkt, size_t len)
{
	if (pkt[7] <= 1) {
		f->st.hop_limit++;
		return;
	}
	f->st.forwarded++;
	pkt[7]--;
	forward_send(f, pkt, len);
}

static void arm_expiry(struct forward *f)
{
	struct timeval one = { 1, 0 };

	if (lowpan_rx_pending(f->rx) > 0 && !evtimer_pending(f->expire_ev, NULL))
		evtimer_add(f->expire_ev, &one);
}

static void on_expire(evutil_socket_t fd, short what, void *arg)
{
	struct forward *f = arg;

	lowpan_rx_expire(f->rx, clock_ms());
	arm_expiry(f);
}

/*
 * Junk from the air is sorted by reason before 6LoWPAN sees it: a header
 * that does not parse, a frame addressed elsewhere (another PAN, another
 * node), a secured frame (counted, never read as plaintext).
 */
static bool frame_is_for_us(struct forward *f, const uint8_t *frame, size_t len)
{
	struct lowpan_frame fr;
	uint8_t eui[8];

	if (lowpan_frame_parse(frame, len, 0, &fr) < 0) {
		f->st.rx_bad_header++;
		return false;
	}
	if ((fr.dst_pan_present && fr.dst_pan != 0xffff && fr.dst_pan != f->cfg.panid) ||
	    (fr.dst.mode == LOWPAN_ADDR_SHORT && !(fr.dst.a[0] == 0xff && fr.dst.a[1] == 0xff)) ||
	    (fr.dst.mode == LOWPAN_ADDR_EXT && radio_eui64(f->cfg.radio, eui) &&
	     memcmp(fr.dst.a, eui, 8) != 0)) {
		f->st.rx_not_for_us++;
		return false;
	}
	if (fr.security) {
		f->st.rx_secured++;
		return false;
	}
	return true;
}

/* A whole packet from the mesh, without its RPL option: where it goes. */
static void route_up(struct forward *f, uint8_t *pkt, size_t len)
{
	const struct forward_hooks *h = &f->cfg.hooks;

	if (h->local && h->local(h->arg, pkt, len))
		return;
	if (pkt[24] != 0xff && in_mesh(f, pkt + 24) && !is_root_address(f, pkt + 24)) {
		send_back_down(f, pkt, len);
		return;
	}
	if (h->admit && !h->admit(h->arg, pkt, len, false))
		return;
	if (tun_write(f->cfg.tun, pkt, len) < 0)
		f->st.tun_errors++;
	else
		f->st.tun_out++;
}

void forward_frame(struct forward *f, const uint8_t *frame, size_t len)
{
	uint8_t *pkt = NULL;
	size_t pktlen = 0;
	struct lowpan_frame info = { 0 };
	int rc;

	if (!frame_is_for_us(f, frame, len))
		return;
	rc = lowpan_rx_frame(f->rx, frame, len, clock_ms(), &pkt, &pktlen, &info);
	if (rc < 0) {
		log_debug("frame dropped len=%zu reason=%d", len, rc);
		return;
	}
	neighbors_heard(f->cfg.neighbors, &info.src, clock_ms());
	if (!pkt) {
		arm_expiry(f); /* a fragment was kept */
		return;
	}
	/*
	 * First off with the RPL option and the tunnel to the root: Contiki-NG
	 * puts the option in a hop-by-hop header on everything it sends to a
	 * global address, its DAOs too, and the kernel drops packets that
	 * carry it (type 0x63: discard if unknown).
	 */
	rc = lowpan_rpl_strip(pkt, pktlen, f->cfg.dodag_id.s6_addr);
	if (rc >= 0)
		route_up(f, pkt, (size_t)rc);
	free(pkt);
}

/*
 * The kernel's own Neighbor Discovery on the TUN interface (its Router
 * Solicitations at start, DAD probes): the mesh would answer the RS with
 * RAs, and its 6LoWPAN-ND is the border router's to speak (ndrouter), so
 * none of it goes on the air.
 */
static bool host_nd(const uint8_t *pkt, size_t len)
{
	return len > 40 && (pkt[0] >> 4) == 6 && pkt[6] == 58 && pkt[40] >= 133 && pkt[40] <= 137;
}

static void on_tun(evutil_socket_t fd, short what, void *arg)
{
	struct forward *f = arg;
	uint8_t buf[2048];

	for (int i = 0; i < TUN_BATCH; i++) {
		int n = tun_read(f->cfg.tun, buf, sizeof(buf));

		if (n <= 0) {
			if (n < 0)
				f->st.tun_errors++;
			return;
		}
		f->st.tun_in++;
		if (host_nd(buf, (size_t)n))
			f->st.host_nd++;
		else if (!f->cfg.hooks.admit || f->cfg.hooks.admit(f->cfg.hooks.arg, buf, (size_t)n, true))
			forward_send(f, buf, (size_t)n);
	}
}

struct forward *forward_new(struct event_base *base, const struct forward_cfg *cfg)
{
	struct forward *f = calloc(1, sizeof(*f));
	struct lowpan_rx_cfg rxcfg = { 0 };

	if (!f)
		abort();
	f->cfg = *cfg;
	rxcfg.reasm.timeout_ms = cfg->reasm_timeout_ms;
	rxcfg.reasm.max_entries = cfg->reasm_max;
	rxcfg.reasm.max_bytes = (size_t)cfg->reasm_max * 1280;
	rxcfg.ctx = cfg->contexts;
	f->rx = lowpan_rx_new(&rxcfg, &f->mib);
	f->tun_ev = event_new(base, tun_fd(cfg->tun), EV_READ | EV_PERSIST, on_tun, f);
	f->expire_ev = evtimer_new(base, on_expire, f);
	if (!f->rx || !f->tun_ev || !f->expire_ev)
		abort();
	event_add(f->tun_ev, NULL);
	return f;
}

void forward_free(struct forward *f)
{
	if (!f)
		return;
	event_free(f->tun_ev);
	event_free(f->expire_ev);
	lowpan_rx_free(f->rx);
	free(f);
}

void forward_get_stats(const struct forward *f, struct forward_stats *out)
{
	*out = f->st;
}

const struct lowpan_mib *forward_mib(const struct forward *f)
{
	return &f->mib;
}
