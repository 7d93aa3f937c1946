/*
 * rdserver — the CoAP face of the Resource Directory: a libcoap context
 * driven by coapev in the daemon's loop, serving
 *
 *   /.well-known/core   discovery (RFC 6690), filtered by the query
 *   /rd                 registration interface (rt=core.rd), POST
 *   /.well-known/rd     simple registration (RFC 9176 §5.1), POST
 *   /rd-lookup/ep       endpoint lookup (rt=core.rd-lookup-ep), GET, observable
 *   /rd-lookup/res      resource lookup (rt=core.rd-lookup-res), GET, observable
 *   /rd-group           group registration of the RD drafts (rdgroup.h), POST
 *   /rd-lookup/gp       group lookup, GET
 *   /rd-group/<16 hex>  one per group: GET, DELETE
 *   /reg/<16 hex>       one per registration: GET, POST (update), DELETE,
 *                       PATCH and iPATCH (merge patch, see rdpatch.h)
 *
 * on plain CoAP and on CoAP over DTLS with pre-shared keys (pskguard,
 * rdcreds); every request is authorized by rdauth first (4.01, 4.03).
 *
 * Bad requests get a 4.xx with a diagnostic payload (RFC 7252 §5.5.2) and
 * change nothing.  Bodies and results larger than a datagram go block-wise
 * (libcoap's block mode, one body per request).
 */
#ifndef LWGATE_RDD_RDSERVER_H
#define LWGATE_RDD_RDSERVER_H

#include <stdint.h>

#include <coap3/coap.h>
#include <event2/event.h>

#include "coap/certs.h"
#include "coap/coapev.h"
#include "coap/pskguard.h"
#include "rdauth.h"
#include "rdlimit.h"
#include "rdstore.h"

struct rdserver;
struct rdgroups;

struct rdserver_config {
	bool coap_enabled;   /* serve plain CoAP on address/port */
	const char *address; /* numeric IPv6 or IPv4 address to bind ("::": all) */
	int port;
	bool coaps_enabled; /* serve CoAP over DTLS on coaps_address/coaps_port */
	const char *coaps_address;
	int coaps_port;
	/* certificate mode besides the PSKs ("" x3: off; borrowed until rdserver_new returns) */
	struct certs_config certs;
	int handshake_timeout_s; /* a DTLS handshake not done by then counts as failed */
	/*
	 * Who may do what (borrowed; it outlives the server): every handler
	 * that changes the directory calls rdauth_identify() and
	 * rdauth_check() first — see rdauth.h for the pattern.
	 */
	struct rdauth *auth;
	/*
	 * Interfaces, separated by spaces or commas, on which to join the All
	 * CoAP Nodes (ff02::fd, ff05::fd) and All CoRE Resource Directories
	 * (ff02::fe, ff05::fe) groups; discovery answers there ("" or NULL: none).
	 */
	const char *multicast_interfaces;
	/*
	 * A simple registration may name the address to fetch from in base (an
	 * extension; RFC 9176 §5.1 has the request's source, and false refuses
	 * base with 4.00).
	 */
	bool simple_base;
	unsigned max_links; /* links accepted in one registration */
	/* caps and per-source rate of registrations and updates (borrowed; outlives the server) */
	struct rdlimit *limit;
	struct rdgroups *groups; /* the group interface (rdgroup.h) */
};

struct rdserver_stats {
	uint64_t requests, bad_requests, registrations, updates, removals, lookups;
	unsigned multicast_groups;   /* (group, interface) pairs joined */
	unsigned long notifications; /* observed lookups whose result changed */
	struct pskguard_stats dtls;
};

/*
 * Bind and serve; the registrations already in @store get their
 * resources.  Returns 0 and *@out, or a negative errno (logged).
 */
int rdserver_new(struct event_base *base, struct rdstore *store, const struct rdserver_config *cfg,
		 struct rdserver **out);

/* Stop serving and free; NULL is fine. */
void rdserver_free(struct rdserver *srv);

/* Keep the registration resources in step with @store (its change callback). */
void rdserver_changed(struct rdserver *srv, struct rdreg *reg, enum rdstore_change change);

/* Apply a reloaded max_links to the requests that come next. */
void rdserver_set_max_links(struct rdserver *srv, unsigned max_links);

void rdserver_get_stats(const struct rdserver *srv, struct rdserver_stats *out);

/* The UDP port served with plain CoAP (0: none). */
int rdserver_port(const struct rdserver *srv);

/* The libcoap context and its driver, for modules serving beside the RD (pubsub). */
coap_context_t *rdserver_context(struct rdserver *srv);
struct coapev *rdserver_coapev(struct rdserver *srv);
/* The UDP port served with CoAP over DTLS (0: none). */
int rdserver_coaps_port(const struct rdserver *srv);

/* Whether coaps clients may authenticate with certificates ([coaps] ca_file …). */
bool rdserver_certificates(const struct rdserver *srv);

#endif
