/*
 * t8api — the T8 NIDD resources (see t8api.h).  Each resource has one
 * handler that dispatches on the method; the bodies are lib/t8's.
 */
#include "t8api.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "common/log.h"
#include "http/httproute.h"
#include "t8/t8.h"
#include "wsnotify.h"

#define PREFIX "/3gpp-nidd/v1/{scsAsId}/configurations"

struct t8api {
	struct db *db;
	struct devices *devs;
	struct nidd *nidd;
	struct notify *notify;
	struct wsnotify *ws;
	char api_root[T8_MAX_URI];
};

/* A request in the making: the exchange, its captures and parsed ids. */
struct call {
	struct t8api *a;
	struct http_exchange *ex;
	const struct http_request *req;
	const char *scs_as;
	int64_t config, delivery;
	int port_ue, port_ef; /* {portId} */
};

int t8api_new(struct db *db, struct devices *devs, struct nidd *nidd, struct t8api **out)
{
	struct t8api *a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->db = db;
	a->devs = devs;
	a->nidd = nidd;
	*out = a;
	return 0;
}

void t8api_set_root(struct t8api *a, const char *api_root)
{
	snprintf(a->api_root, sizeof(a->api_root), "%s", api_root);
}

void t8api_set_notify(struct t8api *a, struct notify *n)
{
	a->notify = n;
}

void t8api_set_websockets(struct t8api *a, struct wsnotify *w)
{
	a->ws = w;
}

void t8api_free(struct t8api *a)
{
	free(a);
}

void t8api_config_link(const struct t8api *a, const char *scs_as, int64_t id, char *out,
		       size_t size)
{
	snprintf(out, size, "%s/3gpp-nidd/v1/%s/configurations/%" PRId64, a->api_root, scs_as, id);
}

void t8api_delivery_link(const struct t8api *a, const char *scs_as, int64_t config, int64_t id,
			 char *out, size_t size)
{
	snprintf(out, size,
		 "%s/3gpp-nidd/v1/%s/configurations/%" PRId64 "/downlink-data-deliveries/%" PRId64,
		 a->api_root, scs_as, config, id);
}

/* A problem document with @cause (NULL: none); @failure wraps it as a delivery failure. */
static void problem(struct call *c, int status, const char *cause, const char *detail, bool failure)
{
	char *body =
		t8_problem_json(status, http_status_reason(status), detail, cause, failure, NULL);
	if (!body) {
		http_exchange_problem(c->ex, 500, NULL, NULL);
		return;
	}
	http_exchange_respond(c->ex, status,
			      failure ? "application/json" : "application/problem+json", body,
			      strlen(body));
	free(body);
}

/*
 * A 403 QUOTA_EXCEEDED that also says which limit was reached, for the
 * SCS/AS to show (LwM2M LPW-009): T8 has no member for it, so it goes as
 * an RFC 7807 extension member "quota" beside cause and detail (a client
 * that does not know it ignores it), with Retry-After at the window's end.
 */
static void problem_quota(struct call *c, const struct nidd_result *res)
{
	char *body = t8_problem_json(res->err.status, http_status_reason(res->err.status),
				     res->err.detail, res->err.cause, false, NULL);
	json_t *doc = body ? json_loads(body, 0, NULL) : NULL;
	free(body);
	char when[32], after[24];
	struct tm tm;
	gmtime_r(&res->hit.resets, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	long wait = (long)(res->hit.resets - time(NULL));
	snprintf(after, sizeof(after), "%ld", wait > 0 ? wait : 0);
	json_object_set_new(doc, "quota",
			    json_pack("{s:s, s:s, s:I, s:I, s:s}", "name", quota_key(res->hit.kind),
				      "description", quota_describe(res->hit.kind), "limit",
				      (json_int_t)res->hit.limit, "used", (json_int_t)res->hit.used,
				      "resetTime", when));
	body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!body) {
		http_exchange_problem(c->ex, 500, NULL, NULL);
		return;
	}
	http_exchange_add_header(c->ex, "Retry-After", after);
	http_exchange_respond(c->ex, res->err.status, "application/problem+json", body,
			      strlen(body));
	free(body);
}

/* A 500 NiddDownlinkDataDeliveryFailure, with requestedRetransmissionTime when known. */
static void failure(struct call *c, const struct nidd_result *res)
{
	char when[32] = "";
	if (res->retransmit)
		t8_time_format(res->retransmit, when, sizeof(when));
	char *body = t8_problem_json(500, http_status_reason(500), res->err.detail, res->err.cause,
				     true, when);
	if (!body) {
		http_exchange_problem(c->ex, 500, NULL, NULL);
		return;
	}
	http_exchange_respond(c->ex, 500, "application/json", body, strlen(body));
	free(body);
}

static void problem_err(struct call *c, const struct t8_error *e)
{
	problem(c, e->status, e->cause, e->detail, false);
}

static void respond_json(struct call *c, int status, char *body_take, const char *location)
{
	if (!body_take) {
		problem(c, 500, NULL, "out of memory", false);
		return;
	}
	if (location)
		http_exchange_add_header(c->ex, "Location", location);
	http_exchange_respond(c->ex, status, "application/json", body_take, strlen(body_take));
	free(body_take);
}

static void not_allowed(struct call *c, const char *allow)
{
	http_exchange_add_header(c->ex, "Allow", allow);
	problem(c, 405, NULL, "method not allowed on this resource", false);
}

/* Is the body of @c of media type @type (parameters allowed)?  Else 415. */
static bool body_is(struct call *c, const char *type)
{
	const char *ct = http_request_header(c->req, "content-type");
	size_t n = strlen(type);
	if (ct && strncasecmp(ct, type, n) == 0 && (!ct[n] || ct[n] == ';' || ct[n] == ' '))
		return true;
	char detail[96];
	snprintf(detail, sizeof(detail), "the body must be %s", type);
	problem(c, 415, NULL, detail, false);
	return false;
}

/* A decimal resource id; anything else names no resource. */
static int parse_id(const char *s, int64_t *out)
{
	char *end;
	if (!s || !*s || s[strspn(s, "0123456789")] || strlen(s) > 18)
		return -ENOENT;
	*out = strtoll(s, &end, 10);
	return 0;
}

/* Does the device, or the group (group message delivery), exist for @t? */
static bool authorized(struct call *c, const struct t8_target *t)
{
	bool known = t->kind == T8_EXTERNAL_GROUP_ID
			     ? devices_group(c->a->devs, t->id) != NULL
			     : devices_find(c->a->devs, t->kind, t->id) != NULL;
	if (!known)
		problem(c, 403, "REQUEST_NOT_AUTHORIZED",
			t->kind == T8_EXTERNAL_GROUP_ID ? "the group is not known to this SCEF"
							: "the UE is not known to this SCEF",
			false);
	return known;
}

static char *config_doc(struct call *c, const struct store_config *sc)
{
	char self[T8_MAX_URI + 128];
	t8api_config_link(c->a, sc->scs_as, sc->id, self, sizeof(self));
	char ws[T8_MAX_URI + 160];
	wsnotify_uri(c->a->api_root, sc->scs_as, sc->id, ws, sizeof(ws));
	return t8_config_json_ws(&sc->cfg, self, "ACTIVE", nidd_max_packet_bits(c->a->nidd), ws);
}

struct list_ctx {
	struct call *c;
	json_t *arr;
};

/* Append document @s_take (freed) to the list of @l. */
static int append_doc(struct list_ctx *l, char *s_take)
{
	json_t *o = s_take ? json_loads(s_take, 0, NULL) : NULL;
	free(s_take);
	return o ? json_array_append_new(l->arr, o) : -ENOMEM;
}

static int list_config(const struct store_config *sc, void *arg)
{
	struct list_ctx *l = arg;
	return append_doc(l, config_doc(l->c, sc));
}

static void respond_list(struct call *c, json_t *arr, int rc)
{
	char *s = rc == 0 ? json_dumps(arr, JSON_COMPACT) : NULL;
	json_decref(arr);
	respond_json(c, 200, s, NULL);
}

static void configurations(struct call *c)
{
	if (strcmp(c->req->method, "GET") == 0) {
		struct list_ctx l = { c, json_array() };
		respond_list(c, l.arr, store_config_each(c->a->db, c->scs_as, list_config, &l));
		return;
	}
	if (strcmp(c->req->method, "POST") != 0) {
		not_allowed(c, "GET, POST");
		return;
	}
	struct store_config sc = { 0 };
	struct t8_error err;
	if (!body_is(c, "application/json"))
		return;
	if (t8_config_parse((const char *)c->req->body, c->req->body_len, &sc.cfg, &err) < 0) {
		problem_err(c, &err);
		return;
	}
	if (!authorized(c, &sc.cfg.target))
		return;
	snprintf(sc.scs_as, sizeof(sc.scs_as), "%s", c->scs_as);
	if (store_config_add(c->a->db, &sc) < 0 || db_commit(c->a->db) < 0) {
		problem(c, 500, NULL, "the SCEF could not store the configuration", false);
		return;
	}
	char self[T8_MAX_URI + 128];
	t8api_config_link(c->a, sc.scs_as, sc.id, self, sizeof(self));
	log_info("t8: %s created configuration %" PRId64 " for %s", sc.scs_as, sc.id,
		 sc.cfg.target.id);
	respond_json(c, 201, config_doc(c, &sc), self);
	/* TS 29.122 5.2.5.3: the SCS/AS asked to see its notifications arrive.
	 * Queued after the answer, sent over the same path (and retries) as
	 * every other notification of the configuration. */
	char *test = sc.cfg.request_test_notification && c->a->notify
			     ? t8_test_notification_json(self)
			     : NULL;
	if (test && notify_post(c->a->notify, sc.cfg.notification_destination, test) == 0)
		log_info("t8: test notification for configuration %" PRId64 " queued", sc.id);
	free(test);
}

static void configuration(struct call *c)
{
	struct store_config sc;
	if (store_config_get(c->a->db, c->scs_as, c->config, &sc) < 0) {
		problem(c, 404, NULL, "no such NIDD configuration", false);
		return;
	}
	const char *m = c->req->method;
	struct t8_error err;
	if (strcmp(m, "GET") == 0) {
		respond_json(c, 200, config_doc(c, &sc), NULL);
	} else if (strcmp(m, "PATCH") == 0) {
		if (!body_is(c, "application/merge-patch+json"))
			return;
		if (t8_config_patch((const char *)c->req->body, c->req->body_len, &sc.cfg, &err) <
		    0)
			problem_err(c, &err);
		else if (store_config_update(c->a->db, &sc) < 0 || db_commit(c->a->db) < 0)
			problem(c, 500, NULL, "the SCEF could not store the change", false);
		else
			respond_json(c, 200, config_doc(c, &sc), NULL);
	} else if (strcmp(m, "DELETE") == 0) {
		bool gone = store_config_delete(c->a->db, c->scs_as, c->config) == 0 &&
			    db_commit(c->a->db) == 0;
		if (gone && c->a->ws)
			wsnotify_drop(c->a->ws, c->config); /* its notifications are over */
		if (gone)
			http_exchange_respond(c->ex, 204, NULL, NULL, 0);
		else
			problem(c, 500, NULL, "the SCEF could not delete the configuration", false);
	} else {
		not_allowed(c, "GET, PATCH, DELETE");
	}
}

static char *delivery_doc(struct call *c, const struct store_delivery *d, bool with_self)
{
	char self[T8_MAX_URI + 160];
	t8api_delivery_link(c->a, c->scs_as, d->config, d->id, self, sizeof(self));
	return t8_downlink_json(&d->dl, with_self ? self : NULL, d->status, NULL);
}

static int list_delivery(const struct store_delivery *d, void *arg)
{
	struct list_ctx *l = arg;
	if (d->group)
		return 0; /* one UE's part of a group delivery: no resource of its own */
	return append_doc(l, delivery_doc(l->c, d, true));
}

struct port_find {
	int ue, ef;
	bool any, found;
};

static int find_port(int ue, int ef, const struct t8_manage_port *p, void *arg)
{
	struct port_find *f = arg;
	f->any = true;
	f->found |= ue == f->ue && ef == f->ef;
	return 0;
}

/*
 * Rds_port_verification (TS 29.122 4.4.5.3.1): once the configuration has
 * reserved RDS ports, a delivery's rdsPort must be one of them, else 403
 * RDS_PORT_UNKNOWN.  With none reserved there is no list to check against.
 */
static bool port_known(struct call *c, const struct t8_downlink *dl)
{
	struct port_find f = { dl->rds_port_ue, dl->rds_port_scef, false, false };
	if (dl->rds_port_ue < 0 || store_port_each(c->a->db, c->config, find_port, &f) < 0 ||
	    !f.any || f.found)
		return true;
	problem(c, 403, "RDS_PORT_UNKNOWN", "rdsPort is not among the configuration's RDS ports",
		false);
	return false;
}

/* The target of a delivery must be the configuration's own UE. */
static bool same_target(struct call *c, const struct t8_config *cfg, const struct t8_downlink *dl)
{
	if (dl->target.kind == cfg->target.kind && strcmp(dl->target.id, cfg->target.id) == 0)
		return true;
	problem(c, 400, "MANDATORY_IE_INCORRECT",
		"the delivery's UE is not the one of its NIDD configuration", false);
	return false;
}

static void submit(struct call *c, const struct store_config *sc)
{
	static struct store_delivery d; /* 1.7 KiB: off the stack; one request at a time */
	memset(&d, 0, sizeof(d));
	d.config = sc->id;
	struct t8_error err;
	if (!body_is(c, "application/json"))
		return;
	if (t8_downlink_parse((const char *)c->req->body, c->req->body_len, &d.dl, &err) < 0) {
		problem_err(c, &err);
		return;
	}
	if (!same_target(c, &sc->cfg, &d.dl) || !port_known(c, &d.dl))
		return;
	struct nidd_result res;
	if (sc->cfg.target.kind == T8_EXTERNAL_GROUP_ID) {
		const struct group *g = devices_group(c->a->devs, sc->cfg.target.id);
		if (!g) {
			problem(c, 403, "REQUEST_NOT_AUTHORIZED", "the group is no longer known",
				false);
			return;
		}
		nidd_submit_group(c->a->nidd, &sc->cfg, g, &d, &res);
	} else {
		nidd_submit(c->a->nidd, &sc->cfg, &d, &res);
	}
	if (res.http_status == 200) {
		respond_json(c, 200, delivery_doc(c, &d, false), NULL);
	} else if (res.http_status == 201) {
		/* Reliable data: sent, its acknowledgement is the notification's. */
		enum t8_delivery_status now = d.status;
		if (res.reliable)
			d.status = T8_SENDING;
		char self[T8_MAX_URI + 160];
		t8api_delivery_link(c->a, c->scs_as, d.config, d.id, self, sizeof(self));
		respond_json(c, 201, delivery_doc(c, &d, true), self);
		d.status = now;
	} else if (res.quota) {
		problem_quota(c, &res);
	} else if (res.http_status == 500) {
		failure(c, &res);
	} else {
		problem(c, res.http_status, res.err.cause, res.err.detail, res.http_status == 500);
	}
}

static void deliveries(struct call *c)
{
	struct store_config sc;
	if (store_config_get(c->a->db, c->scs_as, c->config, &sc) < 0) {
		problem(c, 404, NULL, "no such NIDD configuration", false);
		return;
	}
	if (strcmp(c->req->method, "GET") == 0) {
		struct list_ctx l = { c, json_array() };
		respond_list(c, l.arr,
			     store_delivery_each(c->a->db, c->config, false, list_delivery, &l));
	} else if (strcmp(c->req->method, "POST") == 0) {
		submit(c, &sc);
	} else {
		not_allowed(c, "GET, POST");
	}
}

/* PUT (a whole NiddDownlinkDataTransfer) or PATCH of a still buffered delivery. */
static void change(struct call *c, const struct store_config *sc, struct store_delivery *d)
{
	bool put = strcmp(c->req->method, "PUT") == 0;
	struct t8_error err;
	static struct t8_downlink dl; /* 1.6 KiB: off the stack */
	dl = d->dl;
	if (!body_is(c, put ? "application/json" : "application/merge-patch+json"))
		return;
	int rc = put ? t8_downlink_parse((const char *)c->req->body, c->req->body_len, &dl, &err)
		     : t8_downlink_patch((const char *)c->req->body, c->req->body_len, &dl, &err);
	if (rc < 0) {
		problem_err(c, &err);
		return;
	}
	if (!same_target(c, &sc->cfg, &dl) || !port_known(c, &dl))
		return;
	if (dl.data_len > nidd_max_packet_bits(c->a->nidd) / 8) {
		problem(c, 403, "DATA_TOO_LARGE", "the data is larger than maximumPacketSize",
			false);
		return;
	}
	d->dl = dl;
	if (dl.maximum_latency > 0)
		d->expires = d->created + dl.maximum_latency;
	if (store_delivery_update(c->a->db, d) < 0 || db_commit(c->a->db) < 0)
		problem(c, 500, NULL, "the SCEF could not store the change", true);
	else
		respond_json(c, 200, delivery_doc(c, d, true), NULL);
}

static void delivery(struct call *c)
{
	struct store_config sc;
	static struct store_delivery d;
	if (store_config_get(c->a->db, c->scs_as, c->config, &sc) < 0 ||
	    store_delivery_get(c->a->db, c->config, c->delivery, &d) < 0 || d.group) {
		problem(c, 404, NULL, "no such downlink data delivery", false);
		return;
	}
	const char *m = c->req->method;
	bool changes = strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0 || strcmp(m, "DELETE") == 0;
	if (strcmp(m, "GET") == 0) {
		respond_json(c, 200, delivery_doc(c, &d, true), NULL);
	} else if (!changes) {
		not_allowed(c, "GET, PUT, PATCH, DELETE");
	} else if (t8_delivery_status_final(d.status)) {
		/* The data has left the SCEF (or was discarded): too late to change it. */
		problem(c, 409, NULL, "the delivery is no longer pending", false);
	} else if (strcmp(m, "DELETE") == 0) {
		if (store_delivery_delete(c->a->db, c->config, c->delivery) < 0 ||
		    db_commit(c->a->db) < 0)
			problem(c, 500, NULL, "the SCEF could not cancel the delivery", true);
		else
			http_exchange_respond(c->ex, 204, NULL, NULL, 0);
	} else {
		change(c, &sc, &d);
	}
}

static void port_link(struct call *c, int ue, int ef, char *out, size_t size)
{
	char conf[T8_MAX_URI + 128];
	t8api_config_link(c->a, c->scs_as, c->config, conf, sizeof(conf));
	snprintf(out, size, "%s/rds-ports/ue%d-ef%d", conf, ue, ef);
}

static char *port_doc(struct call *c, int ue, int ef, const struct t8_manage_port *p)
{
	char self[T8_MAX_URI + 160];
	port_link(c, ue, ef, self, sizeof(self));
	return t8_manage_port_json(p, self, "AS");
}

static int list_port(int ue, int ef, const struct t8_manage_port *p, void *arg)
{
	struct list_ctx *l = arg;
	return append_doc(l, port_doc(l->c, ue, ef, p));
}

static void rds_ports(struct call *c)
{
	struct store_config sc;
	if (store_config_get(c->a->db, c->scs_as, c->config, &sc) < 0) {
		problem(c, 404, NULL, "no such NIDD configuration", false);
	} else if (strcmp(c->req->method, "GET") == 0) {
		struct list_ctx l = { c, json_array() };
		respond_list(c, l.arr, store_port_each(c->a->db, c->config, list_port, &l));
	} else {
		not_allowed(c, "GET");
	}
}

/*
 * Reserve port {portId} for an application (PUT, TS 29.122 4.4.5.4): the
 * UE must support RDS, else a 500 RdsDownlinkDataDeliveryFailure; a port
 * another application holds is a 409.
 */
static void reserve_port(struct call *c, const struct store_config *sc)
{
	struct t8_manage_port p, old;
	struct t8_error err;
	if (!body_is(c, "application/json"))
		return;
	if (t8_manage_port_parse((const char *)c->req->body, c->req->body_len, &p, &err) < 0) {
		problem_err(c, &err);
		return;
	}
	const struct device *dev = devices_find(c->a->devs, sc->cfg.target.kind, sc->cfg.target.id);
	if (!dev) {
		problem(c, 403, NULL, "RDS ports are managed per UE, not per group", false);
		return;
	}
	if (!dev->rds) {
		/* An RdsDownlinkDataDeliveryFailure is a ProblemDetails (allOf). */
		problem(c, 500, NULL, "the UE does not support the reliable data service", false);
		return;
	}
	if (store_port_get(c->a->db, c->config, c->port_ue, c->port_ef, &old) == 0 &&
	    strcmp(old.app_id, p.app_id) != 0) {
		problem(c, 409, NULL, "the port is reserved for another application", false);
		return;
	}
	if (!p.configured && p.formats)
		p.configured = p.formats & -p.formats; /* the first one offered */
	if (store_port_put(c->a->db, c->config, c->port_ue, c->port_ef, &p) < 0 ||
	    db_commit(c->a->db) < 0) {
		problem(c, 500, NULL, "the SCEF could not store the port", false);
		return;
	}
	char self[T8_MAX_URI + 160];
	port_link(c, c->port_ue, c->port_ef, self, sizeof(self));
	respond_json(c, 201, port_doc(c, c->port_ue, c->port_ef, &p), self);
}

static void rds_port(struct call *c)
{
	struct store_config sc;
	struct t8_manage_port p;
	const char *m = c->req->method;
	if (store_config_get(c->a->db, c->scs_as, c->config, &sc) < 0) {
		problem(c, 404, NULL, "no such NIDD configuration", false);
	} else if (strcmp(m, "PUT") == 0) {
		reserve_port(c, &sc);
	} else if (strcmp(m, "GET") != 0 && strcmp(m, "DELETE") != 0) {
		not_allowed(c, "GET, PUT, DELETE");
	} else if (store_port_get(c->a->db, c->config, c->port_ue, c->port_ef, &p) < 0) {
		problem(c, 404, NULL, "no such RDS port reservation", false);
	} else if (strcmp(m, "GET") == 0) {
		respond_json(c, 200, port_doc(c, c->port_ue, c->port_ef, &p), NULL);
	} else if (store_port_delete(c->a->db, c->config, c->port_ue, c->port_ef) < 0 ||
		   db_commit(c->a->db) < 0) {
		problem(c, 500, NULL, "the SCEF could not release the port", false);
	} else {
		http_exchange_respond(c->ex, 204, NULL, NULL, 0);
	}
}

static const struct route {
	const char *pattern;
	void (*fn)(struct call *c);
} routes[] = {
	{ PREFIX, configurations },
	{ PREFIX "/{configurationId}", configuration },
	{ PREFIX "/{configurationId}/downlink-data-deliveries", deliveries },
	{ PREFIX "/{configurationId}/downlink-data-deliveries/{downlinkDataDeliveryId}", delivery },
	{ PREFIX "/{configurationId}/rds-ports", rds_ports },
	{ PREFIX "/{configurationId}/rds-ports/{portId}", rds_port },
};

void t8api_handle(struct http_exchange *ex, void *arg)
{
	struct call c = { .a = arg, .ex = ex, .req = http_exchange_request(ex) };
	struct httproute_match m;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		int rc = httproute_match(routes[i].pattern, c.req->path, &m);
		if (rc == -ENOENT)
			continue;
		c.scs_as = httproute_get(&m, "scsAsId");
		if (rc < 0 || strlen(c.scs_as) >= STORE_MAX_SCS_AS ||
		    (httproute_get(&m, "configurationId") &&
		     parse_id(httproute_get(&m, "configurationId"), &c.config) < 0) ||
		    (httproute_get(&m, "downlinkDataDeliveryId") &&
		     parse_id(httproute_get(&m, "downlinkDataDeliveryId"), &c.delivery) < 0) ||
		    (httproute_get(&m, "portId") &&
		     t8_port_id_parse(httproute_get(&m, "portId"), &c.port_ue, &c.port_ef) < 0)) {
			problem(&c, 404, NULL, "no such resource", false);
			return;
		}
		routes[i].fn(&c);
		return;
	}
	problem(&c, 404, "RESOURCE_URI_STRUCTURE_NOT_FOUND", "no such resource", false);
}
