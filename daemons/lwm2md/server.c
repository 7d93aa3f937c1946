/*
 * server — the registration interface over CoAP over UDP, DTLS, TCP and
 * TLS, duplicate rejection, and requests to registered clients.
 */
#define LOG_COMPONENT "coap"
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <coap3/coap.h>

#include "coap/certs.h"
#include "coap/coapev.h"
#include "coap/pskguard.h"
#include "dm.h"
#include "coap/midstore.h"
#include "common/log.h"
#include "block1.h"
#include "regreq.h"
#include "queue.h"
#include "replycache.h"
#include "reqbody.h"
#include "transport.h"
#include "send.h"

#define MAX_QUERY   32   /* Uri-Query options in one request */
#define TEXT_MAX    REPLY_TEXT_MAX
#define GC_INTERVAL 10   /* seconds between reply cache and body sweeps */
#define BODIES_MAX  4096 /* block-wise request bodies received at once */

/*
 * A removed client's /rd/{location} resource stays for EXCHANGE_LIFETIME:
 * a retransmitted De-register must reach our handler (and get the same
 * 2.02 from respcache), where libcoap alone would answer a DELETE on a
 * missing resource itself; an Update there gets our 4.04.
 */
struct pending_delete {
	coap_resource_t *res;
	uint64_t since;
	struct pending_delete *next;
};

struct server {
	struct event_base *base;
	struct db *db;
	struct ipc_server *ipc;
	struct server_config cfg;
	coap_context_t *ctx;
	struct coapev *ev;
	struct clients *clients;
	struct replycache *replies; /* answers again to duplicates */
	struct event *gc;
	struct pending_delete *doomed;
	struct dm *dm;
	struct block1 *bodies; /* block-wise request bodies being received */
	struct observe *observe;
	struct send *send;
	struct queue *queue; /* operations for sleeping queue-mode clients */
	struct pskstore *creds;
	struct pskguard *guard;
	struct certs *certs; /* certificate mode, or NULL */
	struct vpeers *vpeers; /* non-IP devices' virtual peers (vpeer.h) */
	bool loading;        /* clients_load() is running: added() is not a new registration */
	uint64_t requests, rejected, version_rejected, db_failures, forbidden, moved;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct server *server_of(coap_session_t *s)
{
	return coap_get_app_data(coap_session_get_context(s));
}

static void set_error(struct server *srv, struct reply *r, int code, const char *text)
{
	memset(r, 0, sizeof(*r));
	r->code = (uint8_t)COAP_RESPONSE_CODE(code);
	snprintf(r->text, sizeof(r->text), "%s", text);
	srv->rejected++;
}

/*
 * A request seen before from this peer with this Message ID: the response
 * we sent then goes again (replycache.h), and the request is not acted on.
 */
static bool replay_duplicate(struct server *srv, coap_session_t *s, const coap_pdu_t *req,
			     coap_pdu_t *resp)
{
	srv->requests++;
	return replycache_duplicate(srv->replies, s, req, resp, mono_ms());
}

static void finish(struct server *srv, coap_session_t *s, const coap_pdu_t *req, coap_pdu_t *resp,
		   const struct reply *r)
{
	replycache_finish(srv->replies, s, req, resp, r, mono_ms());
}

/* Uri-Query options of @req into @items; -E2BIG past MAX_QUERY. */
static int query_items(const coap_pdu_t *req, struct regreq_item *items, size_t *n)
{
	coap_opt_iterator_t it;
	coap_opt_filter_t f;
	coap_opt_t *opt;

	coap_option_filter_clear(&f);
	coap_option_filter_set(&f, COAP_OPTION_URI_QUERY);
	coap_option_iterator_init(req, &it, &f);
	*n = 0;
	while ((opt = coap_option_next(&it))) {
		if (*n == MAX_QUERY)
			return -E2BIG;
		items[*n].s = (const char *)coap_opt_value(opt);
		items[(*n)++].len = coap_opt_length(opt);
	}
	return 0;
}

/* False (with @r set) when the request says its payload is not link format. */
static bool link_format_ok(struct server *srv, const coap_pdu_t *req, struct reply *r)
{
	coap_opt_iterator_t it;
	coap_opt_t *opt = coap_check_option(req, COAP_OPTION_CONTENT_FORMAT, &it);
	unsigned cf;
	char text[96];

	if (!opt)
		return true;
	cf = coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt));
	if (cf == COAP_MEDIATYPE_APPLICATION_LINK_FORMAT)
		return true;
	snprintf(text, sizeof(text), "payload: content format %u is not link format (40)", cf);
	set_error(srv, r, 415, text);
	return false;
}

/*
 * The payload of @req, whole (reqbody.h): 1 with *@data and *@len (then
 * release_body()), 0 when more blocks are to come (@r a 2.31), -1 with @r
 * an error.
 */
static int body_of(struct server *srv, coap_resource_t *res, coap_session_t *s,
		   const coap_pdu_t *req, struct reply *r, const uint8_t **data, size_t *len)
{
	int rc = reqbody_get(srv->bodies, srv->cfg.max_body, res, s, req, r, data, len, mono_ms());

	if (rc < 0)
		srv->rejected++;
	return rc;
}

static void release_body(struct server *srv, coap_resource_t *res, coap_session_t *s)
{
	reqbody_release(srv->bodies, res, s);
}

/* Query parsing and its 4.00 / 4.12; true when @q is good. */
static bool parse_query(struct server *srv, enum regreq_kind kind, const coap_pdu_t *req,
			struct regreq_query *q, struct reply *r)
{
	struct regreq_item items[MAX_QUERY];
	char why[TEXT_MAX];
	size_t n;
	int rc;

	if (query_items(req, items, &n) < 0) {
		set_error(srv, r, 400, "query: too many parameters");
		return false;
	}
	rc = regreq_parse_query(kind, items, n, q, why, sizeof(why));
	if (rc == REGREQ_EVERSION) {
		srv->version_rejected++;
		set_error(srv, r, 412, why);
		return false;
	}
	if (rc < 0) {
		set_error(srv, r, 400, why);
		return false;
	}
	return true;
}

/*
 * May this request act for endpoint @ep?  Over DTLS or TLS, only with the
 * PSK identity bound to @ep, or a certificate whose CN or subjectAltName is
 * @ep; over plain CoAP (UDP or TCP), only for an endpoint that has no
 * credential (one that has must use it).  From a virtual peer (a NIDD or
 * HTTP/2 device, vpeer.h), only for the endpoint bound to its identity:
 * the SCEF vouches for the externalId as a PSK handshake for its identity.
 * False with @r a 4.03.
 */
static bool allowed(struct server *srv, coap_session_t *s, const char *ep, struct reply *r)
{
	struct vpeer *vp = transport_vpeer(s);
	char text[TEXT_MAX];
	bool named;

	if (vp) {
		if (strcmp(vpeer_endpoint(vp), ep) == 0)
			return true;
		snprintf(text, sizeof(text), "ep: %s device '%s' may only be '%s'", vpeer_kind(vp),
			 vpeer_identity(vp), vpeer_endpoint(vp));
	} else if (transport_secured(s) && certs_peer_names(s, ep, &named)) {
		if (named)
			return true;
		snprintf(text, sizeof(text),
			 "ep: '%s' is neither the CN nor a subjectAltName of the certificate", ep);
	} else if (transport_secured(s)) {
		const coap_bin_const_t *id = coap_session_get_psk_identity(s);
		const struct pskstore_cred *c =
			id ? pskstore_find(srv->creds, id->s, id->length) : NULL;

		if (c && strcmp(c->bound, ep) == 0)
			return true;
		snprintf(text, sizeof(text), "ep: this PSK identity may not act for '%s'", ep);
	} else {
		if (!pskstore_find_bound(srv->creds, ep))
			return true;
		snprintf(text, sizeof(text), "ep: '%s' has a DTLS credential: use coaps", ep);
	}
	srv->forbidden++;
	set_error(srv, r, 403, text);
	return false;
}

/*
 * The binding must include the transport the request came over (TS
 * Transport §6.2.1.1: U for UDP and DTLS, T for TCP and TLS, N for
 * Non-IP through an SCEF); without b, it is that transport's letter.
 * False with @r a 4.00.
 */
static bool binding_fits(struct server *srv, coap_session_t *s, struct regreq_query *q,
			 struct reply *r)
{
	char letter = transport_binding_letter(s);
	char text[TEXT_MAX];

	if (!(q->present & REGREQ_HAS_B)) {
		q->binding[0] = letter;
		q->binding[1] = '\0';
		return true;
	}
	if (strchr(q->binding, letter))
		return true;
	snprintf(text, sizeof(text), "b: '%s' lacks %c, the binding of this %s request", q->binding,
		 letter, transport_name(s));
	set_error(srv, r, 400, text);
	return false;
}

static void handle_register(struct server *srv, coap_session_t *s, const coap_pdu_t *req,
			    const uint8_t *data, size_t len, struct reply *r)
{
	const coap_address_t *peer = coap_session_get_addr_remote(s);
	struct regreq_query q;
	struct regreq_links l = { 0 };
	struct client *c;
	char why[TEXT_MAX];
	int rc;

	if (!parse_query(srv, REGREQ_REGISTER, req, &q, r) || !binding_fits(srv, s, &q, r) ||
	    !link_format_ok(srv, req, r) || !allowed(srv, s, q.ep, r))
		return;
	rc = regreq_parse_links(data, len, &l, why, sizeof(why));
	if (rc < 0) {
		regreq_links_fini(&l);
		set_error(srv, r, rc == -ENOMEM ? 500 : 400, rc == -ENOMEM ? "out of memory" : why);
		return;
	}
	rc = clients_register(srv->clients, &q, (const char *)data, len, l.root, &peer->addr.sa,
			      peer->size, transport_name(s), &c);
	regreq_links_fini(&l);
	if (rc == -ENOSPC) {
		set_error(srv, r, 503, "server full: too many registered clients");
		return;
	}
	if (rc < 0) {
		srv->db_failures++;
		set_error(srv, r, 500, "registration not stored");
		return;
	}
	c->ifindex = coap_session_get_ifindex(s);
	r->code = (uint8_t)COAP_RESPONSE_CODE(201); /* with Block1 after a block-wise Register */
	memcpy(r->location, c->location, sizeof(r->location));
}

static void hnd_register(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
			 const coap_string_t *query, coap_pdu_t *resp)
{
	struct server *srv = server_of(s);
	const uint8_t *data;
	size_t len;
	struct reply r;

	if (replay_duplicate(srv, s, req, resp))
		return;
	if (body_of(srv, res, s, req, &r, &data, &len) == 1) {
		handle_register(srv, s, req, data, len, &r);
		release_body(srv, res, s);
	}
	finish(srv, s, req, resp, &r);
}

/* The client behind /rd/{location}, or NULL (then @r is a 4.04). */
static struct client *client_of(struct server *srv, coap_resource_t *res, struct reply *r)
{
	coap_str_const_t *uri = coap_resource_get_uri_path(res);
	struct client *c = NULL;

	if (uri && uri->length > 3 && memcmp(uri->s, "rd/", 3) == 0)
		c = clients_find_location(srv->clients, (const char *)uri->s + 3, uri->length - 3);
	if (!c)
		set_error(srv, r, 404, "no such registration");
	return c;
}

/* Tell the configured hook (the rdd mirror) that @c was added, updated or removed. */
static void notify_changed(struct server *srv, const struct client *c)
{
	if (srv->cfg.changed)
		srv->cfg.changed(srv->cfg.changed_ctx, c->ep);
}

/*
 * A registered client speaks from a new address: logged and counted;
 * @from gets the old address (for the event that tells of the move).
 */
static void moved_log(struct server *srv, struct client *c, coap_session_t *s, const char *by,
		      char from[INET6_ADDRSTRLEN + 10])
{
	char to[INET6_ADDRSTRLEN + 10];

	clients_format_address(c, from, INET6_ADDRSTRLEN + 10);
	coap_print_addr(coap_session_get_addr_remote(s), (uint8_t *)to, sizeof(to));
	srv->moved++;
	log_info("moved ep=%s from=%s to=%s by=%s (NAT rebinding)", c->ep, from, to, by);
}

/*
 * A notification of @c's came from a new address: the registration
 * follows it (requests go there from now on), if the session may act for
 * @c (over DTLS, the PSK identity or certificate must still be its own).
 */
static void follow(struct server *srv, coap_session_t *s, struct client *c, const char *by)
{
	const coap_address_t *peer = coap_session_get_addr_remote(s);
	char from[INET6_ADDRSTRLEN + 10];
	json_t *ev;
	struct reply r;

	if (!allowed(srv, s, c->ep, &r))
		return;
	moved_log(srv, c, s, by, from);
	if (clients_move(srv->clients, c, &peer->addr.sa, peer->size) < 0)
		srv->db_failures++;
	c->ifindex = coap_session_get_ifindex(s);
	ev = clients_json(c, false);
	json_object_set_new(ev, "moved_from", json_string(from));
	json_object_set_new(ev, "by", json_string(by));
	ipc_server_publish(srv->ipc, "registration.moved", ev);
	notify_changed(srv, c);
}

static void hnd_update(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		       const coap_string_t *query, coap_pdu_t *resp)
{
	struct server *srv = server_of(s);
	const coap_address_t *peer = coap_session_get_addr_remote(s);
	struct regreq_query q;
	struct regreq_links l = { 0 };
	struct client *c;
	const uint8_t *data;
	size_t len;
	char why[TEXT_MAX];
	char from[INET6_ADDRSTRLEN + 10] = "";
	struct reply r;
	json_t *ev;
	int rc;

	if (replay_duplicate(srv, s, req, resp))
		return;
	c = client_of(srv, res, &r);
	if (!c || !allowed(srv, s, c->ep, &r) || !parse_query(srv, REGREQ_UPDATE, req, &q, &r) ||
	    !binding_fits(srv, s, &q, &r) || !link_format_ok(srv, req, &r) ||
	    body_of(srv, res, s, req, &r, &data, &len) < 1)
		goto out;
	if (len) {
		rc = regreq_parse_links(data, len, &l, why, sizeof(why));
		if (rc < 0) {
			regreq_links_fini(&l);
			release_body(srv, res, s);
			set_error(srv, &r, 400, why);
			goto out;
		}
	}
	if (!clients_same_addr(c, &peer->addr.sa, peer->size))
		moved_log(srv, c, s, "Update", from);
	rc = clients_update(srv->clients, c, &q, len ? (const char *)data : NULL, len, l.root,
			    &peer->addr.sa, peer->size);
	regreq_links_fini(&l);
	release_body(srv, res, s);
	if (rc < 0) {
		srv->db_failures++;
		set_error(srv, &r, 500, "update not stored");
		goto out;
	}
	c->ifindex = coap_session_get_ifindex(s);
	log_debug("update ep=%s lt=%u", c->ep, c->lifetime);
	queue_wake(srv->queue, c);
	ev = clients_json(c, false);
	if (from[0]) /* the Update tells of a move itself: no registration.moved */
		json_object_set_new(ev, "moved_from", json_string(from));
	ipc_server_publish(srv->ipc, "registration.update", ev);
	notify_changed(srv, c);
	r.code = (uint8_t)COAP_RESPONSE_CODE(204); /* with Block1 after a block-wise Update */
out:
	finish(srv, s, req, resp, &r);
}

static void hnd_deregister(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
			   const coap_string_t *query, coap_pdu_t *resp)
{
	struct server *srv = server_of(s);
	struct client *c;
	struct reply r;

	if (replay_duplicate(srv, s, req, resp))
		return;
	c = client_of(srv, res, &r);
	if (c && allowed(srv, s, c->ep, &r)) {
		/* the row is gone whatever the database said: the client asked to go */
		if (clients_remove(srv->clients, c, CLIENTS_DEREGISTERED) < 0)
			srv->db_failures++;
		memset(&r, 0, sizeof(r));
		r.code = (uint8_t)COAP_RESPONSE_CODE(202);
	}
	finish(srv, s, req, resp, &r);
}

/*
 * The registered client a Send comes from: the one that last spoke from
 * this address, else (DTLS and TLS) the one its credentials name — the
 * endpoint bound to the PSK identity, or the certificate's CN — as a NAT
 * may have moved it.  Over plain CoAP a Send names no endpoint (its
 * payload holds only paths), so from a new address it cannot be told
 * from a stranger's until an Update moves the registration.  NULL with
 * @r unset when none is registered; NULL with @r a 4.03 when the session
 * may not act for that client.
 */
static struct client *sender_of(struct server *srv, coap_session_t *s, struct reply *r)
{
	const coap_address_t *peer = coap_session_get_addr_remote(s);
	struct client *c = clients_find_addr(srv->clients, &peer->addr.sa, peer->size);
	char cn[REGREQ_EP_MAX + 1];

	if (!c && transport_secured(s)) {
		const coap_bin_const_t *id = coap_session_get_psk_identity(s);
		const struct pskstore_cred *cred =
			id ? pskstore_find(srv->creds, id->s, id->length) : NULL;

		if (cred)
			c = clients_find_ep(srv->clients, cred->bound);
		else if (certs_peer_cn(s, cn, sizeof(cn)))
			c = clients_find_ep(srv->clients, cn);
	}
	if (c && !allowed(srv, s, c->ep, r))
		return NULL;
	return c;
}

/* POST /dp: the Send operation (send.c), from a registered client. */
static void hnd_send(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		     const coap_string_t *query, coap_pdu_t *resp)
{
	struct server *srv = server_of(s);
	coap_opt_iterator_t it;
	coap_opt_t *cf = coap_check_option(req, COAP_OPTION_CONTENT_FORMAT, &it);
	char peer[INET6_ADDRSTRLEN + 10];
	struct client *c;
	const uint8_t *data;
	size_t len;
	struct reply r = { 0 };
	unsigned code;

	if (replay_duplicate(srv, s, req, resp))
		return;
	c = sender_of(srv, s, &r);
	if ((c || !r.code) && body_of(srv, res, s, req, &r, &data, &len) == 1) {
		coap_print_addr(coap_session_get_addr_remote(s), (uint8_t *)peer, sizeof(peer));
		code = send_handle(
			srv->send, c ? c->ep : NULL, peer, cf != NULL,
			cf ? coap_decode_var_bytes(coap_opt_value(cf), coap_opt_length(cf)) : 0,
			data, len, r.text, sizeof(r.text));
		release_body(srv, res, s);
		if (c)
			queue_wake(srv->queue, c);
		r.code = (uint8_t)code;
		if (code >> 5 != 2)
			srv->rejected++;
	}
	finish(srv, s, req, resp, &r);
}

static void on_added(void *ctx, struct client *c)
{
	struct server *srv = ctx;
	char uri[3 + CLIENTS_LOCATION_LEN + 1];
	char addr[INET6_ADDRSTRLEN + 10];
	coap_resource_t *res;

	snprintf(uri, sizeof(uri), "rd/%s", c->location);
	res = coap_resource_init(coap_new_str_const((const uint8_t *)uri, strlen(uri)),
				 COAP_RESOURCE_FLAGS_RELEASE_URI);
	if (!res)
		abort();
	coap_register_handler(res, COAP_REQUEST_POST, hnd_update);
	coap_register_handler(res, COAP_REQUEST_DELETE, hnd_deregister);
	coap_add_resource(srv->ctx, res);
	c->resource = res;
	clients_format_address(c, addr, sizeof(addr));
	notify_changed(srv, c);
	/* loaded at start: no event, the registration is not new */
	if (srv->loading)
		return;
	observe_client_registered(srv->observe, c);
	queue_wake(srv->queue, c);
	log_info("registered ep=%s address=%s lt=%u lwm2m=%s b=%s", c->ep, addr, c->lifetime,
		 c->version, c->binding);
	ipc_server_publish(srv->ipc, "registration.new", clients_json(c, false));
}

static void on_removed(void *ctx, struct client *c, enum clients_reason why)
{
	struct server *srv = ctx;
	struct pending_delete *pd;
	json_t *ev;

	/* also, the handler running may be this resource's: libcoap uses it after */
	if (c->resource) {
		pd = calloc(1, sizeof(*pd));
		if (!pd)
			abort();
		pd->res = c->resource;
		pd->since = mono_ms();
		pd->next = srv->doomed;
		srv->doomed = pd;
		c->resource = NULL;
	}
	if (why != CLIENTS_EXPIRED)
		log_info("%s ep=%s", clients_reason_name(why), c->ep);
	observe_client_removed(srv->observe, c, why);
	notify_changed(srv, c);
	ev = clients_json(c, false);
	json_object_set_new(ev, "reason", json_string(clients_reason_name(why)));
	ipc_server_publish(srv->ipc,
			   why == CLIENTS_EXPIRED ? "registration.expired" : "registration.removed",
			   ev);
}

static void on_gc(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	uint64_t now = mono_ms();

	struct pending_delete **pp = &srv->doomed;

	replycache_expire(srv->replies, now);
	block1_expire(srv->bodies, now);
	while (*pp) {
		struct pending_delete *pd = *pp;

		if (now - pd->since < MIDSTORE_EXCHANGE_LIFETIME_MS) {
			pp = &pd->next;
			continue;
		}
		*pp = pd->next;
		coap_delete_resource(srv->ctx, pd->res);
		free(pd);
	}
}

static int on_event(coap_session_t *s, const coap_event_t event)
{
	struct server *srv = server_of(s);

	/* freeing the context reports its sessions closing: the guard is gone by then */
	if (srv->guard)
		pskguard_event(srv->guard, s, event);
	return 0;
}

static coap_response_t on_response(coap_session_t *s, const coap_pdu_t *sent,
				   const coap_pdu_t *received, const coap_mid_t mid);
static void on_nack(coap_session_t *s, const coap_pdu_t *sent, const coap_nack_reason_t reason,
		    const coap_mid_t mid);

/*
 * Device management from the registration port (@addr when plain CoAP is
 * served), and the observations it sends Observes for.
 */
static struct dm *new_dm(struct server *srv, const struct server_config *cfg,
			 const coap_address_t *addr)
{
	struct dm_config dmc = { .ack_timeout_ms = cfg->ack_timeout_ms,
				 .max_retransmit = cfg->max_retransmit,
				 .nidd_ack_timeout_ms = cfg->nidd_ack_timeout_ms,
				 .nidd_max_retransmit = cfg->nidd_max_retransmit,
				 .response_timeout_s = cfg->response_timeout_s,
				 .max_body = cfg->max_body,
				 .have_local = cfg->coap_enabled,
				 .local = *addr,
				 .reg = cfg->registry,
				 .base = srv->base,
				 .db = srv->db,
				 .observed = observe_answered,
				 .attrs_written = observe_attrs_written };
	struct observe_config oc = { .db = srv->db,
				     .ipc = srv->ipc,
				     .clients = srv->clients,
				     .reg = cfg->registry,
				     .base = srv->base,
				     .reobserve = cfg->reobserve,
				     .max = cfg->max_observations,
				     .max_body = cfg->max_body };

	struct send_config sc = { .enabled = cfg->send_enabled,
				  .ipc = srv->ipc,
				  .reg = cfg->registry };

	srv->observe = observe_new(&oc);
	sc.observe = srv->observe;
	srv->send = send_new(&sc);
	dmc.observed_ctx = srv->observe;
	srv->dm = dm_new(srv->ctx, srv->ev, &dmc);
	observe_attach(srv->observe, srv->dm);
	srv->queue = queue_new(&(struct queue_config){ .db = srv->db,
						       .ipc = srv->ipc,
						       .dm = srv->dm,
						       .clients = srv->clients,
						       .base = srv->base,
						       .awake_ms = cfg->awake_s * 1000,
						       .deadline_s = cfg->queue_deadline_s,
						       .max = cfg->max_queued });
	return srv->dm;
}

int server_new(struct event_base *base, struct db *db, struct ipc_server *ipc,
	       const struct server_config *cfg, struct server **out)
{
	struct server *srv = calloc(1, sizeof(*srv));
	struct clients_hooks hooks = { on_added, on_removed, NULL };
	struct timeval gc_every = { GC_INTERVAL, 0 };
	coap_address_t addr;
	coap_resource_t *rd;
	int n;

	if (!srv)
		abort();
	coap_address_init(&addr);
	srv->base = base;
	srv->db = db;
	srv->ipc = ipc;
	srv->cfg = *cfg;
	hooks.ctx = srv;
	transport_route_logs();
	srv->ctx = transport_context(srv, cfg, on_response, on_nack, on_event);
	if (!srv->ctx) {
		free(srv);
		return -ENOMEM;
	}
	srv->replies = replycache_new();
	srv->bodies =
		block1_new(&(struct block1_config){ .max_body = cfg->max_body,
						    .max_bodies = BODIES_MAX,
						    .lifetime_ms = MIDSTORE_EXCHANGE_LIFETIME_MS });
	srv->clients = clients_new(base, db, &hooks);
	srv->creds = pskstore_new(db, &creds_schema);
	srv->guard = pskguard_new(base, pskstore_key, srv->creds, cfg->handshake_timeout_s);
	if (pskstore_load(srv->creds) < 0) {
		server_free(srv);
		return -EIO;
	}
	clients_set_max(srv->clients, cfg->max_clients);
	srv->gc = event_new(base, -1, EV_PERSIST, on_gc, srv);
	if (!srv->gc)
		abort();
	event_add(srv->gc, &gc_every);
	n = transport_serve(srv->ctx, cfg, srv->guard, &srv->certs, &addr);
	if (n < 0) {
		server_free(srv);
		return n;
	}
	if (vpeers_new(base, cfg->coap_enabled ? &addr.addr.sa : NULL, addr.size, &srv->vpeers) <
	    0) {
		server_free(srv);
		return -EINVAL;
	}
	rd = coap_resource_init(coap_make_str_const("rd"), 0);
	coap_register_handler(rd, COAP_REQUEST_POST, hnd_register);
	coap_add_resource(srv->ctx, rd);
	rd = coap_resource_init(coap_make_str_const("dp"), 0);
	coap_register_handler(rd, COAP_REQUEST_POST, hnd_send);
	coap_add_resource(srv->ctx, rd);
	srv->ev = coapev_new(base, srv->ctx);
	if (!srv->ev) {
		log_warn("libcoap has no epoll descriptor");
		server_free(srv);
		return -ENOTSUP;
	}
	srv->dm = new_dm(srv, cfg, &addr);
	srv->loading = true;
	n = clients_load(srv->clients);
	srv->loading = false;
	if (n < 0) {
		server_free(srv);
		return -EIO;
	}
	log_info("registrations loaded count=%d", n);
	*out = srv;
	return 0;
}

void server_free(struct server *srv)
{
	if (!srv)
		return;
	dm_free(srv->dm);
	queue_free(srv->queue);
	send_free(srv->send);
	observe_free(srv->observe);
	coapev_free(srv->ev);
	/* libcoap insists that nobody holds a session when its endpoint goes */
	pskguard_free(srv->guard);
	srv->guard = NULL;
	/* the context frees the sessions and resources the clients point to */
	if (srv->ctx)
		coap_free_context(srv->ctx);
	certs_free(srv->certs);
	vpeers_free(srv->vpeers);
	while (srv->doomed) {
		struct pending_delete *pd = srv->doomed;

		srv->doomed = pd->next;
		free(pd);
	}
	clients_free(srv->clients);
	pskstore_free(srv->creds);
	if (srv->gc)
		event_free(srv->gc);
	replycache_free(srv->replies);
	block1_free(srv->bodies);
	free(srv);
}

struct clients *server_clients(struct server *srv)
{
	return srv->clients;
}

int server_remove(struct server *srv, struct client *c)
{
	return clients_remove(srv->clients, c, CLIENTS_REMOVED);
}

void server_status(struct server *srv, json_t *status)
{
	json_t *counters = json_object_get(status, "counters");
	struct clients_stats cs;
	struct pskguard_stats ps;
	struct block1_stats bs;

	block1_get_stats(srv->bodies, &bs);
	clients_get_stats(srv->clients, &cs);
	json_object_set_new(status, "clients", json_integer(cs.count));
	json_object_set_new(status, "coap",
			    json_pack("{s:b, s:s, s:i}", "enabled", srv->cfg.coap_enabled,
				      "address", srv->cfg.address, "port", srv->cfg.port));
	json_object_set_new(status, "coaps",
			    json_pack("{s:b, s:s, s:i, s:b}", "enabled", srv->cfg.coaps_enabled,
				      "address", srv->cfg.coaps_address, "port",
				      srv->cfg.coaps_port, "certificates",
				      srv->cfg.ca_file[0] != '\0'));
	json_object_set_new(status, "coap+tcp",
			    json_pack("{s:b, s:s, s:i}", "enabled", srv->cfg.tcp_enabled, "address",
				      srv->cfg.tcp_address, "port", srv->cfg.tcp_port));
	json_object_set_new(status, "coaps+tcp",
			    json_pack("{s:b, s:s, s:i}", "enabled", srv->cfg.tls_enabled, "address",
				      srv->cfg.tls_address, "port", srv->cfg.tls_port));
	if (!counters) {
		counters = json_object();
		json_object_set_new(status, "counters", counters);
	}
#define C(name, v) json_object_set_new(counters, name, json_integer((json_int_t)(v)))
	C("coap_requests", srv->requests);
	C("registrations", cs.registered);
	C("updates", cs.updated);
	C("deregistrations", cs.deregistered);
	C("replaced", cs.replaced);
	C("expired", cs.expired);
	C("removed", cs.removed);
	C("rejected", srv->rejected);
	C("rejected_version", srv->version_rejected);
	C("db_errors", cs.db_errors);
	C("forbidden", srv->forbidden);
	C("nat_rebinds", srv->moved);
	replycache_counters(srv->replies, counters);
	C("block1_bodies", bs.bodies);
	C("block1_bytes", bs.bytes);
	C("block1_blocks", bs.blocks);
	C("block1_completed", bs.completed);
	C("block1_too_large", bs.too_large);
	C("block1_incomplete", bs.incomplete);
	C("block1_evicted", bs.evicted);
	C("block1_expired", bs.expired);
	dm_counters(srv->dm, counters);
	observe_counters(srv->observe, counters);
	send_counters(srv->send, counters);
	queue_counters(srv->queue, counters);
	pskguard_get_stats(srv->guard, &ps);
	C("dtls_connected", ps.connected);
	C("dtls_failures", ps.failures);
	C("dtls_unknown_identity", ps.unknown_identity);
#undef C
}

struct pskstore *server_creds(struct server *srv)
{
	return srv->creds;
}

struct vpeers *server_vpeers(struct server *srv)
{
	return srv->vpeers;
}

struct dm *server_dm(struct server *srv)
{
	return srv->dm;
}

struct observe *server_observe(struct server *srv)
{
	return srv->observe;
}

struct queue *server_queue(struct server *srv)
{
	return srv->queue;
}

static coap_response_t on_response(coap_session_t *s, const coap_pdu_t *sent,
				   const coap_pdu_t *received, const coap_mid_t mid)
{
	struct server *srv = server_of(s);
	const coap_address_t *peer = coap_session_get_addr_remote(s);
	struct client *c;
	const char *ep;

	if (dm_response(srv->dm, s, received))
		return COAP_RESPONSE_OK;
	/* not an answer: a notification, or RST for a token nobody observes */
	if (observe_pdu(srv->observe, received, &ep) != OBSERVE_ACCEPTED)
		return COAP_RESPONSE_FAIL;
	c = clients_find_ep(srv->clients, ep);
	if (c && !clients_same_addr(c, &peer->addr.sa, peer->size))
		follow(srv, s, c, "notification"); /* its token is the proof */
	if (c)
		queue_wake(srv->queue, c); /* a notification wakes a queue-mode client too */
	return COAP_RESPONSE_OK;
}

static void on_nack(coap_session_t *s, const coap_pdu_t *sent, const coap_nack_reason_t reason,
		    const coap_mid_t mid)
{
	dm_nack(server_of(s)->dm, s, sent, mid, reason);
}
