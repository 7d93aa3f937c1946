/*
 * admission — the forwarding gate of authenticated nodes (see admission.h).
 */
#define LOG_COMPONENT "admission"
#include "admission.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"

#define PANA_PORT   716
#define ICMP6       58
#define UDP         17
#define MAX_EXT_HDR 8 /* extension headers walked before giving up on a packet */

struct entry {
	uint8_t iid[8];
	bool used;           /* ever used: probing goes on past it */
	uint64_t expires_ms; /* 0: revoked */
};

struct admission {
	struct admission_cfg cfg;
	struct entry *slots; /* open addressing, 2 × max_nodes slots */
	size_t nslots;
	struct admission_stats st;
};

struct admission *admission_new(const struct admission_cfg *cfg)
{
	struct admission *a = calloc(1, sizeof(*a));

	if (!a)
		abort();
	a->cfg = *cfg;
	a->nslots = 2 * (size_t)(cfg->max_nodes ? cfg->max_nodes : 1);
	a->slots = calloc(a->nslots, sizeof(*a->slots));
	if (!a->slots)
		abort();
	return a;
}

void admission_free(struct admission *a)
{
	if (!a)
		return;
	free(a->slots);
	free(a);
}

static size_t hash(const uint8_t iid[8])
{
	uint64_t h = 1469598103934665603ull;

	for (int i = 0; i < 8; i++)
		h = (h ^ iid[i]) * 1099511628211ull;
	return (size_t)h;
}

/*
 * The slot holding @iid, or NULL; with @reuse, also the first slot a new
 * entry may take (never used, revoked or expired).
 */
static struct entry *probe(struct admission *a, const uint8_t iid[8], uint64_t now_ms,
			   struct entry **reuse)
{
	if (reuse)
		*reuse = NULL;
	for (size_t i = 0, s = hash(iid) % a->nslots; i < a->nslots; i++, s = (s + 1) % a->nslots) {
		struct entry *e = &a->slots[s];

		if (e->used && !memcmp(e->iid, iid, 8))
			return e;
		if (reuse && !*reuse && (!e->used || e->expires_ms <= now_ms))
			*reuse = e;
		if (!e->used)
			return NULL;
	}
	return NULL;
}

size_t admission_count(const struct admission *a, uint64_t now_ms)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nslots; i++)
		n += a->slots[i].used && a->slots[i].expires_ms > now_ms;
	return n;
}

int admission_admit(struct admission *a, const uint8_t addr[16], uint32_t lifetime_s,
		    uint64_t now_ms)
{
	struct entry *reuse, *e = probe(a, addr + 8, now_ms, &reuse);

	if (!e) {
		if (!reuse || admission_count(a, now_ms) >= a->cfg.max_nodes) {
			a->st.full++;
			return -ENOSPC;
		}
		e = reuse;
		memcpy(e->iid, addr + 8, 8);
		e->used = true;
	}
	e->expires_ms = now_ms + (uint64_t)lifetime_s * 1000;
	a->st.admits++;
	return 0;
}

int admission_revoke(struct admission *a, const uint8_t addr[16])
{
	struct entry *e = probe(a, addr + 8, 0, NULL);

	if (!e || !e->expires_ms)
		return -ENOENT;
	e->expires_ms = 0;
	a->st.revokes++;
	return 0;
}

static bool admitted(struct admission *a, const uint8_t addr[16], uint64_t now_ms)
{
	const struct entry *e = probe(a, addr + 8, now_ms, NULL);

	return e && e->expires_ms > now_ms;
}

/*
 * The upper-layer protocol of @pkt after its extension headers, with its
 * offset; -1 when it cannot be read.
 */
static int upper_layer(const uint8_t *pkt, size_t len, size_t *off)
{
	uint8_t nh = pkt[6];

	*off = 40;
	for (int i = 0; i < MAX_EXT_HDR; i++) {
		/* hop-by-hop, routing, destination options: length in 8-byte units beyond the first
		 */
		if (nh != 0 && nh != 43 && nh != 60)
			return nh;
		if (len < *off + 8)
			return -1;
		nh = pkt[*off];
		*off += 8 + (size_t)pkt[*off + 1] * 8;
	}
	return -1;
}

bool admission_check(struct admission *a, const uint8_t *pkt, size_t len, bool to_mesh,
		     uint64_t now_ms)
{
	const uint8_t *node = to_mesh ? pkt + 24 : pkt + 8;
	size_t off;
	int proto;

	if (!a->cfg.enabled)
		return true;
	if (len < 40 || (pkt[0] >> 4) != 6) {
		a->st.dropped_malformed++;
		return false;
	}
	if (admitted(a, node, now_ms)) {
		a->st.passed++;
		return true;
	}
	proto = upper_layer(pkt, len, &off);
	/* ND (RS, RA, NS, NA, redirect) and RPL control: what a node needs to join */
	if (proto == ICMP6 && len > off) {
		uint8_t type = pkt[off];

		if (type >= 133 && type <= 137) {
			a->st.passed_nd++;
			return true;
		}
		if (type == 155) {
			a->st.passed_rpl++;
			return true;
		}
	}
	/* PANA: to the PAA (or a relay) from the node, and back */
	if (proto == UDP && len >= off + 8) {
		uint16_t sport = (uint16_t)(pkt[off] << 8 | pkt[off + 1]);
		uint16_t dport = (uint16_t)(pkt[off + 2] << 8 | pkt[off + 3]);

		if ((to_mesh ? sport : dport) == PANA_PORT) {
			a->st.passed_pana++;
			return true;
		}
	}
	to_mesh ? a->st.dropped_down++ : a->st.dropped_up++;
	return false;
}

void admission_get_stats(const struct admission *a, struct admission_stats *out)
{
	*out = a->st;
}

json_t *admission_status(const struct admission *a)
{
	return json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "enabled",
			 a->cfg.enabled, "nodes", (json_int_t)admission_count(a, clock_ms()),
			 "passed", (json_int_t)a->st.passed, "passed_nd",
			 (json_int_t)a->st.passed_nd, "passed_rpl", (json_int_t)a->st.passed_rpl,
			 "passed_pana", (json_int_t)a->st.passed_pana, "dropped_up",
			 (json_int_t)a->st.dropped_up, "dropped_down",
			 (json_int_t)a->st.dropped_down, "dropped_malformed",
			 (json_int_t)a->st.dropped_malformed, "admits", (json_int_t)a->st.admits,
			 "revokes", (json_int_t)a->st.revokes, "full", (json_int_t)a->st.full);
}

static bool parse_address(const char *text, uint8_t out[16])
{
	return text && inet_pton(AF_INET6, text, out) == 1;
}

void admission_cmd_admit(struct ipc_call *call, json_t *args, struct admission *a)
{
	json_t *nodes = json_object_get(args, "nodes"), *n;
	uint64_t now = clock_ms();
	size_t i, ok = 0;

	json_array_foreach (nodes, i, n) {
		uint8_t addr[16];
		json_t *lt = json_object_get(n, "lifetime");

		if (!parse_address(json_string_value(json_object_get(n, "address")), addr) ||
		    !json_is_integer(lt) || json_integer_value(lt) < 0 ||
		    json_integer_value(lt) > UINT32_MAX) {
			ipc_call_fail(call, IPC_ERR_BAD_ARGS,
				      "nodes[%zu]: wants an IPv6 address and a lifetime in seconds",
				      i);
			return;
		}
	}
	json_array_foreach (nodes, i, n) {
		uint8_t addr[16];

		parse_address(json_string_value(json_object_get(n, "address")), addr);
		ok += admission_admit(a, addr,
				      (uint32_t)json_integer_value(json_object_get(n, "lifetime")),
				      now) == 0;
	}
	ipc_call_reply(call, json_pack("{s:I, s:I}", "admitted", (json_int_t)ok, "refused",
				       (json_int_t)(json_array_size(nodes) - ok)));
}

void admission_cmd_revoke(struct ipc_call *call, json_t *args, struct admission *a)
{
	uint8_t addr[16];

	if (!parse_address(json_string_value(json_object_get(args, "address")), addr)) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "address: an IPv6 address");
		return;
	}
	if (admission_revoke(a, addr) < 0) {
		ipc_call_fail(call, IPC_ERR_NOT_FOUND, "not admitted");
		return;
	}
	ipc_call_reply(call, NULL);
}

void admission_cmd_admitted(struct ipc_call *call, json_t *args, struct admission *a)
{
	uint64_t now = clock_ms();
	size_t n = 0;

	for (size_t i = 0; i < a->nslots; i++) {
		const struct entry *e = &a->slots[i];
		char iid[24];

		if (!e->used || e->expires_ms <= now)
			continue;
		snprintf(iid, sizeof(iid), "%02x%02x:%02x%02x:%02x%02x:%02x%02x", e->iid[0],
			 e->iid[1], e->iid[2], e->iid[3], e->iid[4], e->iid[5], e->iid[6],
			 e->iid[7]);
		ipc_call_record(call, json_pack("{s:s, s:I}", "iid", iid, "expires_in",
						(json_int_t)((e->expires_ms - now + 999) / 1000)));
		n++;
	}
	ipc_call_reply(call, json_pack("{s:I}", "count", (json_int_t)n));
}

const struct ipc_arg admission_admit_args[] = {
	{ "nodes", IPC_ARG_ARRAY, true, "[{\"address\": IPv6, \"lifetime\": seconds}, …]" },
	{ NULL },
};

const struct ipc_arg admission_revoke_args[] = {
	{ "address", IPC_ARG_STRING, true,
	  "an address of the node (its interface identifier counts)", .positional = true },
	{ NULL },
};
