/*
 * nd — the 6LoWPAN Neighbor Discovery messages a border router exchanges
 * with hosts (RFC 4861 as optimised by RFC 6775), as pure functions on
 * IPv6 packets:
 *
 *   parse  Router Solicitation (133) and Neighbor Solicitation (135), with
 *          the Source Link-Layer Address option and the Address
 *          Registration Option (ARO, RFC 6775 §4.1, or its extended form
 *          EARO with TID and ROVR, RFC 8505 §4.1);
 *   parse  Duplicate Address Request (157), RFC 6775 §4.4, or its
 *          extended form (EDAR, RFC 8505 §6.1), that a 6LR sends the 6LBR;
 *   build  Router Advertisement (134) with SLLAO, Prefix Information,
 *          6LoWPAN Context (6CO, §4.2), Authoritative Border Router
 *          (ABRO, §4.3) and Resource Directory Address (RDAO, RFC 9176
 *          §4.1.1) options; Neighbor Advertisement (136) with an ARO
 *          carrying the registration status.
 *
 * Packets are whole IPv6 packets (40-byte header, no extension headers:
 * RFC 4861 messages carry none) with the ICMPv6 checksum computed or
 * checked here.
 */
#ifndef LWGATE_LOWPAN_ND_H
#define LWGATE_LOWPAN_ND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lowpan_nd_type {
	LOWPAN_ND_RS = 133,
	LOWPAN_ND_RA = 134,
	LOWPAN_ND_NS = 135,
	LOWPAN_ND_NA = 136,
	LOWPAN_ND_DAR = 157, /* (Extended) Duplicate Address Request, RFC 6775 / RFC 8505 */
	LOWPAN_ND_DAC = 158, /* (Extended) Duplicate Address Confirmation */
};

/* ARO status values (RFC 6775 §4.1, RFC 8505 §4.1). */
enum lowpan_nd_aro_status {
	LOWPAN_ND_ARO_SUCCESS = 0,
	LOWPAN_ND_ARO_DUPLICATE = 1,
	LOWPAN_ND_ARO_CACHE_FULL = 2,
	LOWPAN_ND_ARO_MOVED = 3,
};

#define LOWPAN_ND_OPT_RDAO 41 /* RFC 9176 §4.1.1 */

/*
 * A Router or Neighbor Solicitation, or a Duplicate Address Request, as
 * parsed.  A (E)DAR fills the (E)ARO fields (has_aro set) and puts the
 * registered address in target.
 */
struct lowpan_nd_msg {
	uint8_t type; /* LOWPAN_ND_RS, LOWPAN_ND_NS or LOWPAN_ND_DAR */
	uint8_t src[16], dst[16];
	uint8_t target[16]; /* NS: its target; DAR: the registered address */
	size_t sllao_len;   /* 0 when there was no SLLAO; else 2 or 8 */
	uint8_t sllao[8];
	bool has_aro;
	bool earo; /* the ARO's T flag: an RFC 8505 EARO, its TID valid */
	uint8_t aro_status;
	uint8_t aro_opaque, aro_flags, aro_tid; /* EARO only; else 0 */
	uint16_t aro_lifetime;                  /* units of 60 s; 0 asks to deregister */
	uint8_t aro_eui64[8]; /* the first 8 bytes of the ROVR: RFC 6775's EUI-64 */
	uint8_t rovr[32];     /* Registration Ownership Verifier (RFC 8505 §5.3) */
	size_t rovr_len;      /* 8 for an ARO; 8, 16, 24 or 32 for an EARO */
};

/* What a Router Advertisement says; a zero lifetime leaves an option out. */
struct lowpan_nd_ra {
	uint16_t router_lifetime; /* seconds */
	const uint8_t *sllao;     /* our link-layer address, 2 or 8 bytes; NULL: none */
	size_t sllao_len;
	/* Prefix Information: on-link flag clear (RFC 6775 §5.4), autonomous set */
	uint8_t prefix[16];
	uint8_t prefix_len;
	uint32_t prefix_valid, prefix_preferred; /* seconds; valid 0: no PIO */
	/* 6LoWPAN context (6CO), compression allowed */
	uint8_t context[16];
	uint8_t context_len, context_id;
	uint16_t context_lifetime; /* units of 60 s; 0: no 6CO */
	/* Authoritative Border Router (ABRO) */
	uint32_t abro_version;
	uint16_t abro_lifetime; /* units of 60 s; 0: no ABRO */
	uint8_t abro_address[16];
	/* Resource Directory Address (RDAO) */
	uint32_t rd_lifetime; /* seconds; 0: no RDAO */
	uint8_t rd_address[16];
};

/*
 * Parse the IPv6 packet @pkt of @len bytes as an RS, NS or (E)DAR.
 * Returns 0, -ENOMSG when it is not one of them (another ICMPv6 type, not
 * ICMPv6), or -EBADMSG when it is one but invalid by RFC 4861 §6.1.1/§7.1.1
 * (hop limit not 255, bad checksum, code not 0, too short, an option of
 * length 0 or running past the end, a malformed SLLAO or ARO), or a DAR
 * whose length does not match its ROVR size (RFC 8505 §6.1).
 */
int lowpan_nd_parse(const uint8_t *pkt, size_t len, struct lowpan_nd_msg *out);

/*
 * Build the Router Advertisement @ra from @src to @dst into @buf.
 * Returns its length, or -ENOSPC when @size is too small (at most 176
 * bytes are written).
 */
int lowpan_nd_build_ra(const struct lowpan_nd_ra *ra, const uint8_t src[16], const uint8_t dst[16],
		       uint8_t *buf, size_t size);

/*
 * Build the Neighbor Advertisement answering the NS @ns from @src: for
 * ns->target, override set, to ns->src and solicited — or to all nodes,
 * unsolicited, when ns->src is unspecified (a DAD probe, RFC 4861 §7.2.4);
 * with an ARO of @status and the lifetime and EUI-64 of the request when
 * the NS carried one, and a Target Link-Layer Address option holding the
 * EUI-64 @tllao unless it is NULL.  Returns its length or -ENOSPC (at most
 * 120 bytes are written).
 */
int lowpan_nd_build_na(const struct lowpan_nd_msg *ns, const uint8_t src[16], uint8_t status,
		       const uint8_t *tllao, uint8_t *buf, size_t size);

/*
 * The address an NS with (E)ARO registers: its Target Address with an EARO
 * (RFC 8505 §5.5), its source address with an RFC 6775 ARO (§5.5.1; RIOT
 * sends those, the target being the router); a DAR's registered address.
 */
const uint8_t *lowpan_nd_registered_address(const struct lowpan_nd_msg *ns);

/*
 * Build the (E)DAC answering the (E)DAR @dar from @src to its source, hop
 * limit 64: the request's code, TID, lifetime, ROVR and registered address
 * with @status.  Returns its length or -ENOSPC (at most 96 bytes).
 */
int lowpan_nd_build_dac(const struct lowpan_nd_msg *dar, const uint8_t src[16], uint8_t status,
			uint8_t *buf, size_t size);

#endif
