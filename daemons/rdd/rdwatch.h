/*
 * rdwatch — observable lookups (RFC 7641 on /rd-lookup/ep, /rd-lookup/res
 * and /rd-lookup/gp): an observer is notified when the result of its query
 * changes, and not otherwise.
 *
 * libcoap keeps the observers and calls the lookup handler again for each
 * notification; what it cannot tell is whether a change of the directory
 * changed a given query's result.  So each observed (kind, query, scope)
 * is remembered with a hash of its last result; after a change of the
 * directory (once per loop round, however many changes it held) every
 * remembered query is evaluated again by its kind's lookup callback, and
 * only those whose result differs are notified, by query.  At most
 * RDWATCH_MAX queries are remembered (the oldest goes); a query whose
 * resource has no observer left is forgotten.
 *
 * The scope is the list of sectors the observer may see (rdauth's lookup
 * scope, NULL: all): the same query seen through two scopes is two
 * results.  libcoap notifies by query, not by observer, so when one of
 * them changes, the observers of the other scope get their (unchanged)
 * result again too.
 */
#ifndef LWGATE_RDD_RDWATCH_H
#define LWGATE_RDD_RDWATCH_H

#include <stddef.h>

#include <coap3/coap.h>
#include <event2/event.h>

#include "coap/coapev.h"
#include "coap/rdquery.h"

#define RDWATCH_MAX 64

enum rdwatch_kind {
	RDWATCH_EP,  /* /rd-lookup/ep */
	RDWATCH_RES, /* /rd-lookup/res */
	RDWATCH_GP,  /* /rd-lookup/gp (rdgroup) */
	RDWATCH_KINDS
};

/*
 * A kind's lookup: the result of @q (the auth= item already removed) as
 * seen by @scope (NULL: every sector), as a malloc'd @text of @len bytes
 * (the caller frees).  Returns >= 0, or < 0 when the query is invalid
 * (the watch is then forgotten).
 */
typedef long (*rdwatch_lookup_fn)(void *ctx, const struct rdquery *q, const char *scope,
				  char **text, size_t *len);

struct rdwatch;

/* An empty set of watches in @base's loop; NULL on allocation failure. */
struct rdwatch *rdwatch_new(struct event_base *base);

/* NULL is fine. */
void rdwatch_free(struct rdwatch *w);

/*
 * The observable resource serving lookups of @kind (made observable here),
 * the lookup that evaluates them again (@fn with @ctx), and the libcoap
 * driver to kick after notifying.
 */
void rdwatch_attach(struct rdwatch *w, enum rdwatch_kind kind, coap_resource_t *res,
		    rdwatch_lookup_fn fn, void *ctx, struct coapev *ev);

/*
 * A lookup of @kind with @query (NULL: none) by an observer seeing @scope
 * (NULL: all) was answered with @text of @len bytes.
 */
void rdwatch_note(struct rdwatch *w, enum rdwatch_kind kind, const coap_string_t *query,
		  const char *scope, const char *text, size_t len);

/* The directory changed: evaluate the remembered queries after this loop round. */
void rdwatch_changed(struct rdwatch *w);

/* How many notifications were triggered so far (for status). */
unsigned long rdwatch_notified(const struct rdwatch *w);

#endif
