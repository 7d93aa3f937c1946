/*
 * devices — emulated devices on UDP (see devices.h).
 */
#include "devices.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "common/log.h"

struct devices {
	struct device *v;
	size_t n;
	int fd;
	struct event *ev;
	uint16_t port;
	devices_uplink_fn fn;
	void *arg;
	devices_cycle_fn cycle_fn;
	void *cycle_arg;
	uint64_t seed, rng; /* splitmix64: the loss draws */
};

static const char *const state_names[DEVICE_STATE_COUNT] = { "reachable", "psm", "edrx", "no-pdn" };

const char *device_state_name(enum device_state s)
{
	return (unsigned)s < DEVICE_STATE_COUNT ? state_names[s] : "?";
}

int device_state_parse(const char *name, enum device_state *out)
{
	for (int i = 0; i < DEVICE_STATE_COUNT; i++)
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum device_state)i;
			return 0;
		}
	return -EINVAL;
}

int device_cycle_parse(const char *s, unsigned *sleep, unsigned *active)
{
	char *end;
	if (!*s || strcmp(s, "off") == 0) {
		*sleep = *active = 0;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -EINVAL;
	unsigned long sl = strtoul(s, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	unsigned long ac = strtoul(end + 1, &end, 10);
	/* A month asleep, a day awake: beyond any T3412/T3324 a network gives. */
	if (*end || sl < 1 || sl > 86400UL * 31 || ac > 86400)
		return -EINVAL;
	*sleep = (unsigned)sl;
	*active = (unsigned)ac;
	return 0;
}

/* One item option: a STATE or KEY=VALUE.  Returns 0 or -EINVAL. */
static int parse_option(const char *opt, struct device *dev)
{
	char *end;
	int rc = quota_option(dev->quota.lim, opt);
	if (rc != -ENOENT)
		return rc;
	if (strncmp(opt, "loss=", 5) == 0) {
		unsigned long v = strtoul(opt + 5, &end, 10);
		if (opt[5] < '0' || opt[5] > '9' || *end || v > 100)
			return -EINVAL;
		dev->loss = (unsigned)v;
		return 0;
	}
	if (strncmp(opt, "psm=", 4) == 0 || strncmp(opt, "edrx=", 5) == 0) {
		bool psm = opt[0] == 'p';
		dev->sleeps = psm ? DEVICE_PSM : DEVICE_EDRX;
		return device_cycle_parse(opt + (psm ? 4 : 5), &dev->sleep, &dev->active);
	}
	return device_state_parse(opt, &dev->state);
}

/* One "EXTID,MSISDN,PORT[,STATE][,KEY=VALUE…]" item into @dev. */
static int parse_item(char *item, struct device *dev, char *why, size_t size)
{
	enum { MAX_FIELDS = 16 };
	char *f[MAX_FIELDS + 1] = { item };
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(item, ",", &save); t && n <= MAX_FIELDS;
	     t = strtok_r(NULL, ",", &save))
		f[n++] = t;
	char *end = NULL;
	long port = n >= 3 ? strtol(f[2], &end, 10) : 0;
	const char *at = n >= 1 ? strchr(f[0], '@') : NULL;
	int bad = n < 3 || n > MAX_FIELDS || !at || at == f[0] || !at[1] ||
		  strchr(at + 1, '@') || strlen(f[0]) >= sizeof(dev->external_id) ||
		  strlen(f[1]) < 5 || strlen(f[1]) > 15 || f[1][strspn(f[1], "0123456789")] ||
		  *end || port < 1 || port > 65535;
	for (size_t i = 3; !bad && i < n; i++)
		if (parse_option(f[i], dev) < 0) {
			snprintf(why, size,
				 "[devices] list: %s: \"%s\" is not a state, loss=PCT, "
				 "psm=SLEEP/ACTIVE, edrx=SLEEP/ACTIVE or a quota",
				 f[0], f[i]);
			return -EINVAL;
		}
	if (bad) {
		snprintf(why, size,
			 "[devices] list: \"%s\" is not EXTID,MSISDN,PORT[,STATE][,KEY=VALUE...]",
			 f[0]);
		return -EINVAL;
	}
	strcpy(dev->external_id, f[0]);
	strcpy(dev->msisdn, f[1]);
	dev->port = (uint16_t)port;
	return 0;
}

static int check_unique(const struct device *v, size_t n, char *why, size_t size)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].external_id, v[n].external_id) == 0 ||
		    strcmp(v[i].msisdn, v[n].msisdn) == 0 || v[i].port == v[n].port) {
			snprintf(why, size, "[devices] list: %s repeats an identity or port of %s",
				 v[n].external_id, v[i].external_id);
			return -EINVAL;
		}
	return 0;
}

int devices_parse(const char *spec, const struct device_defaults *def, struct device **out,
		  size_t *n, char *why, size_t size)
{
	char *copy = strdup(spec);
	struct device *v = calloc(DEVICES_MAX, sizeof(*v));
	size_t count = 0;
	int rc = copy && v ? 0 : -ENOMEM;
	for (char *save = NULL, *t = rc ? NULL : strtok_r(copy, " \t", &save); t && rc == 0;
	     t = strtok_r(NULL, " \t", &save)) {
		if (count == DEVICES_MAX) {
			snprintf(why, size, "[devices] list: more than %d devices", DEVICES_MAX);
			rc = -EINVAL;
			break;
		}
		v[count].loss = def->loss;
		v[count].sleep = def->sleep;
		v[count].active = def->active;
		v[count].sleeps = def->sleeps == DEVICE_EDRX ? DEVICE_EDRX : DEVICE_PSM;
		memcpy(v[count].quota.lim, def->quota, sizeof(def->quota));
		rc = parse_item(t, &v[count], why, size);
		if (rc == 0)
			rc = check_unique(v, count, why, size);
		count++;
	}
	free(copy);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*out = v;
	*n = count;
	return 0;
}

/* splitmix64 (Steele, Lea, Flood 2014): small, fast, passes BigCrush. */
static uint64_t next_random(struct devices *d)
{
	uint64_t z = (d->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Does the radio lose this datagram of @dev?  No draw at 0 %, so that a
 * lossless device does not move the sequence of the lossy ones. */
static bool lost(struct devices *d, const struct device *dev)
{
	return dev->loss > 0 && (dev->loss >= 100 || (next_random(d) >> 11) % 100 < dev->loss);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct devices *d = arg;
	uint8_t buf[T8_MAX_DATA + 1];
	/* A bounded number per wake-up, so that the API is served meanwhile. */
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t n =
			recvfrom(fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&from, &flen);
		if (n < 0)
			return;
		struct device *dev = NULL;
		for (size_t k = 0; k < d->n && !dev; k++)
			if (d->v[k].addr_len == flen && memcmp(&d->v[k].addr, &from, flen) == 0)
				dev = &d->v[k];
		if (!dev || (size_t)n > T8_MAX_DATA) {
			log_debug("uplink: %zd bytes from %s dropped", n,
				  dev ? "a device" : "no device");
			continue;
		}
		dev->uplinks++;
		if (lost(d, dev)) {
			dev->uplinks_lost++;
			continue;
		}
		d->fn(dev, buf, (size_t)n, d->arg);
	}
}

static void on_cycle(evutil_socket_t fd, short what, void *arg)
{
	struct device *dev = arg;
	struct devices *d = dev->owner;
	dev->next_change = 0;
	if (d->cycle_fn)
		d->cycle_fn(dev, dev->state == DEVICE_REACHABLE ? dev->sleeps : DEVICE_REACHABLE,
			    d->cycle_arg);
}

void devices_schedule(struct device *dev)
{
	if (!dev->cycle || !dev->owner->cycle_fn)
		return;
	evtimer_del(dev->cycle);
	dev->next_change = 0;
	if (!dev->sleep || dev->state == DEVICE_NO_PDN)
		return;
	struct timeval tv = { dev->state == DEVICE_REACHABLE ? dev->active : dev->sleep, 0 };
	if (evtimer_add(dev->cycle, &tv) == 0)
		dev->next_change = time(NULL) + tv.tv_sec;
}

void devices_start_cycles(struct devices *d, devices_cycle_fn fn, void *arg)
{
	d->cycle_fn = fn;
	d->cycle_arg = arg;
	for (size_t i = 0; i < d->n; i++)
		devices_schedule(&d->v[i]);
}

void devices_set_loss(struct device *dev, unsigned pct)
{
	dev->loss = pct > 100 ? 100 : pct;
}

uint64_t devices_seed(const struct devices *d)
{
	return d->seed;
}

static uint64_t random_seed(void)
{
	uint64_t seed = 0;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	/* What [devices] seed (an INI integer) can take back, to replay the run. */
	seed &= 0x7fffffff;
	return seed ? seed : 1;
}

static int resolve(const char *address, uint16_t port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_DGRAM };
	struct addrinfo *ai;
	char p[8];
	snprintf(p, sizeof(p), "%u", port);
	if (getaddrinfo(address, p, &hints, &ai) != 0)
		return -EINVAL;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int open_socket(struct devices *d, const char *address, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	if (resolve(address, port, &ss, &len) < 0)
		return -EINVAL;
	d->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->fd < 0 || bind(d->fd, (struct sockaddr *)&ss, len) < 0 ||
	    getsockname(d->fd, (struct sockaddr *)&ss, &len) < 0) {
		int e = errno;
		log_warn("devices: UDP %s port %u", address, port);
		return -e;
	}
	d->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						 : ((struct sockaddr_in *)&ss)->sin_port);
	return 0;
}

int devices_new(struct event_base *base, const char *spec, const struct device_defaults *def,
		uint64_t seed, const char *address, uint16_t port, devices_uplink_fn fn, void *arg,
		struct devices **out)
{
	struct devices *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->fd = -1;
	d->fn = fn;
	d->arg = arg;
	d->seed = d->rng = seed ? seed : random_seed();
	char why[160];
	int rc = devices_parse(spec, def, &d->v, &d->n, why, sizeof(why));
	if (rc < 0)
		log_warnx("%s", why);
	for (size_t i = 0; rc == 0 && i < d->n; i++) {
		rc = resolve(address, d->v[i].port, &d->v[i].addr, &d->v[i].addr_len);
		d->v[i].owner = d;
		d->v[i].cycle = rc == 0 ? evtimer_new(base, on_cycle, &d->v[i]) : NULL;
		if (rc == 0 && !d->v[i].cycle)
			rc = -ENOMEM;
	}
	if (rc == 0)
		rc = open_socket(d, address, port);
	if (rc == 0) {
		d->ev = event_new(base, d->fd, EV_READ | EV_PERSIST, on_read, d);
		rc = d->ev && event_add(d->ev, NULL) == 0 ? 0 : -ENOMEM;
	}
	if (rc < 0) {
		devices_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void devices_free(struct devices *d)
{
	if (!d)
		return;
	if (d->ev)
		event_free(d->ev);
	if (d->fd >= 0)
		close(d->fd);
	for (size_t i = 0; d->v && i < d->n; i++)
		if (d->v[i].cycle)
			event_free(d->v[i].cycle);
	free(d->v);
	free(d);
}

struct device *devices_find(struct devices *d, enum t8_target_kind kind, const char *id)
{
	for (size_t i = 0; i < d->n; i++)
		if ((kind == T8_EXTERNAL_ID && strcmp(d->v[i].external_id, id) == 0) ||
		    (kind == T8_MSISDN && strcmp(d->v[i].msisdn, id) == 0))
			return &d->v[i];
	return NULL;
}

struct device *devices_at(struct devices *d, size_t i)
{
	return i < d->n ? &d->v[i] : NULL;
}

size_t devices_count(const struct devices *d)
{
	return d->n;
}

uint16_t devices_port(const struct devices *d)
{
	return d->port;
}

int devices_send(struct devices *d, struct device *dev, const uint8_t *data, size_t len)
{
	dev->downlinks++;
	if (lost(d, dev)) {
		dev->downlinks_lost++;
		return 0;
	}
	if (sendto(d->fd, data, len, 0, (const struct sockaddr *)&dev->addr, dev->addr_len) < 0)
		return -errno;
	return 0;
}
