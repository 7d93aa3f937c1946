/*
 * niddcb — the listener for an SCEF's T8 notifications (lib/http): it
 * takes POSTs only at a path ending in a secret (128 random bits in hex,
 * made once and kept in the database), so that nobody but the SCEF, which
 * was given the URL, can post uplinks: an uplink speaks for its externalId.
 * Any other path is a 404 (counted), another method a 405.
 */
#ifndef LWM2MD_NIDDCB_H
#define LWM2MD_NIDDCB_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "common/db.h"

#define NIDDCB_URL_MAX 512

struct niddcb;

/* A notification's body (@len bytes): the HTTP status to answer (204, 400 …). */
typedef int (*niddcb_fn)(void *arg, const uint8_t *body, size_t len);

/*
 * Listen on @address port @port (0: any) on @base; notifications go to
 * @fn(@arg, …).  The URL the SCEF must be given is @url_base (NULL or "":
 * http://ADDRESS:PORT/nidd) + "/" + the secret kept in @db (table
 * nidd_settings, made if need be).  Returns 0 and *@out, or a negative
 * errno (logged by lib/http; -EIO from the database).
 */
int niddcb_new(struct event_base *base, struct db *db, const char *address, int port,
	       const char *url_base, niddcb_fn fn, void *arg, struct niddcb **out);

/* Stop listening and free; NULL is fine. */
void niddcb_free(struct niddcb *cb);

/* The notificationDestination to give the SCEF (with the secret). */
const char *niddcb_url(const struct niddcb *cb);

/* Its length without the secret: what may be shown. */
size_t niddcb_shown_len(const struct niddcb *cb);

/* The port listened on. */
uint16_t niddcb_port(const struct niddcb *cb);

/* Requests refused for a wrong path so far. */
uint64_t niddcb_unauthorized(const struct niddcb *cb);

#endif
