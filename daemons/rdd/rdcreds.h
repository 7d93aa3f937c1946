/*
 * rdcreds — the DTLS pre-shared keys of rdd's registrants: PSK identity,
 * key, and the sectors (d) the identity may register in, in SQLite
 * (table rd_credentials, RDCREDS_SCHEMA) and in memory for the handshake.
 */
#ifndef LWGATE_RDD_RDCREDS_H
#define LWGATE_RDD_RDCREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "coap/pskguard.h"
#include "common/db.h"

#define RDCREDS_SCHEMA                                                                \
	"CREATE TABLE rd_credentials (identity TEXT PRIMARY KEY, key BLOB NOT NULL, " \
	"sectors TEXT NOT NULL, created INTEGER NOT NULL);"

#define RDCREDS_SECTORS_MAX 1024 /* bytes of a sector list */

struct rdcred {
	char *identity;
	/*
	 * The sectors the identity may register in, comma-separated; "*" any
	 * sector; "-" in the list stands for the empty sector (no d).
	 */
	char *sectors;
	uint8_t key[PSKGUARD_KEY_MAX];
	size_t key_len;
	int64_t created; /* wall-clock milliseconds */
	struct rdcred *next;
};

struct rdcreds;

/* An empty set writing to @db (borrowed).  Never NULL. */
struct rdcreds *rdcreds_new(struct db *db);

/* Free the set; NULL is fine. */
void rdcreds_free(struct rdcreds *cs);

/* Load the stored credentials.  Returns how many, or -EIO. */
int rdcreds_load(struct rdcreds *cs);

/*
 * Add a credential, committed before returning.  @sectors NULL or "" means
 * "*".  Returns 0, -EINVAL (empty or too long identity, key of 0 or more
 * than PSKGUARD_KEY_MAX bytes, a bad sector list), -EEXIST, -EIO.
 */
int rdcreds_add(struct rdcreds *cs, const char *identity, const uint8_t *key, size_t key_len,
		const char *sectors);

/* Delete the credential of @identity.  0, -ENOENT, -EIO. */
int rdcreds_del(struct rdcreds *cs, const char *identity);

/* The credential of an identity (@len bytes, not NUL-terminated), or NULL. */
const struct rdcred *rdcreds_find(const struct rdcreds *cs, const uint8_t *identity, size_t len);

/*
 * True when the comma-separated @list ("*": all; "-": the empty sector)
 * names sector @d ("" for none).
 */
bool rdcreds_sector_in(const char *list, const char *d);

/* A valid sector list: "*", or names (1 to 63 bytes, no spaces, commas or "*") joined by commas. */
bool rdcreds_sectors_valid(const char *list);

/* How many credentials there are. */
size_t rdcreds_count(const struct rdcreds *cs);

/* [{identity, sectors, key_bytes, created}], keys never shown. */
json_t *rdcreds_json(const struct rdcreds *cs);

#endif
