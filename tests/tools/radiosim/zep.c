/* The ZEP socket, the stations behind it and their paced queues. */
#include "zep.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lowpan/error.h"
#include "lowpan/frame.h"
#include "lowpan/zep.h"
#include "simev.h"

struct queued {
	size_t len;
	uint8_t frame[LOWPAN_FRAME_MAX];
};

struct zstation {
	struct zep *z;
	struct event *ack_timer;
	uint8_t ack_seq;
	int station;
	bool bound;
	struct sockaddr_in6 peer;
	struct event *pacer;
	uint64_t next_us; /* the next frame toward it goes out no earlier */
	struct queued q[ZEP_QUEUE_MAX];
	unsigned head, count;
	uint64_t rx, tx, acks, fcs_errors, queue_drops, node_acks;
};

struct zep {
	struct air *air;
	const struct topo *t;
	struct pcapw *pcap;
	zep_channel_fn channel;
	void *arg;
	int fd;
	uint16_t port;
	struct event *rd;
	uint32_t seq;
	struct zstation st[TOPO_MAX_STATIONS];
	/* packets that reached no station: unknown sender, not ZEP, other
	 * channel, or a type without a frame (RIOT's HELLO) */
	uint64_t unknown, malformed, other_channel, no_frame;
};

static void send_frame(struct zstation *s, const uint8_t *frame, size_t len)
{
	struct zep *z = s->z;
	uint8_t pkt[LOWPAN_ZEP_V2_HDR + LOWPAN_FRAME_MAX];
	int n = lowpan_zep_build_data(frame, len, z->channel(z->arg), z->seq++, pkt, sizeof(pkt));

	/* a full socket buffer is a frame lost in the air: the MACs retry */
	if (n > 0 &&
	    sendto(z->fd, pkt, (size_t)n, 0, (struct sockaddr *)&s->peer, sizeof(s->peer)) == n)
		s->tx++;
}

static void arm(struct zstation *s)
{
	uint64_t now = air_now_us(), wait = s->next_us > now ? s->next_us - now : 0;
	struct timeval tv = { (time_t)(wait / 1000000), (suseconds_t)(wait % 1000000) };

	evtimer_add(s->pacer, &tv);
}

static void on_pacer(evutil_socket_t fd, short what, void *arg)
{
	struct zstation *s = arg;
	struct queued *q;

	if (!s->count)
		return;
	if (air_now_us() < s->next_us) { /* the node sent, or was ACKed, since */
		arm(s);
		return;
	}
	q = &s->q[s->head];
	send_frame(s, q->frame, q->len);
	s->head = (s->head + 1) % ZEP_QUEUE_MAX;
	s->count--;
	s->next_us = air_now_us() + ZEP_SPACING_US;
	if (s->count)
		arm(s);
}

void zep_deliver(struct zep *z, int station, const uint8_t *frame, size_t len)
{
	struct zstation *s = &z->st[station];
	struct queued *q;

	if (!s->bound || len > LOWPAN_FRAME_MAX - 2)
		return;
	if (s->count == ZEP_QUEUE_MAX) {
		s->queue_drops++;
		return;
	}
	q = &s->q[(s->head + s->count++) % ZEP_QUEUE_MAX];
	memcpy(q->frame, frame, len);
	q->len = len;
	if (!evtimer_pending(s->pacer, NULL))
		arm(s);
}

bool zep_present(const struct zep *z, int station)
{
	return z->st[station].bound;
}

static bool same_peer(const struct sockaddr_in6 *a, const struct sockaddr_in6 *b)
{
	return a->sin6_port == b->sin6_port && memcmp(&a->sin6_addr, &b->sin6_addr, 16) == 0;
}

/* The station whose frames come from @peer, or the [zep] station whose
 * EUI-64 is the frame's source (then bound to @peer: a restarted node
 * comes back from another port); NULL if none. */
static struct zstation *place(struct zep *z, const struct sockaddr_in6 *peer,
			      const struct lowpan_frame *f)
{
	for (size_t i = 1; i < z->t->n; i++) {
		struct zstation *s = &z->st[i];

		if (s->bound && same_peer(&s->peer, peer))
			return s;
	}
	if (f->src.mode != LOWPAN_ADDR_EXT)
		return NULL;
	for (size_t i = 1; i < z->t->n; i++) {
		struct zstation *s = &z->st[i];

		if (!z->t->st[i].zep || memcmp(z->t->st[i].eui64, f->src.a, 8) != 0)
			continue;
		s->peer = *peer;
		s->bound = true;
		simev_emit(json_pack("{s:s, s:s, s:i}", "event", "zep-attached", "node",
				     z->t->st[i].name, "port", ntohs(peer->sin6_port)));
		return s;
	}
	return NULL;
}

/*
 * The node's MAC is busy from a frame it sends until the ACK for it is
 * dispatched: what we send toward it waits a full spacing from then too.
 */
static void busy(struct zstation *s)
{
	uint64_t until = air_now_us() + ZEP_SPACING_US;

	if (until > s->next_us)
		s->next_us = until;
}

/* The ACK a radio's hardware would send (aTurnaroundTime after the frame). */
static void on_ack(evutil_socket_t fd, short what, void *arg)
{
	struct zstation *s = arg;
	const uint8_t ack[3] = { LOWPAN_FRAME_ACK, 0x00, s->ack_seq };

	send_frame(s, ack, sizeof(ack));
	busy(s);
	s->acks++;
	if (s->z->pcap)
		pcapw_write(s->z->pcap, ack, sizeof(ack));
}

/*
 * RIOT native's sub-MAC waits for an ACK only once it has handled the end
 * of its transmission: one that comes before is not taken as the ACK and
 * the frame is sent again.  So the ACK leaves ZEP_ACK_DELAY_US after the
 * frame came, well inside RIOT's 864 µs (a precise timer: the event base
 * is made with EVENT_BASE_FLAG_PRECISE_TIMER).
 */
static void schedule_ack(struct zstation *s, uint8_t seq)
{
	struct timeval tv = { 0, ZEP_ACK_DELAY_US };

	s->ack_seq = seq;
	evtimer_add(s->ack_timer, &tv);
}

static void packet(struct zep *z, const uint8_t *buf, size_t len, const struct sockaddr_in6 *peer)
{
	struct lowpan_zep zp;
	struct lowpan_frame f;
	struct zstation *s;
	int rc = lowpan_zep_parse(buf, len, &zp);

	if (rc == LOWPAN_ERR_FCS) {
		/* a corrupt frame's source address proves nothing: count it by sender */
		for (size_t i = 1; i < z->t->n; i++)
			if (z->st[i].bound && same_peer(&z->st[i].peer, peer))
				z->st[i].fcs_errors++;
		return;
	}
	if (rc == 0 && !zp.frame) {
		z->no_frame++;
		return;
	}
	if (rc < 0 || lowpan_frame_parse(zp.frame, zp.frame_len, 0, &f) < 0) {
		z->malformed++;
		return;
	}
	if (zp.channel != z->channel(z->arg)) {
		z->other_channel++;
		return;
	}
	s = place(z, peer, &f);
	if (!s) {
		z->unknown++;
		return;
	}
	s->rx++;
	busy(s);
	if (f.type == LOWPAN_FRAME_ACK) {
		s->node_acks++; /* ours went out already */
		return;
	}
	if (air_send(z->air, s->station, zp.frame, zp.frame_len, NULL) && f.ack_req &&
	    f.dst.mode != LOWPAN_ADDR_NONE &&
	    !(f.dst.mode == LOWPAN_ADDR_SHORT && f.dst.a[0] == 0xff && f.dst.a[1] == 0xff))
		schedule_ack(s, f.seq);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct zep *z = arg;

	for (;;) {
		uint8_t buf[512];
		struct sockaddr_in6 peer;
		socklen_t plen = sizeof(peer);
		ssize_t n =
			recvfrom(fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&peer, &plen);

		if (n < 0)
			return; /* EAGAIN: all read */
		if ((size_t)n > sizeof(buf) || peer.sin6_family != AF_INET6)
			z->malformed++;
		else
			packet(z, buf, (size_t)n, &peer);
	}
}

static int open_socket(struct zep *z, uint16_t port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port),
				  .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t alen = sizeof(a);

	z->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (z->fd < 0)
		return -errno;
	if (bind(z->fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(z->fd, (struct sockaddr *)&a, &alen) < 0)
		return -errno;
	z->port = ntohs(a.sin6_port);
	return 0;
}

struct zep *zep_new(struct event_base *base, struct air *air, const struct topo *t,
		    struct pcapw *pcap, uint16_t port, zep_channel_fn channel, void *arg)
{
	struct zep *z = calloc(1, sizeof(*z));
	int rc;

	if (!z)
		return NULL;
	z->air = air;
	z->t = t;
	z->pcap = pcap;
	z->channel = channel;
	z->arg = arg;
	z->fd = -1;
	rc = open_socket(z, port);
	if (rc < 0)
		goto fail;
	for (size_t i = 0; i < TOPO_MAX_STATIONS; i++) {
		z->st[i].z = z;
		z->st[i].station = (int)i;
		if (i >= t->n || !t->st[i].zep)
			continue;
		z->st[i].pacer = evtimer_new(base, on_pacer, &z->st[i]);
		z->st[i].ack_timer = evtimer_new(base, on_ack, &z->st[i]);
		if (!z->st[i].pacer || !z->st[i].ack_timer) {
			rc = -ENOMEM;
			goto fail;
		}
	}
	z->rd = event_new(base, z->fd, EV_READ | EV_PERSIST, on_read, z);
	if (!z->rd || event_add(z->rd, NULL) < 0) {
		rc = -ENOMEM;
		goto fail;
	}
	simev_emit(json_pack("{s:s, s:i}", "event", "zep", "port", z->port));
	return z;
fail:
	zep_free(z);
	errno = -rc;
	return NULL;
}

void zep_free(struct zep *z)
{
	if (!z)
		return;
	for (size_t i = 0; i < TOPO_MAX_STATIONS; i++) {
		if (z->st[i].pacer)
			event_free(z->st[i].pacer);
		if (z->st[i].ack_timer)
			event_free(z->st[i].ack_timer);
	}
	if (z->rd)
		event_free(z->rd);
	if (z->fd >= 0)
		close(z->fd);
	free(z);
}

json_t *zep_status_json(const struct zep *z)
{
	json_t *nodes = json_array();

	for (size_t i = 1; i < z->t->n; i++) {
		const struct zstation *s = &z->st[i];
		char eui[17];

		if (!z->t->st[i].zep)
			continue;
		for (int k = 0; k < 8; k++)
			snprintf(eui + 2 * k, 3, "%02x", z->t->st[i].eui64[k]);
		json_array_append_new(
			nodes,
			json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I}", "name",
				  z->t->st[i].name, "eui64", eui, "port",
				  s->bound ? ntohs(s->peer.sin6_port) : 0, "rx", (json_int_t)s->rx,
				  "tx", (json_int_t)s->tx, "acks", (json_int_t)s->acks, "node_acks",
				  (json_int_t)s->node_acks, "fcs_errors", (json_int_t)s->fcs_errors,
				  "queue_drops", (json_int_t)s->queue_drops));
	}
	return json_pack("{s:i, s:o, s:I, s:I, s:I, s:I}", "port", z->port, "nodes", nodes,
			 "unknown", (json_int_t)z->unknown, "malformed", (json_int_t)z->malformed,
			 "other_channel", (json_int_t)z->other_channel, "no_frame",
			 (json_int_t)z->no_frame);
}
