/*
 * Simple registration, the server side (see rdsimplereg.h).
 */
#define LOG_COMPONENT "coap"

#include "rdsimplereg.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coap/linkformat.h"
#include "coap/rdquery.h"
#include "common/log.h"
#include "rdlimit.h"
#include "rdpolicy.h"
#include "rdreq.h"
#include "rdserverint.h"
#include "rdsimple.h"
#include "rdstore.h"

/* A simple registration waiting for the endpoint's /.well-known/core. */
struct simple_job {
	struct rdserver *srv;
	coap_session_t *session; /* the registrant's, referenced until the answer */
	coap_async_t *async;
	struct rdquery q;
	struct rdauth_who who; /* the registrant, checked when the request came */
	char source[128];      /* the endpoint's address as a base URI */
	int code;
	char why[192];
};

/* Log why a simple registration failed (the registrant gets the same words). */
static void simple_failed(struct simple_job *job)
{
	const struct rdquery_param *ep = rdquery_find(&job->q, "ep");

	log_notice("simple registration of ep=%.*s failed (%d.%02d), endpoint %s: %s",
		   ep && ep->value ? (int)ep->value_len : 1, ep && ep->value ? ep->value : "?",
		   job->code / 100, job->code % 100, job->source, job->why);
}

/* Room for the simple registration @in with @count links (its old one, if any, goes)? */
static bool simple_room(struct rdserver *srv, const struct rdreg_input *in, size_t count)
{
	const struct rdreg *old = rdstore_find_ep(srv->store, in->d ? in->d : "", in->ep);
	struct rdstore_stats st;

	rdstore_get_stats(srv->store, &st);
	return rdlimit_room(srv->cfg.limit, st.registrations, st.links, old ? 0 : 1,
			    (long)count - (long)(old ? old->links.count : 0),
			    rdstore_now(srv->store)) == 0;
}

static void simple_done(void *arg, int err, int code, const uint8_t *body, size_t len)
{
	struct simple_job *job = arg;
	struct rdserver *srv = job->srv;
	struct rdreg_input in = { 0 };
	struct linkformat_attr attrs[RDQUERY_MAX_PARAMS];
	char *literal[RDQUERY_MAX_PARAMS] = { 0 };
	struct linkformat links;
	struct rdreg *reg = NULL;
	int rc;

	job->code = 502;
	if (err == -ETIMEDOUT) {
		job->code = 504;
		snprintf(job->why, sizeof(job->why),
			 "the endpoint did not answer /.well-known/core");
	} else if (err == -ECONNABORTED) {
		job->code = 504;
		snprintf(job->why, sizeof(job->why),
			 "the DTLS handshake with the endpoint did not complete in %d s (not the "
			 "registrant's PSK, or a silent endpoint?)",
			 srv->cfg.handshake_timeout_s);
	} else if (err == -EHOSTUNREACH) {
		job->code = 504;
		snprintf(job->why, sizeof(job->why),
			 "the DTLS handshake with the endpoint got an ICMP error (no coaps server "
			 "there?)");
	} else if (err == -ECONNREFUSED) {
		snprintf(job->why, sizeof(job->why),
			 "the DTLS handshake with the endpoint failed (an alert: not the "
			 "registrant's PSK?)");
	} else if (err == -ECONNRESET) {
		snprintf(job->why, sizeof(job->why),
			 "the endpoint closed the DTLS session before answering /.well-known/core");
	} else if (err < 0) {
		snprintf(job->why, sizeof(job->why),
			 "the endpoint answered /.well-known/core with %d.%02d", code / 100,
			 code % 100);
	} else if ((rc = linkformat_parse(body, len, &links)) < 0) {
		snprintf(job->why, sizeof(job->why),
			 "the endpoint's /.well-known/core, byte %zu: %s", links.error_offset,
			 linkformat_strerror(rc));
	} else {
		/* the parameters were checked when the request came */
		rdreq_check_params(&job->q, false, &in, attrs, literal, job->why, sizeof(job->why));
		in.source = job->source;
		in.links = &links;
		if (links.count > srv->cfg.max_links) {
			snprintf(job->why, sizeof(job->why), "%zu links, at most %u are accepted",
				 links.count, srv->cfg.max_links);
		} else if (!simple_room(srv, &in, links.count)) {
			job->code = 503;
			snprintf(job->why, sizeof(job->why),
				 "the directory holds all the registrations or links it may");
		} else if (!rdpolicy_allows(rdauth_policy(srv->cfg.auth), in.d ? in.d : "", in.ep,
					    job->who.identity)) {
			/* another identity took the name while the endpoint was asked */
			job->code = 403;
			snprintf(job->why, sizeof(job->why),
				 "ep '%s' is remembered for another registrant", in.ep);
		} else if (rdstore_register(srv->store, &in, &reg) < 0 ||
			   rdauth_registered(srv->cfg.auth, &job->who, reg->d, reg->ep) < 0) {
			if (reg)
				rdstore_remove(srv->store, reg);
			job->code = 500;
			snprintf(job->why, sizeof(job->why),
				 "the registration could not be stored");
		} else {
			job->code = 204;
			srv->stats.registrations++;
		}
		linkformat_fini(&links);
		for (size_t i = 0; i < RDQUERY_MAX_PARAMS; i++)
			free(literal[i]);
	}
	if (job->code != 204)
		simple_failed(job);
	coap_async_trigger(job->async);
}

/*
 * The endpoint to fetch from (RFC 9176 §5.1: the registration's base URI,
 * given or the request's source): the base's numeric host and port, or the
 * request's source address and port.  Over coaps without a base, and with a
 * coaps:// base, the fetch goes over DTLS (*@dtls); a coap:// base is
 * fetched with plain CoAP whatever the registration came over.  NULL, or
 * why not (a 4.00).
 */
static const char *simple_target(const struct rdreg_input *in, coap_session_t *s,
				 coap_address_t *dst, bool *dtls, char *source, size_t size)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	coap_uri_t uri;
	char host[64], port[8];
	unsigned char text[INET6_ADDRSTRLEN + 16];
	bool secure = coap_session_get_proto(s) == COAP_PROTO_DTLS;
	size_t n;

	if (!in->base) {
		*dst = *coap_session_get_addr_remote(s);
		*dtls = secure;
	} else {
		if (coap_split_uri((const uint8_t *)in->base, strlen(in->base), &uri) < 0 ||
		    (uri.scheme != COAP_URI_SCHEME_COAP && uri.scheme != COAP_URI_SCHEME_COAPS) ||
		    uri.host.length >= sizeof(host))
			return secure ? "base must be coap:// or coaps:// with a numeric address"
				      : "base must be coap:// with a numeric address";
		*dtls = uri.scheme == COAP_URI_SCHEME_COAPS;
		/* the PSK to fetch with is the one the registrant came with */
		if (*dtls && !secure)
			return "a coaps:// base needs a simple registration over coaps";
		memcpy(host, uri.host.s, uri.host.length);
		host[uri.host.length] = '\0';
		/* libcoap fills in the scheme's default port, 5684 for coaps */
		snprintf(port, sizeof(port), "%u", uri.port);
		/* numeric only: a name would need a DNS lookup, which blocks the loop */
		if (getaddrinfo(host, port, &hints, &ai) != 0)
			return secure ? "base must be coap:// or coaps:// with a numeric address"
				      : "base must be coap:// with a numeric address";
		coap_address_init(dst);
		dst->size = ai->ai_addrlen;
		memcpy(&dst->addr.sa, ai->ai_addr, ai->ai_addrlen);
		freeaddrinfo(ai);
	}
	n = coap_print_addr(dst, text, sizeof(text) - 1);
	text[n] = '\0';
	snprintf(source, size, "%s://%s", *dtls ? "coaps" : "coap", text);
	return NULL;
}

/*
 * POST /.well-known/rd: simple registration (RFC 9176 §5.1).  The answer
 * waits (a separate response) until the endpoint's links are fetched and
 * stored; libcoap then calls this handler again with the same request.
 */
void rdsimplereg_handle(coap_resource_t *res, coap_session_t *s, const coap_pdu_t *req,
		      const coap_string_t *query, coap_pdu_t *resp)
{
	struct rdserver *srv = rdserver_of(s);
	coap_async_t *async = coap_find_async(s, coap_pdu_get_token(req));
	struct rdreg_input in = { 0 };
	struct linkformat_attr attrs[RDQUERY_MAX_PARAMS];
	char *literal[RDQUERY_MAX_PARAMS] = { 0 };
	struct simple_job *job;
	struct rdsimple_psk psk;
	coap_address_t dst;
	struct rdquery q;
	const char *bad;
	bool dtls = false;
	size_t len;
	const uint8_t *data;

	if (async) {
		job = coap_async_get_app_data(async);
		if (job->code == 204)
			coap_pdu_set_code(resp, COAP_RESPONSE_CODE(204));
		else if (job->code == 503)
			rdreq_unavailable(resp, RDLIMIT_FULL_RETRY_S, job->why);
		else
			rdreq_error(&srv->stats, resp, job->code, "%s", job->why);
		/* libcoap frees the async itself once this handler returns */
		coap_session_release(job->session);
		rdquery_fini(&job->q);
		free(job);
		return;
	}
	srv->stats.requests++;
	if (!rdreq_rate(srv->cfg.limit, srv->store, s, resp) ||
	    !rdreq_query(&srv->stats, req, resp, &q))
		return;
	job = calloc(1, sizeof(*job));
	if (!job)
		abort();
	if (!rdserver_identify(srv, s, &q, &job->who, resp)) {
		free(job);
		return;
	}
	if (!rdreq_params(&srv->stats, &q, false, resp, &in, attrs, literal) ||
	    !rdserver_allowed(srv, &job->who, RDAUTH_REGISTER, in.d, in.ep, resp)) {
		free(job);
	} else if (!rdreq_room(srv->cfg.limit, srv->store,
			       rdstore_find_ep(srv->store, in.d ? in.d : "", in.ep) ? 0 : 1, 0,
			       resp)) {
		free(job);
	} else if (in.base && !srv->cfg.simple_base) {
		/* RFC 9176 §5.1: the base is where the request came from */
		rdreq_error(&srv->stats, resp, 400,
			    "a simple registration has no base: it is the request's source");
		free(job);
	} else if (coap_get_data(req, &len, &data) && len > 0) {
		rdreq_error(&srv->stats, resp, 400, "a simple registration has no payload");
		free(job);
	} else if ((bad = simple_target(&in, s, &dst, &dtls, job->source, sizeof(job->source)))) {
		rdreq_error(&srv->stats, resp, 400, "%s", bad);
		free(job);
	} else if (dtls && !job->who.cred && !(job->who.certificate && srv->certs)) {
		/* allowed() refuses a withdrawn identity already; this is the last guard */
		rdreq_error(&srv->stats, resp, 401,
			    "no credential to fetch /.well-known/core with");
		free(job);
	} else if (!(job->async = coap_register_async(s, req, 0))) {
		rdreq_error(&srv->stats, resp, 503, "busy");
		free(job);
	} else {
		job->srv = srv;
		job->session = coap_session_reference(s);
		job->q = q;
		rdquery_init(&q); /* moved into the job */
		coap_async_set_app_data(job->async, job);
		/*
		 * over DTLS rdd is the client, with the key that authenticated the
		 * registrant, or, for one that came with a certificate, with rdd's own
		 */
		if (dtls && job->who.cred) {
			psk.identity = (const uint8_t *)job->who.cred->identity;
			psk.identity_len = strlen(job->who.cred->identity);
			psk.key = job->who.cred->key;
			psk.key_len = job->who.cred->key_len;
		}
		if (rdsimple_fetch(srv->simple, &dst, dtls && job->who.cred ? &psk : NULL,
				   dtls && !job->who.cred ? srv->certs : NULL, simple_done,
				   job) < 0) {
			job->code = 500;
			snprintf(job->why, sizeof(job->why), "cannot ask the endpoint");
			simple_failed(job);
			coap_async_trigger(job->async);
		}
	}
	for (size_t i = 0; i < RDQUERY_MAX_PARAMS; i++)
		free(literal[i]);
	rdquery_fini(&q);
}

