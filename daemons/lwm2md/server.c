/*
 * server — the registration interface over CoAP over UDP, DTLS, TCP and
 * TLS, duplicate rejection, and requests to registered clients.  The
 * handlers of the registration requests are regif's.
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
#include "queue.h"
#include "replycache.h"
#include "transport.h"
#include "send.h"
#include "regif.h"
#include "serverint.h"

#define GC_INTERVAL 10   /* seconds between reply cache and body sweeps */
#define BODIES_MAX  4096 /* block-wise request bodies received at once */

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
	coap_register_handler(res, COAP_REQUEST_POST, regif_update);
	coap_register_handler(res, COAP_REQUEST_DELETE, regif_deregister);
	coap_add_resource(srv->ctx, res);
	c->resource = res;
	clients_format_address(c, addr, sizeof(addr));
	regif_notify_changed(srv, c);
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
		pd->since = server_now_ms();
		pd->next = srv->doomed;
		srv->doomed = pd;
		c->resource = NULL;
	}
	if (why != CLIENTS_EXPIRED)
		log_info("%s ep=%s", clients_reason_name(why), c->ep);
	observe_client_removed(srv->observe, c, why);
	regif_notify_changed(srv, c);
	ev = clients_json(c, false);
	json_object_set_new(ev, "reason", json_string(clients_reason_name(why)));
	ipc_server_publish(srv->ipc,
			   why == CLIENTS_EXPIRED ? "registration.expired" : "registration.removed",
			   ev);
}

static void on_gc(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	uint64_t now = server_now_ms();

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
	coap_register_handler(rd, COAP_REQUEST_POST, regif_register);
	coap_add_resource(srv->ctx, rd);
	rd = coap_resource_init(coap_make_str_const("dp"), 0);
	coap_register_handler(rd, COAP_REQUEST_POST, regif_send);
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
		regif_follow(srv, s, c, "notification"); /* its token is the proof */
	if (c)
		queue_wake(srv->queue, c); /* a notification wakes a queue-mode client too */
	return COAP_RESPONSE_OK;
}

static void on_nack(coap_session_t *s, const coap_pdu_t *sent, const coap_nack_reason_t reason,
		    const coap_mid_t mid)
{
	dm_nack(server_of(s)->dm, s, sent, mid, reason);
}
