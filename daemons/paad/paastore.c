/*
 * paastore — paad's devices and sessions in SQLite (see paastore.h).
 */
#define LOG_COMPONENT "paastore"
#include "paastore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/log.h"

void paastore_session_fini(struct paastore_session *s)
{
	free(s->i_par);
	free(s->i_pan);
	s->i_par = s->i_pan = NULL;
	OPENSSL_cleanse(s->auth_key, sizeof(s->auth_key));
}

int paastore_device_psk(struct db *db, const char *identity, uint8_t psk[EAP_PSK_PSK_LEN])
{
	sqlite3_stmt *st = db_stmt(db, "SELECT psk FROM devices WHERE identity = ?");
	int rc;

	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, identity, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		rc = -ENOENT;
	else if (rc != SQLITE_ROW || sqlite3_column_bytes(st, 0) != EAP_PSK_PSK_LEN)
		rc = -EIO;
	else {
		memcpy(psk, sqlite3_column_blob(st, 0), EAP_PSK_PSK_LEN);
		rc = 0;
	}
	sqlite3_reset(st);
	return rc;
}

int paastore_device_put(struct db *db, const char *identity, const uint8_t psk[EAP_PSK_PSK_LEN])
{
	int rc = db_exec(
		db,
		"INSERT INTO devices (identity, psk, created) VALUES (?, ?, strftime('%s')) "
		"ON CONFLICT(identity) DO UPDATE SET psk = excluded.psk",
		"tb", identity, psk, (size_t)EAP_PSK_PSK_LEN);

	return rc < 0 ? rc : 0;
}

int paastore_device_del(struct db *db, const char *identity)
{
	int rc = db_exec(db, "DELETE FROM devices WHERE identity = ?", "t", identity);

	return rc < 0 ? rc : rc == 0 ? -ENOENT : 0;
}

int paastore_device_each(struct db *db, void (*fn)(const char *identity, int64_t created, void *),
			 void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT identity, created FROM devices ORDER BY identity");
	int rc;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn((const char *)sqlite3_column_text(st, 0), sqlite3_column_int64(st, 1), arg);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int paastore_session_put(struct db *db, const struct paastore_session *s)
{
	int rc;

	db_batch(db);
	rc = db_exec(db,
		     "INSERT OR REPLACE INTO sessions (id, device, peer, key_id, auth_key, i_par, "
		     "i_pan, seq_out, seq_in, have_in, lifetime, expires, started) VALUES "
		     "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		     "Itb"
		     "Ib"
		     "bb"
		     "IIi"
		     "III",
		     (int64_t)s->id, s->device, &s->peer, sizeof(s->peer), (int64_t)s->key_id,
		     s->auth_key, sizeof(s->auth_key), s->i_par, s->i_par_len, s->i_pan,
		     s->i_pan_len, (int64_t)s->seq_out, (int64_t)s->seq_in, (int)s->have_in,
		     (int64_t)s->lifetime, s->expires, s->started);
	return rc < 0 ? rc : 0;
}

int paastore_session_del(struct db *db, uint32_t id)
{
	int rc;

	db_batch(db);
	rc = db_exec(db, "DELETE FROM sessions WHERE id = ?", "I", (int64_t)id);
	return rc < 0 ? rc : 0;
}

static void *dup_blob(sqlite3_stmt *st, int col, size_t *len)
{
	int n = sqlite3_column_bytes(st, col);
	void *p = malloc(n > 0 ? (size_t)n : 1);

	if (!p)
		abort();
	if (n > 0)
		memcpy(p, sqlite3_column_blob(st, col), (size_t)n);
	*len = (size_t)n;
	return p;
}

/* One row; false when it is not what paastore_session_put() writes (skipped, logged). */
static bool read_row(sqlite3_stmt *st, struct paastore_session *s)
{
	const char *dev = (const char *)sqlite3_column_text(st, 1);

	memset(s, 0, sizeof(*s));
	s->id = (uint32_t)sqlite3_column_int64(st, 0);
	if (!dev || strlen(dev) > EAP_PSK_MAX_ID ||
	    (size_t)sqlite3_column_bytes(st, 2) != sizeof(s->peer) ||
	    sqlite3_column_bytes(st, 4) != PANA_AUTH_KEY_LEN ||
	    sqlite3_column_bytes(st, 5) > PANA_MAX_MSG ||
	    sqlite3_column_bytes(st, 6) > PANA_MAX_MSG) {
		log_warnx("stored session is damaged, dropped id=%u", s->id);
		return false;
	}
	strcpy(s->device, dev);
	memcpy(&s->peer, sqlite3_column_blob(st, 2), sizeof(s->peer));
	s->key_id = (uint32_t)sqlite3_column_int64(st, 3);
	memcpy(s->auth_key, sqlite3_column_blob(st, 4), PANA_AUTH_KEY_LEN);
	s->i_par = dup_blob(st, 5, &s->i_par_len);
	s->i_pan = dup_blob(st, 6, &s->i_pan_len);
	s->seq_out = (uint32_t)sqlite3_column_int64(st, 7);
	s->seq_in = (uint32_t)sqlite3_column_int64(st, 8);
	s->have_in = sqlite3_column_int(st, 9) != 0;
	s->lifetime = (uint32_t)sqlite3_column_int64(st, 10);
	s->expires = sqlite3_column_int64(st, 11);
	s->started = sqlite3_column_int64(st, 12);
	return true;
}

int paastore_session_each(struct db *db, void (*fn)(struct paastore_session *, void *), void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT id, device, peer, key_id, auth_key, i_par, i_pan, "
				       "seq_out, seq_in, have_in, lifetime, expires, started FROM "
				       "sessions ORDER BY id");
	struct paastore_session s;
	int rc;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (read_row(st, &s))
			fn(&s, arg);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}
