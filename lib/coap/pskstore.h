/*
 * pskstore — the (D)TLS pre-shared keys a daemon accepts: one row per PSK
 * identity with its key and the one thing the daemon binds the identity to
 * (lwm2md: the endpoint name it may register; rdd: the sectors it may
 * register in).  Rows live in SQLite, committed before a change returns;
 * in memory a list (for listing) and hash indexes by identity (for every
 * handshake) and, when the binding is unique, by binding (lwm2md's
 * Register check), so no lookup cost grows with the number of keys.
 *
 * Each daemon keeps its own table (its schema names it), so that a key
 * given to one daemon opens nothing in another.
 */
#ifndef LWGATE_COAP_PSKSTORE_H
#define LWGATE_COAP_PSKSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "coap/pskguard.h"
#include "common/db.h"

/*
 * Where and how a daemon stores its keys: made by PSKSTORE_SCHEMA() from
 * string literals, so that the statements are literals too (db_stmt()
 * caches by pointer).  The table must have the columns (identity TEXT
 * PRIMARY KEY, key BLOB NOT NULL, <column> TEXT NOT NULL, created INTEGER
 * NOT NULL).
 */
struct pskstore_schema {
	const char *table;
	const char *select_sql, *insert_sql, *delete_sql;
	const char *bound_json; /* the binding's name in pskstore_json() */
	size_t bound_max;       /* bytes of a binding */
	bool bound_unique;      /* at most one identity per binding */
};

#define PSKSTORE_SCHEMA(TABLE, COLUMN, JSON_NAME, MAX, UNIQUE)                                     \
	{                                                                                          \
		.table = TABLE,                                                                    \
		.select_sql = "SELECT identity, key, " COLUMN ", created FROM " TABLE              \
			      " ORDER BY created",                                                 \
		.insert_sql = "INSERT INTO " TABLE " (identity, key, " COLUMN ", created) "        \
			      "VALUES (?, ?, ?, ?)",                                               \
		.delete_sql = "DELETE FROM " TABLE " WHERE identity = ?", .bound_json = JSON_NAME, \
		.bound_max = MAX, .bound_unique = UNIQUE                                           \
	}

struct pskstore_cred {
	char *identity;
	char *bound;
	uint8_t key[PSKGUARD_KEY_MAX];
	size_t key_len;
	int64_t created; /* wall-clock milliseconds */
	struct pskstore_cred *next, *prev;
};

struct pskstore;

/* An empty store writing to @db (borrowed) as @schema (static) says.  Never NULL. */
struct pskstore *pskstore_new(struct db *db, const struct pskstore_schema *schema);

/* Free the store (keys are wiped); NULL is fine. */
void pskstore_free(struct pskstore *ps);

/* Load the stored keys.  Returns how many, or -EIO. */
int pskstore_load(struct pskstore *ps);

/*
 * Add a key, committed before returning.  Returns 0; -EINVAL for an empty
 * or too long identity (PSKGUARD_IDENTITY_MAX), a key of 0 or more than
 * PSKGUARD_KEY_MAX bytes, an empty or too long binding; -EEXIST when the
 * identity, or a unique binding, has a key already; -EIO.
 */
int pskstore_add(struct pskstore *ps, const char *identity, const uint8_t *key, size_t key_len,
		 const char *bound);

/*
 * pskstore_add() with the key in hex ("00112233…", as an operator types
 * it); -EBADMSG when @hex is not 1 to PSKGUARD_KEY_MAX bytes of hex.  The
 * decoded key is wiped from the stack.
 */
int pskstore_add_hex(struct pskstore *ps, const char *identity, const char *hex, const char *bound);

/* Delete @c (found in @ps), committed before returning.  0 or -EIO. */
int pskstore_del(struct pskstore *ps, const struct pskstore_cred *c);

/* The key of an identity (@len bytes, not NUL-terminated), or NULL. */
const struct pskstore_cred *pskstore_find(const struct pskstore *ps, const uint8_t *identity,
					  size_t len);

/* The key bound to @bound when bindings are unique, or NULL. */
const struct pskstore_cred *pskstore_find_bound(const struct pskstore *ps, const char *bound);

/* How many keys there are. */
size_t pskstore_count(const struct pskstore *ps);

/* A pskguard_key_fn over the store passed as @arg. */
const uint8_t *pskstore_key(const uint8_t *identity, size_t len, size_t *key_len, void *arg);

/* [{identity, <bound_json>, key_bytes, created}], newest first; keys never shown. */
json_t *pskstore_json(const struct pskstore *ps);

#endif
