#include "coap/coapev.h"

#include <errno.h>
#include <stdlib.h>

struct coapev {
	coap_context_t *ctx;
	struct event *io;
	struct event *timer;
	unsigned long rounds;
};

static void rearm(struct coapev *ev)
{
	coap_tick_t now;
	unsigned int ms;

	coap_ticks(&now);
	ms = coap_io_prepare_epoll(ev->ctx, now);
	if (ms == 0) {
		/* nothing timed is pending: wait for input only */
		evtimer_del(ev->timer);
		return;
	}
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(ev->timer, &tv);
}

static void run(struct coapev *ev)
{
	coap_io_process(ev->ctx, COAP_IO_NO_WAIT);
	ev->rounds++;
	rearm(ev);
}

static void on_io(evutil_socket_t fd, short what, void *arg)
{
	run(arg);
}

struct coapev *coapev_new(struct event_base *base, coap_context_t *ctx)
{
	int fd = coap_context_get_coap_fd(ctx);
	struct coapev *ev;

	if (fd < 0) {
		errno = ENOTSUP;
		return NULL;
	}
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		abort();
	ev->ctx = ctx;
	ev->io = event_new(base, fd, EV_READ | EV_PERSIST, on_io, ev);
	ev->timer = evtimer_new(base, on_io, ev);
	if (!ev->io || !ev->timer || event_add(ev->io, NULL) < 0)
		abort();
	rearm(ev);
	return ev;
}

void coapev_free(struct coapev *ev)
{
	if (!ev)
		return;
	event_free(ev->io);
	event_free(ev->timer);
	free(ev);
}

void coapev_kick(struct coapev *ev)
{
	run(ev);
}

unsigned long coapev_rounds(const struct coapev *ev)
{
	return ev->rounds;
}
