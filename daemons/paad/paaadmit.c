/*
 * paaadmit — admissions pushed to lowpand (see paaadmit.h).
 */
#define LOG_COMPONENT "admission"
#include "paaadmit.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/ipc_peer.h"
#include "common/log.h"

#define BATCH      200 /* nodes per "admit" call: well under the 64 KiB record */
#define TIMEOUT_MS 5000

struct paaadmit {
	struct ipc_peer *peer;
	struct paaserver *srv;
	struct event *timer;
	unsigned resync_s;
	struct paaadmit_stats st;
};

static void on_reply(const struct ipc_response *resp, void *arg)
{
	struct paaadmit *a = arg;

	if (!resp->ok) {
		a->st.failures++;
		log_debug("lowpand did not take it: %s", resp->message);
	}
}

/* {"address", "lifetime"} of @s, or NULL for a PaC lowpand cannot admit (IPv4, expired). */
static json_t *node_json(const struct paaserver_info *s)
{
	char text[INET6_ADDRSTRLEN];
	int64_t left = s->expires - (int64_t)time(NULL);

	if (left <= 0 || IN6_IS_ADDR_V4MAPPED(&s->peer->pac.sin6_addr))
		return NULL;
	inet_ntop(AF_INET6, &s->peer->pac.sin6_addr, text, sizeof(text));
	return json_pack("{s:s, s:I}", "address", text, "lifetime", (json_int_t)left);
}

static void send_admit(struct paaadmit *a, json_t *nodes_take)
{
	if (json_array_size(nodes_take) == 0) {
		json_decref(nodes_take);
		return;
	}
	ipc_peer_call(a->peer, "admit", json_pack("{s:o}", "nodes", nodes_take), TIMEOUT_MS,
		      on_reply, a);
}

void paaadmit_up(struct paaadmit *a, const struct paaserver_info *s)
{
	json_t *n = node_json(s);

	if (!n)
		return;
	a->st.admits++;
	send_admit(a, json_pack("[o]", n));
}

void paaadmit_down(struct paaadmit *a, const struct paaserver_info *s)
{
	char text[INET6_ADDRSTRLEN];

	if (IN6_IS_ADDR_V4MAPPED(&s->peer->pac.sin6_addr))
		return;
	inet_ntop(AF_INET6, &s->peer->pac.sin6_addr, text, sizeof(text));
	a->st.revokes++;
	ipc_peer_call(a->peer, "revoke", json_pack("{s:s}", "address", text), TIMEOUT_MS, on_reply,
		      a);
}

struct batch {
	struct paaadmit *a;
	json_t *nodes;
};

static void collect(const struct paaserver_info *s, void *arg)
{
	struct batch *b = arg;
	json_t *n = strcmp(s->phase, "access") && strcmp(s->phase, "reauth") ? NULL : node_json(s);

	if (!n)
		return;
	json_array_append_new(b->nodes, n);
	if (json_array_size(b->nodes) == BATCH) {
		send_admit(b->a, b->nodes);
		b->nodes = json_array();
	}
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct paaadmit *a = arg;
	struct timeval tv = { a->resync_s, 0 };
	struct batch b = { a, json_array() };

	if (a->srv) {
		a->st.resyncs++;
		paaserver_each(a->srv, collect, &b);
	}
	send_admit(a, b.nodes);
	event_add(a->timer, &tv);
}

struct paaadmit *paaadmit_new(struct event_base *base, const char *socket_path, unsigned resync_s)
{
	struct paaadmit *a = calloc(1, sizeof(*a));
	struct timeval tv = { resync_s, 0 };

	if (!a)
		abort();
	a->peer = ipc_peer_new(base, socket_path);
	a->timer = evtimer_new(base, on_timer, a);
	a->resync_s = resync_s;
	if (!a->peer || !a->timer)
		abort();
	event_add(a->timer, &tv);
	return a;
}

void paaadmit_set_server(struct paaadmit *a, struct paaserver *srv)
{
	struct timeval now = { 0, 0 };

	a->srv = srv;
	/* the sessions resumed from the store go to lowpand at once */
	event_add(a->timer, &now);
}

void paaadmit_free(struct paaadmit *a)
{
	if (!a)
		return;
	event_free(a->timer);
	ipc_peer_free(a->peer);
	free(a);
}

void paaadmit_get_stats(const struct paaadmit *a, struct paaadmit_stats *out)
{
	*out = a->st;
}
