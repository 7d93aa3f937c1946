/*
 * paad under load, against a real paad started here with a temporary
 * database, by PaCs of lwgate-pac's protocol (tests/tools/pac) in this
 * process, each on its own UDP socket:
 *   - the time of one full authentication (PCI to PAN(C): 4 round trips,
 *     EAP-PSK and the key derivations on both sides), median and 99th
 *     percentile over sequential runs (goal: median under 50 ms);
 *   - authentications per second with WINDOW PaCs in flight, and per
 *     second of paad's CPU time (paad is one thread: that is one core);
 *   - paad's resident memory with SESSIONS sessions established (goal:
 *     1,000 sessions in under 10 MB).
 *
 * Usage: bench_paad PAAD_BINARY [SESSIONS [WINDOW]]   (defaults 1000, 64)
 * Prints figures; never fails on time.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "benchutil.h"
#include "common/ipc_client.h"
#include "pac.h"

#define PSK_HEX "000102030405060708090a0b0c0d0e0f"

static const uint8_t psk[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

static void on_event(struct pac *c, const char *name)
{
	if (!strcmp(name, "authenticated") || !strcmp(name, "rejected"))
		c->done = true;
}

static int pac_socket(int port)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons((uint16_t)port),
				  .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		abort();
	return fd;
}

static void pac_begin(struct pac *c, int port)
{
	memset(c, 0, sizeof(*c));
	c->irt_ms = 1000;
	c->mrc = 10;
	c->on_event = on_event;
	if (eap_psk_peer_init(&c->eap, "bench", psk) < 0)
		abort();
	c->fd = pac_socket(port);
	pac_start(c);
}

/*
 * Run @total authentications with up to @n PaCs in flight (@pacs has @n
 * slots): a finished PaC's slot starts the next one.  Returns how many
 * authenticated.
 */
static unsigned drive(struct pac *pacs, size_t n, unsigned total, int port)
{
	struct pollfd p[256];
	unsigned started = 0, finished = 0, ok = 0;

	for (size_t i = 0; i < n && started < total; i++, started++)
		pac_begin(&pacs[i], port);
	for (size_t i = started; i < n; i++)
		pacs[i].done = true, pacs[i].fd = -1;
	while (finished < total) {
		for (size_t i = 0; i < n; i++)
			p[i] = (struct pollfd){ pacs[i].done ? -1 : pacs[i].fd, POLLIN, 0 };
		if (poll(p, (nfds_t)n, 50) < 0 && errno != EINTR)
			abort();
		for (size_t i = 0; i < n; i++) {
			uint8_t buf[PANA_MAX_MSG];
			ssize_t len;

			if (pacs[i].done)
				continue;
			while ((len = recv(pacs[i].fd, buf, sizeof(buf), 0)) > 0)
				pac_input(&pacs[i], buf, (size_t)len);
			if (!pacs[i].done && !pac_retransmit(&pacs[i]))
				pacs[i].done = true;
			if (!pacs[i].done)
				continue;
			ok += pacs[i].authenticated;
			finished++;
			close(pacs[i].fd);
			pacs[i].fd = -1;
			if (started < total) {
				pac_begin(&pacs[i], port);
				started++;
			}
		}
	}
	return ok;
}

/* utime + stime of @pid in seconds. */
static double cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		abort();
	fclose(f);
	p = strrchr(buf, ')');
	/* fields 14 and 15 after "pid (comm)": skip state and 10 more */
	if (!p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		abort();
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* RssAnon of @pid in KiB (the daemon's own memory, without the shared libraries), or -1. */
static long rss_anon_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "RssAnon: %ld", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

static pid_t start_paad(const char *bin, const char *dir, int port)
{
	char ini[256], sock[256];
	char *argv[] = { (char *)bin, "-f", "-c", ini, NULL };
	struct ipc_client *cl = NULL;
	struct ipc_response resp;
	pid_t pid;
	FILE *f;

	snprintf(ini, sizeof(ini), "%s/paad.ini", dir);
	snprintf(sock, sizeof(sock), "%s/paad.sock", dir);
	f = fopen(ini, "w");
	if (!f)
		abort();
	fprintf(f,
		"[daemon]\nsocket = %s\ndatabase = %s/paad.db\nuser =\nlog_level = warning\n"
		"[pana]\naddress = ::1\nport = %d\nmax_sessions = 1000000\n",
		sock, dir, port);
	fclose(f);
	pid = bench_spawn(argv, true);
	for (double t0 = bench_now_s(); ipc_client_open(sock, &cl) < 0; usleep(10000))
		if (bench_now_s() - t0 > 10) {
			fprintf(stderr, "paad did not start\n");
			exit(1);
		}
	if (ipc_client_call(cl, "device-add",
			    json_pack("{s:s, s:s}", "identity", "bench", "psk", PSK_HEX), 5000,
			    &resp) < 0 ||
	    !resp.ok)
		abort();
	ipc_response_fini(&resp);
	ipc_client_free(cl);
	return pid;
}

static void latency(int port)
{
	enum { RUNS = 200 };
	static double t[RUNS];
	struct pac c;

	for (int i = 0; i < RUNS; i++) {
		double t0 = bench_now_s();

		if (drive(&c, 1, 1, port) != 1)
			abort();
		t[i] = (bench_now_s() - t0) * 1000;
	}
	qsort(t, RUNS, sizeof(t[0]), bench_cmp_double);
	printf("full EAP-PSK authentication, loopback: median %.2f ms, p99 %.2f ms over %d "
	       "(goal: median < 50 ms)\n",
	       t[RUNS / 2], t[RUNS * 99 / 100], RUNS);
}

static void load(pid_t pid, int port, unsigned sessions, unsigned window)
{
	struct pac *pacs = calloc(window, sizeof(*pacs));
	long rss0 = bench_rss_kib(pid), anon0 = rss_anon_kib(pid), rss, anon;
	double t0 = bench_now_s(), c0 = cpu_s(pid), wall, cpu;
	unsigned ok;

	if (!pacs)
		abort();
	ok = drive(pacs, window, sessions, port);
	wall = bench_now_s() - t0;
	cpu = cpu_s(pid) - c0;
	rss = bench_rss_kib(pid);
	anon = rss_anon_kib(pid);
	printf("%u authentications, %u in flight: %.0f/s, %.0f per second of paad CPU (one core)\n",
	       ok, window, ok / wall, cpu > 0 ? ok / cpu : 0.0);
	printf("paad with %u sessions: VmRSS %.1f MB (%.1f MB before), RssAnon %.1f MB (%.1f MB "
	       "before): %.0f bytes per session (goal: 1,000 sessions < 10 MB)\n",
	       ok, rss / 1024.0, rss0 / 1024.0, anon / 1024.0, anon0 / 1024.0,
	       (double)(rss - rss0) * 1024.0 / ok);
	free(pacs);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/bench-paad-XXXXXX";
	unsigned sessions = argc > 2 ? (unsigned)atoi(argv[2]) : 1000;
	unsigned window = argc > 3 ? (unsigned)atoi(argv[3]) : 64;
	int port = bench_free_udp_port();
	pid_t pid;

	if (argc < 2 || window == 0 || window > 256 || !mkdtemp(dir)) {
		fprintf(stderr, "usage: bench_paad PAAD_BINARY [SESSIONS [WINDOW<=256]]\n");
		return 2;
	}
	pid = start_paad(argv[1], dir, port);
	latency(port);
	load(pid, port, sessions, window);
	bench_stop(pid);
	return 0;
}
