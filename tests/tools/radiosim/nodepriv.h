/* nodepriv — what the two halves of a simulated node share: node.c (the
 * 6LoWPAN/IPv6 data path) and noderpl.c (the RPL node). */
#ifndef LWGATE_RADIOSIM_NODEPRIV_H
#define LWGATE_RADIOSIM_NODEPRIV_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "lowpan/iphc.h"
#include "lowpan/lladdr.h"
#include "lowpan/mib.h"
#include "lowpan/rpl.h"
#include "lowpan/frame.h"
#include "lowpan/rx.h"
#include "lowpan/vreasm.h"
#include "node.h"

#define MAX_NBRS        16
#define INFINITE_RANK   0xffff
#define MAC_ATTEMPTS    4 /* a CSMA MAC's transmissions per frame */
#define DIS_PERIOD_MS   3000
#define DIO_IMIN_MS     1000
#define DIO_IMAX_MS     16000
#define DAO_RETRY_MS    2000
#define DETACHED_MS     3000 /* poisoned long enough: take any parent again */
#define MAX_DECAP_DEPTH 2
#define PKT_MAX         1280
#define HBH_LEN         8      /* hop-by-hop header holding only the RPL option */
#define OPT_RPL         0x63   /* RFC 6553 */
#define PING_IDENT      0x5349 /* identifies our own echo requests */

struct nbr {
	bool valid;
	struct lowpan_lladdr ll;
	uint8_t ip[16]; /* link-local address it sends from */
	uint16_t rank;
};

struct node {
	struct event_base *base;
	struct air *air;
	int station;
	char name[32];
	uint8_t eui64[8];
	node_panid_fn panid;
	void *panid_arg;

	struct lowpan_ctx_table ctx;
	struct lowpan_mib mib;
	struct lowpan_rx *rx;
	struct lowpan_vreasm *vreasm; /* fragments forwarded up as they come */
	uint8_t seq;
	uint16_t tag;

	uint8_t ll[16], global[16];
	bool has_global;

	/* the DODAG we are in */
	bool in_dodag;
	uint8_t instance, version, dtsn, mop, prf;
	bool grounded;
	uint8_t dodagid[16];
	struct lowpan_rpl_config cfg;
	struct lowpan_rpl_prefix pio;
	uint16_t rank;
	/* after losing a parent, only neighbours ranked below this (our rank
	 * then) may replace it: never our own children */
	uint16_t rank_limit;
	uint64_t detached_ms; /* when we last lost our parent with no other */
	int parent;           /* index in nbrs, -1 when none */
	struct nbr nbrs[MAX_NBRS];

	uint8_t dao_seq, path_seq;
	bool dao_acked, joined;
	uint32_t dio_interval_ms;

	struct event *dis_timer, *dio_timer, *dao_timer;
	struct nodepana *pana; /* its PANA client, once asked to authenticate */
	bool rpl_option; /* carry the RFC 6553 option like Contiki-NG */

	uint64_t rx_frames, rx_packets, tx_packets, tx_failed, echo_replies, udp_echoes,
		forwarded_up, forwarded_down, decapsulated, dropped, bad_checksum, dao_sent,
		dio_sent, vreasm_sent;
};

/* ff02::1a, all RPL nodes (RFC 6550 §20.19). */
extern const uint8_t node_all_rpl_nodes[16];

/* Arm @ev to fire in @ms milliseconds. */
void node_arm(struct event *ev, uint32_t ms);

/* A random number of milliseconds in [lo, hi] from the air's generator. */
uint32_t node_jitter(struct node *n, uint32_t lo, uint32_t hi);

/* Send @pkt (an IPv6 packet this node originates) by its destination:
 * on the link for multicast and link-local, else up to the parent. */
void node_send_ip(struct node *n, const uint8_t *pkt, size_t len);

/* Whether @a is one of the node's addresses. */
bool node_mine(const struct node *n, const uint8_t a[16]);

/* Put the node's rank in the RPL option of the upward packet (or headers)
 * pkt[0..len), if it carries one (RFC 6553 §4.2). */
void node_update_rpl_option(const struct node *n, uint8_t *pkt, size_t len);

/* A fragment the radio filter let through (@f parsed, its payload the
 * 6LoWPAN one): true when it was forwarded up without reassembly, or
 * dropped as part of a datagram given up (nodefrag.c); false when it is
 * for the local reassembly. */
bool nodefrag_input(struct node *n, const struct lowpan_frame *f);

/* Create the RPL timers and schedule the first DIS.  Returns 0 or -ENOMEM. */
int noderpl_start(struct node *n);

/* Free the RPL timers. */
void noderpl_stop(struct node *n);

/* An RPL control message at pkt[off..len) (checksum verified) from the
 * neighbour @from. */
void noderpl_input(struct node *n, const uint8_t *pkt, size_t len, size_t off,
		   const struct lowpan_lladdr *from);

/* A unicast frame to @ll went unacknowledged MAC_ATTEMPTS times: if @ll
 * is the parent, it is given up (as Contiki-NG does when the link fails)
 * and another is chosen, or the node looks for a DODAG again. */
void noderpl_link_failed(struct node *n, const struct lowpan_lladdr *ll);

/* The global address of the preferred parent; false when there is none. */
bool noderpl_parent_address(const struct node *n, uint8_t out[16]);

#endif
