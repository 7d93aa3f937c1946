/*
 * regif — the registration interface's CoAP handlers (see regif.h).
 */
#define LOG_COMPONENT "coap"
#include "regif.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <coap3/coap.h>

#include "coap/certs.h"
#include "common/log.h"
#include "regreq.h"
#include "queue.h"
#include "replycache.h"
#include "reqbody.h"
#include "transport.h"
#include "send.h"
#include "serverint.h"

#define MAX_QUERY 32 /* Uri-Query options in one request */
#define TEXT_MAX  REPLY_TEXT_MAX

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
	return replycache_duplicate(srv->replies, s, req, resp, server_now_ms());
}

static void finish(struct server *srv, coap_session_t *s, const coap_pdu_t *req, coap_pdu_t *resp,
		   const struct reply *r)
{
	replycache_finish(srv->replies, s, req, resp, r, server_now_ms());
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
	int rc = reqbody_get(srv->bodies, srv->cfg.max_body, res, s, req, r, data, len,
			     server_now_ms());

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

void regif_register(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
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
void regif_notify_changed(struct server *srv, const struct client *c)
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
void regif_follow(struct server *srv, coap_session_t *s, struct client *c, const char *by)
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
	regif_notify_changed(srv, c);
}

void regif_update(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
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
	regif_notify_changed(srv, c);
	r.code = (uint8_t)COAP_RESPONSE_CODE(204); /* with Block1 after a block-wise Update */
out:
	finish(srv, s, req, resp, &r);
}

void regif_deregister(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
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
void regif_send(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
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
