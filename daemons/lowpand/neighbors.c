#include "neighbors.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct neighbor {
	struct lowpan_lladdr ll;
	uint64_t first_ms, last_ms, frames;
	uint64_t tx, tx_acked; /* unicast frames sent to it, and of those acknowledged */
	double etx;            /* valid once tx > 0 */
};

struct neighbors {
	struct neighbor *v;
	size_t n, max;
	neighbors_added_fn added;
	void *arg;
};

static void format_ll(const struct lowpan_lladdr *ll, char *buf, size_t len);
static void link_local(const struct lowpan_lladdr *ll, char text[INET6_ADDRSTRLEN]);

struct neighbors *neighbors_new(size_t max, neighbors_added_fn added, void *arg)
{
	struct neighbors *n = calloc(1, sizeof(*n));

	if (!n)
		abort();
	n->max = max ? max : 1;
	n->added = added;
	n->arg = arg;
	n->v = calloc(n->max, sizeof(*n->v));
	if (!n->v)
		abort();
	return n;
}

void neighbors_free(struct neighbors *n)
{
	if (!n)
		return;
	free(n->v);
	free(n);
}

void neighbors_heard(struct neighbors *n, const struct lowpan_lladdr *ll, uint64_t now_ms)
{
	struct neighbor *e = NULL;

	if (ll->mode == LOWPAN_ADDR_NONE)
		return;
	for (size_t i = 0; i < n->n && !e; i++)
		if (lowpan_lladdr_equal(&n->v[i].ll, ll))
			e = &n->v[i];
	if (!e && n->n < n->max) {
		e = &n->v[n->n++];
	} else if (!e) {
		e = &n->v[0]; /* full: replace the one heard least recently */
		for (size_t i = 1; i < n->n; i++)
			if (n->v[i].last_ms < e->last_ms)
				e = &n->v[i];
	}
	bool added = !lowpan_lladdr_equal(&e->ll, ll) || e->frames == 0;

	if (added) {
		e->ll = *ll;
		e->first_ms = now_ms;
		e->frames = 0;
		e->tx = e->tx_acked = 0;
	}
	e->last_ms = now_ms;
	e->frames++;
	if (added && n->added) {
		char addr[32], text[INET6_ADDRSTRLEN];

		format_ll(ll, addr, sizeof(addr));
		link_local(ll, text);
		n->added(n->arg, addr, text);
	}
}

void neighbors_sent(struct neighbors *n, const struct lowpan_lladdr *ll, unsigned transmissions,
		    bool acked)
{
	for (size_t i = 0; i < n->n; i++) {
		struct neighbor *e = &n->v[i];
		double sample = transmissions;

		if (!lowpan_lladdr_equal(&e->ll, ll))
			continue;
		if (!acked && sample < NEIGHBORS_NOACK_ETX)
			sample = NEIGHBORS_NOACK_ETX;
		e->etx = e->tx ? e->etx + NEIGHBORS_ETX_WEIGHT * (sample - e->etx) : sample;
		e->tx++;
		e->tx_acked += acked;
		return;
	}
}

static void format_ll(const struct lowpan_lladdr *ll, char *buf, size_t len)
{
	if (ll->mode == LOWPAN_ADDR_SHORT)
		snprintf(buf, len, "0x%02x%02x", ll->a[0], ll->a[1]);
	else
		snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x", ll->a[0], ll->a[1],
			 ll->a[2], ll->a[3], ll->a[4], ll->a[5], ll->a[6], ll->a[7]);
}

/* The fe80:: address a node forms from link address @ll (RFC 4944 §6). */
static void link_local(const struct lowpan_lladdr *ll, char text[INET6_ADDRSTRLEN])
{
	uint8_t ll6[16] = { 0xfe, 0x80 };

	lowpan_lladdr_iid(ll, ll6 + 8);
	inet_ntop(AF_INET6, ll6, text, INET6_ADDRSTRLEN);
}

static int by_recency(const void *a, const void *b)
{
	const struct neighbor *x = *(const struct neighbor *const *)a;
	const struct neighbor *y = *(const struct neighbor *const *)b;

	return x->last_ms < y->last_ms ? 1 : x->last_ms > y->last_ms ? -1 : 0;
}

json_t *neighbors_json(const struct neighbors *n, uint64_t now_ms)
{
	const struct neighbor **order = calloc(n->n + 1, sizeof(*order));
	json_t *out = json_array();

	if (!order)
		abort();
	for (size_t i = 0; i < n->n; i++)
		order[i] = &n->v[i];
	qsort(order, n->n, sizeof(*order), by_recency);
	for (size_t i = 0; i < n->n; i++) {
		const struct neighbor *e = order[i];
		char addr[32], text[INET6_ADDRSTRLEN];

		format_ll(&e->ll, addr, sizeof(addr));
		link_local(&e->ll, text);
		json_array_append_new(
			out, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "address", addr,
				       "link_local", text, "frames", (json_int_t)e->frames,
				       "first_heard_s", (json_int_t)((now_ms - e->first_ms) / 1000),
				       "last_heard_s", (json_int_t)((now_ms - e->last_ms) / 1000),
				       "tx_frames", (json_int_t)e->tx, "tx_acked",
				       (json_int_t)e->tx_acked, "etx",
				       /* two decimals: more would only show the average's noise */
				       e->tx ? json_real((double)(long)(e->etx * 100 + 0.5) / 100)
					     : json_null()));
	}
	free(order);
	return out;
}

size_t neighbors_count(const struct neighbors *n)
{
	return n->n;
}
