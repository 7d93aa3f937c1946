/*
 * 6LoWPAN-ND router side (see ndrouter.h).
 */
#define LOG_COMPONENT "nd"

#include "ndrouter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "lowpan/nd.h"
#include "registry.h"

struct ndrouter {
	struct ndrouter_cfg cfg;
	struct registry *reg;
	ndrouter_send_fn send;
	void *arg;
	struct ndrouter_stats stats;
};

struct ndrouter *ndrouter_new(const struct ndrouter_cfg *cfg, struct registry *reg,
			      ndrouter_send_fn send, void *arg)
{
	struct ndrouter *nr = calloc(1, sizeof(*nr));

	if (!nr)
		abort();
	nr->cfg = *cfg;
	nr->reg = reg;
	nr->send = send;
	nr->arg = arg;
	return nr;
}

void ndrouter_free(struct ndrouter *nr)
{
	free(nr);
}

static void answer_rs(struct ndrouter *nr, const struct lowpan_nd_msg *rs,
		      const uint8_t link_local[16], const uint8_t *eui)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t unspecified[16];
	const struct ndrouter_cfg *c = &nr->cfg;
	struct lowpan_nd_ra ra = {
		.router_lifetime = c->router_lifetime,
		.sllao = eui,
		.sllao_len = 8,
		.prefix_len = (uint8_t)c->prefix_len,
		.prefix_valid = c->prefix_lifetime,
		.prefix_preferred = c->prefix_lifetime,
		.context_len = (uint8_t)c->context_len,
		.context_lifetime = c->has_context ? c->context_lifetime : 0,
		.abro_version = c->version,
		.abro_lifetime = 0xffff, /* as long as we run: the RA is re-sent on request */
		.rd_lifetime = c->has_rd ? c->rd_lifetime : 0,
	};
	uint8_t pkt[256];
	int n;

	memcpy(ra.prefix, c->prefix, 16);
	memcpy(ra.context, c->context, 16);
	memcpy(ra.abro_address, c->border_router, 16);
	memcpy(ra.rd_address, c->rd_address, 16);
	/* RFC 4861 §6.2.6: to the soliciting host, to all nodes when it has no address yet */
	n = lowpan_nd_build_ra(&ra, link_local,
			       memcmp(rs->src, unspecified, 16) ? rs->src : all_nodes, pkt,
			       sizeof(pkt));
	if (n < 0)
		return;
	nr->stats.ra_out++;
	nr->send(nr->arg, pkt, (size_t)n);
}

static void send_na(struct ndrouter *nr, const struct lowpan_nd_msg *ns, const uint8_t src[16],
		    uint8_t status, const uint8_t *tllao)
{
	uint8_t pkt[128];
	int n = lowpan_nd_build_na(ns, src, status, tllao, pkt, sizeof(pkt));

	if (n < 0)
		return;
	nr->stats.na_out++;
	nr->send(nr->arg, pkt, (size_t)n);
}

/*
 * An NS for one of the router's own addresses: the kernel has neither the
 * radio's link-local address nor a link layer on the TUN interface, so the
 * router answers (RIOT probes its default router this way, RFC 4861 NUD,
 * and marks it unreachable without an answer).  A registration (ARO) of
 * one of them by somebody else is a duplicate.
 */
static void answer_own(struct ndrouter *nr, const struct lowpan_nd_msg *ns, const uint8_t *eui)
{
	nr->stats.ns_own_in++;
	send_na(nr, ns, ns->target, LOWPAN_ND_ARO_DUPLICATE, eui);
}

static bool is_own(const struct ndrouter *nr, const uint8_t a[16], const uint8_t *link_local)
{
	return memcmp(a, nr->cfg.border_router, 16) == 0 ||
	       (link_local && memcmp(a, link_local, 16) == 0);
}

/*
 * A 6LR asks whether a node of its own may have an address (RFC 6775 §8.2,
 * RFC 8505 §6): the answer, from the same registration table, in a DAC.
 */
static void answer_dar(struct ndrouter *nr, const struct lowpan_nd_msg *dar,
		       const uint8_t *link_local)
{
	uint8_t pkt[128], status;
	int n;

	nr->stats.dar_in++;
	status = is_own(nr, dar->target, link_local) ? LOWPAN_ND_ARO_DUPLICATE
						     : registry_register(nr->reg, dar, clock_ms());
	n = lowpan_nd_build_dac(dar, nr->cfg.border_router, status, pkt, sizeof(pkt));
	if (n < 0)
		return;
	nr->stats.dac_out++;
	nr->send(nr->arg, pkt, (size_t)n);
}

bool ndrouter_input(struct ndrouter *nr, const uint8_t *pkt, size_t len,
		    const uint8_t link_local[16], const uint8_t *eui)
{
	struct lowpan_nd_msg m;
	int rc = lowpan_nd_parse(pkt, len, &m);

	if (rc == -ENOMSG)
		return false;
	if (rc < 0) {
		nr->stats.invalid++;
		log_debug("invalid neighbor discovery message dropped len=%zu", len);
		return true;
	}
	if (m.type == LOWPAN_ND_DAR) {
		answer_dar(nr, &m, link_local);
		return true;
	}
	if (m.type == LOWPAN_ND_RS) {
		nr->stats.rs_in++;
		if (eui)
			answer_rs(nr, &m, link_local, eui);
		return true;
	}
	if (eui &&
	    is_own(nr, m.has_aro ? lowpan_nd_registered_address(&m) : m.target, link_local)) {
		answer_own(nr, &m, eui);
		return true;
	}
	/* an NS for another address without ARO is plain RFC 4861, not ours */
	if (!m.has_aro)
		return false;
	nr->stats.ns_aro_in++;
	send_na(nr, &m, m.dst[0] == 0xff ? link_local : m.dst,
		registry_register(nr->reg, &m, clock_ms()), NULL);
	return true;
}

void ndrouter_get_stats(const struct ndrouter *nr, struct ndrouter_stats *out)
{
	*out = nr->stats;
}
