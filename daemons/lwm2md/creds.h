/*
 * creds — DTLS pre-shared keys of lwm2md's clients: PSK identity, key and
 * the endpoint name the identity is bound to, in SQLite (migration 3) and
 * in memory for the handshake callback.
 */
#ifndef LWM2MD_CREDS_H
#define LWM2MD_CREDS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/db.h"

#define CREDS_SCHEMA_3                                                             \
	"CREATE TABLE credentials (identity TEXT PRIMARY KEY, key BLOB NOT NULL, " \
	"ep TEXT NOT NULL UNIQUE, created INTEGER NOT NULL);"

#define CREDS_KEY_MAX      64  /* bytes of a PSK */
#define CREDS_IDENTITY_MAX 128 /* bytes of a PSK identity */

struct cred {
	char *identity;
	char *ep;
	uint8_t key[CREDS_KEY_MAX];
	size_t key_len;
	int64_t created; /* wall-clock milliseconds */
	struct cred *next, *prev;
};

struct creds;

/* An empty set writing to @db (borrowed).  Never NULL. */
struct creds *creds_new(struct db *db);

/* Free the set; NULL is fine. */
void creds_free(struct creds *cs);

/* Load the stored credentials.  Returns how many, or -EIO. */
int creds_load(struct creds *cs);

/*
 * Add a credential, committed before returning.  Returns 0, -EINVAL (empty
 * or too long identity or ep, key of 0 or more than CREDS_KEY_MAX bytes),
 * -EEXIST (the identity or the endpoint already has one), -EIO.
 */
int creds_add(struct creds *cs, const char *identity, const uint8_t *key, size_t key_len,
	      const char *ep);

/* Delete the credential of @identity or, when @identity is NULL, of @ep.  0, -ENOENT, -EIO. */
int creds_del(struct creds *cs, const char *identity, const char *ep);

/* The credential of an identity (@len bytes, not NUL-terminated), or NULL. */
const struct cred *creds_find(const struct creds *cs, const uint8_t *identity, size_t len);

/* The credential bound to endpoint @ep, or NULL. */
const struct cred *creds_find_ep(const struct creds *cs, const char *ep);

/* [{identity, ep, key_bytes, created}], keys not shown. */
json_t *creds_json(const struct creds *cs);

#endif
