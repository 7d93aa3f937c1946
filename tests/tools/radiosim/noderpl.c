/* The RPL half of a simulated node (see node.h): DIS until a DODAG is
 * heard, parent selection on DIOs, DAOs to the root with retries and
 * refreshes, and trickle-timed DIOs of its own. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lowpan/rpl.h"
#include "nodepriv.h"
#include "simev.h"

static void send_rpl(struct node *n, const struct lowpan_rpl_msg *m, const uint8_t src[16],
		     const uint8_t dst[16])
{
	uint8_t out[256];
	int len = lowpan_rpl_build(m, src, dst, out, sizeof(out));

	if (len > 0)
		node_send_ip(n, out, (size_t)len);
}

static void send_dis(struct node *n)
{
	struct lowpan_rpl_msg m = { .code = LOWPAN_RPL_DIS };

	send_rpl(n, &m, n->ll, node_all_rpl_nodes);
}

static void send_dio(struct node *n, const uint8_t dst[16])
{
	struct lowpan_rpl_msg m = { .code = LOWPAN_RPL_DIO,
				    .instance = n->instance,
				    .version = n->version,
				    .rank = n->rank,
				    .grounded = n->grounded,
				    .mop = n->mop,
				    .prf = n->prf,
				    .dtsn = n->dtsn,
				    .has_dodagid = true,
				    .has_config = true,
				    .config = n->cfg,
				    .has_prefix = true,
				    .prefix = n->pio };

	memcpy(m.dodagid, n->dodagid, 16);
	n->dio_sent++;
	send_rpl(n, &m, n->ll, dst);
}

/* The global address of a neighbour: the root is known by its DODAG ID
 * (what lowpand's routes use), the others by the prefix and their IID. */
static void nbr_global(const struct node *n, const struct nbr *b, uint8_t out[16])
{
	if (b->rank <= n->cfg.min_hop_rank_increase) {
		memcpy(out, n->dodagid, 16);
		return;
	}
	memcpy(out, n->pio.prefix, 8);
	memcpy(out + 8, b->ip + 8, 8);
}

/* RFC 6550 §7.2 lollipop counters: a linear start region 240..255, then
 * the circular region 0..127. */
static uint8_t lollipop_next(uint8_t v)
{
	if (v >= 128)
		return (uint8_t)(v == 255 ? 0 : v + 1);
	return (uint8_t)((v + 1) & 127);
}

static uint32_t lifetime_ms(const struct node *n)
{
	return (uint32_t)n->cfg.default_lifetime * n->cfg.lifetime_unit * 1000u;
}

static void send_dao(struct node *n)
{
	struct lowpan_rpl_msg m = { .code = LOWPAN_RPL_DAO,
				    .instance = n->instance,
				    .ack_requested = true,
				    .ntargets = 1 };
	struct lowpan_rpl_target *t = &m.targets[0];

	if (n->parent < 0 || !n->has_global)
		return;
	m.sequence = n->dao_seq = lollipop_next(n->dao_seq);
	t->prefix_len = 128;
	memcpy(t->prefix, n->global, 16);
	t->has_transit = true;
	t->path_sequence = n->path_seq;
	t->path_lifetime = n->cfg.default_lifetime;
	t->has_parent = true;
	nbr_global(n, &n->nbrs[n->parent], t->parent);
	n->dao_acked = false;
	n->dao_sent++;
	send_rpl(n, &m, n->global, n->dodagid);
	node_arm(n->dao_timer, DAO_RETRY_MS + node_jitter(n, 0, 500));
}

static void on_dao_timer(evutil_socket_t fd, short what, void *arg)
{
	struct node *n = arg;

	if (n->dao_acked)
		n->path_seq = lollipop_next(n->path_seq); /* a new path (RFC 6550 §9.2.2) */
	send_dao(n);
}

static void on_dio_timer(evutil_socket_t fd, short what, void *arg)
{
	struct node *n = arg;

	send_dio(n, node_all_rpl_nodes);
	if (n->dio_interval_ms < DIO_IMAX_MS)
		n->dio_interval_ms *= 2;
	node_arm(n->dio_timer, node_jitter(n, n->dio_interval_ms / 2, n->dio_interval_ms));
}

static void trickle_reset(struct node *n)
{
	n->dio_interval_ms = DIO_IMIN_MS;
	evtimer_del(n->dio_timer);
	node_arm(n->dio_timer, node_jitter(n, DIO_IMIN_MS / 2, DIO_IMIN_MS));
}

static void select_parent(struct node *n);

static void on_dis_timer(evutil_socket_t fd, short what, void *arg)
{
	struct node *n = arg;

	if (n->parent >= 0)
		return;
	if (n->rank_limit != INFINITE_RANK && simev_now_ms() - n->detached_ms >= DETACHED_MS) {
		/* our old children have heard the poison by now: any
		 * neighbour may be a parent again */
		n->rank_limit = INFINITE_RANK;
		select_parent(n);
		if (n->parent >= 0)
			return;
	}
	send_dis(n);
	node_arm(n->dis_timer, node_jitter(n, DIS_PERIOD_MS, DIS_PERIOD_MS + 1000));
}

static struct nbr *nbr_get(struct node *n, const struct lowpan_lladdr *ll)
{
	struct nbr *free_slot = NULL;

	for (int i = 0; i < MAX_NBRS; i++) {
		if (n->nbrs[i].valid && lowpan_lladdr_equal(&n->nbrs[i].ll, ll))
			return &n->nbrs[i];
		if (!n->nbrs[i].valid && !free_slot)
			free_slot = &n->nbrs[i];
	}
	if (free_slot) {
		memset(free_slot, 0, sizeof(*free_slot));
		free_slot->valid = true;
		free_slot->ll = *ll;
		free_slot->rank = INFINITE_RANK;
	}
	return free_slot;
}

/* Parent selection: the lowest rank wins; the current parent keeps its
 * place on a tie so that the DODAG does not flap. */
static void select_parent(struct node *n)
{
	int best = n->parent;
	uint16_t old_rank = n->rank;
	int old_parent = n->parent;

	/* the parent is gone (link failure, or it poisoned its rank): only
	 * neighbours closer to the root than we were may replace it */
	if (old_parent >= 0 && n->nbrs[old_parent].rank == INFINITE_RANK &&
	    n->rank_limit == INFINITE_RANK)
		n->rank_limit = old_rank;
	for (int i = 0; i < MAX_NBRS; i++) {
		const struct nbr *b = &n->nbrs[i];

		if (!b->valid || b->rank == INFINITE_RANK || b->rank >= n->rank_limit)
			continue;
		if (best < 0 || n->nbrs[best].rank == INFINITE_RANK || b->rank < n->nbrs[best].rank)
			best = i;
	}
	if (best < 0 || n->nbrs[best].rank == INFINITE_RANK ||
	    n->nbrs[best].rank >= n->rank_limit) {
		n->parent = -1;
		n->rank = INFINITE_RANK;
		if (old_parent >= 0) {
			n->detached_ms = simev_now_ms();
			/* detached: tell the children (an infinite rank), ask around */
			trickle_reset(n);
			evtimer_del(n->dis_timer);
			node_arm(n->dis_timer, node_jitter(n, 10, 200));
		}
		return;
	}
	n->parent = best;
	n->rank = (uint16_t)(n->nbrs[best].rank + n->cfg.min_hop_rank_increase);
	if (best != old_parent) {
		simev_emit(json_pack("{s:s, s:s, s:s, s:s, s:i}", "event", "parent", "node",
				     n->name, "parent", simev_ntop(n->nbrs[best].ip), "address",
				     simev_ntop(n->global), "rank", n->rank));
		n->path_seq = lollipop_next(n->path_seq);
		evtimer_del(n->dao_timer);
		node_arm(n->dao_timer, node_jitter(n, 10, 200));
	}
	if (n->rank != old_rank)
		trickle_reset(n);
}

static void on_dio(struct node *n, const struct lowpan_rpl_msg *m, const uint8_t src[16],
		   const struct lowpan_lladdr *from)
{
	struct nbr *b;

	if (!n->in_dodag) {
		/* a node needs the prefix (to form its address) and the
		 * configuration (rank increase, lifetimes) to join */
		if (!m->has_config || !m->has_prefix || !(m->prefix.flags & 0x40) ||
		    m->prefix.len != 64 || m->rank == INFINITE_RANK ||
		    m->config.min_hop_rank_increase == 0)
			return;
		n->in_dodag = true;
		n->instance = m->instance;
		memcpy(n->dodagid, m->dodagid, 16);
		n->version = m->version;
		evtimer_del(n->dis_timer);
	} else if (m->instance != n->instance || memcmp(m->dodagid, n->dodagid, 16) != 0) {
		return;
	}
	n->version = m->version;
	n->grounded = m->grounded;
	n->mop = m->mop;
	n->prf = m->prf;
	n->dtsn = m->dtsn;
	if (m->has_config && m->config.min_hop_rank_increase)
		n->cfg = m->config;
	if (m->has_prefix && (m->prefix.flags & 0x40) && m->prefix.len == 64) {
		n->pio = m->prefix;
		memcpy(n->global, m->prefix.prefix, 8);
		memcpy(n->global + 8, n->ll + 8, 8);
		n->has_global = true;
	}
	b = nbr_get(n, from);
	if (!b)
		return;
	memcpy(b->ip, src, 16);
	b->rank = m->rank;
	select_parent(n);
}

static void on_dao_ack(struct node *n, const struct lowpan_rpl_msg *m)
{
	uint32_t life = lifetime_ms(n);

	if (m->instance != n->instance || m->sequence != n->dao_seq || n->dao_acked)
		return;
	if (m->status >= 128) {
		/* refused: try again later, perhaps with another parent */
		evtimer_del(n->dao_timer);
		node_arm(n->dao_timer, DAO_RETRY_MS * 2);
		return;
	}
	n->dao_acked = true;
	n->rank_limit = INFINITE_RANK; /* settled again */
	evtimer_del(n->dao_timer);
	/* refresh at half the lifetime; 0xff units mean infinite: an hour */
	node_arm(n->dao_timer, n->cfg.default_lifetime == 0xff ? 3600000u
			       : life / 2 > 1000               ? life / 2
							       : 1000);
	if (!n->joined && n->parent >= 0) {
		uint8_t pg[16];

		n->joined = true;
		nbr_global(n, &n->nbrs[n->parent], pg);
		simev_emit(json_pack("{s:s, s:s, s:s, s:s, s:i}", "event", "joined", "node",
				     n->name, "address", simev_ntop(n->global), "parent",
				     simev_ntop(pg), "rank", n->rank));
	}
}

void noderpl_input(struct node *n, const uint8_t *pkt, size_t len, size_t off,
		   const struct lowpan_lladdr *from)
{
	struct lowpan_rpl_msg m;

	if (lowpan_rpl_parse(pkt + off, len - off, &m) < 0) {
		n->dropped++;
		return;
	}
	switch (m.code) {
	case LOWPAN_RPL_DIS:
		if (!n->in_dodag || n->rank == INFINITE_RANK)
			break;
		if (pkt[24] == 0xff)
			trickle_reset(n);
		else
			send_dio(n, pkt + 8);
		break;
	case LOWPAN_RPL_DIO:
		on_dio(n, &m, pkt + 8, from);
		break;
	case LOWPAN_RPL_DAO_ACK:
		on_dao_ack(n, &m);
		break;
	default:
		break;
	}
}

void noderpl_link_failed(struct node *n, const struct lowpan_lladdr *ll)
{
	struct nbr *p = n->parent >= 0 ? &n->nbrs[n->parent] : NULL;

	if (!p || !lowpan_lladdr_equal(&p->ll, ll))
		return;
	simev_emit(json_pack("{s:s, s:s, s:s}", "event", "parent-lost", "node", n->name, "parent",
			     simev_ntop(p->ip)));
	p->rank = INFINITE_RANK;
	select_parent(n);
}

int noderpl_start(struct node *n)
{
	n->dis_timer = evtimer_new(n->base, on_dis_timer, n);
	n->dio_timer = evtimer_new(n->base, on_dio_timer, n);
	n->dao_timer = evtimer_new(n->base, on_dao_timer, n);
	if (!n->dis_timer || !n->dio_timer || !n->dao_timer)
		return -ENOMEM;
	node_arm(n->dis_timer, node_jitter(n, 50, 500));
	return 0;
}

void noderpl_stop(struct node *n)
{
	if (n->dis_timer)
		event_free(n->dis_timer);
	if (n->dio_timer)
		event_free(n->dio_timer);
	if (n->dao_timer)
		event_free(n->dao_timer);
	n->dis_timer = n->dio_timer = n->dao_timer = NULL;
}

bool noderpl_parent_address(const struct node *n, uint8_t out[16])
{
	if (n->parent < 0)
		return false;
	nbr_global(n, &n->nbrs[n->parent], out);
	return true;
}
