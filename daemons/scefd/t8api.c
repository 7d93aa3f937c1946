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

#define PREFIX "/3gpp-nidd/v1/{scsAsId}/configurations"

struct t8api {
	struct db *db;
	struct devices *devs;
	struct nidd *nidd;
	char api_root[T8_MAX_URI];
};

/* A request in the making: the exchange, its captures and parsed ids. */
struct call {
	struct t8api *a;
	struct http_exchange *ex;
	const struct http_request *req;
	const char *scs_as;
	int64_t config, delivery;
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
			    json_pack("{s:s, s:s, s:I, s:I, s:s}", "name",
				      quota_key(res->hit.kind), "description",
				      quota_describe(res->hit.kind), "limit",
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

/* Does the device exist for @t?  Groups are not offered (GroupMessageDelivery). */
static bool authorized(struct call *c, const struct t8_target *t)
{
	if (t->kind == T8_EXTERNAL_ID || t->kind == T8_MSISDN) {
		if (devices_find(c->a->devs, t->kind, t->id))
			return true;
		problem(c, 403, "REQUEST_NOT_AUTHORIZED", "the UE is not known to this SCEF",
			false);
		return false;
	}
	problem(c, 403, "REQUEST_NOT_AUTHORIZED",
		"group message delivery is not among this SCEF's supported features", false);
	return false;
}

static char *config_doc(struct call *c, const struct store_config *sc)
{
	char self[T8_MAX_URI + 128];
	t8api_config_link(c->a, sc->scs_as, sc->id, self, sizeof(self));
	return t8_config_json(&sc->cfg, self, "ACTIVE", nidd_max_packet_bits(c->a->nidd));
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
		if (store_config_delete(c->a->db, c->scs_as, c->config) < 0 ||
		    db_commit(c->a->db) < 0)
			problem(c, 500, NULL, "the SCEF could not delete the configuration", false);
		else
			http_exchange_respond(c->ex, 204, NULL, NULL, 0);
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
	return append_doc(l, delivery_doc(l->c, d, true));
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
	if (!same_target(c, &sc->cfg, &d.dl))
		return;
	struct nidd_result res;
	nidd_submit(c->a->nidd, &sc->cfg, &d, &res);
	if (res.http_status == 200) {
		respond_json(c, 200, delivery_doc(c, &d, false), NULL);
	} else if (res.http_status == 201) {
		char self[T8_MAX_URI + 160];
		t8api_delivery_link(c->a, c->scs_as, d.config, d.id, self, sizeof(self));
		respond_json(c, 201, delivery_doc(c, &d, true), self);
	} else if (res.quota) {
		problem_quota(c, &res);
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
	if (!same_target(c, &sc->cfg, &dl))
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
	    store_delivery_get(c->a->db, c->config, c->delivery, &d) < 0) {
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

static const struct route {
	const char *pattern;
	void (*fn)(struct call *c);
} routes[] = {
	{ PREFIX, configurations },
	{ PREFIX "/{configurationId}", configuration },
	{ PREFIX "/{configurationId}/downlink-data-deliveries", deliveries },
	{ PREFIX "/{configurationId}/downlink-data-deliveries/{downlinkDataDeliveryId}", delivery },
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
		     parse_id(httproute_get(&m, "downlinkDataDeliveryId"), &c.delivery) < 0)) {
			problem(&c, 404, NULL, "no such resource", false);
			return;
		}
		routes[i].fn(&c);
		return;
	}
	problem(&c, 404, "RESOURCE_URI_STRUCTURE_NOT_FOUND", "no such resource", false);
}
