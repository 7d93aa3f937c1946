/*
 * rdwatch — observable lookups (RFC 7641 on /rd-lookup/ep and
 * /rd-lookup/res): an observer is notified when the result of its query
 * changes, and not otherwise.
 *
 * libcoap keeps the observers and calls the lookup handler again for each
 * notification; what it cannot tell is whether a change of the directory
 * changed a given query's result.  So each observed (interface, query)
 * is remembered with a hash of its last result; after a change of the
 * store (once per loop round, however many changes it held) every
 * remembered query is evaluated again and only those whose result differs
 * are notified, by query.  At most RDWATCH_MAX queries are remembered (the
 * oldest goes); a query whose resource has no observer left is forgotten.
 */
#ifndef LWGATE_RDD_RDWATCH_H
#define LWGATE_RDD_RDWATCH_H

#include <stddef.h>

#include <coap3/coap.h>
#include <event2/event.h>

#include "coap/coapev.h"
#include "rdlookup.h"
#include "rdstore.h"

#define RDWATCH_MAX 64

struct rdwatch;

/* Watch the lookups of @store; NULL on allocation failure. */
struct rdwatch *rdwatch_new(struct event_base *base, struct rdstore *store);

/* NULL is fine. */
void rdwatch_free(struct rdwatch *w);

/*
 * The observable resource serving lookups of @kind (made observable here),
 * and the libcoap driver to kick after notifying.
 */
void rdwatch_attach(struct rdwatch *w, enum rdlookup_kind kind, coap_resource_t *res,
		    struct coapev *ev);

/* A lookup of @kind with @query (NULL: none) was answered with @text of @len bytes to an observer.
 */
void rdwatch_note(struct rdwatch *w, enum rdlookup_kind kind, const coap_string_t *query,
		  const char *text, size_t len);

/* The store changed: evaluate the remembered queries after this loop round. */
void rdwatch_changed(struct rdwatch *w);

/* How many notifications were triggered so far (for status). */
unsigned long rdwatch_notified(const struct rdwatch *w);

#endif
