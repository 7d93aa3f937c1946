/*
 * nidd — LwM2M over NIDD through an SCEF's T8 API (see nidd.h).
 */
#define LOG_COMPONENT "nidd"
#include "nidd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "common/log.h"
#include "niddcb.h"
#include "niddlog.h"
#include "niddmsg.h"
#include "niddquota.h"
#include "t8/t8.h"
#include "t8client.h"

#define BACKOFF_MAX 60 /* seconds between configuration attempts at most */
#define LINK_MAX    T8CLIENT_URL_MAX
#define BUCKETS     1024 /* devices by configuration link: a notification finds its own */

const char nidd_schema[] = "CREATE TABLE IF NOT EXISTS nidd_devices ("
			   " external_id TEXT PRIMARY KEY,"
			   " port INTEGER NOT NULL DEFAULT 0,"
			   " configuration TEXT NOT NULL DEFAULT '');";

enum dev_state { DEV_NEW, DEV_CHECKING, DEV_CREATING, DEV_ACTIVE, DEV_FAILED };

static const char *const state_names[] = { "new", "checking", "creating", "active", "failed" };

struct dev {
	struct nidd *n;
	char ext[VPEER_IDENTITY_MAX];
	struct vpeer *vp;
	char config[LINK_MAX]; /* the configuration's self link, "" before one */
	enum dev_state state;
	struct event *retry;
	int backoff_s;
	uint64_t up, down, buffered, failed, refused, held_again, dropped, quota_held;
	time_t dl_blocked_until; /* a downlink quota is reached until then */
	json_t *refusal;         /* the last refusal's problem details, or NULL */
	json_t *quota;           /* rate and quota figures the SCEF reported, or NULL */
	struct niddlog log;      /* recent downlinks: message identity and delivery */
	struct niddquota limits; /* lwm2md's own, [nidd] downlink_messages/bytes */
	uint64_t limited;
	struct dev *next_config; /* in its bucket of nidd.by_config */
};

/* What a downlink POST's answer must find again (its entry may be reused by then). */
struct sent {
	struct dev *dev;
	uint64_t seq;
};

struct nidd {
	struct nidd_config cfg;
	struct t8client *tc;
	struct niddcb *cb; /* the notification listener */
	struct dev *devs;
	size_t n_devs;
	struct dev *by_config[BUCKETS];
	uint64_t callbacks, bad_callbacks, unknown, uplinks, uplink_errors;
	bool stopping; /* nidd_free(): the requests' done calls only free */
	struct niddquota_limit messages, bytes; /* each device's own (niddquota.h) */
};

static void config_create(struct dev *d);
static void config_check(struct dev *d);

static unsigned link_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (len--)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h % BUCKETS;
}

/* @d's configuration link becomes @link ("": none), kept findable by it. */
static void set_config(struct dev *d, const char *link)
{
	struct dev **pp;

	if (d->config[0]) {
		pp = &d->n->by_config[link_hash(d->config, strlen(d->config))];
		while (*pp && *pp != d)
			pp = &(*pp)->next_config;
		if (*pp)
			*pp = d->next_config;
	}
	snprintf(d->config, sizeof(d->config), "%s", link);
	if (d->config[0]) {
		pp = &d->n->by_config[link_hash(d->config, strlen(d->config))];
		d->next_config = *pp;
		*pp = d;
	}
}

/* The device whose configuration is the first @len bytes of @link, or NULL. */
static struct dev *dev_by_config_n(const struct nidd *n, const char *link, size_t len)
{
	for (struct dev *d = n->by_config[link_hash(link, len)]; d; d = d->next_config)
		if (strlen(d->config) == len && memcmp(d->config, link, len) == 0)
			return d;
	return NULL;
}

static void store(struct dev *d)
{
	if (db_exec(d->n->cfg.db,
		    "INSERT OR REPLACE INTO nidd_devices (external_id, port, configuration) "
		    "VALUES (?, ?, ?)",
		    "tit", d->ext, (int)vpeer_port(d->vp), d->config) < 0)
		log_warnx("device not stored ext=%s", d->ext);
}

static void set_state(struct dev *d, enum dev_state s)
{
	if (d->state != s && (s == DEV_ACTIVE || s == DEV_FAILED))
		log_info("configuration %s ext=%s link=%s", state_names[s], d->ext, d->config);
	d->state = s;
}

/* Try again later, 1, 2, 4 … BACKOFF_MAX seconds after each failure. */
static void retry_later(struct dev *d)
{
	struct timeval tv = { d->backoff_s ? d->backoff_s : 1, 0 };

	d->backoff_s = d->backoff_s ? d->backoff_s * 2 : 2;
	if (d->backoff_s > BACKOFF_MAX)
		d->backoff_s = BACKOFF_MAX;
	evtimer_add(d->retry, &tv);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct dev *d = arg;

	if (d->config[0])
		config_check(d);
	else
		config_create(d);
}

/*
 * A rate control or quota the SCEF says was reached (scefd: the RFC 7807
 * extension member "quota" of a 403 QUOTA_EXCEEDED, as T8 Rel-17 has no
 * member for it), kept by its name for the client's record (LPW-008/009).
 * One on downlinks holds them back until its window ends: the SCEF would
 * refuse each of libcoap's retransmissions too.
 */
static void note_quota(struct dev *d, json_t *q)
{
	const char *name = json_string_value(json_object_get(q, "name"));
	const char *reset = json_string_value(json_object_get(q, "resetTime"));
	size_t nl = name ? strlen(name) : 0;
	char *dump = json_is_object(q) ? json_dumps(q, JSON_COMPACT) : NULL;
	size_t dl = dump ? strlen(dump) : 0;
	time_t until;

	free(dump);
	if (!json_is_object(q) || !name || nl > 64 || dl > 1024) /* kept per device: bounded */
		return;
	if (!json_object_get(d->quota, name) && json_object_size(d->quota) >= 16)
		return;
	if (!d->quota)
		d->quota = json_object();
	json_object_set_new(d->quota, name, json_deep_copy(q));
	if (nl > 3 && strcmp(name + nl - 3, "_dl") == 0 && reset &&
	    t8_time_parse(reset, &until) == 0 && until > d->dl_blocked_until)
		d->dl_blocked_until = until;
}

/* The problem details of a refusal (ProblemDetails, or inside a NiddDownlinkDataDeliveryFailure).
 */
static void note_refusal(struct dev *d, int status, const char *body, size_t len, const char *what)
{
	json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *p = json_is_object(json_object_get(o, "problemDetail"))
			    ? json_object_get(o, "problemDetail")
			    : o;
	json_t *r = json_object();
	const char *keys[] = { "cause", "detail", "title" };
	const char *retry = json_string_value(json_object_get(o, "requestedRetransmissionTime"));
	time_t until;

	json_object_set_new(r, "status", json_integer(status));
	json_object_set_new(r, "request", json_string(what));
	/* kept per device until the next refusal: each string bounded */
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_is_string(json_object_get(p, keys[i])))
			json_object_set_new(
				r, keys[i],
				json_stringn_nocheck(
					json_string_value(json_object_get(p, keys[i])),
					json_string_length(json_object_get(p, keys[i])) > 256
						? 256
						: json_string_length(json_object_get(p, keys[i]))));
	if (retry && t8_time_parse(retry, &until) == 0) {
		json_object_set_new(r, "requestedRetransmissionTime", json_string(retry));
		/* the SCEF asks us to wait: libcoap's retransmissions until then are held back */
		if (strcmp(what, "downlink") == 0 && until > d->dl_blocked_until)
			d->dl_blocked_until = until;
	}
	json_object_set_new(r, "at", json_integer((json_int_t)time(NULL)));
	note_quota(d, json_object_get(p, "quota"));
	json_decref(d->refusal);
	d->refusal = r;
	log_info("refused ext=%s request=%s status=%d cause=%s detail=%s", d->ext, what, status,
		 json_is_string(json_object_get(r, "cause"))
			 ? json_string_value(json_object_get(r, "cause"))
			 : "-",
		 json_is_string(json_object_get(r, "detail"))
			 ? json_string_value(json_object_get(r, "detail"))
			 : "-");
	json_decref(o);
}

/* The self link of a 201: Location, else the body's "self". */
static void created_link(const char *body, size_t len, const char *location, char *out, size_t size)
{
	json_t *o;

	out[0] = '\0';
	if (location && strlen(location) < size) {
		snprintf(out, size, "%s", location);
		return;
	}
	o = json_loadb(body, len, 0, NULL);
	if (json_is_string(json_object_get(o, "self")) &&
	    strlen(json_string_value(json_object_get(o, "self"))) < size)
		snprintf(out, size, "%s", json_string_value(json_object_get(o, "self")));
	json_decref(o);
}

static void on_created(void *arg, int status, const char *body, size_t len, const char *location)
{
	struct dev *d = arg;
	char link[LINK_MAX];

	if (d->n->stopping)
		return;
	link[0] = '\0';
	if (status == 201)
		created_link(body, len, location, link, sizeof(link));
	set_config(d, link);
	if (status != 201 || !d->config[0]) {
		if (status)
			note_refusal(d, status, body, len, "configuration");
		else
			log_warnx("SCEF not answering: configuration of ext=%s later", d->ext);
		set_state(d, DEV_FAILED);
		retry_later(d);
		return;
	}
	d->backoff_s = 0;
	store(d);
	set_state(d, DEV_ACTIVE);
}

static void config_create(struct dev *d)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "externalId", d->ext, "notificationDestination",
			      niddcb_url(d->n->cb), "pdnEstablishmentOption", "WAIT_FOR_UE");
	char *body = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	if (!body)
		abort();
	set_config(d, "");
	set_state(d, DEV_CREATING);
	if (t8client_request(d->n->tc, "POST", "/configurations", body, on_created, d) < 0) {
		set_state(d, DEV_FAILED);
		retry_later(d);
	}
	free(body);
}

static void on_deleted(void *arg, int status, const char *body, size_t len, const char *location)
{
}

/* Does the configuration document @body send its notifications to us? */
static bool ours(const struct nidd *n, const char *body, size_t len)
{
	json_t *o = json_loadb(body, len, 0, NULL);
	const char *dest = json_string_value(json_object_get(o, "notificationDestination"));
	bool yes = dest && strcmp(dest, niddcb_url(n->cb)) == 0;

	json_decref(o);
	return yes;
}

static void on_checked(void *arg, int status, const char *body, size_t len, const char *location)
{
	struct dev *d = arg;

	if (d->n->stopping)
		return;
	if (status == 200 && ours(d->n, body, len)) {
		d->backoff_s = 0;
		set_state(d, DEV_ACTIVE);
		return;
	}
	if (status == 200) {
		/* made for another callback URL (the INI changed): its notifications would be lost
		 */
		log_info("configuration replaced ext=%s link=%s (another notificationDestination)",
			 d->ext, d->config);
		t8client_request(d->n->tc, "DELETE", d->config, NULL, on_deleted, NULL);
		config_create(d);
		return;
	}
	if (status == 404 || status == 410) { /* gone (expired, deleted): a new one */
		log_info("configuration gone ext=%s link=%s", d->ext, d->config);
		config_create(d);
		return;
	}
	/* the SCEF is down: keep the link, downlinks try it meanwhile */
	set_state(d, DEV_FAILED);
	retry_later(d);
}

static void config_check(struct dev *d)
{
	set_state(d, DEV_CHECKING);
	if (t8client_request(d->n->tc, "GET", d->config, NULL, on_checked, d) < 0) {
		set_state(d, DEV_FAILED);
		retry_later(d);
	}
}

static void on_delivered(void *arg, int status, const char *body, size_t len, const char *location)
{
	struct sent *s = arg;
	struct dev *d = s->dev;
	struct niddlog_entry *x = niddlog_get(&d->log, s->seq);
	char tok[17];

	free(s);
	if (d->n->stopping)
		return;
	if (status == 200 || status == 201) {
		json_t *o = json_loadb(body, len, 0, NULL);
		const char *ds = niddlog_status_name(
			json_string_value(json_object_get(o, "deliveryStatus")));

		json_decref(o);
		if (x) {
			created_link(body, len, location, x->link, sizeof(x->link));
			/* a 201 is held (BUFFERING…) whatever its body says */
			if (!ds || (status == 201 && !strncmp(ds, "SUCCESS", 7)))
				ds = status == 201 ? "BUFFERING"
						   : "SUCCESS_NEXT_HOP_UNACKNOWLEDGED";
			niddlog_set_status(x, ds);
		}
		if (status == 201)
			d->buffered++;
	} else {
		if (x)
			niddlog_set_status(x, status == 500 || status == 0 ? "FAILED" : "REFUSED");
		if (status == 500 || status == 0)
			d->failed++;
		else
			d->refused++;
		if (status)
			note_refusal(d, status, body, len, "downlink");
		if (status == 404 && d->state != DEV_CREATING) { /* the configuration is gone */
			log_info("configuration gone ext=%s link=%s", d->ext, d->config);
			config_create(d);
		}
	}
	if (x) {
		niddlog_token_hex(x, tok);
		log_debug("downlink ext=%s mid=%u token=%s http=%d delivery=%s status=%s", d->ext,
			  x->mid, tok, status, x->link[0] ? x->link : "-", x->status);
	}
}

static char *downlink_body(const struct dev *d, const uint8_t *buf, size_t len)
{
	char *b64 = malloc((len + 2) / 3 * 4 + 1);
	json_t *o;
	char *s;

	if (!b64)
		abort();
	EVP_EncodeBlock((unsigned char *)b64, buf, (int)len);
	o = json_pack("{s:s, s:s}", "externalId", d->ext, "data", b64);
	free(b64);
	if (d->n->cfg.max_latency_s >= 0)
		json_object_set_new(o, "maximumLatency", json_integer(d->n->cfg.max_latency_s));
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!s)
		abort();
	return s;
}

/* What libcoap sent to the device's vpeer: one downlink delivery. */
static void on_downlink(void *arg, const uint8_t *buf, size_t len)
{
	struct dev *d = arg;
	char target[LINK_MAX + 32];
	struct niddlog_entry *x;
	struct sent *s;
	char *body;
	int rc;

	if (!d->config[0] || (size_t)snprintf(target, sizeof(target), "%s/downlink-data-deliveries",
					      d->config) >= sizeof(target)) {
		d->dropped++; /* no configuration (yet): libcoap retransmits */
		return;
	}
	if (d->dl_blocked_until && time(NULL) < d->dl_blocked_until) {
		d->quota_held++; /* the SCEF said it refuses until then */
		return;
	}
	rc = niddlog_add(&d->log, buf, len, &x);
	if (rc == -EALREADY) {
		/* a retransmission of what the SCEF holds for the sleeping device: not lost */
		d->held_again++;
		return;
	}
	if (rc < 0) { /* libcoap sends only CoAP; anything else is not carried */
		d->dropped++;
		return;
	}
	if (!niddquota_take(&d->limits, len, time(NULL))) {
		niddlog_set_status(x, "LIMITED"); /* LPW-008: this device's share is used up */
		d->limited++;
		return;
	}
	s = malloc(sizeof(*s));
	if (!s)
		abort();
	*s = (struct sent){ d, x->seq };
	body = downlink_body(d, buf, len);
	if (t8client_request(d->n->tc, "POST", target, body, on_delivered, s) < 0) {
		/* too many on the wire, or the SCEF's URL is bad: libcoap retransmits */
		free(s);
		niddlog_set_status(x, "FAILED");
		d->dropped++;
	} else {
		d->down++;
	}
	free(body);
}

/* The device of a "nidd" vpeer: its downlink argument (only nidd makes that kind). */
static struct dev *dev_of(const struct vpeer *vp)
{
	return vp && strcmp(vpeer_kind(vp), "nidd") == 0 ? vpeer_arg(vp) : NULL;
}

static struct dev *dev_by_ext(const struct nidd *n, const char *ext)
{
	return dev_of(vpeer_find_identity(n->cfg.vpeers, "nidd", ext));
}

static struct dev *dev_by_config(const struct nidd *n, const char *link)
{
	return link[0] ? dev_by_config_n(n, link, strlen(link)) : NULL;
}

static int uplink(struct nidd *n, const struct niddmsg *m)
{
	struct dev *d =
		m->external_id[0] ? dev_by_ext(n, m->external_id) : dev_by_config(n, m->link);
	int rc;

	if (!d) {
		/* a configuration left from an earlier setup: answered, so that the SCEF drops it
		 */
		n->unknown++;
		log_debug("uplink of an unknown device ext=%s configuration=%s", m->external_id,
			  m->link);
		return 204;
	}
	rc = vpeer_uplink(d->vp, m->data, m->data_len);
	if (rc < 0) {
		n->uplink_errors++;
		log_warnx("uplink not passed on ext=%s: %s", d->ext, strerror(-rc));
		return 204;
	}
	d->up++;
	n->uplinks++;
	return 204;
}

/* {configuration}/downlink-data-deliveries/{id} (TS 29.122 5.6.2): the device is its
 * configuration's. */
static int delivery_status(struct nidd *n, const struct niddmsg *m)
{
	const char *sub = strstr(m->link, "/downlink-data-deliveries/");
	struct dev *d = sub ? dev_by_config_n(n, m->link, (size_t)(sub - m->link)) : NULL;
	struct niddlog_entry *x = d ? niddlog_find_link(&d->log, m->link) : NULL;
	char tok[17];

	if (!x) {
		n->unknown++;
		return 204;
	}
	niddlog_set_status(x, m->delivery_status);
	if (strncmp(m->delivery_status, "FAILURE", 7) == 0)
		d->failed++;
	niddlog_token_hex(x, tok);
	log_info("delivery ext=%s mid=%u token=%s delivery=%s status=%s", d->ext, x->mid, tok,
		 m->link, m->delivery_status);
	return 204;
}

static int config_status(struct nidd *n, const struct niddmsg *m)
{
	struct dev *d = dev_by_config(n, m->link);

	if (!d) {
		n->unknown++;
		return 204;
	}
	log_info("configuration status ext=%s link=%s status=%s", d->ext, m->link,
		 m->config_status);
	if (strcmp(m->config_status, "TERMINATED") == 0 && d->state != DEV_CREATING)
		config_create(d); /* ended at the SCEF (its duration): the device needs one */
	return 204;
}

int nidd_callback(struct nidd *n, const uint8_t *body, size_t len)
{
	struct niddmsg *m = malloc(sizeof(*m));
	int status = 400;

	if (!m)
		abort();
	n->callbacks++;
	if (niddmsg_parse(body, len, m) == 0)
		status = m->kind == NIDDMSG_UPLINK            ? uplink(n, m)
			 : m->kind == NIDDMSG_DELIVERY_STATUS ? delivery_status(n, m)
							      : config_status(n, m);
	else
		n->bad_callbacks++;
	free(m);
	return status;
}

/* The stored port and configuration of @d, if any. */
static void load(struct nidd *n, struct dev *d, uint16_t *port)
{
	sqlite3_stmt *st = db_stmt(
		n->cfg.db, "SELECT port, configuration FROM nidd_devices WHERE external_id = ?");

	*port = 0;
	if (!st)
		return;
	sqlite3_bind_text(st, 1, d->ext, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		int p = sqlite3_column_int(st, 0);
		const char *c = (const char *)sqlite3_column_text(st, 1);

		*port = p > 0 && p < 65536 ? (uint16_t)p : 0;
		if (c && strlen(c) < sizeof(d->config))
			set_config(d, c);
	}
	sqlite3_reset(st);
}

/* An externalId as TS 23.003 writes it: local@domain, printable, no blanks. */
static bool external_id_ok(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len);

	if (!at || at == s || at == s + len - 1 || len >= VPEER_IDENTITY_MAX || len > 128)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '"' || s[i] == '\\')
			return false;
	return true;
}

static int add_device(struct nidd *n, const char *ext, size_t len)
{
	struct dev *d = &n->devs[n->n_devs];
	const char *ep;
	uint16_t port;
	int rc;

	if (!external_id_ok(ext, len)) {
		log_warnx("[nidd] devices: '%.*s' is not an externalId (local@domain)", (int)len,
			  ext);
		return -EINVAL;
	}
	memcpy(d->ext, ext, len);
	d->ext[len] = '\0';
	if (dev_by_ext(n, d->ext)) {
		log_warnx("[nidd] devices: %s twice", d->ext);
		return -EINVAL;
	}
	d->n = n;
	d->limits.messages = n->messages;
	d->limits.bytes = n->bytes;
	load(n, d, &port);
	rc = vpeer_new_at(n->cfg.vpeers, "nidd", d->ext, port, on_downlink, d, &d->vp);
	if (rc < 0) {
		log_warnx("no virtual peer for ext=%s: %s", d->ext, strerror(-rc));
		return rc;
	}
	ep = n->cfg.ids ? idmap_ep_of_external(n->cfg.ids, d->ext) : NULL;
	if (ep && vpeer_set_endpoint(d->vp, ep) < 0)
		log_warnx("endpoint of ext=%s too long: it registers as itself", d->ext);
	d->retry = evtimer_new(n->cfg.base, on_retry, d);
	if (!d->retry)
		abort();
	n->n_devs++;
	store(d);
	return 0;
}

static int add_devices(struct nidd *n)
{
	const char *p = n->cfg.devices ? n->cfg.devices : "";
	size_t count = 0;
	int rc;

	for (const char *q = p; *q;) {
		size_t skip = strspn(q, " \t,"), len = strcspn(q + skip, " \t,");

		count += len > 0;
		q += skip + len;
	}
	if (count > (size_t)n->cfg.max_devices) {
		log_warnx("[nidd] devices: %zu, more than max_devices %d", count,
			  n->cfg.max_devices);
		return -ENOSPC;
	}
	n->devs = calloc(count ? count : 1, sizeof(*n->devs));
	if (!n->devs)
		abort();
	vpeers_limit(n->cfg.vpeers, "nidd", (size_t)n->cfg.max_devices);
	while (*p) {
		size_t len;

		p += strspn(p, " \t,");
		len = strcspn(p, " \t,");
		if (len && (rc = add_device(n, p, len)) < 0)
			return rc;
		p += len;
	}
	return 0;
}

static int on_notification(void *arg, const uint8_t *body, size_t len)
{
	return nidd_callback(arg, body, len);
}

int nidd_new(const struct nidd_config *cfg, struct nidd **out)
{
	struct nidd *n = calloc(1, sizeof(*n));
	int rc;

	if (!n)
		abort();
	n->cfg = *cfg;
	rc = db_exec_script(cfg->db, nidd_schema);
	if (rc == 0 && (niddquota_parse(cfg->downlink_messages, &n->messages) < 0 ||
			niddquota_parse(cfg->downlink_bytes, &n->bytes) < 0)) {
		log_warnx("[nidd] downlink_messages, downlink_bytes: N/minute, N/hour or N/day");
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = t8client_new(cfg->base, cfg->api_root, cfg->scs_as_id, cfg->max_inflight,
				  cfg->timeout_s, &n->tc);
	if (rc == 0)
		rc = niddcb_new(cfg->base, cfg->db, cfg->callback_address, cfg->callback_port,
				cfg->callback_url, on_notification, n, &n->cb);
	if (rc == 0)
		rc = add_devices(n);
	if (rc < 0) {
		nidd_free(n);
		return rc;
	}
	for (size_t i = 0; i < n->n_devs; i++)
		on_retry(-1, 0, &n->devs[i]);
	log_info("NIDD (binding N) devices=%zu scef=%s callbacks=%s", n->n_devs, cfg->api_root,
		 niddcb_url(n->cb));
	*out = n;
	return 0;
}

void nidd_free(struct nidd *n)
{
	if (!n)
		return;
	n->stopping = true;
	t8client_free(n->tc); /* before the devices its answers point to */
	niddcb_free(n->cb);
	for (size_t i = 0; i < n->n_devs; i++) {
		vpeer_free(n->devs[i].vp);
		if (n->devs[i].retry)
			event_free(n->devs[i].retry);
		json_decref(n->devs[i].refusal);
		json_decref(n->devs[i].quota);
	}
	free(n->devs);
	free(n);
}

uint16_t nidd_callback_port(const struct nidd *n)
{
	return niddcb_port(n->cb);
}

json_t *nidd_device_json(const struct nidd *n, const struct vpeer *vp)
{
	const struct dev *d = n ? dev_of(vp) : NULL;
	json_t *o, *lim;

	if (!d || d->n != n)
		return NULL;
	o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "external_id", d->ext,
		      "configuration", d->config, "state", state_names[d->state], "uplinks",
		      (json_int_t)d->up, "downlinks", (json_int_t)d->down, "buffered",
		      (json_int_t)d->buffered, "failed", (json_int_t)d->failed, "refused",
		      (json_int_t)d->refused, "held_retransmissions", (json_int_t)d->held_again,
		      "dropped", (json_int_t)d->dropped);
	json_object_set_new(o, "quota_held", json_integer((json_int_t)d->quota_held));
	json_object_set_new(o, "limited", json_integer((json_int_t)d->limited));
	lim = niddquota_json(&d->limits, time(NULL));
	json_object_set_new(o, "limits", lim ? lim : json_null());
	json_object_set(o, "refusal", d->refusal ? d->refusal : json_null());
	json_object_set(o, "quota", d->quota ? d->quota : json_null());
	json_object_set_new(o, "deliveries", niddlog_json(&d->log));
	return o;
}

const char *nidd_endpoint_of(const struct nidd *n, const char *ext)
{
	const struct vpeer *vp = n ? vpeer_find_identity(n->cfg.vpeers, "nidd", ext) : NULL;

	return vp ? vpeer_endpoint(vp) : NULL;
}

void nidd_annotate(const struct nidd *n, const struct sockaddr *addr, socklen_t len, bool full,
		   json_t *o)
{
	const struct vpeer *vp = n ? vpeer_find(n->cfg.vpeers, addr, len) : NULL;
	json_t *d = vp ? nidd_device_json(n, vp) : NULL;

	if (!d)
		return;
	if (!json_is_string(json_object_get(o, "external_id")))
		json_object_set_new(o, "external_id", json_string(vpeer_identity(vp)));
	if (!full && json_is_object(json_object_get(d, "quota")))
		json_object_set(o, "quota", json_object_get(d, "quota"));
	if (full)
		json_object_set(o, "nidd", d);
	json_decref(d);
}

void nidd_status(const struct nidd *n, json_t *status)
{
	json_t *devs = json_array();
	/* the URL without its secret segment: status may be read by more than the SCEF */
	int shown = (int)niddcb_shown_len(n->cb);

	for (size_t i = 0; i < n->n_devs; i++)
		json_array_append_new(
			devs, json_pack("{s:s, s:s, s:s, s:i}", "external_id", n->devs[i].ext,
					"state", state_names[n->devs[i].state], "configuration",
					n->devs[i].config, "port", (int)vpeer_port(n->devs[i].vp)));
	json_object_set_new(status, "nidd",
			    json_pack("{s:s, s:s#, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "scef",
				      n->cfg.api_root, "callback", niddcb_url(n->cb), shown,
				      "devices", devs, "callbacks", (json_int_t)n->callbacks,
				      "bad_callbacks", (json_int_t)n->bad_callbacks, "unknown",
				      (json_int_t)n->unknown, "uplinks", (json_int_t)n->uplinks,
				      "uplink_errors", (json_int_t)n->uplink_errors, "unauthorized",
				      (json_int_t)niddcb_unauthorized(n->cb), "requests",
				      (json_int_t)t8client_inflight(n->tc)));
}
