/*
 * Idle memory of every daemon, and where it goes.
 *
 * Each daemon is started from the build tree with its shipped conf/NAME.ini,
 * only the paths moved to a temporary folder (socket, database, objects,
 * the dongle, no user switch), in a private network namespace so that the
 * shipped ports are free.  Once it says READY=1 on $NOTIFY_SOCKET, like to
 * systemd, its memory is read from /proc:
 *
 *   VmRSS (/proc/PID/status), then from smaps_rollup what kind of pages it
 *   is (file-backed shared libraries, anonymous heap, private dirty pages:
 *   relocations and heap, the memory only this process pays for, and PSS),
 *   and from smaps the mappings holding most of it, one line per file.
 *
 * For scale, the same figures for a process that only starts libcoap with
 * OpenSSL (coap_startup(), coap_new_context()) as lwm2md and rdd do: the
 * floor of a CoAP daemon with DTLS, whatever it does on top.
 *
 * Usage: bench_idle_rss BUILD_DIR SOURCE_DIR [DAEMON...].  lowpand needs
 * root (TUN); without it lowpand is left out.  Prints figures, never fails
 * on size.
 */
#include <errno.h>
#include <ftw.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <coap3/coap.h>

#include "benchutil.h"

#define TOP_MAPPINGS     10
#define READY_TIMEOUT_MS 30000

static const char *const all_daemons[] = { "lowpand", "lwm2md", "rdd", "paad", "scefd", NULL };

struct mapping {
	char name[128];
	long rss, dirty;
};

/*
 * The shipped configuration with everything that points outside the build
 * moved into @tmp: the rest (ports, DTLS, tables, limits) stays as shipped.
 */
static int write_config(const char *src, const char *name, const char *tmp, char *ini, size_t cap)
{
	char path[512], line[1024];
	FILE *in, *out;

	snprintf(path, sizeof(path), "%s/conf/%s.ini", src, name);
	snprintf(ini, cap, "%s/%s.ini", tmp, name);
	in = fopen(path, "r");
	out = fopen(ini, "w");
	if (!in || !out) {
		perror(in ? ini : path);
		if (in)
			fclose(in);
		if (out)
			fclose(out);
		return -1;
	}
	while (fgets(line, sizeof(line), in)) {
		char *sock = strstr(line, "/run/lwgate/");

		if (strncmp(line, "socket = ", 9) == 0 && sock)
			fprintf(out, "socket = %s/%s", tmp, sock + strlen("/run/lwgate/"));
		else if (strncmp(line, "database = ", 11) == 0)
			fprintf(out, "database = %s/%s.db\n", tmp, name);
		else if (strncmp(line, "user = ", 7) == 0)
			fputs("user =\n", out);
		else if (strncmp(line, "objects = ", 10) == 0)
			fprintf(out, "objects = %s/conf/objects\n", src);
		else if (strncmp(line, "device = ", 9) == 0)
			fprintf(out, "device = %s/no-dongle\n",
				tmp); /* it keeps retrying, as unplugged */
		else
			fputs(line, out);
	}
	fclose(in);
	return fclose(out) == 0 ? 0 : -1;
}

static int notify_socket(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		perror("notify socket");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* True once READY=1 arrived; false when the daemon said nothing in time. */
static bool wait_ready(int fd)
{
	char msg[4096];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, READY_TIMEOUT_MS) <= 0)
			return false;
		n = recv(fd, msg, sizeof(msg) - 1, 0);
		if (n < 0)
			return false;
		msg[n] = '\0';
		if (strstr(msg, "READY=1"))
			return true;
	}
}

static void print_rollup(pid_t pid)
{
	static const char *const keys[] = { "Pss:", "Shared_Clean:", "Private_Dirty:", "Anonymous:",
					    NULL };
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	printf("  ");
	while (fgets(line, sizeof(line), f)) {
		long kib;

		for (int i = 0; keys[i]; i++) {
			size_t k = strlen(keys[i]);

			if (strncmp(line, keys[i], k) == 0 && sscanf(line + k, "%ld", &kib) == 1)
				printf(" %.*s %ld kB", (int)k - 1, keys[i], kib);
		}
	}
	printf("\n");
	fclose(f);
}

static int by_rss(const void *a, const void *b)
{
	const struct mapping *x = a, *y = b;

	return (y->rss > x->rss) - (y->rss < x->rss);
}

/* smaps summed per mapped file (anonymous mappings by their [name] or "anonymous"). */
static void print_mappings(pid_t pid)
{
	struct mapping m[256];
	size_t n = 0, cur = 0;
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char range[64], perms[8], file[400] = "anonymous";
		long kib;

		if (sscanf(line, "%63s %7s %*s %*s %*s %399s", range, perms, file) >= 2 &&
		    strchr(range, '-')) {
			const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;

			for (cur = 0; cur < n && strcmp(m[cur].name, base) != 0; cur++)
				;
			if (cur == n && n < sizeof(m) / sizeof(m[0])) {
				snprintf(m[n].name, sizeof(m[n].name), "%s", base);
				m[n].rss = m[n].dirty = 0;
				n++;
			}
		} else if (cur < n && sscanf(line, "Rss: %ld", &kib) == 1) {
			m[cur].rss += kib;
		} else if (cur < n && sscanf(line, "Private_Dirty: %ld", &kib) == 1) {
			m[cur].dirty += kib;
		}
	}
	fclose(f);
	qsort(m, n, sizeof(m[0]), by_rss);
	for (size_t i = 0; i < n && i < TOP_MAPPINGS; i++)
		printf("    %6ld kB resident %6ld kB private dirty  %s\n", m[i].rss, m[i].dirty,
		       m[i].name);
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

static void measure(const char *build, const char *src, const char *name)
{
	char tmp[] = "/tmp/lwgate-idle-XXXXXX", ini[600], exe[600], notify[600];
	char *argv[] = { exe, "-f", "-c", ini, NULL };
	pid_t pid;
	int fd;

	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return;
	}
	snprintf(exe, sizeof(exe), "%s/daemons/%s/%s", build, name, name);
	snprintf(notify, sizeof(notify), "%s/notify", tmp);
	if (write_config(src, name, tmp, ini, sizeof(ini)) < 0 || (fd = notify_socket(notify)) < 0)
		return;
	fflush(stdout); /* or the child's freopen() prints it again */
	setenv("NOTIFY_SOCKET", notify, 1);
	pid = bench_spawn(argv, true);
	unsetenv("NOTIFY_SOCKET");
	if (pid < 0 || !wait_ready(fd)) {
		printf("%-8s did not say READY=1 (see its log with -f)\n", name);
	} else {
		printf("%-8s idle VmRSS %ld kB\n", name, bench_rss_kib(pid));
		print_rollup(pid);
		print_mappings(pid);
	}
	if (pid > 0)
		bench_stop(pid);
	close(fd);
	nftw(tmp, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* Run as "bench_idle_rss --floor": libcoap and OpenSSL started, nothing else. */
static int floor_process(void)
{
	coap_context_t *ctx;

	coap_startup();
	ctx = coap_new_context(NULL);
	if (!ctx)
		return 1;
	printf("%-8s idle VmRSS %ld kB (libcoap + OpenSSL started, nothing else)\n", "floor",
	       bench_rss_kib(getpid()));
	print_rollup(getpid());
	print_mappings(getpid());
	coap_free_context(ctx);
	coap_cleanup();
	return 0;
}

static void measure_floor(const char *self)
{
	char *argv[] = { (char *)self, "--floor", NULL };
	pid_t pid;

	fflush(stdout);
	pid = bench_spawn(argv, false);
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	bool netns;

	if (argc == 2 && strcmp(argv[1], "--floor") == 0)
		return floor_process();

	if (argc < 3) {
		fprintf(stderr, "usage: %s BUILD_DIR SOURCE_DIR [DAEMON...]\n", argv[0]);
		return 2;
	}
	/* the shipped ports (5683, 5684, 5783...) are free in a namespace of our own */
	netns = unshare(CLONE_NEWNET) == 0;
	if (!netns)
		printf("no network namespace (%s): lowpand left out, ports may clash\n",
		       strerror(errno));
	for (int i = 0; all_daemons[i]; i++) {
		bool asked = argc == 3;

		for (int k = 3; k < argc; k++)
			asked = asked || strcmp(argv[k], all_daemons[i]) == 0;
		if (!asked || (!netns && strcmp(all_daemons[i], "lowpand") == 0))
			continue;
		measure(argv[1], argv[2], all_daemons[i]);
	}
	measure_floor("/proc/self/exe");
	return 0;
}
