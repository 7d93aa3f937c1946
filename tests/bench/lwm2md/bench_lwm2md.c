/*
 * A load tool for lwm2md: one process simulates N LwM2M clients over UDP
 * against a real lwm2md (started here with a temporary database), each
 * from its own address (127.x.y.z: every 127/8 address is the loopback),
 * and reports:
 *   - Registers per second, each committed to SQLite before its 2.01;
 *   - Updates per second;
 *   - the daemon's resident memory per registered client;
 *   - the round trip of a Read (lwgatectl's path: control socket → CoAP
 *     GET → client's 2.05 → JSON reply), median and 99th percentile.
 *
 * Usage: bench_lwm2md LWM2MD_BINARY [CLIENTS [WINDOW]]   (defaults 20000, 128)
 * Prints figures; never fails on time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "common/ipc_client.h"

#define PAYLOAD  "</1/0>,</3/0>,</3303>;ver=1.1,</3303/0>,</3303/1>"
#define RETRY_MS 2000

struct slot {
	int fd;
	long client; /* -1: free */
	uint16_t mid;
	double sent;
	uint8_t msg[512];
	size_t len;
};

static uint16_t port;
static char (*locations)[24];

static size_t put_option(uint8_t *p, unsigned *last, unsigned num, const void *val, size_t len)
{
	unsigned delta = num - *last;
	size_t o = 1;

	/* deltas and lengths below 13, or one extension byte: all this tool needs */
	if (delta < 13) {
		p[0] = (uint8_t)(delta << 4);
	} else {
		p[0] = 13 << 4;
		p[o++] = (uint8_t)(delta - 13);
	}
	if (len < 13) {
		p[0] |= (uint8_t)len;
	} else {
		p[0] |= 13;
		p[o++] = (uint8_t)(len - 13);
	}
	memcpy(p + o, val, len);
	*last = num;
	return o + len;
}

static size_t build_register(uint8_t *m, uint16_t mid, long client)
{
	char ep[32], lt[] = "lt=86400";
	unsigned last = 0;
	size_t o = 4;
	uint8_t cf = 40;

	m[0] = 0x40; /* v1 CON, no token */
	m[1] = 0x02; /* POST */
	m[2] = (uint8_t)(mid >> 8);
	m[3] = (uint8_t)mid;
	snprintf(ep, sizeof(ep), "ep=bench-%06ld", client);
	o += put_option(m + o, &last, 11, "rd", 2);
	o += put_option(m + o, &last, 12, &cf, 1);
	o += put_option(m + o, &last, 15, ep, strlen(ep));
	o += put_option(m + o, &last, 15, lt, strlen(lt));
	m[o++] = 0xff;
	memcpy(m + o, PAYLOAD, strlen(PAYLOAD));
	return o + strlen(PAYLOAD);
}

static size_t build_update(uint8_t *m, uint16_t mid, long client)
{
	unsigned last = 0;
	size_t o = 4;

	m[0] = 0x40;
	m[1] = 0x02;
	m[2] = (uint8_t)(mid >> 8);
	m[3] = (uint8_t)mid;
	o += put_option(m + o, &last, 11, "rd", 2);
	o += put_option(m + o, &last, 11, locations[client], strlen(locations[client]));
	o += put_option(m + o, &last, 15, "lt=86400", 8);
	return o;
}

/* A socket from 127.x.y.z, one address per simulated client. */
static int client_socket(long client)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	uint32_t host = 0x7f000000u | (uint32_t)(client % 0xfffffe + 1);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	a.sin_addr.s_addr = htonl(host);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("client socket");
		exit(1);
	}
	return fd;
}

static void send_slot(struct slot *s)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sendto(s->fd, s->msg, s->len, 0, (struct sockaddr *)&to, sizeof(to));
	s->sent = bench_now_s();
}

/*
 * Run @n exchanges with @window in flight; @update selects Update instead
 * of Register.  Returns the number answered with a 2.xx.
 */
static long run(long n, int window, int update, long *retries)
{
	struct slot *slots = calloc((size_t)window, sizeof(*slots));
	struct pollfd *pfd = calloc((size_t)window, sizeof(*pfd));
	long next = 0, done = 0, ok = 0;

	for (int i = 0; i < window; i++)
		slots[i].client = -1;
	while (done < n) {
		for (int i = 0; i < window; i++) {
			struct slot *s = &slots[i];

			if (s->client < 0 && next < n) {
				s->client = next++;
				s->fd = client_socket(s->client);
				s->mid = (uint16_t)(s->client * 7 + 1);
				s->len = update ? build_update(s->msg, s->mid, s->client)
						: build_register(s->msg, s->mid, s->client);
				send_slot(s);
			}
			pfd[i].fd = s->client >= 0 ? s->fd : -1;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)window, 100) < 0)
			continue;
		for (int i = 0; i < window; i++) {
			struct slot *s = &slots[i];
			uint8_t buf[512];
			ssize_t r;

			if (s->client < 0)
				continue;
			if (!(pfd[i].revents & POLLIN)) {
				if (bench_now_s() - s->sent > RETRY_MS / 1000.0) {
					(*retries)++;
					send_slot(s); /* same MID: lwm2md answers it once */
				}
				continue;
			}
			r = recv(s->fd, buf, sizeof(buf), 0);
			if (r < 4 || ((buf[2] << 8) | buf[3]) != s->mid)
				continue;
			if (buf[1] >> 5 == 2) {
				ok++;
				if (!update) {
					/* Location-Path "rd", then the location */
					size_t o = 4 + (buf[0] & 15);
					size_t l1 = buf[o] & 15, l2;

					o += 1 + l1;
					l2 = buf[o++] & 15;
					if (l2 ==
					    13) /* the 20-character location: one extension byte */
						l2 = 13 + buf[o++];
					if (l2 < sizeof(locations[0]) && o + l2 <= (size_t)r) {
						memcpy(locations[s->client], buf + o, l2);
						locations[s->client][l2] = '\0';
					}
				}
			}
			close(s->fd);
			s->client = -1;
			done++;
		}
	}
	free(slots);
	free(pfd);
	return ok;
}

static uint16_t free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	getsockname(fd, (struct sockaddr *)&a, &len);
	close(fd);
	return ntohs(a.sin_port);
}

/* The simulated client of the Read benchmark: answers every GET with 2.05 "Acme". */
static void *answer_reads(void *arg)
{
	int fd = *(int *)arg;

	for (;;) {
		uint8_t buf[512], out[64];
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		size_t tkl, o;

		if (r < 0)
			return NULL;
		if (r < 4 || buf[1] != 0x01)
			continue;
		tkl = buf[0] & 15;
		out[0] = (uint8_t)(0x60 | tkl); /* ACK */
		out[1] = 0x45;                  /* 2.05 */
		out[2] = buf[2];
		out[3] = buf[3];
		memcpy(out + 4, buf + 4, tkl);
		o = 4 + tkl;
		out[o++] = 0xc0; /* Content-Format (12), empty: text/plain */
		out[o++] = 0xff;
		memcpy(out + o, "Acme", 4);
		sendto(fd, out, o + 4, 0, (struct sockaddr *)&from, flen);
	}
}

static void bench_reads(const char *sock, int count)
{
	struct ipc_client *cl;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	double *rtt = calloc((size_t)count, sizeof(double));
	uint8_t m[512], ack[512];
	pthread_t th;
	int fd = client_socket(0xfffff0), ok = 0;

	/* register the reading client from the socket the thread will serve */
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	{
		size_t len = build_register(m, 1, 999999);
		struct pollfd p = { fd, POLLIN, 0 };

		sendto(fd, m, len, 0, (struct sockaddr *)&to, sizeof(to));
		if (poll(&p, 1, 5000) <= 0 || recv(fd, ack, sizeof(ack), 0) < 4) {
			printf("read: the reading client could not register\n");
			return;
		}
	}
	fcntl(fd, F_SETFL, 0); /* the answering thread blocks in recvfrom() */
	pthread_create(&th, NULL, answer_reads, &fd);
	if (ipc_client_open(sock, &cl) < 0) {
		printf("read: cannot reach the control socket\n");
		return;
	}
	for (int i = 0; i < count; i++) {
		struct ipc_response resp;
		double t0 = bench_now_s();

		if (ipc_client_call(cl, "read",
				    json_pack("{s:s, s:s}", "ep", "bench-999999", "path", "/3/0/0"),
				    5000, &resp) == 0 &&
		    resp.ok)
			rtt[ok++] = bench_now_s() - t0;
		ipc_response_fini(&resp);
	}
	ipc_client_free(cl);
	shutdown(fd, SHUT_RDWR);
	close(fd);
	pthread_join(th, NULL);
	qsort(rtt, (size_t)ok, sizeof(double), bench_cmp_double);
	if (ok)
		printf("read round trip (lwgatectl path): %d reads, median %.3f ms, p99 %.3f ms\n",
		       ok, rtt[ok / 2] * 1e3, rtt[(ok * 99) / 100] * 1e3);
	free(rtt);
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 20000, retries = 0, ok;
	int window = argc > 3 ? atoi(argv[3]) : 128;
	char dir[] = "/tmp/bench-lwm2md-XXXXXX", ini[128], sock[128], db[128], cmd[512];
	long rss0, rss1;
	double t0, t;
	pid_t pid;
	FILE *f;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || n <= 0 || window <= 0) {
		fprintf(stderr, "usage: bench_lwm2md LWM2MD_BINARY [CLIENTS [WINDOW]]\n");
		return 2;
	}
	if (!mkdtemp(dir))
		return 1;
	port = free_port();
	snprintf(ini, sizeof(ini), "%s/lwm2md.ini", dir);
	snprintf(sock, sizeof(sock), "%s/lwm2md.sock", dir);
	snprintf(db, sizeof(db), "%s/lwm2md.db", dir);
	f = fopen(ini, "w");
	fprintf(f,
		"[daemon]\nsocket = %s\ndatabase = %s\nuser =\nlog_level = warning\n"
		"[coap]\nport = %u\n[coaps]\nenabled = no\n[lwm2m]\nmax_clients = %ld\n",
		sock, db, port, n + 10);
	fclose(f);
	pid = bench_spawn((char *[]){ argv[1], "-f", "-c", ini, NULL }, false);
	for (int i = 0; i < 500 && access(sock, F_OK) != 0; i++)
		usleep(10000);
	usleep(100000);
	locations = calloc((size_t)n + 1, sizeof(*locations));
	rss0 = bench_rss_kib(pid);

	t0 = bench_now_s();
	ok = run(n, window, 0, &retries);
	t = bench_now_s() - t0;
	rss1 = bench_rss_kib(pid);
	printf("register: %ld clients (%ld ok, %ld retransmissions) in %.2f s: %.0f "
	       "registrations/s "
	       "(each committed to SQLite before its 2.01)\n",
	       n, ok, retries, t, (double)n / t);
	printf("memory: daemon RSS %ld kB idle, %ld kB with %ld clients: %.0f bytes per client\n",
	       rss0, rss1, ok, ok ? (double)(rss1 - rss0) * 1024 / (double)ok : 0.0);
	retries = 0;
	t0 = bench_now_s();
	ok = run(n, window, 1, &retries);
	t = bench_now_s() - t0;
	printf("update: %ld updates (%ld ok, %ld retransmissions) in %.2f s: %.0f updates/s\n", n,
	       ok, retries, t, (double)n / t);
	bench_reads(sock, 2000);
	{
		struct stat st;

		if (stat(db, &st) == 0)
			printf("database: %lld bytes (%.0f per client, WAL aside)\n",
			       (long long)st.st_size, (double)st.st_size / (double)n);
	}
	bench_stop(pid);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	free(locations);
	return 0;
}
