/*
 * lastval — the last known values of resources (see lastval.h).
 */
#include "lastval.h"

#include <stdlib.h>
#include <string.h>

#include "clients.h"
#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_render.h"

void lastval_list(struct db *db, struct ipc_call *call, const char *ep,
		  const struct lwm2m_path *path)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT path, value, time, source FROM "
					       "last_values WHERE ep = ? ORDER BY path");
	int rc;

	if (!st) {
		ipc_call_fail(call, IPC_ERR_INTERNAL, "last_values cannot be read");
		return;
	}
	sqlite3_bind_text(st, 1, ep, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ps = (const char *)sqlite3_column_text(st, 0);
		const char *text = (const char *)sqlite3_column_text(st, 1);
		struct lwm2m_path p;
		json_t *v;

		if (!ps || !text || lwm2m_path_parse(ps, strlen(ps), &p) < 0)
			continue;
		if (path && !lwm2m_path_is_prefix(path, &p))
			continue;
		v = json_loads(text, JSON_DECODE_ANY, NULL);
		if (ipc_call_record(
			    call, json_pack("{s:s, s:s, s:o, s:o, s:s}", "endpoint", ep, "path", ps,
					    "value", v ? v : json_null(), "time",
					    clients_iso_time(sqlite3_column_int64(st, 2)), "source",
					    (const char *)sqlite3_column_text(st, 3))) < 0)
			break;
	}
	sqlite3_reset(st);
	ipc_call_reply(call, json_array());
}

json_t *lastval_store(struct db *db, const struct lwm2m_registry *reg, const char *ep,
		      const struct lwm2m_doc *doc, const char *source, unsigned long *db_errors)
{
	struct lwm2m_buf out;
	int64_t now = clients_now_ms();
	json_t *all, *values = NULL, *v;
	const char *key;

	lwm2m_buf_init(&out);
	all = lwm2m_render_doc(doc, reg, 0, &out) == 0
		      ? json_loadb((const char *)out.data, out.len, 0, NULL)
		      : NULL;
	lwm2m_buf_fini(&out);
	if (!all)
		return NULL;
	values = json_object();
	db_batch(db);
	json_object_foreach (all, key, v) {
		char *text;

		if (key[0] != '/')
			continue; /* "base": metadata */
		json_object_set(values, key, v);
		text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!text)
			abort();
		if (db_exec(db,
			    "INSERT INTO last_values (ep, path, value, time, source) "
			    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (ep, path) DO UPDATE SET "
			    "value = excluded.value, time = excluded.time, source = "
			    "excluded.source",
			    "tttIt", ep, key, text, now, source) < 0)
			(*db_errors)++;
		free(text);
	}
	json_decref(all);
	return values;
}
