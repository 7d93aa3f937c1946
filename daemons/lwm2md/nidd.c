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
#include <openssl/rand.h>
#include <sqlite3.h>

#include "common/log.h"
#include "http/httpsrv.h"
#include "niddlog.h"
#include "niddmsg.h"
#include "t8/t8.h"
#include "t8client.h"

#define BACKOFF_MAX 60 /* seconds between configuration attempts at most */
#define LINK_MAX    T8CLIENT_URL_MAX

const char nidd_schema[] = "CREATE TABLE IF NOT EXISTS nidd_devices ("
			   " external_id TEXT PRIMARY KEY,"
			   " port INTEGER NOT NULL DEFAULT 0,"
			   " configuration TEXT NOT NULL DEFAULT '');"
			   "CREATE TABLE IF NOT EXISTS nidd_settings ("
			   " name TEXT PRIMARY KEY, value TEXT NOT NULL);";

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
};

/* What a downlink POST's answer must find again (its entry may be reused by then). */
struct sent {
	struct dev *dev;
	uint64_t seq;
};

struct nidd {
	struct nidd_config cfg;
	struct t8client *tc;
	struct http_server *http;
	char callback_url[LINK_MAX];
	char secret[33]; /* the last segment of callback_url's path: only the SCEF knows it */
	struct dev *devs;
	size_t n_devs;
	uint64_t callbacks, bad_callbacks, unknown, uplinks, uplink_errors, unauthorized;
};

static void config_create(struct dev *d);
static void config_check(struct dev *d);

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
	time_t until;

	if (!json_is_object(q) || !name || nl > 64)
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

	json_object_set_new(r, "status", json_integer(status));
	json_object_set_new(r, "request", json_string(what));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_is_string(json_object_get(p, keys[i])))
			json_object_set(r, keys[i], json_object_get(p, keys[i]));
	if (json_is_string(json_object_get(o, "requestedRetransmissionTime")))
		json_object_set(r, "requestedRetransmissionTime",
				json_object_get(o, "requestedRetransmissionTime"));
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

	if (status == 201)
		created_link(body, len, location, d->config, sizeof(d->config));
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
			      d->n->callback_url, "pdnEstablishmentOption", "WAIT_FOR_UE");
	char *body = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	if (!body)
		abort();
	d->config[0] = '\0';
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
	bool yes = dest && strcmp(dest, n->callback_url) == 0;

	json_decref(o);
	return yes;
}

static void on_checked(void *arg, int status, const char *body, size_t len, const char *location)
{
	struct dev *d = arg;

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
		if (status == 404) { /* the configuration is gone: make another */
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

static struct dev *dev_by_ext(const struct nidd *n, const char *ext)
{
	struct vpeer *vp = vpeer_find_identity(n->cfg.vpeers, "nidd", ext);

	for (size_t i = 0; vp && i < n->n_devs; i++)
		if (n->devs[i].vp == vp)
			return &n->devs[i];
	return NULL;
}

static struct dev *dev_by_config(const struct nidd *n, const char *link)
{
	for (size_t i = 0; link && i < n->n_devs; i++)
		if (n->devs[i].config[0] && strcmp(n->devs[i].config, link) == 0)
			return &n->devs[i];
	return NULL;
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

static int delivery_status(struct nidd *n, const struct niddmsg *m)
{
	for (size_t i = 0; i < n->n_devs; i++) {
		struct niddlog_entry *x = niddlog_find_link(&n->devs[i].log, m->link);
		char tok[17];

		if (!x)
			continue;
		niddlog_set_status(x, m->delivery_status);
		if (strncmp(m->delivery_status, "FAILURE", 7) == 0)
			n->devs[i].failed++;
		niddlog_token_hex(x, tok);
		log_info("delivery ext=%s mid=%u token=%s delivery=%s status=%s", n->devs[i].ext,
			 x->mid, tok, m->link, m->delivery_status);
		return 204;
	}
	n->unknown++;
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

int nidd_callback(struct nidd *n, const char *path, const uint8_t *body, size_t len)
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

static void on_request(struct http_exchange *ex, void *arg)
{
	struct nidd *n = arg;
	const struct http_request *req = http_exchange_request(ex);
	int status;

	const char *last = strrchr(req->path, '/');

	/* a notification must name the secret path the SCEF was given: nobody else may inject
	 * uplinks */
	if (!last || strcmp(last + 1, n->secret) != 0) {
		n->unauthorized++;
		http_exchange_problem(ex, 404, NULL, NULL);
		return;
	}
	if (strcmp(req->method, "POST") != 0) {
		http_exchange_add_header(ex, "Allow", "POST");
		http_exchange_problem(ex, 405, NULL, "callbacks are POSTed");
		return;
	}
	status = nidd_callback(n, req->path, req->body, req->body_len);
	if (status == 204)
		http_exchange_respond(ex, 204, NULL, NULL, 0);
	else
		http_exchange_problem(ex, status, NULL, "not a T8 NIDD notification");
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
			snprintf(d->config, sizeof(d->config), "%s", c);
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

/*
 * The secret last segment of the callback path: stored, so that the
 * configurations made before a restart still reach us; made at first use.
 */
static int load_secret(struct nidd *n)
{
	sqlite3_stmt *st = db_stmt(
		n->cfg.db, "SELECT value FROM nidd_settings WHERE name = 'callback_secret'");
	uint8_t r[16];

	if (!st)
		return -EIO;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32)
		snprintf(n->secret, sizeof(n->secret), "%s",
			 (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (n->secret[0])
		return 0;
	if (RAND_bytes(r, sizeof(r)) != 1)
		return -EIO;
	for (unsigned i = 0; i < sizeof(r); i++)
		sprintf(n->secret + 2 * i, "%02x", r[i]);
	return db_exec(n->cfg.db,
		       "INSERT OR REPLACE INTO nidd_settings (name, value) VALUES "
		       "('callback_secret', ?)",
		       "t", n->secret) < 0
		       ? -EIO
		       : 0;
}

static int listen_callbacks(struct nidd *n)
{
	struct http_server_config hc;
	const char *a = n->cfg.callback_address;
	int rc;

	http_server_config_defaults(&hc);
	hc.max_body = 16384; /* a notification carries one packet of at most 1600 bytes */
	hc.max_connections = 64;
	rc = http_server_new(n->cfg.base, &hc, on_request, n, &n->http);
	if (rc == 0)
		rc = http_server_listen(n->http, a, (uint16_t)n->cfg.callback_port);
	if (rc < 0)
		return rc;
	if (n->cfg.callback_url && *n->cfg.callback_url)
		snprintf(n->callback_url, sizeof(n->callback_url), "%s/%s", n->cfg.callback_url,
			 n->secret);
	else
		snprintf(n->callback_url, sizeof(n->callback_url), "http://%s%s%s:%u/nidd/%s",
			 strchr(a, ':') ? "[" : "", a, strchr(a, ':') ? "]" : "",
			 http_server_port(n->http), n->secret);
	return 0;
}

int nidd_new(const struct nidd_config *cfg, struct nidd **out)
{
	struct nidd *n = calloc(1, sizeof(*n));
	int rc;

	if (!n)
		abort();
	n->cfg = *cfg;
	rc = db_exec_script(cfg->db, nidd_schema);
	if (rc == 0)
		rc = t8client_new(cfg->base, cfg->api_root, cfg->scs_as_id, cfg->max_inflight,
				  cfg->timeout_s, &n->tc);
	if (rc == 0)
		rc = load_secret(n);
	if (rc == 0)
		rc = listen_callbacks(n);
	if (rc == 0)
		rc = add_devices(n);
	if (rc < 0) {
		nidd_free(n);
		return rc;
	}
	for (size_t i = 0; i < n->n_devs; i++)
		on_retry(-1, 0, &n->devs[i]);
	log_info("NIDD (binding N) devices=%zu scef=%s callbacks=%s", n->n_devs, cfg->api_root,
		 n->callback_url);
	*out = n;
	return 0;
}

void nidd_free(struct nidd *n)
{
	if (!n)
		return;
	t8client_free(n->tc); /* before the devices its answers point to */
	http_server_free(n->http);
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
	return http_server_port(n->http);
}

json_t *nidd_device_json(const struct nidd *n, const struct vpeer *vp)
{
	const struct dev *d = NULL;
	json_t *o;

	for (size_t i = 0; n && i < n->n_devs; i++)
		if (n->devs[i].vp == vp)
			d = &n->devs[i];
	if (!d)
		return NULL;
	o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "external_id", d->ext,
		      "configuration", d->config, "state", state_names[d->state], "uplinks",
		      (json_int_t)d->up, "downlinks", (json_int_t)d->down, "buffered",
		      (json_int_t)d->buffered, "failed", (json_int_t)d->failed, "refused",
		      (json_int_t)d->refused, "held_retransmissions", (json_int_t)d->held_again,
		      "dropped", (json_int_t)d->dropped);
	json_object_set_new(o, "quota_held", json_integer((json_int_t)d->quota_held));
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
	int shown = (int)(strlen(n->callback_url) - strlen(n->secret));

	for (size_t i = 0; i < n->n_devs; i++)
		json_array_append_new(
			devs, json_pack("{s:s, s:s, s:s, s:i}", "external_id", n->devs[i].ext,
					"state", state_names[n->devs[i].state], "configuration",
					n->devs[i].config, "port", (int)vpeer_port(n->devs[i].vp)));
	json_object_set_new(status, "nidd",
			    json_pack("{s:s, s:s#, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "scef",
				      n->cfg.api_root, "callback", n->callback_url, shown,
				      "devices", devs, "callbacks", (json_int_t)n->callbacks,
				      "bad_callbacks", (json_int_t)n->bad_callbacks, "unknown",
				      (json_int_t)n->unknown, "uplinks", (json_int_t)n->uplinks,
				      "uplink_errors", (json_int_t)n->uplink_errors, "unauthorized",
				      (json_int_t)n->unauthorized, "requests",
				      (json_int_t)t8client_inflight(n->tc)));
}
