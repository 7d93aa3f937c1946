/*
 * httpapi — lowpand's HTTP API through lib/http's bridge: status, counters,
 * neighbours and the RPL DODAG as the JSON of `lwgatectl --json lowpand …`,
 * and the DODAG as an SVG picture of the tree (each node under its parent,
 * the link labelled with the route's lifetime left) that a browser shows
 * as is: GET /api/dodag with Accept: image/svg+xml, or /api/dodag.svg.
 */
#ifndef LOWPAND_HTTPAPI_H
#define LOWPAND_HTTPAPI_H

#include <stdio.h>

#include <event2/event.h>
#include <jansson.h>

#include "http/httpbridge.h"
#include "http/httpconf.h"

/* lowpand's routes, ending with {NULL}. */
extern const struct httpbridge_route lowpand_httpapi_routes[];

/*
 * Serve lowpand's API per @conf (nothing when disabled) for the control
 * socket @socket.  Returns 0 and *@out (NULL when disabled) or -errno.
 */
int lowpand_httpapi_new(struct event_base *base, const struct httpconf *conf, const char *socket,
			struct httpbridge **out);

/*
 * Draw the DODAG @routes (the "routes" command's array: node, parent,
 * depth, lifetime_s) as an SVG document into @f.  Returns 0 or -EINVAL
 * when @routes is not such an array.
 */
int lowpand_httpapi_svg(FILE *f, json_t *routes);

#endif
