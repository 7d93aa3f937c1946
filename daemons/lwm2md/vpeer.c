/*
 * vpeer — virtual CoAP peers on loopback (see vpeer.h).
 */
#define LOG_COMPONENT "vpeer"
#include "vpeer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

#define BUCKETS       256 /* by port and by identity: lookups stay short */
#define MAX_KINDS     4
#define DEFAULT_LIMIT 1024
#define DGRAM_MAX     65507 /* the largest UDP payload */
#define ANY_TRIES     32    /* kernel-chosen ports tried past reserved ones */

struct vpeer {
	struct vpeers *set;
	char kind[VPEER_KIND_MAX];
	char identity[VPEER_IDENTITY_MAX];
	char endpoint[VPEER_IDENTITY_MAX];
	int fd;
	uint16_t port;
	struct event *ev;
	vpeer_downlink_fn fn;
	void *arg;
	uint64_t up, down;
	struct vpeer *next_port, *next_id;
};

/* A port a stored registration names, and whose it is (vpeers_reserve). */
struct resv {
	uint16_t port;
	char kind[VPEER_KIND_MAX];
	char identity[VPEER_IDENTITY_MAX];
	struct resv *next;
};

struct kind_limit {
	char kind[VPEER_KIND_MAX];
	size_t max, count;
};

struct vpeers {
	struct event_base *base;
	bool enabled;
	struct sockaddr_storage server; /* lwm2md's endpoint, wildcard made loopback */
	socklen_t server_len;
	struct sockaddr_storage local; /* where vpeers bind (port 0) */
	socklen_t local_len;
	struct kind_limit kinds[MAX_KINDS];
	struct vpeer *by_port[BUCKETS], *by_id[BUCKETS];
	struct resv *resv[BUCKETS]; /* by port; one per port, so at most 65535 */
	size_t n_resv;
	uint8_t buf[DGRAM_MAX + 1]; /* one downlink datagram at a time: the loop is single */
};

static unsigned id_hash(const char *kind, const char *identity)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (const char *p = kind; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (const char *p = identity; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h % BUCKETS;
}

/* The loopback of @ss's family in place of a wildcard (where a vpeer must send). */
static void unwildcard(struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr))
			a->sin6_addr = in6addr_loopback;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (a->sin_addr.s_addr == htonl(INADDR_ANY))
			a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
}

/*
 * Loopback of the endpoint's family; an IPv6 endpoint without a usable
 * ::1 (IPv6 off on lo) gets 127.0.0.1 through its dual-stack socket.
 */
static void choose_local(struct vpeers *set)
{
	int fd;

	memset(&set->local, 0, sizeof(set->local));
	if (set->server.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&set->local;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		set->local_len = sizeof(*a);
		fd = socket(AF_INET6, SOCK_DGRAM, 0);
		if (fd >= 0 && bind(fd, (struct sockaddr *)a, sizeof(*a)) == 0) {
			close(fd);
			return;
		}
		if (fd >= 0)
			close(fd);
		log_info("no ::1 to bind virtual peers on: they use 127.0.0.1");
	}
	struct sockaddr_in *a = (struct sockaddr_in *)&set->local;

	memset(&set->local, 0, sizeof(set->local));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	set->local_len = sizeof(*a);
	if (set->server.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&set->server)->sin6_addr)) {
		/* the dual-stack endpoint takes 127.0.0.1 too */
		struct sockaddr_in6 s6 = *(struct sockaddr_in6 *)&set->server;
		struct sockaddr_in *s4 = (struct sockaddr_in *)&set->server;

		memset(&set->server, 0, sizeof(set->server));
		s4->sin_family = AF_INET;
		s4->sin_port = s6.sin6_port;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		set->server_len = sizeof(*s4);
	}
}

int vpeers_new(struct event_base *base, const struct sockaddr *server, socklen_t len,
	       struct vpeers **out)
{
	struct vpeers *set;

	if (server && !((server->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) ||
			(server->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))))
		return -EINVAL;
	set = calloc(1, sizeof(*set));
	if (!set)
		abort();
	set->base = base;
	if (server) {
		set->enabled = true;
		memcpy(&set->server, server, len);
		set->server_len = len;
		unwildcard(&set->server);
		choose_local(set);
	}
	*out = set;
	return 0;
}

void vpeers_free(struct vpeers *set)
{
	if (!set)
		return;
	for (unsigned i = 0; i < BUCKETS; i++) {
		while (set->by_port[i])
			vpeer_free(set->by_port[i]);
		while (set->resv[i]) {
			struct resv *r = set->resv[i];

			set->resv[i] = r->next;
			free(r);
		}
	}
	free(set);
}

static struct kind_limit *limit_of(struct vpeers *set, const char *kind, bool add)
{
	for (unsigned i = 0; i < MAX_KINDS; i++)
		if (strcmp(set->kinds[i].kind, kind) == 0)
			return &set->kinds[i];
	if (!add)
		return NULL;
	for (unsigned i = 0; i < MAX_KINDS; i++)
		if (!set->kinds[i].kind[0]) {
			snprintf(set->kinds[i].kind, sizeof(set->kinds[i].kind), "%s", kind);
			set->kinds[i].max = DEFAULT_LIMIT;
			return &set->kinds[i];
		}
	return NULL;
}

void vpeers_limit(struct vpeers *set, const char *kind, size_t max)
{
	struct kind_limit *k = limit_of(set, kind, true);

	if (k)
		k->max = max;
}

size_t vpeers_count(const struct vpeers *set, const char *kind)
{
	size_t n = 0;

	for (unsigned i = 0; i < MAX_KINDS; i++)
		if (set->kinds[i].kind[0] && (!kind || strcmp(set->kinds[i].kind, kind) == 0))
			n += set->kinds[i].count;
	return n;
}

int vpeers_reserve(struct vpeers *set, uint16_t port, const char *kind, const char *identity)
{
	struct resv *r;

	if (!port || !*kind || strlen(kind) >= VPEER_KIND_MAX || !*identity ||
	    strlen(identity) >= VPEER_IDENTITY_MAX)
		return -EINVAL;
	for (r = set->resv[port % BUCKETS]; r && r->port != port; r = r->next)
		;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			abort();
		r->port = port;
		r->next = set->resv[port % BUCKETS];
		set->resv[port % BUCKETS] = r;
		set->n_resv++;
	}
	snprintf(r->kind, sizeof(r->kind), "%s", kind);
	snprintf(r->identity, sizeof(r->identity), "%s", identity);
	return 0;
}

size_t vpeers_reserved(const struct vpeers *set)
{
	return set->n_resv;
}

/* Whether a stored registration of another device (kind or identity) names @port. */
static bool reserved_other(const struct vpeers *set, uint16_t port, const char *kind,
			   const char *identity)
{
	for (const struct resv *r = set->resv[port % BUCKETS]; r; r = r->next)
		if (r->port == port)
			return strcmp(r->kind, kind) != 0 || strcmp(r->identity, identity) != 0;
	return false;
}

/* A datagram from libcoap to the device: the owner carries it down. */
static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct vpeer *vp = arg;
	struct vpeers *set = vp->set;

	/* a few per wake-up, so that one busy vpeer cannot hold the loop */
	for (int i = 0; i < 16; i++) {
		ssize_t n = recv(fd, set->buf, sizeof(set->buf), MSG_TRUNC);

		if (n < 0)
			return;
		if (n == 0 || n > DGRAM_MAX) {
			log_warnx("datagram of %zd bytes to %s %s dropped", n, vp->kind,
				  vp->identity);
			continue;
		}
		vp->down++;
		vp->fn(vp->arg, set->buf, (size_t)n);
	}
}

/* Bind @fd to the set's loopback at @port; 0 or -errno. */
static int bind_port(struct vpeers *set, int fd, uint16_t port)
{
	struct sockaddr_storage a = set->local;

	if (a.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)&a)->sin_port = htons(port);
	return bind(fd, (struct sockaddr *)&a, set->local_len) == 0 ? 0 : -errno;
}

static uint16_t port_of(int fd)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return 0;
	return ntohs(a.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&a)->sin6_port
					     : ((struct sockaddr_in *)&a)->sin_port);
}

/*
 * A socket on a kernel-chosen loopback port that names no other device's
 * stored registration: one that does stays held while the next is tried,
 * so the kernel cannot hand it back.  Its fd or -errno.
 */
static int bind_any(struct vpeers *set, const char *kind, const char *identity)
{
	int held[ANY_TRIES], n_held = 0, fd, rc = 0;

	for (;;) {
		fd = socket(set->local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			rc = -errno;
			break;
		}
		rc = bind_port(set, fd, 0);
		if (rc < 0 || !reserved_other(set, port_of(fd), kind, identity))
			break;
		if (n_held == ANY_TRIES) {
			rc = -EADDRINUSE;
			break;
		}
		held[n_held++] = fd;
	}
	while (n_held)
		close(held[--n_held]);
	if (rc < 0 && fd >= 0)
		close(fd);
	return rc < 0 ? rc : fd;
}

/*
 * A socket on loopback, connected to lwm2md's endpoint (so the kernel
 * hands it only what comes from there), port @port if free and not
 * another device's (vpeers_reserve).  Its fd or -errno.
 */
static int open_socket(struct vpeers *set, const char *kind, const char *identity, uint16_t port)
{
	int fd = -1, rc = -EADDRINUSE;

	if (port && reserved_other(set, port, kind, identity)) {
		log_warnx("port %u is named by another device's stored registration: not for %s %s",
			  port, kind, identity);
		port = 0;
	}
	if (port) {
		fd = socket(set->local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		rc = bind_port(set, fd, port);
		if (rc < 0) {
			log_warnx("port %u of %s taken: another one (its stored registration is "
				  "unreachable until it registers again)",
				  port, identity);
			close(fd);
		}
	}
	if (rc < 0) {
		fd = bind_any(set, kind, identity);
		if (fd < 0)
			return fd;
	}
	if (connect(fd, (struct sockaddr *)&set->server, set->server_len) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int vpeer_new_at(struct vpeers *set, const char *kind, const char *identity, uint16_t port,
		 vpeer_downlink_fn fn, void *arg, struct vpeer **out)
{
	struct kind_limit *k;
	struct vpeer *vp;
	unsigned h;
	int fd;

	if (!*kind || strlen(kind) >= VPEER_KIND_MAX || !*identity ||
	    strlen(identity) >= VPEER_IDENTITY_MAX)
		return -EINVAL;
	if (!set->enabled)
		return -ENOTSUP;
	if (vpeer_find_identity(set, kind, identity))
		return -EEXIST;
	k = limit_of(set, kind, true);
	if (!k || k->count >= k->max)
		return -ENOSPC;
	fd = open_socket(set, kind, identity, port);
	if (fd < 0) {
		log_warnx("no socket for %s %s: %s", kind, identity, strerror(-fd));
		return fd;
	}
	vp = calloc(1, sizeof(*vp));
	if (!vp)
		abort();
	vp->set = set;
	snprintf(vp->kind, sizeof(vp->kind), "%s", kind);
	snprintf(vp->identity, sizeof(vp->identity), "%s", identity);
	snprintf(vp->endpoint, sizeof(vp->endpoint), "%s", identity);
	vp->fd = fd;
	vp->port = port_of(fd);
	vp->fn = fn;
	vp->arg = arg;
	vp->ev = event_new(set->base, fd, EV_READ | EV_PERSIST, on_readable, vp);
	if (!vp->ev)
		abort();
	event_add(vp->ev, NULL);
	vp->next_port = set->by_port[vp->port % BUCKETS];
	set->by_port[vp->port % BUCKETS] = vp;
	h = id_hash(kind, identity);
	vp->next_id = set->by_id[h];
	set->by_id[h] = vp;
	k->count++;
	/* the registration it makes will name this port: no other device may take it */
	vpeers_reserve(set, vp->port, kind, identity);
	log_debug("virtual peer kind=%s identity=%s port=%u", kind, identity, vp->port);
	*out = vp;
	return 0;
}

int vpeer_new(struct vpeers *set, const char *kind, const char *identity, vpeer_downlink_fn fn,
	      void *arg, struct vpeer **out)
{
	return vpeer_new_at(set, kind, identity, 0, fn, arg, out);
}

void vpeer_free(struct vpeer *vp)
{
	struct vpeer **pp;
	struct kind_limit *k;

	if (!vp)
		return;
	for (pp = &vp->set->by_port[vp->port % BUCKETS]; *pp != vp; pp = &(*pp)->next_port)
		;
	*pp = vp->next_port;
	for (pp = &vp->set->by_id[id_hash(vp->kind, vp->identity)]; *pp != vp; pp = &(*pp)->next_id)
		;
	*pp = vp->next_id;
	k = limit_of(vp->set, vp->kind, false);
	if (k)
		k->count--;
	event_free(vp->ev);
	close(vp->fd);
	free(vp);
}

int vpeer_uplink(struct vpeer *vp, const uint8_t *buf, size_t len)
{
	if (len == 0 || len > DGRAM_MAX)
		return -EMSGSIZE;
	if (send(vp->fd, buf, len, 0) < 0)
		return -errno;
	vp->up++;
	return 0;
}

/* @addr as an address of the set's local family and its port; false when it cannot be one. */
static bool local_port(const struct vpeers *set, const struct sockaddr *addr, socklen_t len,
		       uint16_t *port)
{
	if (addr->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)addr;

		*port = ntohs(a->sin_port);
		return set->local.ss_family == AF_INET &&
		       a->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
	}
	if (addr->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)addr;
		static const uint8_t mapped_lo[16] = { 0, 0, 0,    0,    0,   0, 0, 0,
						       0, 0, 0xff, 0xff, 127, 0, 0, 1 };

		*port = ntohs(a->sin6_port);
		if (set->local.ss_family == AF_INET6)
			return IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
		return memcmp(&a->sin6_addr, mapped_lo, 16) == 0;
	}
	return false;
}

struct vpeer *vpeer_find(const struct vpeers *set, const struct sockaddr *addr, socklen_t len)
{
	uint16_t port;

	if (!set || !set->enabled || !local_port(set, addr, len, &port))
		return NULL;
	for (struct vpeer *vp = set->by_port[port % BUCKETS]; vp; vp = vp->next_port)
		if (vp->port == port)
			return vp;
	return NULL;
}

struct vpeer *vpeer_find_identity(const struct vpeers *set, const char *kind, const char *identity)
{
	if (!set)
		return NULL;
	for (struct vpeer *vp = set->by_id[id_hash(kind, identity)]; vp; vp = vp->next_id)
		if (strcmp(vp->kind, kind) == 0 && strcmp(vp->identity, identity) == 0)
			return vp;
	return NULL;
}

const char *vpeer_kind(const struct vpeer *vp)
{
	return vp->kind;
}

const char *vpeer_identity(const struct vpeer *vp)
{
	return vp->identity;
}

int vpeer_set_endpoint(struct vpeer *vp, const char *ep)
{
	if (!*ep || strlen(ep) >= sizeof(vp->endpoint))
		return -EINVAL;
	snprintf(vp->endpoint, sizeof(vp->endpoint), "%s", ep);
	return 0;
}

const char *vpeer_endpoint(const struct vpeer *vp)
{
	return vp->endpoint;
}

void *vpeer_arg(const struct vpeer *vp)
{
	return vp->arg;
}

uint16_t vpeer_port(const struct vpeer *vp)
{
	return vp->port;
}

void vpeer_counts(const struct vpeer *vp, uint64_t *up, uint64_t *down)
{
	*up = vp->up;
	*down = vp->down;
}
