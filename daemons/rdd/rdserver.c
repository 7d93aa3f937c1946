/*
 * The Resource Directory over CoAP (see rdserver.h).
 */
#define LOG_COMPONENT "coap"

#include "rdserver.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coap3/coap.h>

#include "coap/coapev.h"
#include "coap/linkformat.h"
#include "coap/rdquery.h"
#include "common/log.h"
#include "rdlookup.h"

#define CF_LINK_FORMAT 40
#define MAX_NAME       63 /* RFC 9176 §5.3: ep and d are at most 63 bytes */

struct rdserver {
	struct event_base *base;
	struct rdstore *store;
	struct rdserver_config cfg;
	coap_context_t *ctx;
	struct coapev *ev;
	int port;
	/* resources of removed registrations, deleted after the libcoap round */
	coap_resource_t **doomed;
	size_t ndoomed, doomed_cap;
	struct event *reaper;
	struct rdserver_stats stats;
};

/* The discovery links of /.well-known/core (RFC 9176 §4.3). */
static const char wkc_doc[] = "</rd>;rt=core.rd;ct=40,</rd-lookup/ep>;rt=core.rd-lookup-ep;ct=40,"
			      "</rd-lookup/res>;rt=core.rd-lookup-res;ct=40";

static struct rdserver *server_of(coap_session_t *s)
{
	return coap_get_app_data(coap_session_get_context(s));
}

static void reply_error(struct rdserver *srv, coap_pdu_t *resp, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A 4.xx/5.xx with a diagnostic payload (RFC 7252 §5.5.2). */
static void reply_error(struct rdserver *srv, coap_pdu_t *resp, int code, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	srv->stats.bad_requests++;
	coap_pdu_set_code(resp, COAP_RESPONSE_CODE(code));
	coap_add_data(resp, (size_t)n, (const uint8_t *)msg);
}

static void release_buffer(coap_session_t *s, void *buf)
{
	free(buf);
}

/* 2.05 with a link-format body we own (@text_take, freed when sent). */
static void reply_links(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
			const coap_string_t *query, coap_pdu_t *resp, char *text_take, size_t len)
{
	coap_pdu_set_code(resp, COAP_RESPONSE_CODE(205));
	if (len == 0) {
		uint8_t cf[4];

		free(text_take);
		coap_add_option(resp, COAP_OPTION_CONTENT_FORMAT,
				coap_encode_var_safe(cf, sizeof(cf), CF_LINK_FORMAT), cf);
		return;
	}
	if (!coap_add_data_large_response(r, s, req, resp, query, CF_LINK_FORMAT, -1, 0, len,
					  (const uint8_t *)text_take, release_buffer, text_take))
		free(text_take);
}

/* The query as items; false (and a 4.00 sent) when it is malformed. */
static bool read_query(struct rdserver *srv, const coap_pdu_t *req, coap_pdu_t *resp,
		       struct rdquery *q)
{
	coap_opt_iterator_t it;
	coap_opt_filter_t filter;
	coap_opt_t *o;

	rdquery_init(q);
	coap_option_filter_clear(&filter);
	coap_option_filter_set(&filter, COAP_OPTION_URI_QUERY);
	coap_option_iterator_init(req, &it, &filter);
	while ((o = coap_option_next(&it))) {
		int rc = rdquery_add(q, coap_opt_value(o), coap_opt_length(o));

		if (rc < 0) {
			reply_error(srv, resp, 400, "bad query \"%.*s\": %s",
				    (int)coap_opt_length(o), (const char *)coap_opt_value(o),
				    rdquery_strerror(rc));
			rdquery_fini(q);
			return false;
		}
	}
	return true;
}

/* -1 when the option is absent. */
static int uint_option(const coap_pdu_t *req, coap_option_num_t num)
{
	coap_opt_iterator_t it;
	coap_opt_t *o = coap_check_option(req, num, &it);

	return o ? (int)coap_decode_var_bytes(coap_opt_value(o), coap_opt_length(o)) : -1;
}

/* A lookup answers in link-format only. */
static bool accept_ok(struct rdserver *srv, const coap_pdu_t *req, coap_pdu_t *resp)
{
	int accept = uint_option(req, COAP_OPTION_ACCEPT);

	if (accept >= 0 && accept != CF_LINK_FORMAT) {
		reply_error(srv, resp, 406, "only application/link-format (40) is served");
		return false;
	}
	return true;
}

/* The payload as links; false (and a 4.xx sent) when it is not acceptable. */
static bool read_links(struct rdserver *srv, const coap_pdu_t *req, coap_pdu_t *resp,
		       struct linkformat *links, bool *present)
{
	const uint8_t *data = NULL;
	size_t len = 0, offset = 0, total = 0;
	int cf = uint_option(req, COAP_OPTION_CONTENT_FORMAT), rc;

	memset(links, 0, sizeof(*links));
	*present = coap_get_data_large(req, &len, &data, &offset, &total) && total > 0;
	if (!*present)
		return true;
	if (offset != 0 || len != total) {
		reply_error(srv, resp, 408, "incomplete body");
		return false;
	}
	if (cf != CF_LINK_FORMAT) {
		reply_error(srv, resp, 415, "the payload must be application/link-format (40)");
		return false;
	}
	rc = linkformat_parse(data, len, links);
	if (rc < 0) {
		reply_error(srv, resp, 400, "link-format error at byte %zu: %s",
			    links->error_offset, linkformat_strerror(rc));
		return false;
	}
	if (links->count > srv->cfg.max_links) {
		reply_error(srv, resp, 413, "%zu links, at most %u are accepted", links->count,
			    srv->cfg.max_links);
		linkformat_fini(links);
		return false;
	}
	return true;
}

/* "coap://[addr]:port" of the registrant, the base of a registration without one. */
static void source_base(coap_session_t *s, char *buf, size_t size)
{
	unsigned char addr[INET6_ADDRSTRLEN + 16];
	size_t n = coap_print_addr(coap_session_get_addr_remote(s), addr, sizeof(addr) - 1);

	addr[n] = '\0';
	snprintf(buf, size, "%s://%s",
		 coap_session_get_proto(s) == COAP_PROTO_DTLS ? "coaps" : "coap", addr);
}

/* A base URI: scheme "://" authority [path], no query or fragment (RFC 9176 §5.3). */
static bool valid_base(const char *b)
{
	const char *p = b;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return false;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	       *p == '+' || *p == '-' || *p == '.')
		p++;
	if (strncmp(p, "://", 3) != 0 || !p[3] || p[3] == '/')
		return false;
	for (p += 3; *p; p++)
		if (*p == '?' || *p == '#' || (unsigned char)*p <= ' ' || *p == '"' || *p == '<' ||
		    *p == '>')
			return false;
	return true;
}

/*
 * Check the registration parameters of @q and collect the extra attributes
 * into @attrs (pointing into @q; "*" put back, since a registration value
 * is literal).  @update: ep and d may not appear.  Returns false with a
 * 4.00 sent.
 */
static bool read_params(struct rdserver *srv, const struct rdquery *q, bool update,
			coap_pdu_t *resp, struct rdreg_input *in, struct linkformat_attr *attrs,
			char **literal)
{
	const struct rdquery_param *p;
	uint64_t lt;

	for (size_t i = 0; i < q->count; i++) {
		const char *n = q->params[i].name;

		if (rdquery_count(q, n) > 1 && (strcmp(n, "ep") == 0 || strcmp(n, "d") == 0 ||
						strcmp(n, "lt") == 0 || strcmp(n, "base") == 0)) {
			reply_error(srv, resp, 400, "%s given twice", n);
			return false;
		}
		if (strcmp(n, "page") == 0 || strcmp(n, "count") == 0 || strcmp(n, "href") == 0 ||
		    strcmp(n, "anchor") == 0) {
			reply_error(srv, resp, 400, "%s is not a registration parameter", n);
			return false;
		}
	}
	if (update && (rdquery_find(q, "ep") || rdquery_find(q, "d"))) {
		reply_error(srv, resp, 400, "ep and d cannot change in an update");
		return false;
	}
	if (!update) {
		p = rdquery_find(q, "ep");
		if (!p || !p->value || !p->value[0] || p->prefix) {
			reply_error(srv, resp, 400, "ep (the endpoint name) is required");
			return false;
		}
		if (strlen(p->value) > MAX_NAME) {
			reply_error(srv, resp, 400, "ep is longer than %d bytes", MAX_NAME);
			return false;
		}
		in->ep = p->value;
		p = rdquery_find(q, "d");
		if (p && (!p->value || p->prefix || strlen(p->value) > MAX_NAME)) {
			reply_error(srv, resp, 400, "d must be a sector name of at most %d bytes",
				    MAX_NAME);
			return false;
		}
		in->d = p ? p->value : NULL;
	}
	p = rdquery_find(q, "lt");
	if (p) {
		if (rdquery_uint(p, 1, UINT32_MAX, &lt) < 0) {
			reply_error(srv, resp, 400,
				    "lt must be a number of seconds, 1 to 4294967295");
			return false;
		}
		in->lt = (uint32_t)lt;
	}
	p = rdquery_find(q, "base");
	if (p) {
		if (!p->value || p->prefix || !valid_base(p->value)) {
			reply_error(srv, resp, 400,
				    "base must be an absolute URI without query or fragment");
			return false;
		}
		in->base = p->value;
	}
	in->attrs = attrs;
	in->attr_count = 0;
	for (size_t i = 0; i < q->count; i++) {
		const struct rdquery_param *x = &q->params[i];
		const char *value = x->value;

		if (strcmp(x->name, "ep") == 0 || strcmp(x->name, "d") == 0 ||
		    strcmp(x->name, "lt") == 0 || strcmp(x->name, "base") == 0)
			continue;
		if (x->prefix) {
			if (asprintf(&literal[i], "%s*", x->value) < 0)
				abort();
			value = literal[i];
		}
		attrs[in->attr_count++] = (struct linkformat_attr){ x->name, value, false };
	}
	return true;
}

static void publish_location(coap_pdu_t *resp, const struct rdreg *r)
{
	const char *slash = strchr(r->loc, '/');

	coap_add_option(resp, COAP_OPTION_LOCATION_PATH, (size_t)(slash - r->loc),
			(const uint8_t *)r->loc);
	coap_add_option(resp, COAP_OPTION_LOCATION_PATH, strlen(slash + 1),
			(const uint8_t *)slash + 1);
}

/* POST /rd: a registration (RFC 9176 §5.3). */
static void on_register(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
			const coap_string_t *query, coap_pdu_t *resp)
{
	struct rdserver *srv = server_of(s);
	struct rdreg_input in = { 0 };
	struct linkformat links;
	struct linkformat_attr attrs[RDQUERY_MAX_PARAMS];
	char *literal[RDQUERY_MAX_PARAMS] = { 0 }, source[128];
	struct rdquery q;
	struct rdreg *reg;
	bool present;

	srv->stats.requests++;
	if (!read_query(srv, req, resp, &q))
		return;
	if (read_params(srv, &q, false, resp, &in, attrs, literal) &&
	    read_links(srv, req, resp, &links, &present)) {
		source_base(s, source, sizeof(source));
		in.source = source;
		in.links = &links;
		if (rdstore_register(srv->store, &in, &reg) < 0) {
			reply_error(srv, resp, 500, "the registration could not be stored");
		} else {
			srv->stats.registrations++;
			coap_pdu_set_code(resp, COAP_RESPONSE_CODE(201));
			publish_location(resp, reg);
		}
		linkformat_fini(&links);
	}
	for (size_t i = 0; i < RDQUERY_MAX_PARAMS; i++)
		free(literal[i]);
	rdquery_fini(&q);
}

/* The registration a /reg/… request is for; NULL (and 4.04 sent) when it is gone. */
static struct rdreg *reg_of(struct rdserver *srv, coap_resource_t *res, coap_pdu_t *resp)
{
	struct rdreg *r = res ? coap_resource_get_userdata(res) : NULL;

	if (!r)
		reply_error(srv, resp, 404, "no such registration");
	return r;
}

/* POST /reg/…: a registration update (RFC 9176 §5.3.1). */
static void on_update(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		      const coap_string_t *query, coap_pdu_t *resp)
{
	struct rdserver *srv = server_of(s);
	struct rdreg *reg;
	struct rdreg_input in = { 0 };
	struct linkformat links;
	struct linkformat_attr attrs[RDQUERY_MAX_PARAMS];
	char *literal[RDQUERY_MAX_PARAMS] = { 0 }, source[128];
	struct rdquery q;
	bool present;

	srv->stats.requests++;
	reg = reg_of(srv, res, resp);
	if (!reg || !read_query(srv, req, resp, &q))
		return;
	if (read_params(srv, &q, true, resp, &in, attrs, literal) &&
	    read_links(srv, req, resp, &links, &present)) {
		source_base(s, source, sizeof(source));
		in.source = source;
		in.links = present ? &links : NULL;
		if (rdstore_update(srv->store, reg, &in) < 0) {
			reply_error(srv, resp, 500, "the update could not be stored");
		} else {
			srv->stats.updates++;
			coap_pdu_set_code(resp, COAP_RESPONSE_CODE(204));
		}
		linkformat_fini(&links);
	}
	for (size_t i = 0; i < RDQUERY_MAX_PARAMS; i++)
		free(literal[i]);
	rdquery_fini(&q);
}

/* DELETE /reg/…: removal (RFC 9176 §5.3.2). */
static void on_delete(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		      const coap_string_t *query, coap_pdu_t *resp)
{
	struct rdserver *srv = server_of(s);
	struct rdreg *reg;

	srv->stats.requests++;
	reg = reg_of(srv, res, resp);
	if (!reg)
		return;
	if (rdstore_remove(srv->store, reg) < 0) {
		reply_error(srv, resp, 500, "the removal could not be stored");
		return;
	}
	srv->stats.removals++;
	coap_pdu_set_code(resp, COAP_RESPONSE_CODE(202));
}

/* GET /reg/…: the registered links, as registered. */
static void on_read(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		    const coap_string_t *query, coap_pdu_t *resp)
{
	struct rdserver *srv = server_of(s);
	struct rdreg *reg;
	size_t len;
	char *text;

	srv->stats.requests++;
	reg = reg_of(srv, res, resp);
	if (!reg || !accept_ok(srv, req, resp))
		return;
	linkformat_format(reg->links.links, reg->links.count, NULL, 0, &len);
	text = malloc(len + 1);
	if (!text)
		abort();
	linkformat_format(reg->links.links, reg->links.count, text, len + 1, &len);
	reply_links(res, s, req, query, resp, text, len);
}

/* Any method on a /reg/… that does not exist (any more). */
static void on_unknown(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		       const coap_string_t *query, coap_pdu_t *resp)
{
	struct rdserver *srv = server_of(s);

	srv->stats.requests++;
	reply_error(srv, resp, 404, "no such resource");
}

static void lookup(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		   const coap_string_t *query, coap_pdu_t *resp, enum rdlookup_kind kind)
{
	struct rdserver *srv = server_of(s);
	struct rdquery q;
	char why[128], *text;
	size_t len;
	long n;

	srv->stats.requests++;
	if (!accept_ok(srv, req, resp) || !read_query(srv, req, resp, &q))
		return;
	n = rdlookup_text(srv->store, kind, &q, &text, &len, why, sizeof(why));
	rdquery_fini(&q);
	if (n < 0) {
		reply_error(srv, resp, 400, "%s", why);
		return;
	}
	srv->stats.lookups++;
	reply_links(res, s, req, query, resp, text, len);
}

static void on_lookup_ep(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
			 const coap_string_t *query, coap_pdu_t *resp)
{
	lookup(res, s, req, query, resp, RDLOOKUP_EP);
}

static void on_lookup_res(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
			  const coap_string_t *query, coap_pdu_t *resp)
{
	lookup(res, s, req, query, resp, RDLOOKUP_RES);
}

/* GET /.well-known/core: the RD's interfaces, filtered as RFC 6690 §4.1 says. */
static void on_wkc(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		   const coap_string_t *query, coap_pdu_t *resp)
{
	struct rdserver *srv = server_of(s);
	struct linkformat doc;
	struct linkformat_link keep[3];
	struct rdquery q;
	size_t n = 0, len;
	char *text;

	srv->stats.requests++;
	if (!accept_ok(srv, req, resp) || !read_query(srv, req, resp, &q))
		return;
	if (linkformat_parse((const uint8_t *)wkc_doc, sizeof(wkc_doc) - 1, &doc) < 0)
		abort();
	for (size_t i = 0; i < doc.count && n < 3; i++) {
		bool ok = true;

		for (size_t k = 0; ok && k < q.count; k++) {
			const struct rdquery_param *f = &q.params[k];
			const struct linkformat_attr *a;

			if (strcmp(f->name, "href") == 0) {
				ok = rdquery_match(f, doc.links[i].target, false);
				continue;
			}
			a = linkformat_find(&doc.links[i], f->name);
			ok = a && rdquery_match(f, a->value, rdquery_is_multivalue(f->name));
		}
		if (ok)
			keep[n++] = doc.links[i];
	}
	linkformat_format(keep, n, NULL, 0, &len);
	text = malloc(len + 1);
	if (!text)
		abort();
	linkformat_format(keep, n, text, len + 1, &len);
	linkformat_fini(&doc);
	rdquery_fini(&q);
	reply_links(res, s, req, query, resp, text, len);
}

static void reap(evutil_socket_t fd, short what, void *arg)
{
	struct rdserver *srv = arg;

	for (size_t i = 0; i < srv->ndoomed; i++)
		coap_delete_resource(srv->ctx, srv->doomed[i]);
	srv->ndoomed = 0;
}

static void attach(struct rdserver *srv, struct rdreg *reg)
{
	coap_resource_t *r = coap_resource_init(coap_make_str_const(reg->loc), 0);

	if (!r)
		abort();
	coap_register_handler(r, COAP_REQUEST_GET, on_read);
	coap_register_handler(r, COAP_REQUEST_POST, on_update);
	coap_register_handler(r, COAP_REQUEST_DELETE, on_delete);
	coap_resource_set_userdata(r, reg);
	coap_add_resource(srv->ctx, r);
	reg->user = r;
}

/*
 * The resource may be the one whose handler is running (DELETE): libcoap
 * still uses it after the handler returns, so it goes after this round.
 */
static void detach(struct rdserver *srv, struct rdreg *reg)
{
	coap_resource_t *r = reg->user;

	if (!r)
		return;
	coap_resource_set_userdata(r, NULL);
	reg->user = NULL;
	if (srv->ndoomed == srv->doomed_cap) {
		size_t cap = srv->doomed_cap ? srv->doomed_cap * 2 : 16;
		coap_resource_t **d = realloc(srv->doomed, cap * sizeof(*d));

		if (!d)
			abort();
		srv->doomed = d;
		srv->doomed_cap = cap;
	}
	srv->doomed[srv->ndoomed++] = r;
	event_active(srv->reaper, EV_TIMEOUT, 0);
}

void rdserver_changed(struct rdserver *srv, struct rdreg *reg, enum rdstore_change change)
{
	if (!srv)
		return;
	if (change == RDSTORE_CREATED)
		attach(srv, reg);
	else if (change != RDSTORE_UPDATED)
		detach(srv, reg);
}

static void add_static(coap_context_t *ctx, const char *path, coap_request_t method,
		       coap_method_handler_t fn)
{
	coap_resource_t *r = coap_resource_init(coap_make_str_const(path), 0);

	if (!r)
		abort();
	coap_register_handler(r, method, fn);
	coap_add_resource(ctx, r);
}

static int bind_endpoint(struct rdserver *srv)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai;
	char port[8];
	coap_address_t addr;
	coap_endpoint_t *ep;
	int rc;

	snprintf(port, sizeof(port), "%d", srv->cfg.port);
	rc = getaddrinfo(srv->cfg.address, port, &hints, &ai);
	if (rc != 0) {
		log_error("bad [coap] address \"%s\": %s", srv->cfg.address, gai_strerror(rc));
		return -EINVAL;
	}
	coap_address_init(&addr);
	addr.size = ai->ai_addrlen;
	memcpy(&addr.addr.sa, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	ep = coap_new_endpoint(srv->ctx, &addr, COAP_PROTO_UDP);
	if (!ep) {
		log_error("cannot serve CoAP on %s port %d", srv->cfg.address, srv->cfg.port);
		return -EADDRINUSE;
	}
	srv->port = srv->cfg.port;
	return 0;
}

int rdserver_new(struct event_base *base, struct rdstore *store, const struct rdserver_config *cfg,
		 struct rdserver **out)
{
	struct rdserver *srv = calloc(1, sizeof(*srv));
	coap_resource_t *unknown;
	struct rdreg *reg;
	int rc;

	if (!srv)
		return -ENOMEM;
	srv->base = base;
	srv->store = store;
	srv->cfg = *cfg;
	srv->ctx = coap_new_context(NULL);
	srv->reaper = event_new(base, -1, 0, reap, srv);
	if (!srv->ctx || !srv->reaper) {
		rdserver_free(srv);
		return -ENOMEM;
	}
	coap_set_app_data(srv->ctx, srv);
	coap_context_set_block_mode(srv->ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
	rc = bind_endpoint(srv);
	if (rc < 0) {
		rdserver_free(srv);
		return rc;
	}
	add_static(srv->ctx, ".well-known/core", COAP_REQUEST_GET, on_wkc);
	add_static(srv->ctx, "rd", COAP_REQUEST_POST, on_register);
	add_static(srv->ctx, "rd-lookup/ep", COAP_REQUEST_GET, on_lookup_ep);
	add_static(srv->ctx, "rd-lookup/res", COAP_REQUEST_GET, on_lookup_res);
	unknown = coap_resource_unknown_init(on_unknown);
	coap_register_handler(unknown, COAP_REQUEST_GET, on_unknown);
	coap_register_handler(unknown, COAP_REQUEST_POST, on_unknown);
	coap_register_handler(unknown, COAP_REQUEST_DELETE, on_unknown);
	coap_add_resource(srv->ctx, unknown);
	TAILQ_FOREACH(reg, rdstore_list(store), order)
	attach(srv, reg);
	srv->ev = coapev_new(base, srv->ctx);
	if (!srv->ev) {
		rc = -errno;
		log_error("cannot drive libcoap from the event loop");
		rdserver_free(srv);
		return rc;
	}
	log_info("serving the resource directory on [%s]:%d", cfg->address, srv->port);
	srv->cfg.address = NULL; /* the config's string, which a reload frees */
	*out = srv;
	return 0;
}

void rdserver_free(struct rdserver *srv)
{
	if (!srv)
		return;
	coapev_free(srv->ev);
	if (srv->ctx)
		coap_free_context(srv->ctx); /* frees every resource, the doomed ones too */
	if (srv->reaper)
		event_free(srv->reaper);
	free(srv->doomed);
	free(srv);
}

void rdserver_set_max_links(struct rdserver *srv, unsigned max_links)
{
	srv->cfg.max_links = max_links;
}

void rdserver_get_stats(const struct rdserver *srv, struct rdserver_stats *out)
{
	*out = srv->stats;
}

int rdserver_port(const struct rdserver *srv)
{
	return srv->port;
}
