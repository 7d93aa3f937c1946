/*
 * ndrouter — the border router's side of 6LoWPAN Neighbor Discovery
 * (RFC 6775): a Router Solicitation from the mesh gets a unicast Router
 * Advertisement with the prefix, the compression context, the ABRO and,
 * when configured, the Resource Directory's address (RDAO, RFC 9176
 * §4.1.1); a Neighbor Solicitation carrying an Address Registration
 * Option gets a Neighbor Advertisement confirming the registration, and
 * one for the router's own addresses (its link-local one on the radio, the
 * ABRO address) an NA with its EUI-64, since the kernel behind the TUN
 * interface cannot answer those.
 *
 * A 6LR's Duplicate Address Request (RFC 6775 §8.2, EDAR of RFC 8505 §6)
 * gets its Confirmation from the same table.
 *
 * Registrations are decided by the registration table (registry: duplicate
 * address detection for the whole mesh); routes themselves come from RPL
 * (rplroot).  RFC 6775 §6.3: routers do not send periodic multicast RAs;
 * hosts ask.
 */
#ifndef LWGATE_LOWPAND_NDROUTER_H
#define LWGATE_LOWPAND_NDROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct ndrouter_cfg {
	uint16_t router_lifetime; /* seconds */
	uint8_t prefix[16];
	unsigned prefix_len;
	uint32_t prefix_lifetime; /* seconds, valid and preferred */
	bool has_context;         /* IPHC context 0, announced in a 6CO */
	uint8_t context[16];
	unsigned context_len;
	uint16_t context_lifetime; /* units of 60 s */
	uint8_t border_router[16]; /* the ABRO's 6LBR address: ours */
	uint32_t version;          /* ABRO version: bumped when what we announce changes */
	bool has_rd;
	uint8_t rd_address[16];
	uint32_t rd_lifetime; /* seconds */
};

struct ndrouter_stats {
	uint64_t rs_in, ra_out, ns_aro_in, na_out, invalid;
	uint64_t ns_own_in;       /* NS for the router's own addresses, answered here */
	uint64_t dar_in, dac_out; /* (E)DAR from 6LRs, answered with (E)DAC */
};

typedef void (*ndrouter_send_fn)(void *arg, const uint8_t *pkt, size_t len);

struct ndrouter;
struct registry;

/* @reg (borrowed) decides the registrations.  Never NULL. */
struct ndrouter *ndrouter_new(const struct ndrouter_cfg *cfg, struct registry *reg,
			      ndrouter_send_fn send, void *arg);
void ndrouter_free(struct ndrouter *nr);

/*
 * An IPv6 packet from the mesh.  Returns true when it was an RS or NS for
 * this module (answered, or dropped as invalid), false for anything else.
 * @link_local is the router's fe80:: address on the radio and @eui its
 * EUI-64 (the SLLAO), NULL while the radio is not known yet.
 */
bool ndrouter_input(struct ndrouter *nr, const uint8_t *pkt, size_t len,
		    const uint8_t link_local[16], const uint8_t *eui);

void ndrouter_get_stats(const struct ndrouter *nr, struct ndrouter_stats *out);

#endif
