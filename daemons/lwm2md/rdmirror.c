/*
 * lwm2md's clients mirrored into rdd (see rdmirror.h).
 */
#define LOG_COMPONENT "rdmirror"

#include "rdmirror.h"

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "common/ipc_peer.h"
#include "common/log.h"

/* An endpoint name waiting to be sent, or being sent. */
struct pending {
	char *ep;
	bool in_flight;
	bool dirty; /* changed again while in flight: send once more */
	TAILQ_ENTRY(pending) queue;
	struct pending *hash_next;
	struct rdmirror *m;
};

TAILQ_HEAD(pending_queue, pending);

struct rdmirror {
	struct event_base *base;
	struct rdmirror_config cfg;
	char *socket, *sector;
	struct ipc_peer *peer;
	struct clients *clients;
	struct event *pump;         /* sends from the loop, never from inside a hook */
	struct event *retry;        /* armed while rdd is unreachable */
	bool unreachable;           /* sending paused until the retry timer */
	bool outage;                /* rdd has failed since the last success */
	struct pending_queue queue; /* waiting, oldest first */
	struct pending **buckets;
	size_t bucket_count, count;
	unsigned in_flight;
	struct rdmirror_stats stats;
};

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

static size_t hash_name(const char *s)
{
	size_t h = 2166136261u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static struct pending **slot(struct rdmirror *m, const char *ep)
{
	struct pending **p = &m->buckets[hash_name(ep) & (m->bucket_count - 1)];

	while (*p && strcmp((*p)->ep, ep) != 0)
		p = &(*p)->hash_next;
	return p;
}

/* Double the buckets when the chains grow past two on average. */
static void grow(struct rdmirror *m)
{
	size_t n = m->bucket_count * 2;
	struct pending **b = calloc(n, sizeof(*b));

	if (!b)
		abort();
	for (size_t i = 0; i < m->bucket_count; i++) {
		struct pending *p = m->buckets[i], *next;

		for (; p; p = next) {
			next = p->hash_next;
			p->hash_next = b[hash_name(p->ep) & (n - 1)];
			b[hash_name(p->ep) & (n - 1)] = p;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->bucket_count = n;
}

static void drop(struct rdmirror *m, struct pending *p)
{
	*slot(m, p->ep) = p->hash_next;
	m->count--;
	free(p->ep);
	free(p);
}

static void schedule(struct rdmirror *m)
{
	if (m->clients && !m->unreachable && !TAILQ_EMPTY(&m->queue))
		event_active(m->pump, 0, 0);
}

static void on_reply(const struct ipc_response *resp, void *arg);

/* "coap://[2001:db8::1]:5683" for @c, after its transport. */
static void base_uri(const struct client *c, char *buf, size_t size)
{
	static const struct {
		const char *transport, *scheme;
	} schemes[] = {
		{ "udp", "coap" },
		{ "dtls", "coaps" },
		{ "tcp", "coap+tcp" },
		{ "tls", "coaps+tcp" },
	};
	const char *scheme = "coap";
	char addr[80];

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strcmp(c->transport, schemes[i].transport) == 0)
			scheme = schemes[i].scheme;
	clients_format_address(c, addr, sizeof(addr));
	snprintf(buf, size, "%s://%s", scheme, addr);
}

/* What rdd should hold for @ep now: a registration, or none. */
static json_t *request_for(struct rdmirror *m, const char *ep, const char **cmd)
{
	struct client *c = clients_find_ep(m->clients, ep);
	int64_t left;
	char base[128];

	if (!c) {
		*cmd = "remove";
		return json_pack("{s:s, s:s, s:s}", "ep", ep, "d", m->sector, "et", RDMIRROR_ET);
	}
	*cmd = "register";
	base_uri(c, base, sizeof(base));
	/* the time the registration has left, so a restart of either daemon does not extend it */
	left = (c->expires - clients_now_ms() + 999) / 1000;
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "ep", ep, "d", m->sector, "base", base,
			 "lt", (json_int_t)(left < 1 ? 1 : left), "et", RDMIRROR_ET, "links",
			 c->links);
}

static void send_one(struct rdmirror *m, struct pending *p)
{
	const char *cmd;
	json_t *args = request_for(m, p->ep, &cmd);

	p->in_flight = true;
	m->in_flight++;
	if (ipc_peer_call(m->peer, cmd, args, m->cfg.timeout_ms, on_reply, p) < 0) {
		log_warnx("ep=%s is not mirrored in rdd: its links are over 64 KiB", p->ep);
		m->stats.failed++;
		m->in_flight--;
		drop(m, p);
	}
}

static void on_pump(evutil_socket_t fd, short what, void *arg)
{
	struct rdmirror *m = arg;
	struct pending *p;

	(void)fd;
	(void)what;
	while (!m->unreachable && m->in_flight < m->cfg.in_flight &&
	       (p = TAILQ_FIRST(&m->queue)) != NULL) {
		TAILQ_REMOVE(&m->queue, p, queue);
		send_one(m, p);
	}
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct rdmirror *m = arg;

	(void)fd;
	(void)what;
	m->unreachable = false;
	schedule(m);
}

static void became_unreachable(struct rdmirror *m, const struct ipc_response *resp)
{
	struct timeval tv = { RDMIRROR_RETRY_MS / 1000, (RDMIRROR_RETRY_MS % 1000) * 1000 };

	if (!m->outage) /* once per outage, not once per retry */
		log_warnx("rdd not reachable at %s (%s); %zu endpoint(s) wait to be mirrored",
			  m->socket, resp->message ? resp->message : ipc_error_name(resp->code),
			  m->count);
	m->outage = true;
	m->stats.connected = false;
	m->stats.unreachable++;
	m->unreachable = true;
	if (!event_pending(m->retry, EV_TIMEOUT, NULL))
		evtimer_add(m->retry, &tv);
}

static void on_reply(const struct ipc_response *resp, void *arg)
{
	struct pending *p = arg;
	struct rdmirror *m = p->m;
	bool gone_already = !resp->ok && resp->code == IPC_ERR_NOT_FOUND;

	p->in_flight = false;
	m->in_flight--;
	if (!resp->ok && (resp->code == IPC_ERR_UNAVAILABLE || resp->code == IPC_ERR_TIMEOUT)) {
		TAILQ_INSERT_HEAD(&m->queue, p, queue); /* keep its turn */
		became_unreachable(m, resp);
		return;
	}
	if (resp->ok || gone_already) {
		if (!m->stats.connected)
			log_info("%s to rdd at %s sector=\"%s\"",
				 m->outage ? "mirroring resumed" : "mirroring", m->socket,
				 m->sector);
		m->stats.connected = true;
		m->outage = false;
		m->stats.sent++;
	} else {
		log_warnx("rdd refused the mirror of ep=%s: %s", p->ep,
			  resp->message ? resp->message : ipc_error_name(resp->code));
		m->stats.failed++;
	}
	if (p->dirty) {
		p->dirty = false;
		TAILQ_INSERT_TAIL(&m->queue, p, queue);
	} else {
		drop(m, p);
	}
	schedule(m);
}

struct rdmirror *rdmirror_new(struct event_base *base, const struct rdmirror_config *cfg)
{
	struct rdmirror *m = calloc(1, sizeof(*m));

	if (!m)
		abort();
	m->base = base;
	m->cfg = *cfg;
	m->socket = xstrdup(cfg->socket);
	m->sector = xstrdup(cfg->sector ? cfg->sector : "");
	if (m->cfg.in_flight == 0)
		m->cfg.in_flight = 1;
	m->peer = ipc_peer_new(base, m->socket);
	m->pump = event_new(base, -1, 0, on_pump, m);
	m->retry = evtimer_new(base, on_retry, m);
	m->bucket_count = 64;
	m->buckets = calloc(m->bucket_count, sizeof(*m->buckets));
	if (!m->peer || !m->pump || !m->retry || !m->buckets)
		abort();
	TAILQ_INIT(&m->queue);
	return m;
}

void rdmirror_free(struct rdmirror *m)
{
	if (!m)
		return;
	ipc_peer_free(m->peer); /* its pending callbacks are not called */
	for (size_t i = 0; i < m->bucket_count; i++) {
		struct pending *p = m->buckets[i], *next;

		for (; p; p = next) {
			next = p->hash_next;
			free(p->ep);
			free(p);
		}
	}
	free(m->buckets);
	event_free(m->pump);
	event_free(m->retry);
	free(m->socket);
	free(m->sector);
	free(m);
}

void rdmirror_attach(struct rdmirror *m, struct clients *clients)
{
	m->clients = clients;
	schedule(m);
}

void rdmirror_changed(struct rdmirror *m, const char *ep)
{
	struct pending **s = slot(m, ep), *p = *s;

	if (p) {
		if (p->in_flight)
			p->dirty = true;
		return; /* queued: it is sent as it is then */
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		abort();
	p->ep = xstrdup(ep);
	p->m = m;
	*s = p;
	TAILQ_INSERT_TAIL(&m->queue, p, queue);
	if (++m->count > 2 * m->bucket_count)
		grow(m);
	schedule(m);
}

void rdmirror_get_stats(const struct rdmirror *m, struct rdmirror_stats *out)
{
	*out = m->stats;
	out->pending = m->count;
	out->connected = m->stats.connected && !m->unreachable;
}
