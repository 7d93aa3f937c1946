/*
 * httpapi — lwm2md's northbound HTTP API, shaped like the one Eclipse
 * Leshan's server demo offers (/api/clients/{ep}/{path}…), each route a
 * front for one of lwm2md's control commands (lwm2mctl.h) through
 * lib/http's bridge, so its JSON is what `lwgatectl --json lwm2md …`
 * prints.  GET /api/event streams the daemon's events (registration.new,
 * registration.update, registration.removed, registration.expired, …)
 * as server-sent events, ?ep= for one endpoint's.
 */
#ifndef LWM2MD_HTTPAPI_H
#define LWM2MD_HTTPAPI_H

#include <event2/event.h>

#include "http/httpbridge.h"
#include "http/httpconf.h"

/* lwm2md's routes, ending with {NULL}. */
extern const struct httpbridge_route httpapi_routes[];

/*
 * Serve lwm2md's API per @conf (nothing when [http] enabled = no) for the
 * control socket @socket.  Returns 0 and *@out (NULL when disabled), or
 * -errno from httpbridge_new() (logged).
 */
int httpapi_new(struct event_base *base, const struct httpconf *conf, const char *socket,
		struct httpbridge **out);

#endif
