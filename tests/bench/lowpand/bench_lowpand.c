/*
 * lowpand's speed and memory, measured from outside like a user would: the
 * real daemon on a pseudo-terminal dongle (served by a thread of this
 * program that answers like Contiki-NG's slip-radio, instantly), in a
 * private network namespace.
 *
 *   TUN → serial: UDP datagrams to an on-link node, frames counted on the pty
 *   serial → TUN: frames written to the pty, datagrams counted on a socket
 *   latency:      paced datagrams, kernel send → frame on the pty, p50/p99
 *   memory:       VmRSS with 500 RPL routes and 64 reassemblies in flight
 *   idle:         context switches per second once the trickle has slowed
 *
 * Usage: bench_lowpand BUILD_DIR.  Needs root (TUN, network namespace);
 * prints figures and never fails on time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common/ipc_client.h"
#include "lowpan/checksum.h"
#include "lowpan/rpl.h"
#include "lowpan/slip.h"
#include "lowpan/sradio.h"
#include "lowpan/tx.h"

#define ROOT_EUI "00124b0001020304"
#define NODE_EUI "020000000000000b" /* fd00::b */

static int master = -1;
static atomic_ulong frames_seen;
static atomic_int measuring_latency;
static uint64_t latencies_ns[4096];
static atomic_int nlatencies;
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void write_all(const uint8_t *p, size_t n)
{
	pthread_mutex_lock(&write_lock);
	while (n > 0) {
		ssize_t w = write(master, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		p += w;
		n -= (size_t)w;
	}
	pthread_mutex_unlock(&write_lock);
}

static void reply(const uint8_t *cmd, size_t len)
{
	uint8_t enc[LOWPAN_SLIP_ENCODED_MAX(160)];
	int n = lowpan_slip_encode(cmd, len, enc, sizeof(enc));

	if (n > 0)
		write_all(enc, (size_t)n);
}

/* What the host sent the dongle: answer as Contiki-NG's slip-radio does. */
static void on_command(const uint8_t *f, size_t len, void *arg)
{
	uint8_t out[16];

	if (len >= 2 && f[0] == '?' && f[1] == 'M') {
		out[0] = '!';
		out[1] = 'M';
		for (int i = 0; i < 8; i++)
			sscanf(&ROOT_EUI[2 * i], "%2hhx", &out[2 + i]);
		reply(out, 10);
	} else if (len >= 4 && f[0] == '?' && f[1] == 'V') {
		const uint8_t v[] = { '!', 'V', f[2], f[3], 0, 26 };

		reply(v, sizeof(v));
	} else if (len >= 4 && f[0] == '!' && f[1] == 'S') {
		const uint8_t r[] = { '!', 'R', f[2], 0, 1 };

		if (atomic_load(&measuring_latency) && len >= 12) {
			uint64_t sent;
			int i = atomic_fetch_add(&nlatencies, 1);

			memcpy(&sent, f + len - 8, 8); /* the UDP payload ends the frame */
			if (i < 4096)
				latencies_ns[i] = now_ns() - sent;
		}
		atomic_fetch_add(&frames_seen, 1);
		reply(r, sizeof(r));
	}
}

static void *dongle(void *arg)
{
	static uint8_t buf[4096], dbuf[LOWPAN_SLIP_MAX_FRAME];
	struct lowpan_slip_decoder d;

	lowpan_slip_decoder_init(&d, dbuf, sizeof(dbuf));
	for (;;) {
		ssize_t n = read(master, buf, sizeof(buf));

		if (n < 0 && errno == EIO) {
			usleep(10000); /* lowpand has not opened the slave yet */
			continue;
		}
		if (n <= 0)
			return NULL;
		lowpan_slip_decode(&d, buf, (size_t)n, on_command, NULL);
	}
}

static void make_pty(const char *link)
{
	struct termios t;
	int slave;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		exit(1);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	tcgetattr(slave, &t);
	cfmakeraw(&t);
	tcsetattr(slave, TCSANOW, &t);
	close(slave);
	unlink(link);
	if (symlink(ptsname(master), link) < 0)
		exit(1);
}

static void loopback_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	ioctl(s, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
}

static json_t *status(const char *sock)
{
	struct ipc_client *cl;
	struct ipc_response r;
	json_t *res = NULL;

	if (ipc_client_open(sock, &cl) < 0)
		return NULL;
	if (ipc_client_call(cl, "status", NULL, 2000, &r) == 0 && r.ok)
		res = json_incref(r.result);
	ipc_response_fini(&r);
	ipc_client_free(cl);
	return res;
}

static bool radio_ready(const char *sock)
{
	json_t *st = status(sock);
	const char *state =
		json_string_value(json_object_get(json_object_get(st, "radio"), "state"));
	bool ready = state && strcmp(state, "ready") == 0;

	json_decref(st);
	return ready;
}

static void mac_addresses(struct lowpan_tx_cfg *tx)
{
	tx->mac.type = LOWPAN_FRAME_DATA;
	tx->mac.version = LOWPAN_FRAME_V2006;
	tx->mac.panid_comp = true;
	tx->mac.dst_pan = tx->mac.src_pan = 0xabcd;
	lowpan_lladdr_parse(NODE_EUI, &tx->mac.src);
	lowpan_lladdr_parse(ROOT_EUI, &tx->mac.dst);
	tx->max_frame = 127;
}

static int inject(void *arg, const uint8_t *frame, size_t len)
{
	reply(frame, len);
	return 0;
}

/* The first frame only: leaves a reassembly waiting in lowpand. */
static int inject_first(void *arg, const uint8_t *frame, size_t len)
{
	reply(frame, len);
	return -ECANCELED;
}

static struct lowpan_ctx_table contexts;

/* Send @pkt from the node to the root as frames on the pty (all, or only the first). */
static void inject_packet(const uint8_t *pkt, size_t len, uint16_t tag, bool first_only)
{
	struct lowpan_tx_cfg tx = { 0 };
	uint8_t seq = 0;

	mac_addresses(&tx);
	tx.ctx = &contexts;
	lowpan_tx_packet(&tx, NULL, pkt, len, tag, &seq, first_only ? inject_first : inject, NULL);
}

/* A UDP datagram fd00::b → fd00::1:@port with @payload bytes, into @pkt; returns its length. */
static size_t udp_packet(uint8_t *pkt, uint16_t port, size_t payload)
{
	size_t len = 40 + 8 + payload;

	memset(pkt, 0, len);
	pkt[0] = 0x60;
	pkt[4] = (uint8_t)((len - 40) >> 8);
	pkt[5] = (uint8_t)(len - 40);
	pkt[6] = 17;
	pkt[7] = 64;
	inet_pton(AF_INET6, "fd00::b", pkt + 8);
	inet_pton(AF_INET6, "fd00::1", pkt + 24);
	pkt[40] = 0x16;
	pkt[41] = 0x33;
	pkt[42] = (uint8_t)(port >> 8);
	pkt[43] = (uint8_t)port;
	pkt[44] = (uint8_t)((len - 40) >> 8);
	pkt[45] = (uint8_t)(len - 40);
	lowpan_checksum_set_udp6(pkt, len, 0, 40);
	return len;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static long proc_field(pid_t pid, const char *name)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, name, strlen(name)) == 0)
			v = strtol(line + strlen(name) + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

static double seconds_since(uint64_t t0)
{
	return (double)(now_ns() - t0) / 1e9;
}

static void wait_frames(unsigned long target, double max_s)
{
	uint64_t t0 = now_ns();
	unsigned long last = atomic_load(&frames_seen);
	uint64_t last_change = t0;

	while (atomic_load(&frames_seen) < target && seconds_since(t0) < max_s) {
		unsigned long now = atomic_load(&frames_seen);

		if (now != last) {
			last = now;
			last_change = now_ns();
		} else if (seconds_since(last_change) > 1.0) {
			break; /* nothing more is coming: the rest was dropped */
		}
		usleep(1000);
	}
}

static long long counter(const char *sock, const char *name)
{
	json_t *st = status(sock);
	long long v = json_integer_value(json_object_get(json_object_get(st, "counters"), name));

	json_decref(st);
	return v;
}

static void bench_tun_to_serial(const char *sock)
{
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6, .sin6_port = htons(9) };
	int s = socket(AF_INET6, SOCK_DGRAM, 0);
	const int n = 50000;
	uint8_t payload[16] = "lwgate bench";
	unsigned long before = atomic_load(&frames_seen), got;
	int sent = 0;
	uint64_t t0;

	inet_pton(AF_INET6, "fd00::b", &dst.sin6_addr);
	t0 = now_ns();
	/* keep at most 400 datagrams between us and the pty (the TUN queue holds 500), so that
	 * this measures what lowpand sustains rather than what the kernel drops */
	while (sent < n) {
		/* signed: DIOs of the trickle are frames too, and may put "seen" ahead of "sent" */
		if ((long)sent - (long)(atomic_load(&frames_seen) - before) >= 400) {
			usleep(20);
			continue;
		}
		if (sendto(s, payload, sizeof(payload), 0, (struct sockaddr *)&dst, sizeof(dst)) <
		    0) {
			usleep(50); /* ENOBUFS */
			continue;
		}
		sent++;
	}
	wait_frames(before + (unsigned long)n, 30);
	got = atomic_load(&frames_seen) - before;
	printf("lowpand TUN -> serial: %lu of %d datagrams as frames in %.2f s = %.0f frames/s "
	       "(goal 20000); lowpand read %lld from the TUN, dropped %lld on a full queue, "
	       "%lld sends timed out\n",
	       got, n, seconds_since(t0), (double)got / seconds_since(t0), counter(sock, "tun_in"),
	       counter(sock, "radio_queue_drops"), counter(sock, "radio_tx_timeouts"));
	close(s);
}

static void bench_latency(void)
{
	struct sockaddr_in6 dst = { .sin6_family = AF_INET6, .sin6_port = htons(9) };
	int s = socket(AF_INET6, SOCK_DGRAM, 0), n;
	uint64_t lat[4096];

	inet_pton(AF_INET6, "fd00::b", &dst.sin6_addr);
	atomic_store(&nlatencies, 0);
	atomic_store(&measuring_latency, 1);
	for (int i = 0; i < 2000; i++) {
		uint64_t t = now_ns();

		sendto(s, &t, sizeof(t), 0, (struct sockaddr *)&dst, sizeof(dst));
		usleep(500);
	}
	usleep(200000);
	atomic_store(&measuring_latency, 0);
	n = atomic_load(&nlatencies);
	if (n > 4096)
		n = 4096;
	memcpy(lat, latencies_ns, (size_t)n * sizeof(lat[0]));
	qsort(lat, (size_t)n, sizeof(lat[0]), compare_u64);
	if (n > 0)
		printf("lowpand TUN -> serial latency (kernel + lowpand + pty, paced): p50 %.3f "
		       "ms, "
		       "p99 %.3f ms over %d datagrams (goal: p99 < 1 ms)\n",
		       (double)lat[n / 2] / 1e6, (double)lat[n * 99 / 100] / 1e6, n);
	close(s);
}

static void bench_serial_to_tun(void)
{
	struct sockaddr_in6 me = { .sin6_family = AF_INET6, .sin6_port = htons(40000) };
	int s = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0), rcvbuf = 8 << 20;
	uint8_t pkt[1400], buf[64];
	const int n = 50000;
	size_t len = udp_packet(pkt, 40000, 16);
	int got = 0;
	uint64_t t0, last;

	inet_pton(AF_INET6, "fd00::1", &me.sin6_addr);
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(s, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("bind fd00::1");
		return;
	}
	t0 = last = now_ns();
	for (int i = 0; i < n; i++) {
		inject_packet(pkt, len, (uint16_t)i, false);
		while (recv(s, buf, sizeof(buf), 0) > 0)
			got++;
	}
	while (got < n && seconds_since(last) < 1.0) {
		if (recv(s, buf, sizeof(buf), 0) > 0) {
			got++;
			last = now_ns();
		} else {
			usleep(500);
		}
	}
	printf("lowpand serial -> TUN: %d of %d frames delivered as datagrams in %.2f s = %.0f "
	       "frames/s (goal 20000)\n",
	       got, n, (double)(last - t0) / 1e9, got / ((double)(last - t0) / 1e9));
	close(s);
}

static void bench_memory(pid_t pid, const char *sock)
{
	uint8_t pkt[1400], root[16], target[16];
	long before = proc_field(pid, "VmRSS");
	json_t *st;

	inet_pton(AF_INET6, "fd00::1", root);
	for (int i = 0; i < 500; i++) {
		struct lowpan_rpl_msg m = { .code = LOWPAN_RPL_DAO,
					    .instance = 30,
					    .sequence = (uint8_t)i,
					    .ntargets = 1 };
		int len;

		inet_pton(AF_INET6, "fd00::", target);
		target[14] = (uint8_t)(0x10 + i / 256);
		target[15] = (uint8_t)i;
		m.targets[0] = (struct lowpan_rpl_target){ .prefix_len = 128,
							   .has_transit = true,
							   .path_lifetime = 30,
							   .has_parent = true };
		memcpy(m.targets[0].prefix, target, 16);
		memcpy(m.targets[0].parent, root, 16);
		len = lowpan_rpl_build(&m, target, root, pkt, sizeof(pkt));
		inject_packet(pkt, (size_t)len, (uint16_t)(60000 + i), false);
	}
	for (int i = 0; i < 64; i++)
		inject_packet(pkt, udp_packet(pkt, 40001, 1000), (uint16_t)(1000 + i), true);
	usleep(500000);
	st = status(sock);
	printf("lowpand memory: with %lld RPL routes and 64 reassemblies waiting, VmRSS %ld kB "
	       "(%ld kB before them; goal <= 4096 kB), of which RssAnon %ld kB (the daemon's own "
	       "heap and stacks; the rest is shared library pages), VmHWM %ld kB\n",
	       (long long)json_integer_value(json_object_get(json_object_get(st, "rpl"), "routes")),
	       proc_field(pid, "VmRSS"), before, proc_field(pid, "RssAnon"),
	       proc_field(pid, "VmHWM"));
	json_decref(st);
}

/*
 * Once the trickle timer has grown (Imin 8 ms doubles with every quiet
 * interval, so after t seconds it waits about t seconds), the only
 * wake-ups left should be its DIOs, their "!R", and route lifetimes.
 */
static void bench_idle(pid_t pid)
{
	long a, b;

	sleep(10);
	a = proc_field(pid, "voluntary_ctxt_switches") +
	    proc_field(pid, "nonvoluntary_ctxt_switches");
	sleep(10);
	b = proc_field(pid, "voluntary_ctxt_switches") +
	    proc_field(pid, "nonvoluntary_ctxt_switches");
	printf("lowpand idle: %.1f wake-ups/s over 10 s, 10 s after the last traffic (the DIO "
	       "trickle and its \"!R\" only)\n",
	       (double)(b - a) / 10.0);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/bench-lowpand-XXXXXX", link[128], ini[128], sock[128], exe[512];
	pid_t pid;
	FILE *f;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_lowpand BUILD_DIR\n");
		return 2;
	}
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		printf("bench_lowpand: needs root for a TUN interface in a network namespace; "
		       "skipped\n");
		return 0;
	}
	loopback_up();
	lowpan_iphc_ctx_set(&contexts, 0, (const uint8_t[16]){ 0xfd }, 64, true);
	if (!mkdtemp(dir))
		return 1;
	snprintf(link, sizeof(link), "%s/radio", dir);
	snprintf(ini, sizeof(ini), "%s/lowpand.ini", dir);
	snprintf(sock, sizeof(sock), "%s/lowpand.sock", dir);
	snprintf(exe, sizeof(exe), "%s/daemons/lowpand/lowpand", argv[1]);
	make_pty(link);
	f = fopen(ini, "w");
	fprintf(f,
		"[daemon]\nsocket = %s\ndatabase = %s/l.db\nuser =\nlog_level = warning\n"
		"[radio]\ndevice = %s\ndialect = contiki-ng\ntx_queue = 65536\n"
		"[tun]\nname = lwgb0\naddress = fd00::1/64\n",
		sock, dir, link);
	fclose(f);
	pthread_t thread;

	pthread_create(&thread, NULL, dongle, NULL);
	pid = fork();
	if (pid == 0) {
		execl(exe, "lowpand", "-f", "-c", ini, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && !radio_ready(sock); i++)
		usleep(50000);
	if (!radio_ready(sock)) {
		fprintf(stderr, "bench_lowpand: lowpand did not come up\n");
		kill(pid, SIGKILL);
		return 1;
	}
	bench_tun_to_serial(sock);
	bench_latency();
	bench_serial_to_tun();
	bench_idle(pid); /* before the memory test leaves reassemblies (and their timer) waiting */
	bench_memory(pid, sock);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return 0;
}
