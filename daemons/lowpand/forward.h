/*
 * forward — lowpand's forwarding path between the TUN interface and the
 * slip-radio dongle.
 *
 * Radio → host: a MAC frame is sorted first (a header that does not parse,
 * another PAN or node, a secured frame: counted and dropped), then
 * reassembled and decompressed (lib/lowpan/rx.h); the RPL option and the
 * tunnel to the root come off, the control plane (RPL, ND) gets its chance
 * through the local hook, a packet for another node of the mesh goes back
 * down one hop fewer to live, and the rest is written to the TUN interface.
 *
 * Host → radio: packets read from the TUN interface (a bounded batch per
 * wake-up, so the radio gets its turn), but for the host's own Neighbor
 * Discovery (the border router speaks ND to the mesh itself), are
 * source-routed when the route
 * hook knows their destination to be more than one hop away — in IPv6 in
 * IPv6 unless the root itself sent them (RFC 9008) — then compressed,
 * fragmented in natural order and queued to the 802.15.4 neighbour their
 * address names (RFC 4944 §6, §9).
 *
 * Partial datagrams are expired once a second, and only while some are
 * pending.  Counters are the RFC 7388 LOWPAN-MIB plus the decisions taken
 * here.
 */
#ifndef LWGATE_LOWPAND_FORWARD_H
#define LWGATE_LOWPAND_FORWARD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "lowpan/iphc.h"
#include "lowpan/mib.h"

struct forward;
struct neighbors;
struct radio;
struct tun;

/*
 * What the forwarding path asks of the control plane; any hook may be NULL.
 * @local: a packet from the mesh, offered before it is forwarded; true when
 *   the control plane consumed it (an RPL or ND message).
 * @route: the downward path to @dst as the hops after the root, the last
 *   being @dst itself; returns their number (0 or 1: the destination is a
 *   neighbour, no source route needed).
 * @admit: may a packet cross between the mesh and the TUN interface
 *   (@to_mesh: it came from the TUN)?  False drops it (admission.h).
 */
struct forward_hooks {
	bool (*local)(void *arg, const uint8_t *pkt, size_t len);
	size_t (*route)(void *arg, const uint8_t dst[16], uint8_t (*hops)[16], size_t max_hops);
	bool (*admit)(void *arg, const uint8_t *pkt, size_t len, bool to_mesh);
	void *arg;
};

struct forward_cfg {
	struct tun *tun;                         /* borrowed; read and written here */
	struct radio *radio;                     /* borrowed; frames are queued to it */
	struct neighbors *neighbors;             /* borrowed; told of every frame heard */
	const struct lowpan_ctx_table *contexts; /* borrowed; IPHC contexts, may be NULL */
	uint16_t panid;
	struct in6_addr address; /* the router's address in the mesh prefix */
	unsigned prefix_len;     /* of the mesh prefix, 1..128 */
	struct in6_addr dodag_id;
	bool storing; /* RPL storing mode: downward packets go to the first hop, no source route */
	uint32_t reasm_timeout_ms;
	unsigned reasm_max; /* datagrams reassembled at once */
	struct forward_hooks hooks;
};

struct forward_stats {
	uint64_t tun_in, tun_out, tun_errors;
	uint64_t no_route;  /* not sent: radio not ready, no source route, not IPv6 */
	uint64_t forwarded; /* mesh to mesh through the root */
	uint64_t hop_limit; /* mesh to mesh, dropped at hop limit 1 */
	uint64_t host_nd;   /* the host's own RS/RA/NS/NA/Redirect, kept off the mesh */
	uint64_t rx_bad_header, rx_not_for_us, rx_secured;
};

/*
 * Start forwarding on @base: watches @cfg->tun for packets; the caller
 * hands radio frames in with forward_frame().  Everything @cfg borrows must
 * outlive the returned object.  Aborts on allocation failure.
 */
struct forward *forward_new(struct event_base *base, const struct forward_cfg *cfg);

/* Stop watching the TUN interface, drop partial datagrams and free; NULL is fine. */
void forward_free(struct forward *f);

/* One 802.15.4 frame (without FCS) from the radio; valid during the call only. */
void forward_frame(struct forward *f, const uint8_t *frame, size_t len);

/*
 * Send an IPv6 packet from the router itself (an RPL or ND message) into the
 * mesh, source-routed like any packet from the host.
 */
void forward_send(struct forward *f, const uint8_t *pkt, size_t len);

void forward_get_stats(const struct forward *f, struct forward_stats *out);

/* The RFC 7388 counters of the 6LoWPAN layer; valid as long as @f. */
const struct lowpan_mib *forward_mib(const struct forward *f);

#endif
