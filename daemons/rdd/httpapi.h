/*
 * httpapi — rdd's HTTP API through lib/http's bridge: the RFC 9176 lookup
 * interfaces at their CoAP paths, /rd-lookup/ep and /rd-lookup/res, with
 * the same filters (the query goes to rdd as a lookup query), answered by
 * content negotiation as link-format, JSON (the records of `lwgatectl
 * --json rdd endpoints`), HTML (a table with links) or, for endpoints, an
 * Atom feed (one entry per registration, updated when it re-registers or
 * updates); the pub/sub topics as JSON; rdd's events as server-sent events.
 */
#ifndef RDD_HTTPAPI_H
#define RDD_HTTPAPI_H

#include <event2/event.h>

#include "http/httpbridge.h"
#include "http/httpconf.h"

/* rdd's routes, ending with {NULL}. */
extern const struct httpbridge_route rdd_httpapi_routes[];

/*
 * Serve rdd's API per @conf (nothing when disabled) for the control socket
 * @socket.  Returns 0 and *@out (NULL when disabled) or -errno (logged).
 */
int rdd_httpapi_new(struct event_base *base, const struct httpconf *conf, const char *socket,
		    struct httpbridge **out);

#endif
