/* The pty dongle: SLIP in both directions with lib/lowpan's codec. */
#include "dongle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lowpan/frame.h"
#include "lowpan/slip.h"
#include "lowpan/sradio.h"
#include "simev.h"

/* !R replies waiting for the end of their transmission, in order. */
#define PENDING_MAX 64

struct pending {
	uint64_t due_us;
	uint8_t sid, status;
};

struct dongle {
	struct event_base *base;
	char *link;
	enum dongle_dialect dialect;
	uint8_t eui64[8];
	dongle_send_fn send;
	void *arg;
	int master, slave;
	struct event *rd, *replug;
	struct lowpan_slip_decoder dec;
	uint8_t decbuf[LOWPAN_SLIP_MAX_FRAME];
	uint16_t panid;
	uint8_t channel;
	uint64_t commands;
	double serial_p;
	uint64_t (*rnd)(void *arg);
	void *rnd_arg;
	uint64_t serial_errors;
	struct pending pending[PENDING_MAX];
	unsigned p_head, p_count;
	struct event *tx_done;
};

static const char *const dialect_names[] = { "contiki-ng", "6lbr", "zephyr" };

int dongle_dialect_parse(const char *s, enum dongle_dialect *d)
{
	for (size_t i = 0; i < sizeof(dialect_names) / sizeof(dialect_names[0]); i++)
		if (strcmp(s, dialect_names[i]) == 0) {
			*d = (enum dongle_dialect)i;
			return 0;
		}
	return -EINVAL;
}

uint16_t dongle_panid(const struct dongle *d)
{
	return d->panid;
}

uint8_t dongle_channel(const struct dongle *d)
{
	return d->channel;
}

bool dongle_plugged(const struct dongle *d)
{
	return d->master >= 0;
}

uint64_t dongle_commands(const struct dongle *d)
{
	return d->commands;
}

void dongle_raw(struct dongle *d, const uint8_t *bytes, size_t len)
{
	while (d->master >= 0 && len > 0) {
		ssize_t n = write(d->master, bytes, len);

		if (n < 0 && errno == EINTR)
			continue;
		/* the host is not reading (closed, or slow): a real dongle's
		 * UART drops what it cannot send too */
		if (n <= 0)
			return;
		bytes += n;
		len -= (size_t)n;
	}
}

void dongle_set_serial_errors(struct dongle *d, double p, uint64_t (*rnd)(void *arg), void *arg)
{
	d->serial_p = p;
	d->rnd = rnd;
	d->rnd_arg = arg;
}

uint64_t dongle_serial_errors(const struct dongle *d)
{
	return d->serial_errors;
}

static void reply(struct dongle *d, const uint8_t *msg, size_t len)
{
	uint8_t out[LOWPAN_SLIP_ENCODED_MAX(LOWPAN_SLIP_MAX_FRAME)];
	int n = lowpan_slip_encode(msg, len, out, sizeof(out));

	if (n <= 0)
		return;
	if (d->serial_p > 0) {
		/* a threshold on 32 random bits: cheap enough per byte */
		uint64_t limit = (uint64_t)(d->serial_p * 4294967296.0);

		for (int i = 0; i < n; i++)
			if ((d->rnd(d->rnd_arg) >> 32) < limit) {
				out[i] ^= (uint8_t)(1 + d->rnd(d->rnd_arg) % 255);
				d->serial_errors++;
			}
	}
	dongle_raw(d, out, (size_t)n);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void send_tx_done(struct dongle *d, uint8_t sid, uint8_t status)
{
	uint8_t out[5] = { '!', 'R', sid, status, 1 };

	reply(d, out, sizeof(out));
}

static void arm_tx_done(struct dongle *d)
{
	uint64_t now = now_us(), due, wait;
	struct timeval tv;

	if (!d->p_count)
		return;
	due = d->pending[d->p_head].due_us;
	wait = due > now ? due - now : 0;
	tv.tv_sec = (time_t)(wait / 1000000);
	tv.tv_usec = (suseconds_t)(wait % 1000000);
	evtimer_add(d->tx_done, &tv);
}

static void on_tx_done(evutil_socket_t fd, short what, void *arg)
{
	struct dongle *d = arg;
	uint64_t now = now_us();

	while (d->p_count && d->pending[d->p_head].due_us <= now) {
		struct pending *p = &d->pending[d->p_head];

		send_tx_done(d, p->sid, p->status);
		d->p_head = (d->p_head + 1) % PENDING_MAX;
		d->p_count--;
	}
	arm_tx_done(d);
}

static void unknown(struct dongle *d)
{
	static const char msg[] = "EUnknown command";

	reply(d, (const uint8_t *)msg, sizeof(msg) - 1);
}

static void config_event(struct dongle *d)
{
	simev_emit(json_pack("{s:s, s:i, s:i}", "event", "config", "channel", d->channel, "panid",
			     d->panid));
}

static void command(const uint8_t *f, size_t len, void *arg)
{
	struct dongle *d = arg;
	bool cng = d->dialect == DONGLE_CONTIKI_NG;
	uint8_t out[16];

	d->commands++;
	if (len >= 2 && f[0] == '?' && f[1] == 'M') {
		out[0] = '!';
		out[1] = 'M';
		memcpy(out + 2, d->eui64, 8);
		reply(d, out, 10);
	} else if (len >= 4 && f[0] == '!' && f[1] == 'S') {
		uint8_t sid = f[2], natt = f[3];
		size_t skip = 4 + 3 * (size_t)natt;

		if (len <= skip) {
			unknown(d);
			return;
		}
		uint64_t done_us = 0;
		uint8_t status = d->send(d->arg, f + skip, len - skip, &done_us);

		if (d->p_count == PENDING_MAX || done_us <= now_us()) {
			/* an instant medium (or a host with too many frames in
			 * flight for a real dongle): answer at once */
			send_tx_done(d, sid, status);
		} else {
			struct pending *p = &d->pending[(d->p_head + d->p_count) % PENDING_MAX];

			p->due_us = done_us;
			p->sid = sid;
			p->status = status;
			if (d->p_count++ == 0)
				arm_tx_done(d);
		}
	} else if (cng && len >= 6 && f[0] == '!' && f[1] == 'V') {
		uint16_t param = (uint16_t)(f[2] << 8 | f[3]), value = (uint16_t)(f[4] << 8 | f[5]);

		if (param == LOWPAN_SRADIO_PARAM_CHANNEL)
			d->channel = (uint8_t)value;
		else if (param == LOWPAN_SRADIO_PARAM_PAN_ID)
			d->panid = value;
		config_event(d);
	} else if (cng && len >= 4 && f[0] == '?' && f[1] == 'V') {
		uint16_t param = (uint16_t)(f[2] << 8 | f[3]);
		uint16_t value = param == LOWPAN_SRADIO_PARAM_CHANNEL  ? d->channel
				 : param == LOWPAN_SRADIO_PARAM_PAN_ID ? d->panid
								       : 0;

		memcpy(out, "!V", 2);
		out[2] = f[2];
		out[3] = f[3];
		out[4] = (uint8_t)(value >> 8);
		out[5] = (uint8_t)value;
		reply(d, out, 6);
	} else if (!cng && len >= 3 && f[0] == '!' && f[1] == 'C') {
		d->channel = f[2];
		config_event(d);
	} else if (!cng && len >= 4 && f[0] == '!' && f[1] == 'P') {
		d->panid = (uint16_t)(f[2] | f[3] << 8);
		config_event(d);
	} else {
		unknown(d);
	}
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct dongle *d = arg;
	uint8_t buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));

	/* we hold the slave open ourselves, so EIO (no reader) cannot spin */
	if (n > 0)
		lowpan_slip_decode(&d->dec, buf, (size_t)n, command, d);
}

static void close_pty(struct dongle *d)
{
	if (d->rd) {
		event_free(d->rd);
		d->rd = NULL;
	}
	/* the host will never hear about frames in flight: a reset dongle */
	d->p_count = 0;
	if (d->tx_done)
		evtimer_del(d->tx_done);
	if (d->master >= 0)
		close(d->master);
	if (d->slave >= 0)
		close(d->slave);
	d->master = d->slave = -1;
}

static void on_replug(evutil_socket_t fd, short what, void *arg);

static int plug(struct dongle *d)
{
	struct termios tio;
	char *name;

	d->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (d->master < 0)
		return -errno;
	if (grantpt(d->master) < 0 || unlockpt(d->master) < 0 || !(name = ptsname(d->master)))
		goto fail;
	/* keep the slave open: with no process on it, reads of the master
	 * would fail with EIO in a loop */
	d->slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (d->slave < 0 || tcgetattr(d->slave, &tio) < 0)
		goto fail;
	cfmakeraw(&tio);
	if (tcsetattr(d->slave, TCSANOW, &tio) < 0)
		goto fail;
	if (unlink(d->link) < 0 && errno != ENOENT)
		goto fail;
	if (symlink(name, d->link) < 0)
		goto fail;
	d->rd = event_new(d->base, d->master, EV_READ | EV_PERSIST, on_read, d);
	if (!d->rd || event_add(d->rd, NULL) < 0)
		goto fail;
	lowpan_slip_decoder_reset(&d->dec);
	simev_emit(json_pack("{s:s, s:s, s:s, s:s}", "event", "ready", "link", d->link, "pty", name,
			     "dialect", dialect_names[d->dialect]));
	return 0;
fail : {
	int e = errno ? errno : EIO;

	close_pty(d);
	return -e;
}
}

struct dongle *dongle_new(struct event_base *base, const char *link, enum dongle_dialect dialect,
			  const uint8_t eui64[8], dongle_send_fn send, void *arg)
{
	struct dongle *d = calloc(1, sizeof(*d));
	int rc;

	if (!d)
		return NULL;
	d->base = base;
	d->dialect = dialect;
	memcpy(d->eui64, eui64, 8);
	d->send = send;
	d->arg = arg;
	d->master = d->slave = -1;
	d->panid = 0xffff;
	d->channel = 26;
	lowpan_slip_decoder_init(&d->dec, d->decbuf, sizeof(d->decbuf));
	d->link = strdup(link);
	d->replug = evtimer_new(base, on_replug, d);
	d->tx_done = evtimer_new(base, on_tx_done, d);
	if (!d->link || !d->replug || !d->tx_done) {
		dongle_free(d);
		errno = ENOMEM;
		return NULL;
	}
	rc = plug(d);
	if (rc < 0) {
		dongle_free(d);
		errno = -rc;
		return NULL;
	}
	return d;
}

void dongle_free(struct dongle *d)
{
	if (!d)
		return;
	if (d->master >= 0 && d->link)
		unlink(d->link);
	close_pty(d);
	if (d->replug)
		event_free(d->replug);
	if (d->tx_done)
		event_free(d->tx_done);
	free(d->link);
	free(d);
}

static void on_replug(evutil_socket_t fd, short what, void *arg)
{
	struct dongle *d = arg;
	int rc = plug(d);

	if (rc < 0)
		simev_emit(json_pack("{s:s, s:s}", "event", "error", "error", strerror(-rc)));
}

int dongle_unplug(struct dongle *d, double seconds)
{
	struct timeval tv;

	if (d->master < 0)
		return -EALREADY;
	unlink(d->link);
	close_pty(d);
	simev_emit(json_pack("{s:s}", "event", "unplugged"));
	if (seconds < 0)
		seconds = 0;
	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	evtimer_add(d->replug, &tv);
	return 0;
}

void dongle_receive(struct dongle *d, const uint8_t *frame, size_t len)
{
	struct lowpan_frame f;

	if (d->master < 0)
		return;
	/* the radio's address filter: only frames for us or broadcast reach
	 * the host.  A corrupted frame whose header still parses goes up as
	 * it is (there is no FCS to catch it), so that the host's own checks
	 * are what keeps it out */
	if (lowpan_frame_parse(frame, len, 0, &f) != 0)
		return;
	if (f.dst.mode == LOWPAN_ADDR_EXT ? memcmp(f.dst.a, d->eui64, 8) != 0
					  : !(f.dst.mode == LOWPAN_ADDR_SHORT &&
					      f.dst.a[0] == 0xff && f.dst.a[1] == 0xff))
		return;
	reply(d, frame, len);
}
