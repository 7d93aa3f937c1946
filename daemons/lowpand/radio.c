#define LOG_COMPONENT "radio"
#include "radio.h"
#include "common/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "common/log.h"
#include "lowpan/slip.h"
#include "lowpan/sradio.h"

#define REOPEN_SECONDS 1
#define TX_TIMEOUT_MS  2000
#define MAX_FRAME      127 /* an 802.15.4 PHY payload, FCS included, is at most 127 octets */

enum state { ST_CLOSED, ST_WAIT_MAC, ST_CONFIG, ST_READY };

struct queued {
	struct queued *next;
	size_t len;
	uint8_t data[MAX_FRAME];
};

struct slot {
	struct queued *frame; /* NULL: free */
	uint8_t sid;
	int transmissions;
	unsigned attempts; /* over the air, as the dongle's reports count them */
	uint64_t sent_ms;
};

struct radio {
	struct event_base *base;
	struct radio_cfg cfg;
	char *device;
	radio_frame_fn cb;
	void *arg;

	int fd;
	enum state state;
	enum radio_dialect dialect; /* the one in use or being probed */
	struct event *rd, *wr, *tick;
	struct evbuffer *out;
	struct lowpan_slip_decoder dec;
	uint8_t decbuf[LOWPAN_SLIP_MAX_FRAME];

	struct queued *head, *tail;
	int queued;
	struct slot slots[RADIO_IN_FLIGHT];
	uint8_t next_sid;

	uint8_t eui64[8];
	bool have_eui64;
	unsigned attempts; /* ?M sent since the device opened, or opens failed in a row */
	bool was_ready;    /* counts a reconnect only after a working session */
	struct radio_stats st;
};

static const char *const state_names[] = { "closed", "waiting for MAC", "configuring", "ready" };

const char *radio_state_name(const struct radio *r)
{
	return state_names[r->state];
}

const char *radio_dialect_name(enum radio_dialect d)
{
	switch (d) {
	case RADIO_DIALECT_CONTIKI_NG:
		return "contiki-ng";
	case RADIO_DIALECT_6LBR:
		return "6lbr";
	case RADIO_DIALECT_AUTO:
		break;
	}
	return "unknown";
}

enum radio_dialect radio_dialect(const struct radio *r)
{
	return r->state == ST_READY ? r->dialect : RADIO_DIALECT_AUTO;
}

bool radio_ready(const struct radio *r)
{
	return r->state == ST_READY;
}

bool radio_eui64(const struct radio *r, uint8_t out[8])
{
	if (r->have_eui64)
		memcpy(out, r->eui64, 8);
	return r->have_eui64;
}

void radio_get_stats(const struct radio *r, struct radio_stats *out)
{
	*out = r->st;
}

static void arm_tick(struct radio *r, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(r->tick, &tv);
}

/* SLIP-encode one command and queue it for the serial line. */
static void send_command(struct radio *r, const uint8_t *cmd, int len)
{
	uint8_t enc[LOWPAN_SLIP_ENCODED_MAX(MAX_FRAME + 8)];
	int n;

	if (len < 0 || r->fd < 0)
		return;
	n = lowpan_slip_encode(cmd, (size_t)len, enc, sizeof(enc));
	if (n < 0)
		return;
	evbuffer_add(r->out, enc, (size_t)n);
	event_add(r->wr, NULL);
}

static void requeue_in_flight(struct radio *r)
{
	for (int i = RADIO_IN_FLIGHT - 1; i >= 0; i--) {
		struct queued *q = r->slots[i].frame;

		if (!q)
			continue;
		q->next = r->head;
		r->head = q;
		if (!r->tail)
			r->tail = q;
		r->queued++;
		r->slots[i].frame = NULL;
	}
}

static void close_device(struct radio *r, const char *why)
{
	if (r->fd < 0)
		return;
	log_warnx("dongle lost device=%s reason=\"%s\"; reopening every %d s", r->device, why,
		  REOPEN_SECONDS);
	event_free(r->rd);
	event_free(r->wr);
	r->rd = r->wr = NULL;
	close(r->fd);
	r->fd = -1;
	evbuffer_drain(r->out, evbuffer_get_length(r->out));
	lowpan_slip_decoder_reset(&r->dec);
	requeue_in_flight(r);
	if (r->was_ready)
		r->st.reconnects++;
	r->state = ST_CLOSED;
	r->attempts = 0;
	arm_tick(r, REOPEN_SECONDS * 1000);
}

static void arm_in_flight_check(struct radio *r);

static void pump(struct radio *r)
{
	uint8_t cmd[MAX_FRAME + 4];

	for (int i = 0; i < RADIO_IN_FLIGHT && r->state == ST_READY && r->head; i++) {
		struct slot *s = &r->slots[i];
		struct queued *q;

		if (s->frame)
			continue;
		q = r->head;
		r->head = q->next;
		if (!r->head)
			r->tail = NULL;
		r->queued--;
		s->frame = q;
		s->sid = r->next_sid++;
		s->transmissions = 1;
		s->attempts = 0;
		s->sent_ms = clock_ms();
		r->st.tx_frames++;
		send_command(r, cmd, lowpan_sradio_send(s->sid, q->data, q->len, cmd, sizeof(cmd)));
	}
	arm_in_flight_check(r);
}

static void release(struct radio *r, struct slot *s)
{
	free(s->frame);
	s->frame = NULL;
}

static void on_tx_done(struct radio *r, const struct lowpan_sradio_msg *m)
{
	uint8_t cmd[MAX_FRAME + 4];
	struct slot *s = NULL;

	for (int i = 0; i < RADIO_IN_FLIGHT; i++)
		if (r->slots[i].frame && r->slots[i].sid == m->sid)
			s = &r->slots[i];
	if (!s)
		return; /* a late report for a frame we gave up on */
	s->attempts += m->transmissions ? m->transmissions : 1;
	switch (m->status) {
	case LOWPAN_SRADIO_TX_OK:
		r->st.tx_ok++;
		if (r->cfg.on_sent)
			r->cfg.on_sent(r->arg, s->frame->data, s->frame->len, s->attempts, true);
		break;
	case LOWPAN_SRADIO_TX_NOACK:
	case LOWPAN_SRADIO_TX_COLLISION:
		if (s->transmissions <= r->cfg.retries) {
			s->transmissions++;
			s->sent_ms = clock_ms();
			r->st.tx_retries++;
			send_command(r, cmd,
				     lowpan_sradio_send(s->sid, s->frame->data, s->frame->len, cmd,
							sizeof(cmd)));
			return;
		}
		if (m->status == LOWPAN_SRADIO_TX_NOACK)
			r->st.tx_noack++;
		else
			r->st.tx_collision++;
		if (r->cfg.on_sent)
			r->cfg.on_sent(r->arg, s->frame->data, s->frame->len, s->attempts, false);
		break;
	default:
		r->st.tx_failed++;
		log_debug("send failed sid=%u status=%s", m->sid,
			  lowpan_sradio_status_name(m->status));
		break;
	}
	release(r, s);
	pump(r);
}

static void become_ready(struct radio *r, enum radio_dialect d)
{
	char eui[24];

	r->dialect = d;
	r->state = ST_READY;
	r->was_ready = true;
	snprintf(eui, sizeof(eui), "%02x:%02x:%02x:%02x:%02x:%02x:%02x:%02x", r->eui64[0],
		 r->eui64[1], r->eui64[2], r->eui64[3], r->eui64[4], r->eui64[5], r->eui64[6],
		 r->eui64[7]);
	log_info("dongle ready device=%s dialect=%s eui64=%s channel=%d panid=0x%04x", r->device,
		 radio_dialect_name(d), eui, r->cfg.channel, r->cfg.panid);
	evtimer_del(r->tick); /* from now on it runs only while frames are in flight */
	if (r->cfg.on_ready)
		r->cfg.on_ready(r->arg);
	pump(r);
}

static void configure_cp(struct radio *r)
{
	uint8_t cmd[8];

	send_command(r, cmd, lowpan_sradio_set_channel((uint8_t)r->cfg.channel, cmd, sizeof(cmd)));
	send_command(r, cmd, lowpan_sradio_set_panid((uint16_t)r->cfg.panid, cmd, sizeof(cmd)));
	become_ready(r, RADIO_DIALECT_6LBR);
}

/* Probe: Contiki-NG answers "?V" with "!V"; the others call it an unknown command. */
static void probe_dialect(struct radio *r)
{
	uint8_t cmd[8];

	send_command(r, cmd,
		     lowpan_sradio_get_param(LOWPAN_SRADIO_PARAM_CHANNEL, cmd, sizeof(cmd)));
	arm_tick(r, 1000);
}

/* Contiki-NG does not acknowledge "!V": read the channel back to check it took. */
static void configure_v(struct radio *r)
{
	uint8_t cmd[8];

	send_command(r, cmd,
		     lowpan_sradio_set_param(LOWPAN_SRADIO_PARAM_CHANNEL, (uint16_t)r->cfg.channel,
					     cmd, sizeof(cmd)));
	send_command(r, cmd,
		     lowpan_sradio_set_param(LOWPAN_SRADIO_PARAM_PAN_ID, (uint16_t)r->cfg.panid,
					     cmd, sizeof(cmd)));
	send_command(r, cmd,
		     lowpan_sradio_get_param(LOWPAN_SRADIO_PARAM_CHANNEL, cmd, sizeof(cmd)));
	become_ready(r, RADIO_DIALECT_CONTIKI_NG);
}

static void on_mac(struct radio *r, const struct lowpan_sradio_msg *m)
{
	if (r->state != ST_WAIT_MAC)
		return;
	memcpy(r->eui64, m->eui64, 8);
	r->have_eui64 = true;
	r->state = ST_CONFIG;
	log_info("handshake: sent ?M, got !M after %u attempt(s)", r->attempts);
	switch (r->cfg.dialect) {
	case RADIO_DIALECT_6LBR:
		configure_cp(r);
		break;
	case RADIO_DIALECT_CONTIKI_NG:
		configure_v(r);
		break;
	case RADIO_DIALECT_AUTO:
		probe_dialect(r);
		break;
	}
}

static void on_message(const uint8_t *buf, size_t len, void *arg)
{
	struct radio *r = arg;
	struct lowpan_sradio_msg m;

	if (lowpan_sradio_parse(buf, len, &m) < 0) {
		r->st.malformed++;
		return;
	}
	switch (m.kind) {
	case LOWPAN_SRADIO_MAC:
		on_mac(r, &m);
		break;
	case LOWPAN_SRADIO_PARAM:
		if (m.param != LOWPAN_SRADIO_PARAM_CHANNEL)
			break;
		if (r->state == ST_CONFIG)
			configure_v(r); /* the probe's answer: Contiki-NG */
		else if (r->state == ST_READY && m.value != r->cfg.channel)
			log_warnx("dongle reports channel %u, configured %d", m.value,
				  r->cfg.channel);
		break;
	case LOWPAN_SRADIO_ERROR:
		if (r->state == ST_CONFIG && r->cfg.dialect == RADIO_DIALECT_AUTO) {
			log_info("dongle does not know \"?V\" (%.*s): trying \"!C\"/\"!P\"",
				 (int)m.text_len, m.text);
			configure_cp(r);
		} else {
			log_warnx("dongle refused a command: %.*s", (int)m.text_len, m.text);
		}
		break;
	case LOWPAN_SRADIO_LOG: {
		size_t n = 0; /* the text is not NUL-terminated: show its first line */

		while (n < m.text_len && m.text[n] != '\r' && m.text[n] != '\n')
			n++;
		r->st.log_lines++;
		log_info("dongle says: %.*s", (int)n, m.text);
		break;
	}
	case LOWPAN_SRADIO_TX_DONE:
		on_tx_done(r, &m);
		break;
	case LOWPAN_SRADIO_FRAME:
		if (r->state != ST_READY)
			break; /* frames before the radio is configured may be on another channel */
		r->st.rx_frames++;
		r->cb(r->arg, m.frame, m.frame_len);
		break;
	}
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct radio *r = arg;
	uint8_t buf[4096];
	uint64_t errors_before = r->dec.stats.bad_escape + r->dec.stats.overflow;
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* EOF or EIO: the pty closed, the USB device went away */
		close_device(r, n == 0 ? "end of file" : strerror(errno));
		return;
	}
	lowpan_slip_decode(&r->dec, buf, (size_t)n, on_message, r);
	r->st.slip_errors += r->dec.stats.bad_escape + r->dec.stats.overflow - errors_before;
}

static void on_writable(evutil_socket_t fd, short what, void *arg)
{
	struct radio *r = arg;

	if (evbuffer_write(r->out, fd) < 0 && errno != EAGAIN && errno != EINTR) {
		close_device(r, strerror(errno));
		return;
	}
	if (evbuffer_get_length(r->out) == 0)
		event_del(r->wr);
}

static speed_t baud_constant(int baud)
{
	switch (baud) {
	case 9600:
		return B9600;
	case 19200:
		return B19200;
	case 38400:
		return B38400;
	case 57600:
		return B57600;
	case 230400:
		return B230400;
	case 460800:
		return B460800;
	case 500000:
		return B500000;
	case 921600:
		return B921600;
	default:
		return B115200;
	}
}

static int set_raw(struct radio *r)
{
	struct termios t;

	if (!isatty(r->fd))
		return 0; /* a FIFO or socket in tests: nothing to set */
	if (tcgetattr(r->fd, &t) < 0)
		return -errno;
	cfmakeraw(&t);
	cfsetispeed(&t, baud_constant(r->cfg.baud));
	cfsetospeed(&t, baud_constant(r->cfg.baud));
	t.c_cflag |= CLOCAL | CREAD;
	if (r->cfg.rtscts)
		t.c_cflag |= CRTSCTS;
	else
		t.c_cflag &= ~(tcflag_t)CRTSCTS;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(r->fd, TCSANOW, &t) < 0)
		return -errno;
	tcflush(r->fd, TCIOFLUSH);
	return 0;
}

static void try_open(struct radio *r)
{
	r->fd = open(r->device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (r->fd < 0 || set_raw(r) < 0) {
		/* say it once per outage, not every second */
		if (r->attempts++ == 0)
			log_warn("cannot open dongle device=%s; retrying every %d s", r->device,
				 REOPEN_SECONDS);
		if (r->fd >= 0)
			close(r->fd);
		r->fd = -1;
		arm_tick(r, REOPEN_SECONDS * 1000);
		return;
	}
	r->rd = event_new(r->base, r->fd, EV_READ | EV_PERSIST, on_readable, r);
	r->wr = event_new(r->base, r->fd, EV_WRITE | EV_PERSIST, on_writable, r);
	if (!r->rd || !r->wr)
		abort();
	event_add(r->rd, NULL);
	log_info("dongle device open device=%s baud=%d rtscts=%s", r->device, r->cfg.baud,
		 r->cfg.rtscts ? "yes" : "no");
	r->state = ST_WAIT_MAC;
	r->attempts = 0;
	/* the first ?M goes out at once, from the tick */
	arm_tick(r, 1);
}

static bool in_flight(const struct radio *r)
{
	for (int i = 0; i < RADIO_IN_FLIGHT; i++)
		if (r->slots[i].frame)
			return true;
	return false;
}

/* While frames wait for "!R", check every second for ones the dongle forgot. */
static void arm_in_flight_check(struct radio *r)
{
	if (r->state == ST_READY && in_flight(r) && !evtimer_pending(r->tick, NULL))
		arm_tick(r, 1000);
}

static void expire_in_flight(struct radio *r)
{
	uint64_t now = clock_ms();

	for (int i = 0; i < RADIO_IN_FLIGHT; i++) {
		struct slot *s = &r->slots[i];

		if (s->frame && now - s->sent_ms > TX_TIMEOUT_MS) {
			r->st.tx_timeouts++;
			release(r, s);
		}
	}
	pump(r);
	arm_in_flight_check(r);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct radio *r = arg;
	uint8_t cmd[4];

	switch (r->state) {
	case ST_CLOSED:
		try_open(r);
		break;
	case ST_WAIT_MAC:
		r->attempts++;
		if (r->attempts <= 3 || r->attempts % 30 == 0)
			log_info("handshake: sent ?M (attempt %u)%s", r->attempts,
				 r->attempts > 1 ? ", nothing came back yet" : "");
		send_command(r, cmd, lowpan_sradio_mac_request(cmd, sizeof(cmd)));
		arm_tick(r, 1000);
		break;
	case ST_CONFIG:
		/* the probe went unanswered: not Contiki-NG */
		log_info("dongle did not answer \"?V\": trying \"!C\"/\"!P\"");
		configure_cp(r);
		break;
	case ST_READY:
		expire_in_flight(r);
		break;
	}
}

int radio_send(struct radio *r, const uint8_t *frame, size_t len)
{
	struct queued *q;

	if (len > MAX_FRAME - 2) /* room for the FCS the radio adds */
		return -EMSGSIZE;
	if (r->queued >= r->cfg.queue_max) {
		r->st.queue_drops++;
		return -ENOBUFS;
	}
	q = malloc(sizeof(*q));
	if (!q)
		abort();
	q->next = NULL;
	q->len = len;
	memcpy(q->data, frame, len);
	if (r->tail)
		r->tail->next = q;
	else
		r->head = q;
	r->tail = q;
	r->queued++;
	pump(r);
	return 0;
}

struct radio *radio_new(struct event_base *base, const struct radio_cfg *cfg, radio_frame_fn cb,
			void *arg)
{
	struct radio *r = calloc(1, sizeof(*r));

	if (!r)
		abort();
	r->base = base;
	r->cfg = *cfg;
	r->device = strdup(cfg->device);
	r->cfg.device = r->device;
	r->cb = cb;
	r->arg = arg;
	r->fd = -1;
	r->out = evbuffer_new();
	r->tick = evtimer_new(base, on_tick, r);
	if (!r->device || !r->out || !r->tick)
		abort();
	lowpan_slip_decoder_init(&r->dec, r->decbuf, sizeof(r->decbuf));
	try_open(r);
	return r;
}

void radio_free(struct radio *r)
{
	if (!r)
		return;
	if (r->fd >= 0) {
		event_free(r->rd);
		event_free(r->wr);
		close(r->fd);
	}
	requeue_in_flight(r);
	while (r->head) {
		struct queued *q = r->head;

		r->head = q->next;
		free(q);
	}
	event_free(r->tick);
	evbuffer_free(r->out);
	free(r->device);
	free(r);
}
