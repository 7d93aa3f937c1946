/* nodepana — a simulated node's PANA client (see nodepana.h). */
#include "nodepana.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include "lowpan/checksum.h"
#include "nodepriv.h"
#include "pac.h"
#include "simev.h"

struct nodepana {
	struct pac pac; /* first: the pac's callbacks find us from it */
	struct node *node;
	uint8_t paa[16];
	struct event *timer;
};

/* PANA out: the node's IPv6/UDP packet, port 716 to 716, through the mesh. */
static void xmit(struct pac *c, const uint8_t *buf, size_t len)
{
	struct nodepana *p = (struct nodepana *)c;
	uint8_t out[PKT_MAX];
	size_t ulen = 8 + len;

	if (40 + ulen > sizeof(out))
		return;
	memset(out, 0, 48);
	out[0] = 0x60;
	out[4] = (uint8_t)(ulen >> 8);
	out[5] = (uint8_t)ulen;
	out[6] = 17;
	out[7] = 64;
	memcpy(out + 8, p->node->global, 16);
	memcpy(out + 24, p->paa, 16);
	out[40] = out[42] = NODEPANA_PORT >> 8;
	out[41] = out[43] = NODEPANA_PORT & 0xff;
	out[44] = (uint8_t)(ulen >> 8);
	out[45] = (uint8_t)ulen;
	memcpy(out + 48, buf, len);
	lowpan_checksum_set_udp6(out, 40 + ulen, 0, 40);
	node_send_ip(p->node, out, 40 + ulen);
}

static void on_event(struct pac *c, const char *name)
{
	struct nodepana *p = (struct nodepana *)c;

	simev_emit(json_pack("{s:s, s:s, s:s, s:I, s:I}", "event", "pana", "node", p->node->name,
			     "state", name, "session", (json_int_t)c->session_id, "key_id",
			     (json_int_t)c->key_id));
}

/* The pac's retransmission deadline as a libevent timer. */
static void rearm(struct nodepana *p)
{
	uint64_t now = pac_now_ms(), at = p->pac.deadline;
	struct timeval tv = { 0, 0 };

	event_del(p->timer);
	if (!p->pac.req_len || p->pac.done)
		return;
	if (at > now) {
		tv.tv_sec = (time_t)((at - now) / 1000);
		tv.tv_usec = (suseconds_t)((at - now) % 1000) * 1000;
	}
	event_add(p->timer, &tv);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct nodepana *p = arg;

	if (!pac_retransmit(&p->pac)) {
		on_event(&p->pac, "timeout");
		p->pac.done = true;
		return;
	}
	rearm(p);
}

struct nodepana *nodepana_new(struct node *n, const uint8_t paa[16], const char *identity,
			      const uint8_t psk[16])
{
	struct nodepana *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->node = n;
	memcpy(p->paa, paa, 16);
	p->pac.fd = -1;
	p->pac.xmit = xmit;
	p->pac.on_event = on_event;
	p->pac.irt_ms = 1000;
	p->pac.mrc = 10;
	p->timer = evtimer_new(n->base, on_timer, p);
	if (!p->timer || eap_psk_peer_init(&p->pac.eap, identity, psk) < 0) {
		nodepana_free(p);
		return NULL;
	}
	pac_start(&p->pac);
	rearm(p);
	return p;
}

void nodepana_free(struct nodepana *p)
{
	if (!p)
		return;
	if (p->timer)
		event_free(p->timer);
	eap_psk_clear(&p->pac.eap);
	free(p);
}

void nodepana_input(struct nodepana *p, const uint8_t *pkt, size_t len, size_t off)
{
	if (memcmp(pkt + 8, p->paa, 16) != 0 || len < off + 8)
		return;
	pac_input(&p->pac, pkt + off + 8, len - off - 8);
	rearm(p);
}

void nodepana_terminate(struct nodepana *p)
{
	if (!p->pac.authenticated || p->pac.done)
		return;
	pac_terminate(&p->pac);
	rearm(p);
}
