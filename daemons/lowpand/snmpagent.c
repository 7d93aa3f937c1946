/*
 * AgentX subagent (see snmpagent.h).
 *
 * Why hand-written rather than net-snmp's agent library: linking
 * libnetsnmpagent + libnetsnmp maps libperl, libkrb5, libcrypto and more
 * into lowpand whether or not `[snmp] agentx` is on: its idle VmRSS
 * (`meson test -C build --benchmark idle_rss`, Debian bookworm, x86-64)
 * was 7868 kB with them and 4172 kB without, before the HTTP API came
 * (7996 kB and about 6100-6250 kB with it), and every daemon must idle
 * under 6 MB.  A
 * subagent serving 22 read-only scalars needs a small part of RFC 2741:
 * Open, Register one subtree, answer Get/GetNext/GetBulk, refuse sets,
 * Ping, Close.  The PDUs are lib/lowpan/agentx (a pure codec, unit-tested
 * and fuzzed); this file is the I/O on lowpand's loop: one stream
 * (bufferevent) to the master's socket, a timer for pings and reconnects.
 */
#define LOG_COMPONENT "snmp"

#include "snmpagent.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/util.h>

#include "common/log.h"
#include "lowpan/agentx.h"

#define DESCR         "lowpand LOWPAN-MIB (RFC 7388) subagent"
#define PRIORITY      127 /* RFC 2741 §6.2.3: the default */
#define STATS_LEN     9   /* sub-identifiers of LOWPAN_MIB_STATS_OID */
#define VARBIND_MAX   (8 + 4 + 4 * LOWPAN_AGENTX_OID_MAX + 8)
#define BULK_BUDGET   65536 /* octets of GetBulk repetitions beyond the first */
#define RETRY_FIRST_S 1

enum state { IDLE, CONNECTING, OPENING, REGISTERING, REGISTERED };

struct object {
	uint32_t sub; /* lowpanStats.<sub>.0 */
	size_t field; /* index in lowpan_mib_fields(); SIZE_MAX: lowpanReasmTimeout */
};

struct snmpagent {
	struct event_base *base;
	struct snmpagent_cfg cfg;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	struct bufferevent *bev;
	struct event *timer; /* reconnect when IDLE, else ping/timeout tick */
	enum state state;
	uint32_t session_id;
	uint32_t packet_id;     /* of our last request */
	unsigned waiting_ticks; /* ticks since our last request went unanswered; 0: none */
	unsigned retry_s;       /* next reconnection delay */
	struct object *objects; /* sorted by sub */
	size_t n_objects;
};

static void on_timer(evutil_socket_t fd, short what, void *arg);

/* net-snmp's agentXSocket forms: /path, unix:/path, tcp:host:port (host numeric or localhost) */
static int parse_socket(struct snmpagent *a, const char *s)
{
	if (strncmp(s, "unix:", 5) == 0)
		s += 5;
	if (s[0] == '/') {
		struct sockaddr_un *un = (struct sockaddr_un *)&a->addr;

		if (strlen(s) >= sizeof(un->sun_path))
			return -ENAMETOOLONG;
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, s);
		a->addr_len = sizeof(*un);
		return 0;
	}
	if (strncmp(s, "tcp:", 4) == 0) {
		char hp[128];
		int len = (int)sizeof(a->addr);

		s += 4;
		if (strncmp(s, "localhost:", 10) == 0)
			snprintf(hp, sizeof(hp), "127.0.0.1:%s", s + 10);
		else
			snprintf(hp, sizeof(hp), "%s", s);
		if (evutil_parse_sockaddr_port(hp, (struct sockaddr *)&a->addr, &len) < 0)
			return -EINVAL;
		a->addr_len = (socklen_t)len;
		return 0;
	}
	return -EINVAL;
}

static void schedule(struct snmpagent *a, unsigned s)
{
	struct timeval tv = { (time_t)s, 0 };

	evtimer_add(a->timer, &tv);
}

static void disconnect(struct snmpagent *a, const char *why)
{
	if (a->bev)
		bufferevent_free(a->bev);
	a->bev = NULL;
	if (a->state == REGISTERED)
		log_warnx("agentx master gone: %s; reconnecting socket=%s", why, a->cfg.socket);
	else
		log_warnx("agentx master not reachable: %s; retry in %us socket=%s", why,
			  a->retry_s, a->cfg.socket);
	a->state = IDLE;
	a->waiting_ticks = 0;
	schedule(a, a->retry_s);
	/* back-off: 1 s, 2 s, 4 s, … up to agentx_ping */
	a->retry_s = a->retry_s * 2 > a->cfg.ping_s ? a->cfg.ping_s : a->retry_s * 2;
}

static void send_pdu(struct snmpagent *a, const uint8_t *p, int n)
{
	if (n < 0) /* our own PDUs are small: a bug */
		abort();
	bufferevent_write(a->bev, p, (size_t)n);
}

static struct lowpan_agentx_hdr our_hdr(struct snmpagent *a)
{
	a->packet_id++;
	a->waiting_ticks = 1;
	return (struct lowpan_agentx_hdr){ .flags = LOWPAN_AGENTX_F_NETWORK_BYTE_ORDER,
					   .session_id = a->session_id,
					   .packet_id = a->packet_id };
}

static void stats_oid(struct lowpan_agentx_oid *o)
{
	static const uint32_t stats[] = { LOWPAN_MIB_STATS_OID };

	lowpan_agentx_oid_set(o, stats, STATS_LEN);
}

static void instance_oid(const struct object *obj, struct lowpan_agentx_oid *o)
{
	stats_oid(o);
	o->sub[STATS_LEN] = obj->sub;
	o->sub[STATS_LEN + 1] = 0;
	o->n = STATS_LEN + 2;
}

static void value(const struct snmpagent *a, const struct object *obj,
		  struct lowpan_agentx_varbind *vb)
{
	if (obj->field == SIZE_MAX) {
		vb->type = LOWPAN_AGENTX_GAUGE32; /* Unsigned32 */
		vb->num = a->cfg.reasm_timeout_s;
	} else { /* Counter32 (RFC 2578 §7.1.6): the low 32 bits wrap as the counter does */
		vb->type = LOWPAN_AGENTX_COUNTER32;
		vb->num = (uint32_t)lowpan_mib_get(a->cfg.mib, obj->field);
	}
}

/* Get: the instance named by @name, or which exception. */
static void get_one(const struct snmpagent *a, const struct lowpan_agentx_oid *name,
		    struct lowpan_agentx_varbind *vb)
{
	struct lowpan_agentx_oid stats;

	vb->name = *name;
	vb->name.include = false;
	vb->type = LOWPAN_AGENTX_NOSUCHOBJECT;
	stats_oid(&stats);
	if (name->n <= STATS_LEN || memcmp(name->sub, stats.sub, STATS_LEN * sizeof(uint32_t)))
		return;
	for (size_t i = 0; i < a->n_objects; i++) {
		if (a->objects[i].sub != name->sub[STATS_LEN])
			continue;
		if (name->n == STATS_LEN + 2 && name->sub[STATS_LEN + 1] == 0)
			value(a, &a->objects[i], vb);
		else
			vb->type = LOWPAN_AGENTX_NOSUCHINSTANCE;
		return;
	}
}

/* GetNext: the first instance in @r, or endOfMibView named after its start. */
static void next_one(const struct snmpagent *a, const struct lowpan_agentx_range *r,
		     struct lowpan_agentx_varbind *vb)
{
	for (size_t i = 0; i < a->n_objects; i++) {
		struct lowpan_agentx_oid o;
		int c;

		instance_oid(&a->objects[i], &o);
		c = lowpan_agentx_oid_cmp(&o, &r->start);
		if (c < 0 || (c == 0 && !r->start.include))
			continue;
		if (r->end.n > 0 && lowpan_agentx_oid_cmp(&o, &r->end) >= 0)
			break;
		vb->name = o;
		value(a, &a->objects[i], vb);
		return;
	}
	vb->name = r->start;
	vb->name.include = false;
	vb->type = LOWPAN_AGENTX_ENDOFMIBVIEW;
}

static void answer_get(struct snmpagent *a, const struct lowpan_agentx_pdu *pdu,
		       struct lowpan_agentx_writer *w)
{
	struct lowpan_agentx_range r;
	struct lowpan_agentx_varbind vb;
	size_t off = 0;

	while (lowpan_agentx_next_range(pdu, &off, &r) == 0) {
		if (pdu->h.type == LOWPAN_AGENTX_GET)
			get_one(a, &r.start, &vb);
		else
			next_one(a, &r, &vb);
		lowpan_agentx_put_varbind(w, &vb);
	}
}

/*
 * RFC 2741 §7.2.3.3: the non-repeaters once, then rounds of the
 * repeaters, each continuing after the previous round's name; rounds stop
 * at max_repetitions or when another would not fit (a shorter answer is
 * allowed), not when every repeater reached endOfMibView.
 */
static void answer_bulk(struct snmpagent *a, const struct lowpan_agentx_pdu *pdu,
			struct lowpan_agentx_writer *w)
{
	struct lowpan_agentx_range r;
	struct lowpan_agentx_varbind vb;
	size_t off = 0, n = 0, rep_off, n_rep;

	while (n < pdu->non_repeaters && lowpan_agentx_next_range(pdu, &off, &r) == 0) {
		next_one(a, &r, &vb);
		lowpan_agentx_put_varbind(w, &vb);
		n++;
	}
	rep_off = off;
	n_rep = pdu->n_items - n;
	if (n_rep == 0)
		return;
	struct lowpan_agentx_range *ranges = calloc(n_rep, sizeof(*ranges));
	if (!ranges)
		abort();
	for (size_t i = 0; i < n_rep && lowpan_agentx_next_range(pdu, &rep_off, &ranges[i]) == 0;
	     i++)
		;
	for (unsigned round = 0; round < pdu->max_repetitions; round++) {
		if (round > 0 && (w->cap - w->len) / VARBIND_MAX < n_rep)
			break;
		for (size_t i = 0; i < n_rep; i++) {
			next_one(a, &ranges[i], &vb);
			lowpan_agentx_put_varbind(w, &vb);
			if (vb.type != LOWPAN_AGENTX_ENDOFMIBVIEW) {
				ranges[i].start = vb.name;
				ranges[i].start.include = false;
			}
		}
	}
	free(ranges);
}

static void answer(struct snmpagent *a, const struct lowpan_agentx_pdu *pdu)
{
	struct lowpan_agentx_hdr h = pdu->h;
	struct lowpan_agentx_writer w;
	/* bounds: an answer's VarBind is at most its SearchRange plus 48 octets */
	size_t cap = LOWPAN_AGENTX_HDR_LEN + 8 + pdu->h.payload_len + pdu->n_items * 48 +
		     (pdu->h.type == LOWPAN_AGENTX_GETBULK ? BULK_BUDGET : 0);
	uint8_t *buf = malloc(cap);
	int n;

	if (!buf)
		abort();
	h.type = LOWPAN_AGENTX_RESPONSE;
	h.flags &= LOWPAN_AGENTX_F_NETWORK_BYTE_ORDER; /* the request's byte order */
	lowpan_agentx_begin(&w, buf, cap, &h);
	switch (pdu->h.type) {
	case LOWPAN_AGENTX_GET:
	case LOWPAN_AGENTX_GETNEXT:
		lowpan_agentx_put_response(&w, 0, LOWPAN_AGENTX_NOERROR, 0);
		answer_get(a, pdu, &w);
		break;
	case LOWPAN_AGENTX_GETBULK:
		lowpan_agentx_put_response(&w, 0, LOWPAN_AGENTX_NOERROR, 0);
		answer_bulk(a, pdu, &w);
		break;
	case LOWPAN_AGENTX_TESTSET: /* read-only objects: the first VarBind fails */
	case LOWPAN_AGENTX_COMMITSET:
		lowpan_agentx_put_response(&w, 0, LOWPAN_AGENTX_NOTWRITABLE, 1);
		break;
	default: /* UndoSet */
		lowpan_agentx_put_response(&w, 0, LOWPAN_AGENTX_NOERROR, 0);
		break;
	}
	n = lowpan_agentx_finish(&w);
	if (n < 0)
		log_warnx("agentx answer did not fit type=%u packet=%u", pdu->h.type,
			  pdu->h.packet_id);
	else
		send_pdu(a, buf, n);
	free(buf);
}

static void on_response(struct snmpagent *a, const struct lowpan_agentx_pdu *pdu)
{
	uint8_t buf[128];
	struct lowpan_agentx_hdr h;
	struct lowpan_agentx_oid subtree;

	if (pdu->h.packet_id != a->packet_id || !a->waiting_ticks) {
		log_debug("agentx response to no request packet=%u", pdu->h.packet_id);
		return;
	}
	a->waiting_ticks = 0;
	switch (a->state) {
	case OPENING:
		if (pdu->error != LOWPAN_AGENTX_NOERROR) {
			log_warnx("agentx master refused Open error=%u", pdu->error);
			disconnect(a, "open refused");
			return;
		}
		a->session_id = pdu->h.session_id;
		a->state = REGISTERING;
		stats_oid(&subtree);
		h = our_hdr(a);
		send_pdu(a, buf,
			 lowpan_agentx_build_register(buf, sizeof(buf), &h, 0, PRIORITY, &subtree));
		break;
	case REGISTERING:
		if (pdu->error != LOWPAN_AGENTX_NOERROR) {
			log_warnx("agentx master refused to register lowpanStats error=%u%s",
				  pdu->error,
				  pdu->error == LOWPAN_AGENTX_DUPLICATEREG ? " (another lowpand?)"
									   : "");
			disconnect(a, "register refused");
			return;
		}
		a->state = REGISTERED;
		a->retry_s = RETRY_FIRST_S;
		log_info("agentx registered lowpanStats session=%u socket=%s objects=%zu",
			 a->session_id, a->cfg.socket, a->n_objects);
		break;
	case REGISTERED: /* a Ping's */
		if (pdu->error != LOWPAN_AGENTX_NOERROR)
			disconnect(a, "ping refused");
		break;
	default:
		break;
	}
}

/* One PDU from the master; false when the session is over. */
static bool on_pdu(struct snmpagent *a, const struct lowpan_agentx_pdu *pdu)
{
	switch (pdu->h.type) {
	case LOWPAN_AGENTX_RESPONSE:
		on_response(a, pdu);
		return a->bev != NULL;
	case LOWPAN_AGENTX_GET:
	case LOWPAN_AGENTX_GETNEXT:
	case LOWPAN_AGENTX_GETBULK:
	case LOWPAN_AGENTX_TESTSET:
	case LOWPAN_AGENTX_COMMITSET:
	case LOWPAN_AGENTX_UNDOSET:
		answer(a, pdu);
		return true;
	case LOWPAN_AGENTX_CLEANUPSET: /* §7.2.4.4: no response */
		return true;
	case LOWPAN_AGENTX_CLOSE:
		disconnect(a, "closed by the master");
		return false;
	default:
		log_debug("agentx ignored type=%u", pdu->h.type);
		return true;
	}
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct snmpagent *a = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	for (;;) {
		uint8_t hb[LOWPAN_AGENTX_HDR_LEN];
		struct lowpan_agentx_hdr h;
		struct lowpan_agentx_pdu pdu;
		size_t total;
		int err;

		if (evbuffer_copyout(in, hb, sizeof(hb)) < (ev_ssize_t)sizeof(hb))
			return;
		err = lowpan_agentx_hdr_parse(hb, sizeof(hb), &h);
		if (err < 0) {
			log_warnx("agentx bad header from the master: %s", strerror(-err));
			disconnect(a, "protocol error");
			return;
		}
		total = LOWPAN_AGENTX_HDR_LEN + (size_t)h.payload_len;
		if (evbuffer_get_length(in) < total)
			return;
		err = lowpan_agentx_pdu_parse(evbuffer_pullup(in, (ev_ssize_t)total), total, &pdu);
		if (err < 0) {
			/* §7.1.1 wants a parseError Response; the stream is lost either way */
			log_warnx("agentx bad PDU from the master type=%u: %s", h.type,
				  strerror(-err));
			disconnect(a, "protocol error");
			return;
		}
		if (!on_pdu(a, &pdu))
			return;
		evbuffer_drain(in, total);
	}
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct snmpagent *a = arg;
	uint8_t buf[128];
	struct lowpan_agentx_hdr h;
	struct lowpan_agentx_oid none = { .n = 0 };

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		a->state = OPENING;
		a->session_id = 0;
		h = our_hdr(a);
		send_pdu(a, buf, lowpan_agentx_build_open(buf, sizeof(buf), &h, 0, &none, DESCR));
		schedule(a, a->cfg.ping_s);
		return;
	}
	if (what & BEV_EVENT_EOF)
		disconnect(a, "connection closed");
	else if (what & BEV_EVENT_ERROR)
		disconnect(a, strerror(EVUTIL_SOCKET_ERROR()));
}

static void connect_master(struct snmpagent *a)
{
	a->bev = bufferevent_socket_new(a->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (!a->bev)
		abort();
	bufferevent_setcb(a->bev, on_read, NULL, on_event, a);
	bufferevent_enable(a->bev, EV_READ);
	a->state = CONNECTING;
	schedule(a, a->cfg.ping_s); /* a connection still pending then has failed */
	/* a failure may already have been reported through on_event() */
	if (bufferevent_socket_connect(a->bev, (struct sockaddr *)&a->addr, (int)a->addr_len) < 0 &&
	    a->state == CONNECTING)
		disconnect(a, strerror(errno));
}

/* IDLE: reconnect.  Otherwise every agentx_ping s: time out what went unanswered, or Ping. */
static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct snmpagent *a = arg;
	uint8_t buf[LOWPAN_AGENTX_HDR_LEN];
	struct lowpan_agentx_hdr h;

	(void)fd;
	(void)what;
	if (a->state == IDLE) {
		connect_master(a);
		return;
	}
	if (a->state == CONNECTING || (a->waiting_ticks && ++a->waiting_ticks > 2)) {
		disconnect(a, "no answer");
		return;
	}
	if (a->state == REGISTERED && !a->waiting_ticks) {
		h = our_hdr(a);
		send_pdu(a, buf, lowpan_agentx_build_ping(buf, sizeof(buf), &h));
	}
	schedule(a, a->cfg.ping_s);
}

static int cmp_object(const void *x, const void *y)
{
	const struct object *a = x, *b = y;

	return a->sub < b->sub ? -1 : a->sub > b->sub;
}

struct snmpagent *snmpagent_new(struct event_base *base, const struct snmpagent_cfg *cfg)
{
	struct snmpagent *a = calloc(1, sizeof(*a));
	size_t n;
	const struct lowpan_mib_field *f = lowpan_mib_fields(&n);
	int err;

	if (!a)
		abort();
	a->base = base;
	a->cfg = *cfg;
	a->retry_s = RETRY_FIRST_S;
	err = parse_socket(a, cfg->socket);
	if (err < 0) {
		log_error("agentx_socket=%s: not a path, unix:path or tcp:address:port (%s)",
			  cfg->socket, strerror(-err));
		free(a);
		return NULL;
	}
	/* lowpanStatsGroup: lowpanReasmTimeout, then every counter with an OID */
	a->objects = calloc(n + 1, sizeof(*a->objects));
	a->timer = evtimer_new(base, on_timer, a);
	if (!a->objects || !a->timer)
		abort();
	a->objects[a->n_objects++] = (struct object){ LOWPAN_MIB_REASM_TIMEOUT_OID, SIZE_MAX };
	for (size_t i = 0; i < n; i++)
		if (f[i].oid)
			a->objects[a->n_objects++] = (struct object){ f[i].oid, i };
	qsort(a->objects, a->n_objects, sizeof(*a->objects), cmp_object);
	log_info("agentx subagent socket=%s objects=%zu", cfg->socket, a->n_objects);
	connect_master(a);
	return a;
}

void snmpagent_free(struct snmpagent *a)
{
	if (!a)
		return;
	if (a->bev && a->state >= REGISTERING) {
		/* Close (§6.2.2), written now: the loop will not run again for us */
		uint8_t buf[LOWPAN_AGENTX_HDR_LEN + 4];
		struct lowpan_agentx_hdr h = our_hdr(a);
		int n = lowpan_agentx_build_close(buf, sizeof(buf), &h,
						  LOWPAN_AGENTX_CLOSE_SHUTDOWN);

		struct evbuffer *out = bufferevent_get_output(a->bev);

		send_pdu(a, buf, n);
		/* a socket bufferevent freezes its output's start: only it drains it */
		evbuffer_unfreeze(out, 1);
		evbuffer_write(out, bufferevent_getfd(a->bev));
	}
	if (a->bev)
		bufferevent_free(a->bev);
	event_free(a->timer);
	free(a->objects);
	free(a);
}
