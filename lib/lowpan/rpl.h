/*
 * rpl — RPL control messages (RFC 6550 §6: DIS, DIO, DAO, DAO-ACK with the
 * DODAG Configuration, Prefix Information, RPL Target and Transit
 * Information options), the RPL Source Route Header (RFC 6554) and the RPL
 * hop-by-hop option (RFC 6553), as pure functions on IPv6 packets.
 *
 * What a non-storing root needs: parse what nodes send (DIS, DAO), build
 * what it sends (DIO, DAO-ACK), put a source route on a downward packet —
 * in the packet itself when the root originates it, or around it, IPv6 in
 * IPv6, when it comes from elsewhere (RFC 9008) — and take the RPL option
 * out of an upward packet before it leaves the RPL domain.
 */
#ifndef LWGATE_LOWPAN_RPL_H
#define LWGATE_LOWPAN_RPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOWPAN_RPL_ICMP_TYPE   155
#define LOWPAN_RPL_MAX_TARGETS 8
#define LOWPAN_RPL_MAX_HOPS    16 /* source route length we build or accept */

enum lowpan_rpl_code {
	LOWPAN_RPL_DIS = 0x00,
	LOWPAN_RPL_DIO = 0x01,
	LOWPAN_RPL_DAO = 0x02,
	LOWPAN_RPL_DAO_ACK = 0x03,
};

/* DODAG Configuration option (RFC 6550 §6.7.6). */
struct lowpan_rpl_config {
	uint8_t flags_pcs; /* A flag and PCS, as on the wire */
	uint8_t dio_int_doublings, dio_int_min, dio_redundancy;
	uint16_t max_rank_increase, min_hop_rank_increase, ocp;
	uint8_t default_lifetime;
	uint16_t lifetime_unit;
};

/* Prefix Information option (RFC 6550 §6.7.10). */
struct lowpan_rpl_prefix {
	uint8_t len;
	uint8_t flags; /* L 0x80, A 0x40, R 0x20 */
	uint32_t valid_lifetime, preferred_lifetime;
	uint8_t prefix[16];
};

/* A Target (§6.7.7) and the Transit Information (§6.7.8) that applies to it. */
struct lowpan_rpl_target {
	uint8_t prefix_len;
	uint8_t prefix[16];
	bool has_transit;
	uint8_t path_control, path_sequence, path_lifetime;
	bool has_parent; /* non-storing mode: the parent's address */
	uint8_t parent[16];
};

/* One RPL control message; which fields count depends on code. */
struct lowpan_rpl_msg {
	uint8_t code;
	uint8_t instance;
	/* DIO */
	uint8_t version;
	uint16_t rank;
	bool grounded;
	uint8_t mop, prf, dtsn;
	bool has_config;
	struct lowpan_rpl_config config;
	bool has_prefix;
	struct lowpan_rpl_prefix prefix;
	/* DIO, and DAO / DAO-ACK with the D flag */
	bool has_dodagid;
	uint8_t dodagid[16];
	/* DAO, DAO-ACK */
	bool ack_requested; /* DAO K flag */
	uint8_t sequence, status;
	unsigned ntargets;
	struct lowpan_rpl_target targets[LOWPAN_RPL_MAX_TARGETS];
};

/*
 * Parse the RPL control message @icmp (@len bytes, starting at the ICMPv6
 * type, which must be 155).  The checksum is the caller's business (it
 * needs the IPv6 addresses).  Returns 0, -EBADMSG for a malformed message
 * or option, -EPROTONOSUPPORT for a code other than DIS/DIO/DAO/DAO-ACK
 * (secure variants), -E2BIG for more than LOWPAN_RPL_MAX_TARGETS targets.
 */
int lowpan_rpl_parse(const uint8_t *icmp, size_t len, struct lowpan_rpl_msg *msg);

/*
 * Build a whole IPv6 packet carrying @msg from @src to @dst (hop limit 64,
 * ICMPv6 checksum set) into @out.  DIO: with the config and prefix options
 * when has_config/has_prefix.  DAO-ACK: with the DODAGID when has_dodagid.
 * Returns the packet length or -ENOSPC / -EINVAL (other codes).
 */
int lowpan_rpl_build(const struct lowpan_rpl_msg *msg, const uint8_t src[16], const uint8_t dst[16],
		     uint8_t *out, size_t cap);

/*
 * Source-route @pkt (an IPv6 packet of @len bytes) through @hops[0..nhops)
 * — the nodes after the root, the last being the final destination
 * (nhops >= 2) — into @out.  With @encapsulate (RFC 9008: the packet did
 * not start at the root) the result is an outer IPv6 header from @root to
 * hops[0] with the SRH, around the whole packet (carried unchanged: the
 * forwarding router lowers the hop limit); otherwise the SRH is inserted after @pkt's IPv6 header,
 * whose destination becomes hops[0].  Addresses are compressed against hops[0] (CmprI/CmprE).  @out
 * must not overlap @pkt.  Returns the new length, -ENOSPC, -EINVAL.
 */
int lowpan_rpl_source_route(const uint8_t *pkt, size_t len, const uint8_t root[16],
			    const uint8_t (*hops)[16], size_t nhops, bool encapsulate, uint8_t *out,
			    size_t cap);

/*
 * Parse a type 3 routing header at @srh (@len bytes available) whose IPv6
 * destination is @dst: fill @hops with the route in order (the destination
 * first, then the addresses) and return their number, or -EBADMSG.
 */
int lowpan_rpl_srh_parse(const uint8_t *srh, size_t len, const uint8_t dst[16], uint8_t (*hops)[16],
			 size_t max_hops);

/*
 * Make an upward packet fit to leave the RPL domain, in place: remove a
 * hop-by-hop header that holds only an RPL option (RFC 6553, type 0x63,
 * plus padding) and decapsulate IPv6-in-IPv6 addressed to @root.  Returns
 * the new length (unchanged when there was nothing to do) or -EBADMSG.
 */
int lowpan_rpl_strip(uint8_t *pkt, size_t len, const uint8_t root[16]);

/*
 * Whether lollipop counter @a is newer than @b (RFC 6550 §7.2, window 16):
 * RPL's path sequences and DODAG versions, and 6LoWPAN-ND's TIDs (RFC 8505
 * §5.2).  Counters too far apart to compare count as newer: the sender
 * restarted.
 */
bool lowpan_rpl_seq_newer(uint8_t a, uint8_t b);

#endif
