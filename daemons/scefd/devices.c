/*
 * devices — emulated devices on UDP (see devices.h).
 */
#include "devices.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* One "EXTID,MSISDN,PORT[,STATE]" item into @dev. */
static int parse_item(char *item, struct device *dev, char *why, size_t size)
{
	char *f[5] = { item };
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(item, ",", &save); t && n < 5;
	     t = strtok_r(NULL, ",", &save))
		f[n++] = t;
	char *end;
	long port = n >= 3 ? strtol(f[2], &end, 10) : 0;
	const char *at = n >= 1 ? strchr(f[0], '@') : NULL;
	if (n < 3 || n > 4 || !at || at == f[0] || !at[1] || strchr(at + 1, '@') ||
	    strlen(f[0]) >= sizeof(dev->external_id) || strlen(f[1]) < 5 || strlen(f[1]) > 15 ||
	    f[1][strspn(f[1], "0123456789")] || *end || port < 1 || port > 65535 ||
	    (n == 4 && device_state_parse(f[3], &dev->state) < 0)) {
		snprintf(why, size, "[devices] list: \"%s\" is not EXTID,MSISDN,PORT[,STATE]",
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

int devices_parse(const char *spec, struct device **out, size_t *n, char *why, size_t size)
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
		d->fn(dev, buf, (size_t)n, d->arg);
	}
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

int devices_new(struct event_base *base, const char *spec, const char *address, uint16_t port,
		devices_uplink_fn fn, void *arg, struct devices **out)
{
	struct devices *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->fd = -1;
	d->fn = fn;
	d->arg = arg;
	char why[160];
	int rc = devices_parse(spec, &d->v, &d->n, why, sizeof(why));
	if (rc < 0)
		log_warnx("%s", why);
	for (size_t i = 0; rc == 0 && i < d->n; i++)
		rc = resolve(address, d->v[i].port, &d->v[i].addr, &d->v[i].addr_len);
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

int devices_send(struct devices *d, const struct device *dev, const uint8_t *data, size_t len)
{
	if (sendto(d->fd, data, len, 0, (const struct sockaddr *)&dev->addr, dev->addr_len) < 0)
		return -errno;
	return 0;
}
