/*
 * nidd — delivery, buffering and expiry of MT non-IP data (see nidd.h).
 */
#include "nidd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

struct nidd {
	struct db *db;
	struct devices *devs;
	struct nidd_config cfg;
	nidd_status_fn fn;
	nidd_ended_fn ended;
	void *arg;
	struct event *sweep;
};

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
	nidd_sweep(arg);
}

int nidd_new(struct event_base *base, struct db *db, struct devices *devs,
	     const struct nidd_config *cfg, nidd_status_fn fn, nidd_ended_fn ended, void *arg,
	     struct nidd **out)
{
	struct nidd *n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	*n = (struct nidd){
		.db = db, .devs = devs, .cfg = *cfg, .fn = fn, .ended = ended, .arg = arg
	};
	/* Expiry has a one-second grain, as maximumLatency has. */
	n->sweep = event_new(base, -1, EV_PERSIST, on_sweep, n);
	struct timeval tv = { 1, 0 };
	if (!n->sweep || event_add(n->sweep, &tv) < 0) {
		nidd_free(n);
		return -ENOMEM;
	}
	*out = n;
	return 0;
}

void nidd_free(struct nidd *n)
{
	if (!n)
		return;
	if (n->sweep)
		event_free(n->sweep);
	free(n);
}

unsigned nidd_max_packet_bits(const struct nidd *n)
{
	return n->cfg.max_packet_bytes * 8;
}

static void refuse(struct nidd_result *res, int status, const char *cause, const char *detail)
{
	res->http_status = status;
	res->err.status = status;
	res->err.cause = cause;
	snprintf(res->err.detail, sizeof(res->err.detail), "%s", detail);
}

/*
 * Count @d against @dev's downlink rate control and byte quota; a limit
 * reached is a 403 QUOTA_EXCEEDED (TS 29.122 5.6.5.3) that says which.
 */
static bool admit(struct device *dev, const struct store_delivery *d, struct nidd_result *res)
{
	if (quota_take(&dev->quota, false, d->dl.data_len, d->created, &res->hit))
		return true;
	char detail[160];
	struct tm tm;
	char when[32];
	gmtime_r(&res->hit.resets, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(detail, sizeof(detail), "%s reached: %llu of %llu used until %s",
		 quota_describe(res->hit.kind), (unsigned long long)res->hit.used,
		 (unsigned long long)res->hit.limit, when);
	refuse(res, 403, "QUOTA_EXCEEDED", detail);
	res->quota = true;
	return false;
}

struct count_ctx {
	struct devices *devs;
	const struct device *dev;
	unsigned n;
};

static int count_pending(const struct store_delivery *d, void *arg)
{
	struct count_ctx *c = arg;
	if (devices_find(c->devs, d->dl.target.kind, d->dl.target.id) == c->dev)
		c->n++;
	return 0;
}

/* Hold @d for @dev with @status; 201, or a refusal when its buffer is full. */
static void buffer(struct nidd *n, struct device *dev, struct store_delivery *d,
		   enum t8_delivery_status status, struct nidd_result *res)
{
	struct count_ctx c = { n->devs, dev, 0 };
	store_delivery_each(n->db, 0, true, count_pending, &c);
	if (c.n >= n->cfg.buffer_max) {
		refuse(res, 500, NULL, "the device's downlink buffer is full");
		return;
	}
	/* Counted when accepted: the SCEF holds it against the device's rate. */
	if (!admit(dev, d, res))
		return;
	d->status = status;
	d->expires = d->created + (d->dl.maximum_latency > 0 ? d->dl.maximum_latency
							     : (int64_t)n->cfg.buffer_time);
	if (store_delivery_add(n->db, d) < 0 || db_commit(n->db) < 0) {
		refuse(res, 500, NULL, "the SCEF could not store the data");
		return;
	}
	res->http_status = 201;
}

void nidd_submit(struct nidd *n, const struct t8_config *cfg, struct store_delivery *d,
		 struct nidd_result *res)
{
	memset(res, 0, sizeof(*res));
	d->created = time(NULL);
	struct device *dev = devices_find(n->devs, d->dl.target.kind, d->dl.target.id);
	if (!dev) {
		refuse(res, 404, NULL, "no such device");
		return;
	}
	if (d->dl.data_len > n->cfg.max_packet_bytes) {
		/* TS 29.122 4.4.5.3.1: larger than the configuration's maximumPacketSize. */
		refuse(res, 403, "DATA_TOO_LARGE", "the data is larger than maximumPacketSize");
		return;
	}
	enum t8_pdn_option pdn = d->dl.pdn_option ? d->dl.pdn_option : cfg->pdn_option;
	switch (dev->state) {
	case DEVICE_REACHABLE:
		if (!admit(dev, d, res))
			return;
		if (devices_send(n->devs, dev, d->dl.data, d->dl.data_len) < 0) {
			refuse(res, 500, NULL, "the next hop refused the data");
			return;
		}
		d->status = T8_SUCCESS_NEXT_HOP_UNACKNOWLEDGED;
		res->http_status = 200;
		/* Paged and connected for it: the active time starts again. */
		devices_schedule(dev);
		return;
	case DEVICE_PSM:
	case DEVICE_EDRX:
		if (d->dl.maximum_latency == 0) {
			refuse(res, 500, NULL,
			       "the UE is temporarily not reachable and maximumLatency is 0");
			return;
		}
		buffer(n, dev, d, T8_BUFFERING_TEMPORARILY_NOT_REACHABLE, res);
		return;
	default: /* no PDN connection */
		if (pdn == T8_PDN_INDICATE_ERROR) {
			refuse(res, 500, NULL, "the UE has no PDN connection (INDICATE_ERROR)");
			return;
		}
		buffer(n, dev, d, pdn == T8_PDN_SEND_TRIGGER ? T8_TRIGGERED : T8_BUFFERING, res);
		return;
	}
}

/* The (config, id) keys of the pending deliveries, read before any is changed. */
struct keys {
	int64_t (*v)[2];
	size_t n, cap;
};

static int collect(const struct store_delivery *d, void *arg)
{
	struct keys *k = arg;
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 64;
		void *v = realloc(k->v, cap * sizeof(*k->v));
		if (!v)
			return -ENOMEM;
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n][0] = d->config;
	k->v[k->n][1] = d->id;
	k->n++;
	return 0;
}

/*
 * Deliver the pending data of @dev (NULL: of no device), and discard what
 * is past its time: SQLite does not say whether a walk sees rows changed
 * under it, so the keys are read first and each row is then changed alone.
 */
static void flush(struct nidd *n, const struct device *dev)
{
	struct keys k = { 0 };
	time_t now = time(NULL);
	store_delivery_each(n->db, 0, true, collect, &k);
	for (size_t i = 0; i < k.n; i++) {
		struct store_delivery d;
		if (store_delivery_get(n->db, k.v[i][0], k.v[i][1], &d) < 0)
			continue;
		struct device *to = devices_find(n->devs, d.dl.target.kind, d.dl.target.id);
		if (d.expires <= now)
			d.status = T8_FAILURE_TIMEOUT;
		else if (!dev || to != dev)
			continue;
		else if (devices_send(n->devs, to, d.dl.data, d.dl.data_len) == 0)
			d.status = T8_SUCCESS_NEXT_HOP_UNACKNOWLEDGED;
		else
			d.status = T8_FAILURE_NEXT_HOP;
		if (store_delivery_update(n->db, &d) == 0 && n->fn)
			n->fn(&d, n->arg);
	}
	free(k.v);
	db_commit(n->db);
}

void nidd_set_state(struct nidd *n, struct device *dev, enum device_state state)
{
	dev->state = state;
	if (state == DEVICE_REACHABLE)
		flush(n, dev);
	devices_schedule(dev);
}

/* Collected first: deleting under the walk is what SQLite leaves undefined. */
static int collect_config(const struct store_config *c, void *arg)
{
	struct keys *k = arg;
	static struct store_delivery d; /* only the key matters to collect() */
	d.config = 0;
	d.id = c->id;
	return collect(&d, k);
}

static void end_configurations(struct nidd *n)
{
	struct keys k = { 0 };
	store_config_walk(n->db, NULL, time(NULL), collect_config, &k);
	for (size_t i = 0; i < k.n; i++) {
		struct store_config c;
		if (store_config_get(n->db, NULL, k.v[i][1], &c) < 0)
			continue;
		if (n->ended)
			n->ended(&c, n->arg);
		store_config_delete(n->db, c.scs_as, c.id);
	}
	free(k.v);
	if (k.n)
		db_commit(n->db);
}

void nidd_sweep(struct nidd *n)
{
	flush(n, NULL);
	end_configurations(n);
	/* Finished deliveries stay readable (409 on change) for an hour, then go. */
	db_exec(n->db, "DELETE FROM nidd_delivery WHERE status NOT IN (?, ?, ?) AND created < ?",
		"iiiI", T8_TRIGGERED, T8_BUFFERING, T8_BUFFERING_TEMPORARILY_NOT_REACHABLE,
		(int64_t)time(NULL) - 3600);
}
