/*
 * paastore — paad's SQLite tables: the devices' EAP-PSK keys and the
 * established PANA sessions, so that a restarted paad resumes every
 * session where it was (same keys, sequence numbers and expiry).
 *
 * Only sessions in the access phase are stored: a handshake cut by a
 * restart is simply started again by its PaC.
 */
#ifndef LWGATE_PAAD_PAASTORE_H
#define LWGATE_PAAD_PAASTORE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/db.h"
#include "pana/eap_psk.h"
#include "pana/pana_auth.h"
#include "pana/pana_msg.h"
#include "paapeer.h"

/* Migration 2 of paad.db. */
#define PAASTORE_SCHEMA                                                                            \
	"CREATE TABLE devices (identity TEXT PRIMARY KEY, psk BLOB NOT NULL, created INTEGER NOT " \
	"NULL);"                                                                                   \
	"CREATE TABLE sessions (id INTEGER PRIMARY KEY, device TEXT NOT NULL, peer BLOB NOT "      \
	"NULL, "                                                                                   \
	"key_id INTEGER NOT NULL, auth_key BLOB NOT NULL, i_par BLOB NOT NULL, i_pan BLOB NOT "    \
	"NULL, seq_out INTEGER NOT NULL, seq_in INTEGER NOT NULL, have_in INTEGER NOT NULL, "      \
	"lifetime INTEGER NOT NULL, expires INTEGER NOT NULL, started INTEGER NOT NULL);"

/* What a stored session holds; the blobs are owned by the struct (paastore_session_fini). */
struct paastore_session {
	uint32_t id;
	char device[EAP_PSK_MAX_ID + 1];
	struct paapeer peer;
	uint32_t key_id;
	uint8_t auth_key[PANA_AUTH_KEY_LEN];
	uint8_t *i_par, *i_pan;
	size_t i_par_len, i_pan_len;
	uint32_t seq_out, seq_in;
	bool have_in;
	uint32_t lifetime; /* seconds granted */
	int64_t expires;   /* wall clock, seconds since the epoch */
	int64_t started;
};

void paastore_session_fini(struct paastore_session *s);

/*
 * The PSK of device @identity into @psk.  Returns 0, -ENOENT when there is
 * no such device, -EIO on a database error.
 */
int paastore_device_psk(struct db *db, const char *identity, uint8_t psk[EAP_PSK_PSK_LEN]);

/* Add a device, or replace its key.  0 or -EIO. */
int paastore_device_put(struct db *db, const char *identity, const uint8_t psk[EAP_PSK_PSK_LEN]);

/* Remove a device.  0, -ENOENT, -EIO. */
int paastore_device_del(struct db *db, const char *identity);

/* Call @fn for each device, sorted by identity (keys are never shown).  0 or -EIO. */
int paastore_device_each(struct db *db, void (*fn)(const char *identity, int64_t created, void *),
			 void *arg);

/* Insert or update session @s (batched: see db_batch).  0 or -EIO. */
int paastore_session_put(struct db *db, const struct paastore_session *s);

/* Forget session @id.  0 or -EIO. */
int paastore_session_del(struct db *db, uint32_t id);

/*
 * Call @fn with each stored session; @fn takes ownership of the blobs (it
 * calls paastore_session_fini).  0 or -EIO.
 */
int paastore_session_each(struct db *db, void (*fn)(struct paastore_session *, void *), void *arg);

#endif
