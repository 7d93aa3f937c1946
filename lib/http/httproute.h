/*
 * httproute — matching a request path against a route pattern, as the
 * daemons' APIs declare them:
 *
 *   "/api/clients"                     literal segments
 *   "/api/clients/{ep}"                {name}: one non-empty segment
 *   "/api/clients/{ep}/{path*}/observe" {name*}: one or more segments,
 *                                      joined with '/', then the literals
 *                                      after it must end the path
 *
 * Captured segments are percent-decoded (a decoded '/' or NUL is refused,
 * so a capture can never name another path) and must be UTF-8 text
 * without control characters, as the JSON they go into.  Pure: no I/O.
 */
#ifndef LWGATE_HTTP_HTTPROUTE_H
#define LWGATE_HTTP_HTTPROUTE_H

#include <stddef.h>

#define HTTPROUTE_MAX_CAPTURES 4
#define HTTPROUTE_MAX_SEGMENTS 16
#define HTTPROUTE_MAX_VALUE    256

struct httproute_match {
	size_t n;
	struct {
		char name[32];
		char value[HTTPROUTE_MAX_VALUE];
	} cap[HTTPROUTE_MAX_CAPTURES];
};

/*
 * Match @path (no query) against @pattern.  Returns 0 and the captures in
 * *@m, -ENOENT when it does not match, -EBADMSG on a bad percent escape
 * (or an encoded '/' or NUL) or bytes that are not UTF-8 text in a
 * captured segment, -EMSGSIZE when a
 * capture passes HTTPROUTE_MAX_VALUE or the path HTTPROUTE_MAX_SEGMENTS.
 */
int httproute_match(const char *pattern, const char *path, struct httproute_match *m);

/*
 * The literal segments of @pattern.  Of the routes that match a path, the
 * ones with the most literals own it (OpenAPI's rule: a literal segment
 * wins over a template): "/api/clients/{ep}/{path*}/attributes" owns
 * ".../3/0/9/attributes", which "/api/clients/{ep}/{path*}" also matches.
 */
size_t httproute_literals(const char *pattern);

/* The value captured as @name, or NULL. */
const char *httproute_get(const struct httproute_match *m, const char *name);

#endif
