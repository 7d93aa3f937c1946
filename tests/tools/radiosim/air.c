/* The medium: per-receiver impairments and a delivery queue run from the
 * event loop. */
#include "air.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lowpan/frame.h"

#define REORDER_HOLD_MS 100 /* a held frame goes out by then even if nothing follows */
#define PHY_OVERHEAD    6   /* preamble, SFD, length: octets sent before the frame */
#define US_PER_OCTET    32  /* 250 kbit/s */

struct delivery {
	struct delivery *next;
	int station;
	uint64_t due_us; /* end of its transmission */
	size_t len;
	uint8_t frame[];
};

struct air {
	const struct topo *t;
	struct air_opts o;
	uint64_t rng;
	struct pcapw *pcap;
	air_deliver_fn deliver;
	air_present_fn present;
	void *arg;
	struct event *run, *hold_timer;
	struct delivery *head, *tail;
	struct delivery *held;  /* waiting for the next frame to overtake it */
	uint64_t busy_until_us; /* the channel carries a frame until then */
	uint64_t sent, delivered, lost, duplicated, reordered, corrupted, unacked;
};

uint64_t air_random(struct air *a)
{
	/* xorshift64*: deterministic for a given --seed, plenty for impairments */
	a->rng ^= a->rng >> 12;
	a->rng ^= a->rng << 25;
	a->rng ^= a->rng >> 27;
	return a->rng * 0x2545F4914F6CDD1DULL;
}

double air_random01(struct air *a)
{
	return (double)(air_random(a) >> 11) / (double)(1ULL << 53);
}

static bool chance(struct air *a, double p)
{
	return p > 0 && air_random01(a) < p;
}

uint64_t air_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Wake up when the first delivery is due. */
static void schedule(struct air *a)
{
	uint64_t now = air_now_us(), wait;
	struct timeval tv;

	if (!a->head)
		return;
	wait = a->head->due_us > now ? a->head->due_us - now : 0;
	tv.tv_sec = (time_t)(wait / 1000000);
	tv.tv_usec = (suseconds_t)(wait % 1000000);
	evtimer_add(a->run, &tv);
}

static void enqueue(struct air *a, struct delivery *d)
{
	d->next = NULL;
	/* the queue stays in time order (a held frame may be older) */
	if (a->tail && d->due_us < a->tail->due_us)
		d->due_us = a->tail->due_us;
	if (a->tail)
		a->tail->next = d;
	else
		a->head = d;
	a->tail = d;
	if (a->head == d)
		schedule(a);
}

static void release_held(struct air *a)
{
	if (a->held) {
		enqueue(a, a->held);
		a->held = NULL;
		evtimer_del(a->hold_timer);
	}
}

static void on_hold_timer(evutil_socket_t fd, short what, void *arg)
{
	release_held(arg);
}

static void on_run(evutil_socket_t fd, short what, void *arg)
{
	struct air *a = arg;
	uint64_t now = air_now_us();

	/* what is due now; a delivery may queue more, due later or now */
	while (a->head && a->head->due_us <= now) {
		struct delivery *d = a->head;

		a->head = d->next;
		if (!a->head)
			a->tail = NULL;
		a->delivered++;
		a->deliver(a->arg, d->station, d->frame, d->len);
		free(d);
	}
	schedule(a);
}

struct air *air_new(struct event_base *base, const struct topo *t, const struct air_opts *o,
		    struct pcapw *pcap, air_deliver_fn deliver, air_present_fn present, void *arg)
{
	struct air *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->t = t;
	a->o = *o;
	a->rng = o->seed ? o->seed : 0x9E3779B97F4A7C15ULL;
	a->pcap = pcap;
	a->deliver = deliver;
	a->present = present;
	a->arg = arg;
	a->run = evtimer_new(base, on_run, a);
	a->hold_timer = evtimer_new(base, on_hold_timer, a);
	if (!a->run || !a->hold_timer) {
		air_free(a);
		return NULL;
	}
	return a;
}

void air_free(struct air *a)
{
	if (!a)
		return;
	while (a->head) {
		struct delivery *d = a->head;

		a->head = d->next;
		free(d);
	}
	free(a->held);
	if (a->run)
		event_free(a->run);
	if (a->hold_timer)
		event_free(a->hold_timer);
	free(a);
}

static struct delivery *copy(int station, uint64_t due_us, const uint8_t *frame, size_t len)
{
	struct delivery *d = malloc(sizeof(*d) + len);

	if (d) {
		d->station = station;
		d->due_us = due_us;
		d->len = len;
		memcpy(d->frame, frame, len);
	}
	return d;
}

/* One station's reception of the frame, impaired. */
static void receive(struct air *a, int station, uint64_t due_us, const uint8_t *frame, size_t len)
{
	struct delivery *d = copy(station, due_us, frame, len);
	bool hold;

	if (!d)
		return;
	if (len > 0 && chance(a, a->o.corrupt)) {
		size_t i = air_random(a) % len;

		d->frame[i] ^= (uint8_t)(1 + air_random(a) % 255);
		a->corrupted++;
	}
	hold = !a->held && chance(a, a->o.reorder);
	if (hold) {
		struct timeval tv = { 0, REORDER_HOLD_MS * 1000 };

		a->held = d;
		a->reordered++;
		evtimer_add(a->hold_timer, &tv);
	} else {
		enqueue(a, d);
	}
	if (chance(a, a->o.duplicate)) {
		struct delivery *dup = copy(station, d->due_us, d->frame, len);

		if (dup) {
			a->duplicated++;
			enqueue(a, dup);
		}
	}
}

bool air_send(struct air *a, int from, const uint8_t *frame, size_t len, uint64_t *done_us)
{
	struct lowpan_frame f;
	bool unicast = false, acked = false;
	struct delivery *was_held = a->held;
	uint64_t now = air_now_us(), start = now, end = now;

	if (a->o.airtime) {
		start = a->busy_until_us > now ? a->busy_until_us : now;
		end = start + (len + PHY_OVERHEAD) * US_PER_OCTET;
		a->busy_until_us = end;
	}
	if (done_us)
		*done_us = end;
	a->sent++;
	/* stamped when it starts on the air, behind the frames before it */
	if (a->pcap)
		pcapw_write_at(a->pcap, frame, len, start - now);
	if (lowpan_frame_parse(frame, len, 0, &f) == 0)
		unicast = f.dst.mode == LOWPAN_ADDR_EXT ||
			  (f.dst.mode == LOWPAN_ADDR_SHORT &&
			   !(f.dst.a[0] == 0xff && f.dst.a[1] == 0xff));
	for (size_t i = 0; i < a->t->n; i++) {
		bool to_it;

		if (!a->t->hears[from][i] || !a->present(a->arg, (int)i))
			continue;
		to_it = unicast && f.dst.mode == LOWPAN_ADDR_EXT &&
			memcmp(f.dst.a, a->t->st[i].eui64, 8) == 0;
		if (chance(a, a->o.loss)) {
			a->lost++;
			continue;
		}
		receive(a, (int)i, end, frame, len);
		acked |= to_it;
	}
	/* a frame held back goes out behind the one that overtook it */
	if (was_held && a->held == was_held)
		release_held(a);
	if (!unicast)
		return true;
	if (!acked)
		a->unacked++;
	return acked;
}

json_t *air_stats_json(const struct air *a)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "sent", (json_int_t)a->sent,
			 "delivered", (json_int_t)a->delivered, "lost", (json_int_t)a->lost,
			 "duplicated", (json_int_t)a->duplicated, "reordered",
			 (json_int_t)a->reordered, "corrupted", (json_int_t)a->corrupted, "unacked",
			 (json_int_t)a->unacked);
}
