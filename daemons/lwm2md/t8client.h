/*
 * t8client — lwm2md's HTTP client towards an SCEF's T8 API (TS 29.122,
 * 3gpp-nidd/v1), as the SCS/AS: JSON requests under
 * {apiRoot}/3gpp-nidd/v1/{scsAsId}, or to a full URL the SCEF gave (a
 * configuration's self link), on libevent's HTTP client over a few
 * kept-alive connections (http:// only, as scefd's callbacks).  Requests
 * on the wire are bounded; each ends in exactly one call of its done
 * function (status 0 when no answer came: refused, timed out).
 */
#ifndef LWM2MD_T8CLIENT_H
#define LWM2MD_T8CLIENT_H

#include <stddef.h>

#include <event2/event.h>

#define T8CLIENT_URL_MAX 512

struct t8client;

/*
 * The answer to a request: HTTP @status (0: none came), its body (@len
 * bytes, not NUL-terminated; bounded by the client) and Location header
 * (NULL when none).  Valid during the call only.
 */
typedef void (*t8client_done_fn)(void *arg, int status, const char *body, size_t len,
				 const char *location);

/*
 * A client on @base for @api_root ("http://HOST:PORT" with an optional
 * path prefix) and @scs_as_id, at most @max_inflight requests at once,
 * each given @timeout_s seconds.  Returns 0 and *@out, or -EINVAL (logged)
 * for an api root that is not http://.
 */
int t8client_new(struct event_base *base, const char *api_root, const char *scs_as_id,
		 int max_inflight, int timeout_s, struct t8client **out);

/*
 * Drop what is on the wire, each request's done function called with
 * status 0 (its arg may be freed there), and free; NULL is fine.
 */
void t8client_free(struct t8client *tc);

/*
 * @method ("GET", "POST", "DELETE") @target with @json (NULL: no body):
 * @target starting with '/' is under {apiRoot}/3gpp-nidd/v1/{scsAsId},
 * else it is a full http:// URL on the same SCEF.  @done(@arg, …) is called
 * later, once.  Returns 0, -EBUSY (max_inflight on the wire), -EINVAL (bad
 * target or method), -EIO (libevent refused it).
 */
int t8client_request(struct t8client *tc, const char *method, const char *target, const char *json,
		     t8client_done_fn done, void *arg);

/* The full URL of @path under {apiRoot}/3gpp-nidd/v1/{scsAsId} into @buf. */
void t8client_url(const struct t8client *tc, const char *path, char *buf, size_t size);

/* Requests on the wire now. */
size_t t8client_inflight(const struct t8client *tc);

#endif
