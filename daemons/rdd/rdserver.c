/*
 * The Resource Directory over CoAP (see rdserver.h).
 */
#define LOG_COMPONENT "coap"

#include "rdserverint.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coap3/coap.h>

#include "coap/coapev.h"
#include "coap/linkformat.h"
#include "coap/pskguard.h"
#include "coap/rdquery.h"
#include "common/log.h"
#include "rdgroup.h"
#include "rdlookup.h"
#include "rdpatch.h"
#include "rdreq.h"
#include "rdsimple.h"
#include "rdsimplereg.h"
#include "rdwatch.h"


/*
 * The discovery links of /.well-known/core (RFC 9176 §4.3): every format a
 * lookup answers in and a registration takes (RFC 7252 §7.2.1 allows ct to
 * be a list), and obs on the lookups that can be observed.
 */
#define RD_CT "ct=\"40 504 64\""
static const char wkc_doc[] = "</rd>;rt=core.rd;" RD_CT ","
			      "</rd-lookup/ep>;rt=core.rd-lookup-ep;" RD_CT ";obs,"
			      "</rd-lookup/res>;rt=core.rd-lookup-res;" RD_CT ";obs,"
			      "</rd-group>;rt=core.rd-group;" RD_CT ","
			      "</rd-lookup/gp>;rt=core.rd-lookup-gp;" RD_CT ";obs,"
			      "</ps>;rt=\"core.ps core.ps.coll\";ct=40"; /* the pub/sub broker */
#define WKC_LINKS 6

struct rdserver *rdserver_of(coap_session_t *s)
{
	return coap_get_app_data(coap_session_get_context(s));
}

static void publish_location(coap_pdu_t *resp, const struct rdreg *r)
{
	const char *slash = strchr(r->loc, '/');

	coap_add_option(resp, COAP_OPTION_LOCATION_PATH, (size_t)(slash - r->loc),
			(const uint8_t *)r->loc);
	coap_add_option(resp, COAP_OPTION_LOCATION_PATH, strlen(slash + 1),
			(const uint8_t *)slash + 1);
}

bool rdserver_identify(struct rdserver *srv, coap_session_t *s, struct rdquery *q,
		       struct rdauth_who *who, coap_pdu_t *resp)
{
	if (rdauth_identify(srv->cfg.auth, s, q, who) == 0)
		return true;
	rdreq_error(&srv->stats, resp, 400, "give one bearer token: auth=TOKEN");
	rdquery_fini(q);
	return false;
}

bool rdserver_allowed(struct rdserver *srv, const struct rdauth_who *who, enum rdauth_op op,
		      const char *d, const char *ep, coap_pdu_t *resp)
{
	char why[192];
	int code = rdauth_check(srv->cfg.auth, who, op, d, ep, why, sizeof(why));

	if (code == 0)
		return true;
	rdreq_error(&srv->stats, resp, code, "%s", why);
	return false;
}

/*
 * Remember who made the registration @reg; if that cannot be stored, the
 * registration goes again (a 5.00 is sent), so no name is left unowned.
 */
static bool remember(struct rdserver *srv, const struct rdauth_who *who, struct rdreg *reg,
		     coap_pdu_t *resp)
{
	if (rdauth_registered(srv->cfg.auth, who, reg->d, reg->ep) == 0)
		return true;
	rdstore_remove(srv->store, reg);
	rdreq_error(&srv->stats, resp, 500, "the registration could not be stored");
	return false;
}

/* POST /rd: a registration (RFC 9176 §5.3). */
static void on_register(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
			const coap_string_t *query, coap_pdu_t *resp)
{
	struct rdserver *srv = rdserver_of(s);
	struct rdreg_input in = { 0 };
	struct linkformat links;
	struct linkformat_attr attrs[RDQUERY_MAX_PARAMS];
	char *literal[RDQUERY_MAX_PARAMS] = { 0 }, source[128];
	struct rdquery q;
	struct rdauth_who who;
	struct rdreg *reg;
	bool present;

	srv->stats.requests++;
	if (!rdreq_rate(srv->cfg.limit, srv->store, s, resp) ||
	    !rdreq_query(&srv->stats, req, resp, &q) || !rdserver_identify(srv, s, &q, &who, resp))
		return;
	if (rdreq_params(&srv->stats, &q, false, resp, &in, attrs, literal) &&
	    rdserver_allowed(srv, &who, RDAUTH_REGISTER, in.d, in.ep, resp) &&
	    rdreq_links(&srv->stats, srv->cfg.max_links, req, resp, &links, &present)) {
		const struct rdreg *old = rdstore_find_ep(srv->store, in.d ? in.d : "", in.ep);
		long more = (long)(present ? links.count : 0) - (long)(old ? old->links.count : 0);

		if (!rdreq_room(srv->cfg.limit, srv->store, old ? 0 : 1, more, resp)) {
			if (present)
				linkformat_fini(&links);
			goto out;
		}
		rdreq_source_base(s, source, sizeof(source));
		in.source = source;
		in.links = &links;
		if (rdstore_register(srv->store, &in, &reg) < 0) {
			rdreq_error(&srv->stats, resp, 500, "the registration could not be stored");
		} else if (remember(srv, &who, reg, resp)) {
			srv->stats.registrations++;
			coap_pdu_set_code(resp, COAP_RESPONSE_CODE(201));
			publish_location(resp, reg);
		}
		linkformat_fini(&links);
	}
out:
	for (size_t i = 0; i < RDQUERY_MAX_PARAMS; i++)
		free(literal[i]);
	rdquery_fini(&q);
}

/*
 * The registration a request is for, by its Uri-Path; NULL (and 4.04 sent)
 * when there is none.  Registration resources are not libcoap resources:
 * every path libcoap does not know comes to the unknown-resource handlers
 * below, and the store's location index finds the registration, so a
 * registration costs no libcoap memory and a removal nothing to tear down.
 */
static struct rdreg *reg_of(struct rdserver *srv, const coap_pdu_t *req, coap_pdu_t *resp)
{
	coap_string_t *path = coap_get_uri_path(req);
	char loc[RDSTORE_LOC_MAX];
	struct rdreg *r = NULL;

	if (path && path->length < sizeof(loc)) {
		memcpy(loc, path->s, path->length);
		loc[path->length] = '\0';
		r = rdstore_find_loc(srv->store, loc);
	}
	coap_delete_string(path);
	if (!r)
		rdreq_error(&srv->stats, resp, 404, "no such resource");
	return r;
}

/* A request for /rd-group/… (answered by rdgroup), else false. */
static bool to_group(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		     const coap_string_t *query, coap_pdu_t *resp)
{
	struct rdserver *srv = rdserver_of(s);

	return srv->cfg.groups &&
	       rdgroup_serve(srv->cfg.groups, &srv->stats, res, s, req, query, resp);
}

/* POST /reg/…: a registration update (RFC 9176 §5.3.1). */
static void on_update(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		      const coap_string_t *query, coap_pdu_t *resp)
{
	struct rdserver *srv = rdserver_of(s);
	struct rdreg *reg;
	struct rdreg_input in = { 0 };
	struct linkformat links;
	struct linkformat_attr attrs[RDQUERY_MAX_PARAMS];
	char *literal[RDQUERY_MAX_PARAMS] = { 0 }, source[128];
	struct rdquery q;
	struct rdauth_who who;
	bool present;

	srv->stats.requests++;
	if (to_group(res, s, req, query, resp))
		return;
	reg = reg_of(srv, req, resp);
	if (!reg || !rdreq_rate(srv->cfg.limit, srv->store, s, resp) ||
	    !rdreq_query(&srv->stats, req, resp, &q) || !rdserver_identify(srv, s, &q, &who, resp))
		return;
	if (rdserver_allowed(srv, &who, RDAUTH_UPDATE, reg->d, reg->ep, resp) &&
	    rdreq_params(&srv->stats, &q, true, resp, &in, attrs, literal) &&
	    rdreq_links(&srv->stats, srv->cfg.max_links, req, resp, &links, &present)) {
		if (present && !rdreq_room(srv->cfg.limit, srv->store, 0,
					   (long)links.count - (long)reg->links.count, resp)) {
			linkformat_fini(&links);
			goto out;
		}
		rdreq_source_base(s, source, sizeof(source));
		in.source = source;
		in.links = present ? &links : NULL;
		if (rdstore_update(srv->store, reg, &in) < 0) {
			rdreq_error(&srv->stats, resp, 500, "the update could not be stored");
		} else {
			srv->stats.updates++;
			coap_pdu_set_code(resp, COAP_RESPONSE_CODE(204));
		}
		linkformat_fini(&links);
	}
out:
	for (size_t i = 0; i < RDQUERY_MAX_PARAMS; i++)
		free(literal[i]);
	rdquery_fini(&q);
}

/* DELETE /reg/…: removal (RFC 9176 §5.3.2). */
static void on_delete(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		      const coap_string_t *query, coap_pdu_t *resp)
{
	struct rdserver *srv = rdserver_of(s);
	struct rdauth_who who;
	struct rdquery q;
	struct rdreg *reg;
	bool ok;

	srv->stats.requests++;
	if (to_group(res, s, req, query, resp))
		return;
	reg = reg_of(srv, req, resp);
	if (!reg || !rdreq_query(&srv->stats, req, resp, &q) || !rdserver_identify(srv, s, &q, &who, resp))
		return;
	ok = rdserver_allowed(srv, &who, RDAUTH_REMOVE, reg->d, reg->ep, resp);
	rdquery_fini(&q);
	if (!ok)
		return;
	if (rdstore_remove(srv->store, reg) < 0) {
		rdreq_error(&srv->stats, resp, 500, "the removal could not be stored");
		return;
	}
	srv->stats.removals++;
	coap_pdu_set_code(resp, COAP_RESPONSE_CODE(202));
}

/* GET /reg/…: the registered links, as registered. */
static void on_read(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		    const coap_string_t *query, coap_pdu_t *resp)
{
	struct rdserver *srv = rdserver_of(s);
	struct rdauth_who who;
	struct rdquery q;
	struct rdreg *reg;
	size_t len;
	char *text;
	bool ok;
	int cf;

	srv->stats.requests++;
	if (to_group(res, s, req, query, resp))
		return;
	reg = reg_of(srv, req, resp);
	if (!reg || !rdreq_accept(&srv->stats, req, resp, &cf) ||
	    !rdreq_query(&srv->stats, req, resp, &q) || !rdserver_identify(srv, s, &q, &who, resp))
		return;
	ok = rdserver_allowed(srv, &who, RDAUTH_LOOKUP, reg->d, NULL, resp);
	rdquery_fini(&q);
	if (!ok)
		return;
	linkformat_format(reg->links.links, reg->links.count, NULL, 0, &len);
	text = malloc(len + 1);
	if (!text)
		abort();
	linkformat_format(reg->links.links, reg->links.count, text, len + 1, &len);
	rdreq_reply_links(res, s, req, query, resp, text, len, cf);
}

/* POST /rd-group: a group of the RD drafts (see rdgroup.h). */
static void on_group_post(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
			  const coap_string_t *query, coap_pdu_t *resp)
{
	struct rdserver *srv = rdserver_of(s);

	srv->stats.requests++;
	if (rdreq_rate(srv->cfg.limit, srv->store, s, resp))
		rdgroup_post(srv->cfg.groups, &srv->stats, srv->cfg.limit, rdstore_now(srv->store),
			     srv->cfg.max_links, s, req, resp);
}

/* PATCH and iPATCH /reg/…: links changed by a merge patch (see rdpatch.h). */
static void on_patch(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		     const coap_string_t *query, coap_pdu_t *resp)
{
	struct rdserver *srv = rdserver_of(s);
	struct rdreg *reg;

	srv->stats.requests++;
	if (to_group(res, s, req, query, resp))
		return;
	reg = reg_of(srv, req, resp);
	if (reg && rdreq_rate(srv->cfg.limit, srv->store, s, resp))
		rdpatch_handle(&srv->stats, srv->store, srv->cfg.auth, srv->cfg.limit,
			       srv->cfg.max_links, s, reg, req, resp);
}

/* PUT: no such method on a registration, no such resource otherwise. */
static void on_put(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		   const coap_string_t *query, coap_pdu_t *resp)
{
	struct rdserver *srv = rdserver_of(s);

	srv->stats.requests++;
	if (to_group(res, s, req, query, resp))
		return;
	if (reg_of(srv, req, resp))
		rdreq_error(&srv->stats, resp, 405,
			    "a registration takes GET, POST, DELETE, PATCH and iPATCH");
}

/* rdwatch_lookup_fn of /rd-lookup/ep (@ctx: the server). */
static long lookup_ep_text(void *ctx, const struct rdquery *q, const char *scope, char **text,
			   size_t *len)
{
	char why[128];

	return rdlookup_text(((struct rdserver *)ctx)->store, RDLOOKUP_EP, q, scope, text, len, why,
			     sizeof(why));
}

/* rdwatch_lookup_fn of /rd-lookup/res. */
static long lookup_res_text(void *ctx, const struct rdquery *q, const char *scope, char **text,
			    size_t *len)
{
	char why[128];

	return rdlookup_text(((struct rdserver *)ctx)->store, RDLOOKUP_RES, q, scope, text, len,
			     why, sizeof(why));
}

/* rdwatch_lookup_fn of /rd-lookup/gp. */
static long lookup_gp_text(void *ctx, const struct rdquery *q, const char *scope, char **text,
			   size_t *len)
{
	char why[128];

	return rdgroup_lookup_text(((struct rdserver *)ctx)->cfg.groups, q, scope, text, len, why,
				   sizeof(why));
}

/* The three lookups, answered alike and observed through rdwatch. */
static void lookup(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		   const coap_string_t *query, coap_pdu_t *resp, enum rdwatch_kind kind)
{
	struct rdserver *srv = rdserver_of(s);
	coap_opt_iterator_t it;
	coap_opt_t *observe;
	struct rdquery q;
	struct rdauth_who who;
	const char *scope;
	char why[128], *text, seen[RDAUTH_SCOPE_MAX];
	size_t len;
	long n;
	int cf;

	srv->stats.requests++;
	if (!rdreq_accept(&srv->stats, req, resp, &cf) ||
	    !rdreq_query(&srv->stats, req, resp, &q) || !rdserver_identify(srv, s, &q, &who, resp))
		return;
	if (!rdserver_allowed(srv, &who, RDAUTH_LOOKUP, NULL, NULL, resp)) {
		rdquery_fini(&q);
		return;
	}
	/* a credential limited to sectors sees only theirs (NULL: all) */
	scope = rdauth_lookup_scope(srv->cfg.auth, &who, seen, sizeof(seen));
	if (kind == RDWATCH_GP)
		n = rdgroup_lookup_text(srv->cfg.groups, &q, scope, &text, &len, why, sizeof(why));
	else
		n = rdlookup_text(srv->store, kind == RDWATCH_EP ? RDLOOKUP_EP : RDLOOKUP_RES, &q,
				  scope, &text, &len, why, sizeof(why));
	rdquery_fini(&q);
	if (n < 0) {
		rdreq_error(&srv->stats, resp, 400, "%s", why);
		return;
	}
	srv->stats.lookups++;
	observe = coap_check_option(req, COAP_OPTION_OBSERVE, &it);
	if (observe && coap_decode_var_bytes(coap_opt_value(observe), coap_opt_length(observe)) ==
			       COAP_OBSERVE_ESTABLISH)
		rdwatch_note(srv->watch, kind, query, scope, text, len);
	rdreq_reply_links(res, s, req, query, resp, text, len, cf);
}

static void on_lookup_ep(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
			 const coap_string_t *query, coap_pdu_t *resp)
{
	lookup(res, s, req, query, resp, RDWATCH_EP);
}

static void on_lookup_res(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
			  const coap_string_t *query, coap_pdu_t *resp)
{
	lookup(res, s, req, query, resp, RDWATCH_RES);
}

/* GET /rd-lookup/gp: the groups of the RD drafts (see rdgroup.h). */
static void on_lookup_gp(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
			 const coap_string_t *query, coap_pdu_t *resp)
{
	lookup(res, s, req, query, resp, RDWATCH_GP);
}

/* GET /.well-known/core: the RD's interfaces, filtered as RFC 6690 §4.1 says. */
static void on_wkc(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		   const coap_string_t *query, coap_pdu_t *resp)
{
	struct rdserver *srv = rdserver_of(s);
	struct linkformat doc;
	struct linkformat_link keep[WKC_LINKS];
	struct rdquery q;
	size_t n = 0, len;
	char *text;
	int cf;

	srv->stats.requests++;
	if (!rdreq_accept(&srv->stats, req, resp, &cf) || !rdreq_query(&srv->stats, req, resp, &q))
		return;
	if (linkformat_parse((const uint8_t *)wkc_doc, sizeof(wkc_doc) - 1, &doc) < 0)
		abort();
	for (size_t i = 0; i < doc.count && n < WKC_LINKS; i++) {
		bool ok = true;

		for (size_t k = 0; ok && k < q.count; k++) {
			const struct rdquery_param *f = &q.params[k];
			const struct linkformat_attr *a;

			if (strcmp(f->name, "href") == 0) {
				ok = rdquery_match(f, doc.links[i].target, false);
				continue;
			}
			a = linkformat_find(&doc.links[i], f->name);
			/* ct lists formats here, so ct=504 matches ct="40 504 64" */
			ok = a && rdquery_match(f, a->value,
						rdquery_is_multivalue(f->name) ||
							strcmp(f->name, "ct") == 0);
		}
		if (ok)
			keep[n++] = doc.links[i];
	}
	if (n == 0 && coap_is_mcast(coap_session_get_addr_local(s))) {
		/* RFC 6690 §4.1: no answer to a group when nothing matches (code 0: none) */
		linkformat_fini(&doc);
		rdquery_fini(&q);
		return;
	}
	linkformat_format(keep, n, NULL, 0, &len);
	text = malloc(len + 1);
	if (!text)
		abort();
	linkformat_format(keep, n, text, len + 1, &len);
	linkformat_fini(&doc);
	rdquery_fini(&q);
	rdreq_reply_links(res, s, req, query, resp, text, len, cf);
}

void rdserver_changed(struct rdserver *srv, struct rdreg *reg, enum rdstore_change change)
{
	if (srv)
		rdwatch_changed(srv->watch);
}

static coap_resource_t *add_static(coap_context_t *ctx, const char *path, coap_request_t method,
				   coap_method_handler_t fn, int flags)
{
	coap_resource_t *r = coap_resource_init(coap_make_str_const(path), flags);

	if (!r)
		abort();
	coap_register_handler(r, method, fn);
	coap_add_resource(ctx, r);
	return r;
}

static int bind_endpoint(struct rdserver *srv, const char *address, int port_number,
			 coap_proto_t proto)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai;
	char port[8];
	coap_address_t addr;
	coap_endpoint_t *ep;
	int rc;

	snprintf(port, sizeof(port), "%d", port_number);
	rc = getaddrinfo(address, port, &hints, &ai);
	if (rc != 0) {
		log_error("bad [%s] address \"%s\": %s",
			  proto == COAP_PROTO_DTLS ? "coaps" : "coap", address, gai_strerror(rc));
		return -EINVAL;
	}
	coap_address_init(&addr);
	addr.size = ai->ai_addrlen;
	memcpy(&addr.addr.sa, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	ep = coap_new_endpoint(srv->ctx, &addr, proto);
	if (!ep) {
		log_error("cannot serve %s on %s port %d",
			  proto == COAP_PROTO_DTLS ? "CoAP over DTLS" : "CoAP", address,
			  port_number);
		return -EADDRINUSE;
	}
	if (proto == COAP_PROTO_DTLS)
		srv->coaps_port = port_number;
	else
		srv->port = port_number;
	return 0;
}

/* libcoap's session events: the guard watches DTLS handshakes. */
static int on_event(coap_session_t *s, const coap_event_t event)
{
	struct rdserver *srv = rdserver_of(s);

	/* rdd's own client sessions (simple registration) are no handshakes to guard */
	if (coap_session_get_type(s) == COAP_SESSION_TYPE_CLIENT) {
		rdsimple_event(s, event);
		return 0;
	}
	/* freeing the context reports its sessions closing: the guard is gone by then */
	if (srv && srv->guard)
		pskguard_event(srv->guard, s, event);
	return 0;
}

/* Serve plain CoAP and/or CoAP over DTLS, as configured. */
static int bind_endpoints(struct rdserver *srv)
{
	const struct rdserver_config *cfg = &srv->cfg;
	int rc;

	if (!cfg->coap_enabled && !cfg->coaps_enabled) {
		log_error("[coap] and [coaps] are both disabled: nothing to serve");
		return -EINVAL;
	}
	if (cfg->coap_enabled) {
		rc = bind_endpoint(srv, cfg->address, cfg->port, COAP_PROTO_UDP);
		if (rc < 0)
			return rc;
		log_info("serving the resource directory on [%s]:%d", cfg->address, srv->port);
	}
	if (cfg->coaps_enabled) {
		srv->guard = pskguard_new(srv->base, pskstore_key, rdauth_creds(cfg->auth),
					  cfg->handshake_timeout_s);
		if (pskguard_setup(srv->guard, srv->ctx) < 0) {
			log_error("this libcoap cannot do DTLS with PSK");
			return -ENOTSUP;
		}
		rc = certs_setup(srv->ctx, &cfg->certs, &srv->certs);
		if (rc < 0)
			return rc;
		rc = bind_endpoint(srv, cfg->coaps_address, cfg->coaps_port, COAP_PROTO_DTLS);
		if (rc < 0)
			return rc;
		log_info("serving the resource directory over DTLS (PSK%s) on [%s]:%d",
			 srv->certs ? " and certificates" : "", cfg->coaps_address,
			 srv->coaps_port);
		if (srv->certs)
			log_info("certificate mode on: clients verified against %s",
				 cfg->certs.ca_file);
	}
	return 0;
}

/* Join the RD's groups on each configured interface; a missing interface is only logged. */
static void join_groups(struct rdserver *srv, const char *list)
{
	static const char *const groups[] = { "ff02::fd", "ff05::fd", "ff02::fe", "ff05::fe" };
	char *copy, *save = NULL;

	if (!list || !*list)
		return;
	copy = strdup(list);
	if (!copy)
		abort();
	coap_mcast_per_resource(srv->ctx); /* only discovery answers a group */
	for (char *ifname = strtok_r(copy, " ,", &save); ifname;
	     ifname = strtok_r(NULL, " ,", &save)) {
		for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
			if (coap_join_mcast_group_intf(srv->ctx, groups[i], ifname) < 0) {
				log_warnx("cannot join %s on %s", groups[i], ifname);
				continue;
			}
			srv->stats.multicast_groups++;
		}
	}
	free(copy);
}

int rdserver_new(struct event_base *base, struct rdstore *store, const struct rdserver_config *cfg,
		 struct rdserver **out)
{
	struct rdserver *srv = calloc(1, sizeof(*srv));
	coap_resource_t *unknown, *lookup_ep, *lookup_res, *lookup_gp;
	int rc;

	if (!srv)
		return -ENOMEM;
	srv->base = base;
	srv->store = store;
	srv->cfg = *cfg;
	srv->ctx = coap_new_context(NULL);
	if (!srv->ctx) {
		rdserver_free(srv);
		return -ENOMEM;
	}
	coap_set_app_data(srv->ctx, srv);
	srv->simple = rdsimple_new(base, srv->ctx, cfg->handshake_timeout_s);
	coap_register_event_handler(srv->ctx, on_event);
	srv->watch = rdwatch_new(base);
	if (!srv->simple || !srv->watch) {
		rdserver_free(srv);
		return -ENOMEM;
	}
	coap_context_set_block_mode(srv->ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
	rc = bind_endpoints(srv);
	if (rc < 0) {
		rdserver_free(srv);
		return rc;
	}
	add_static(srv->ctx, ".well-known/core", COAP_REQUEST_GET, on_wkc,
		   COAP_RESOURCE_FLAGS_HAS_MCAST_SUPPORT);
	add_static(srv->ctx, "rd", COAP_REQUEST_POST, on_register, 0);
	add_static(srv->ctx, ".well-known/rd", COAP_REQUEST_POST, rdsimplereg_handle, 0);
	lookup_ep = add_static(srv->ctx, "rd-lookup/ep", COAP_REQUEST_GET, on_lookup_ep, 0);
	lookup_res = add_static(srv->ctx, "rd-lookup/res", COAP_REQUEST_GET, on_lookup_res, 0);
	add_static(srv->ctx, "rd-group", COAP_REQUEST_POST, on_group_post, 0);
	lookup_gp = add_static(srv->ctx, "rd-lookup/gp", COAP_REQUEST_GET, on_lookup_gp, 0);
	unknown = coap_resource_unknown_init(on_put);
	coap_register_handler(unknown, COAP_REQUEST_GET, on_read);
	coap_register_handler(unknown, COAP_REQUEST_POST, on_update);
	coap_register_handler(unknown, COAP_REQUEST_DELETE, on_delete);
	coap_register_handler(unknown, COAP_REQUEST_PATCH, on_patch);
	coap_register_handler(unknown, COAP_REQUEST_IPATCH, on_patch);
	coap_add_resource(srv->ctx, unknown);
	join_groups(srv, cfg->multicast_interfaces);
	srv->ev = coapev_new(base, srv->ctx);
	if (!srv->ev) {
		rc = -errno;
		log_error("cannot drive libcoap from the event loop");
		rdserver_free(srv);
		return rc;
	}
	rdwatch_attach(srv->watch, RDWATCH_EP, lookup_ep, lookup_ep_text, srv, srv->ev);
	rdwatch_attach(srv->watch, RDWATCH_RES, lookup_res, lookup_res_text, srv, srv->ev);
	rdwatch_attach(srv->watch, RDWATCH_GP, lookup_gp, lookup_gp_text, srv, srv->ev);
	/* the config's strings, which a reload frees */
	srv->cfg.address = NULL;
	srv->cfg.coaps_address = NULL;
	srv->cfg.certs = (struct certs_config){ "", "", "" };
	*out = srv;
	return 0;
}

void rdserver_free(struct rdserver *srv)
{
	if (!srv)
		return;
	coapev_free(srv->ev);
	/* libcoap insists that nobody holds a session when its endpoint goes */
	pskguard_free(srv->guard);
	srv->guard = NULL;
	rdsimple_free(srv->simple);
	rdwatch_free(srv->watch);
	if (srv->ctx)
		coap_free_context(srv->ctx); /* frees every resource */
	certs_free(srv->certs);              /* libcoap keeps pointers to it until then */
	free(srv);
}

void rdserver_set_max_links(struct rdserver *srv, unsigned max_links)
{
	srv->cfg.max_links = max_links;
}

void rdserver_get_stats(const struct rdserver *srv, struct rdserver_stats *out)
{
	*out = srv->stats;
	out->notifications = rdwatch_notified(srv->watch);
	if (srv->guard)
		pskguard_get_stats(srv->guard, &out->dtls);
}

int rdserver_port(const struct rdserver *srv)
{
	return srv->port;
}

int rdserver_coaps_port(const struct rdserver *srv)
{
	return srv->coaps_port;
}

bool rdserver_certificates(const struct rdserver *srv)
{
	return srv->certs != NULL;
}

coap_context_t *rdserver_context(struct rdserver *srv)
{
	return srv->ctx;
}

struct coapev *rdserver_coapev(struct rdserver *srv)
{
	return srv->ev;
}
