/*
 * h2auth — who an HTTP/2 device's request is (binding H, h2dev.c): the
 * endpoint its bearer token stands for ([http2] tokens, or a PSK
 * credential of lwm2md's store as "identity:hexkey"), or, without an
 * Authorization field, the endpoint its verified TLS client certificate
 * names — its subject CN or one of its DNS/URI subjectAltNames, as
 * lwm2md's CoAP certificate mode accepts them (lib/coap/certs).
 */
#ifndef LWM2MD_H2AUTH_H
#define LWM2MD_H2AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "coap/pskstore.h"
#include "http/httpsrv.h"

#define H2AUTH_NAMES_MAX 16 /* names of one certificate looked at (the rest ignored) */

struct h2auth;

/* Whether @ep is already a device of the caller (a certificate's name in use). */
typedef bool (*h2auth_known_fn)(void *arg, const char *ep);

/*
 * Tokens from @tokens ("ep=token" items separated by blanks or commas, at
 * most 256) and credentials from @creds (NULL: none).  0 and *@out, or
 * -EINVAL (logged).
 */
int h2auth_new(const char *tokens, const struct pskstore *creds, struct h2auth **out);

/* NULL is fine. */
void h2auth_free(struct h2auth *a);

/* How many [http2] tokens @a has. */
size_t h2auth_tokens(const struct h2auth *a);

/*
 * The endpoint @ex's request stands for, into @ep (@size bytes): its
 * bearer token's (compared in constant time); without Authorization, its
 * certificate's name that is the `ep` of the request's query (a
 * Register), else the first of them @known(@arg, name) says is a device
 * already, else the first (the CN before the subjectAltNames).  0, or
 * -EACCES (no or a wrong credential).
 */
int h2auth_endpoint(const struct h2auth *a, struct http_exchange *ex, h2auth_known_fn known,
		    void *arg, char *ep, size_t size);

#endif
