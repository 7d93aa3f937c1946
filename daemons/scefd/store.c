/*
 * store — scefd's configurations and deliveries in SQLite (see store.h).
 */
#include "store.h"

#include <errno.h>
#include <string.h>

#include <sqlite3.h>

const char store_schema_2[] =
	"CREATE TABLE nidd_config ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" scs_as TEXT NOT NULL,"
	" target_kind INTEGER NOT NULL, target TEXT NOT NULL,"
	" notification_destination TEXT NOT NULL,"
	" mtc_provider_id TEXT NOT NULL, duration TEXT NOT NULL,"
	" rds INTEGER NOT NULL, pdn INTEGER NOT NULL,"
	" expires INTEGER NOT NULL);" /* from duration; 0: never */
	"CREATE INDEX nidd_config_scs_as ON nidd_config (scs_as);"
	"CREATE TABLE nidd_delivery ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" config INTEGER NOT NULL,"
	" target_kind INTEGER NOT NULL, target TEXT NOT NULL,"
	" data BLOB NOT NULL, rds INTEGER NOT NULL, max_latency INTEGER NOT NULL,"
	" priority INTEGER NOT NULL, pdn INTEGER NOT NULL,"
	" status INTEGER NOT NULL, created INTEGER NOT NULL, expires INTEGER NOT NULL);"
	"CREATE INDEX nidd_delivery_config ON nidd_delivery (config);";

const char store_schema_4[] =
	"ALTER TABLE nidd_delivery ADD COLUMN grp INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE nidd_delivery ADD COLUMN retransmit INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX nidd_delivery_grp ON nidd_delivery (grp);";

const char store_schema_6[] =
	"ALTER TABLE nidd_config ADD COLUMN websocket INTEGER NOT NULL DEFAULT 0;";

const char store_schema_5[] =
	"CREATE TABLE rds_port ("
	" config INTEGER NOT NULL, ue INTEGER NOT NULL, ef INTEGER NOT NULL,"
	" app_id TEXT NOT NULL, skip INTEGER NOT NULL, formats INTEGER NOT NULL,"
	" configured INTEGER NOT NULL, PRIMARY KEY (config, ue, ef));"
	"ALTER TABLE nidd_delivery ADD COLUMN rds_ue INTEGER NOT NULL DEFAULT -1;"
	"ALTER TABLE nidd_delivery ADD COLUMN rds_ef INTEGER NOT NULL DEFAULT -1;";

static void copy_text(sqlite3_stmt *st, int col, char *out, size_t size)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	size_t n = s ? strlen(s) : 0;
	if (n >= size)
		n = size - 1; /* written by us within the same bounds: never cut in practice */
	memcpy(out, s ? s : "", n);
	out[n] = '\0';
}

/* When the configuration's duration ends (lib/t8 checked it); 0: never. */
static int64_t expires(const struct t8_config *g)
{
	time_t t = 0;
	return g->duration[0] && t8_time_parse(g->duration, &t) == 0 ? (int64_t)t : 0;
}

int store_config_add(struct db *db, struct store_config *c)
{
	const struct t8_config *g = &c->cfg;
	int rc = db_exec(
		db,
		"INSERT INTO nidd_config (scs_as, target_kind, target, notification_destination,"
		" mtc_provider_id, duration, rds, pdn, expires, websocket)"
		" VALUES (?,?,?,?,?,?,?,?,?,?)",
		"tittttiiIi", c->scs_as, (int)g->target.kind, g->target.id,
		g->notification_destination, g->mtc_provider_id, g->duration,
		(int)g->reliable_data_service, (int)g->pdn_option, expires(g),
		(int)g->request_websocket_uri);
	if (rc < 0)
		return rc;
	c->id = sqlite3_last_insert_rowid(db_handle(db));
	return 0;
}

#define CONFIG_COLUMNS                                                                          \
	"id, scs_as, target_kind, target, notification_destination, mtc_provider_id, duration," \
	" rds, pdn, websocket"

static void config_row(sqlite3_stmt *st, struct store_config *c)
{
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(st, 0);
	copy_text(st, 1, c->scs_as, sizeof(c->scs_as));
	c->cfg.target.kind = (enum t8_target_kind)sqlite3_column_int(st, 2);
	copy_text(st, 3, c->cfg.target.id, sizeof(c->cfg.target.id));
	copy_text(st, 4, c->cfg.notification_destination, sizeof(c->cfg.notification_destination));
	copy_text(st, 5, c->cfg.mtc_provider_id, sizeof(c->cfg.mtc_provider_id));
	copy_text(st, 6, c->cfg.duration, sizeof(c->cfg.duration));
	c->cfg.reliable_data_service = sqlite3_column_int(st, 7) != 0;
	c->cfg.pdn_option = (enum t8_pdn_option)sqlite3_column_int(st, 8);
	c->cfg.request_websocket_uri = sqlite3_column_int(st, 9) != 0;
}

int store_config_get(struct db *db, const char *scs_as, int64_t id, struct store_config *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " CONFIG_COLUMNS " FROM nidd_config"
				       " WHERE (?1 IS NULL OR scs_as = ?1) AND id = ?2");
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, scs_as, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		config_row(st, out);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
}

int store_config_update(struct db *db, const struct store_config *c)
{
	const struct t8_config *g = &c->cfg;
	int rc = db_exec(db,
			 "UPDATE nidd_config SET notification_destination = ?, mtc_provider_id = ?,"
			 " duration = ?, rds = ?, pdn = ?, expires = ? WHERE scs_as = ? AND id = ?",
			 "tttiiItI", g->notification_destination, g->mtc_provider_id, g->duration,
			 (int)g->reliable_data_service, (int)g->pdn_option, expires(g), c->scs_as,
			 c->id);
	return rc < 0 ? rc : rc == 0 ? -ENOENT : 0;
}

int store_config_delete(struct db *db, const char *scs_as, int64_t id)
{
	int rc = db_exec(db, "DELETE FROM nidd_config WHERE scs_as = ? AND id = ?", "tI", scs_as,
			 id);
	if (rc <= 0)
		return rc < 0 ? rc : -ENOENT;
	rc = db_exec(db, "DELETE FROM nidd_delivery WHERE config = ?", "I", id);
	if (rc >= 0)
		rc = db_exec(db, "DELETE FROM rds_port WHERE config = ?", "I", id);
	return rc < 0 ? rc : 0;
}

int store_config_each(struct db *db, const char *scs_as, store_config_fn fn, void *arg)
{
	return store_config_walk(db, scs_as, 0, fn, arg);
}

int store_config_walk(struct db *db, const char *scs_as, time_t expired_at, store_config_fn fn,
		      void *arg)
{
	sqlite3_stmt *st =
		db_stmt(db, "SELECT " CONFIG_COLUMNS " FROM nidd_config"
			    " WHERE (?1 IS NULL OR scs_as = ?1)"
			    " AND (?2 = 0 OR (expires > 0 AND expires <= ?2)) ORDER BY id");
	if (!st)
		return -EIO;
	sqlite3_bind_text(st, 1, scs_as, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (int64_t)expired_at);
	struct store_config c;
	int rc, ret = 0;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		config_row(st, &c);
		ret = fn(&c, arg);
	}
	sqlite3_reset(st);
	return ret ? ret : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -EIO;
}

int store_delivery_add(struct db *db, struct store_delivery *d)
{
	const struct t8_downlink *l = &d->dl;
	int rc = db_exec(
		db,
		"INSERT INTO nidd_delivery (config, target_kind, target, data, rds, max_latency,"
		" priority, pdn, status, created, expires, grp, retransmit, rds_ue, rds_ef)"
		" VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
		"IitbiIIiiIIIIii", d->config, (int)l->target.kind, l->target.id, l->data,
		l->data_len, (int)l->reliable_data_service, l->maximum_latency, l->priority,
		(int)l->pdn_option, (int)d->status, (int64_t)d->created, (int64_t)d->expires,
		d->group, (int64_t)d->retransmit, (int)l->rds_port_ue, (int)l->rds_port_scef);
	if (rc < 0)
		return rc;
	d->id = sqlite3_last_insert_rowid(db_handle(db));
	return 0;
}

#define DELIVERY_COLUMNS                                                                           \
	"id, config, target_kind, target, data, rds, max_latency, priority, pdn, status, created," \
	" expires, grp, retransmit, rds_ue, rds_ef"

static void delivery_row(sqlite3_stmt *st, struct store_delivery *d)
{
	memset(d, 0, sizeof(*d));
	d->id = sqlite3_column_int64(st, 0);
	d->config = sqlite3_column_int64(st, 1);
	d->dl.target.kind = (enum t8_target_kind)sqlite3_column_int(st, 2);
	copy_text(st, 3, d->dl.target.id, sizeof(d->dl.target.id));
	size_t n = (size_t)sqlite3_column_bytes(st, 4);
	d->dl.data_len = n < sizeof(d->dl.data) ? n : sizeof(d->dl.data);
	if (d->dl.data_len)
		memcpy(d->dl.data, sqlite3_column_blob(st, 4), d->dl.data_len);
	d->dl.reliable_data_service = sqlite3_column_int(st, 5) != 0;
	d->dl.maximum_latency = sqlite3_column_int64(st, 6);
	d->dl.priority = sqlite3_column_int64(st, 7);
	d->dl.pdn_option = (enum t8_pdn_option)sqlite3_column_int(st, 8);
	d->status = (enum t8_delivery_status)sqlite3_column_int(st, 9);
	d->created = (time_t)sqlite3_column_int64(st, 10);
	d->expires = (time_t)sqlite3_column_int64(st, 11);
	d->group = sqlite3_column_int64(st, 12);
	d->retransmit = (time_t)sqlite3_column_int64(st, 13);
	d->dl.rds_port_ue = sqlite3_column_int(st, 14);
	d->dl.rds_port_scef = sqlite3_column_int(st, 15);
}

int store_delivery_get(struct db *db, int64_t config, int64_t id, struct store_delivery *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " DELIVERY_COLUMNS
				       " FROM nidd_delivery WHERE config = ? AND id = ?");
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, config);
	sqlite3_bind_int64(st, 2, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		delivery_row(st, out);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
}

int store_delivery_update(struct db *db, const struct store_delivery *d)
{
	const struct t8_downlink *l = &d->dl;
	int rc =
		db_exec(db,
			"UPDATE nidd_delivery SET data = ?, rds = ?, max_latency = ?, priority = ?,"
			" pdn = ?, status = ?, expires = ?, retransmit = ?, rds_ue = ?, rds_ef = ?"
			" WHERE config = ? AND id = ?",
			"biIIiiIIiiII", l->data, l->data_len, (int)l->reliable_data_service,
			l->maximum_latency, l->priority, (int)l->pdn_option, (int)d->status,
			(int64_t)d->expires, (int64_t)d->retransmit, (int)l->rds_port_ue,
			(int)l->rds_port_scef, d->config, d->id);
	return rc < 0 ? rc : rc == 0 ? -ENOENT : 0;
}

int store_delivery_delete(struct db *db, int64_t config, int64_t id)
{
	int rc = db_exec(db, "DELETE FROM nidd_delivery WHERE config = ? AND id = ?", "II", config,
			 id);
	return rc < 0 ? rc : rc == 0 ? -ENOENT : 0;
}

/* @fn on each row of the bound query @st until it returns non-zero (that value is returned). */
static int each_delivery(sqlite3_stmt *st, store_delivery_fn fn, void *arg)
{
	struct store_delivery d;
	int rc, ret = 0;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		delivery_row(st, &d);
		ret = fn(&d, arg);
	}
	sqlite3_reset(st);
	return ret ? ret : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -EIO;
}

int store_delivery_each(struct db *db, int64_t config, bool pending_only, store_delivery_fn fn,
			void *arg)
{
	sqlite3_stmt *st =
		db_stmt(db, "SELECT " DELIVERY_COLUMNS " FROM nidd_delivery"
			    " WHERE (?1 = 0 OR config = ?1) AND (?2 = 0 OR status IN (?3, ?4, ?5))"
			    " ORDER BY id");
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, config);
	sqlite3_bind_int(st, 2, pending_only);
	sqlite3_bind_int(st, 3, T8_TRIGGERED);
	sqlite3_bind_int(st, 4, T8_BUFFERING);
	sqlite3_bind_int(st, 5, T8_BUFFERING_TEMPORARILY_NOT_REACHABLE);
	return each_delivery(st, fn, arg);
}

int store_delivery_members(struct db *db, int64_t group, store_delivery_fn fn, void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " DELIVERY_COLUMNS " FROM nidd_delivery"
				       " WHERE grp = ? ORDER BY id");
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, group);
	return each_delivery(st, fn, arg);
}

int store_port_put(struct db *db, int64_t config, int ue, int ef, const struct t8_manage_port *p)
{
	int rc = db_exec(db,
			 "INSERT OR REPLACE INTO rds_port (config, ue, ef, app_id, skip, formats,"
			 " configured) VALUES (?,?,?,?,?,?,?)",
			 "Iiitiii", config, ue, ef, p->app_id, (int)p->skip_ue_inquiry,
			 (int)p->formats, (int)p->configured);
	return rc < 0 ? rc : 0;
}

#define PORT_COLUMNS "ue, ef, app_id, skip, formats, configured"

static void port_row(sqlite3_stmt *st, int *ue, int *ef, struct t8_manage_port *p)
{
	memset(p, 0, sizeof(*p));
	*ue = sqlite3_column_int(st, 0);
	*ef = sqlite3_column_int(st, 1);
	copy_text(st, 2, p->app_id, sizeof(p->app_id));
	p->skip_ue_inquiry = sqlite3_column_int(st, 3) != 0;
	p->formats = (unsigned)sqlite3_column_int(st, 4);
	p->configured = (unsigned)sqlite3_column_int(st, 5);
}

int store_port_get(struct db *db, int64_t config, int ue, int ef, struct t8_manage_port *out)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " PORT_COLUMNS
				       " FROM rds_port WHERE config = ? AND ue = ? AND ef = ?");
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, config);
	sqlite3_bind_int(st, 2, ue);
	sqlite3_bind_int(st, 3, ef);
	int rc = sqlite3_step(st), u, f;
	if (rc == SQLITE_ROW)
		port_row(st, &u, &f, out);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : -EIO;
}

int store_port_delete(struct db *db, int64_t config, int ue, int ef)
{
	int rc = db_exec(db, "DELETE FROM rds_port WHERE config = ? AND ue = ? AND ef = ?", "Iii",
			 config, ue, ef);
	return rc < 0 ? rc : rc == 0 ? -ENOENT : 0;
}

int store_port_each(struct db *db, int64_t config, store_port_fn fn, void *arg)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT " PORT_COLUMNS
				       " FROM rds_port WHERE config = ? ORDER BY ue, ef");
	if (!st)
		return -EIO;
	sqlite3_bind_int64(st, 1, config);
	struct t8_manage_port p;
	int rc, ret = 0, ue, ef;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		port_row(st, &ue, &ef, &p);
		ret = fn(ue, ef, &p, arg);
	}
	sqlite3_reset(st);
	return ret ? ret : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -EIO;
}
