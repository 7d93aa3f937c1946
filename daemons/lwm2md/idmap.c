/*
 * idmap — application IDs and external identifiers of endpoints: a list in
 * memory (a gateway labels tens to thousands of endpoints), a table in SQLite.
 */
#define LOG_COMPONENT "idmap"
#include "idmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

struct idmap {
	struct db *db;
	struct idmap_entry *list;
};

static char *dup_or_null(const char *s)
{
	char *p;

	if (!s || !*s)
		return NULL;
	p = strdup(s);
	if (!p)
		abort();
	return p;
}

struct idmap *idmap_new(struct db *db)
{
	struct idmap *m = calloc(1, sizeof(*m));

	if (!m)
		abort();
	m->db = db;
	return m;
}

static void entry_free(struct idmap_entry *e)
{
	free(e->ep);
	free(e->app_id);
	free(e->external_id);
	free(e);
}

void idmap_free(struct idmap *m)
{
	if (!m)
		return;
	while (m->list) {
		struct idmap_entry *e = m->list;

		m->list = e->next;
		entry_free(e);
	}
	free(m);
}

int idmap_load(struct idmap *m)
{
	sqlite3_stmt *st = db_stmt(m->db, "SELECT ep, app_id, external_id FROM endpoint_ids");
	int rc, n = 0;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct idmap_entry *e = calloc(1, sizeof(*e));

		if (!e)
			abort();
		e->ep = dup_or_null((const char *)sqlite3_column_text(st, 0));
		e->app_id = dup_or_null((const char *)sqlite3_column_text(st, 1));
		e->external_id = dup_or_null((const char *)sqlite3_column_text(st, 2));
		if (!e->ep) {
			entry_free(e);
			continue;
		}
		e->next = m->list;
		m->list = e;
		n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : -EIO;
}

const struct idmap_entry *idmap_find_ep(const struct idmap *m, const char *ep)
{
	for (const struct idmap_entry *e = m->list; e; e = e->next)
		if (strcmp(e->ep, ep) == 0)
			return e;
	return NULL;
}

const char *idmap_ep_of_external(const struct idmap *m, const char *id)
{
	for (const struct idmap_entry *e = m->list; e; e = e->next)
		if (e->external_id && strcmp(e->external_id, id) == 0)
			return e->ep;
	return NULL;
}

int idmap_ep_of_app(const struct idmap *m, const char *app_id,
		    bool (*keep)(const char *ep, void *arg), void *arg, const char **ep)
{
	int n = 0;

	for (const struct idmap_entry *e = m->list; e; e = e->next)
		if (e->app_id && strcmp(e->app_id, app_id) == 0 && (!keep || keep(e->ep, arg))) {
			*ep = e->ep;
			n++;
		}
	return n == 0 ? -ENOENT : n > 1 ? -E2BIG : 0;
}

int idmap_set(struct idmap *m, const char *ep, const char *app_id, const char *external_id)
{
	struct idmap_entry *e = (struct idmap_entry *)idmap_find_ep(m, ep);
	const char *other;
	char *app, *ext;
	int rc;

	if (strlen(ep) > 255 || (app_id && strlen(app_id) > 255) ||
	    (external_id && strlen(external_id) > 255))
		return -EINVAL;
	other = external_id && *external_id ? idmap_ep_of_external(m, external_id) : NULL;
	if (other && strcmp(other, ep) != 0)
		return -EEXIST;
	app = app_id ? dup_or_null(app_id) : dup_or_null(e ? e->app_id : NULL);
	ext = external_id ? dup_or_null(external_id) : dup_or_null(e ? e->external_id : NULL);
	db_batch(m->db);
	rc = db_exec(
		m->db,
		"INSERT OR REPLACE INTO endpoint_ids (ep, app_id, external_id) VALUES (?, ?, ?)",
		"ttt", ep, app, ext);
	if (rc < 0 || db_commit(m->db) < 0) {
		free(app);
		free(ext);
		return rc == -EEXIST ? -EEXIST : -EIO;
	}
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			abort();
		e->ep = dup_or_null(ep);
		e->next = m->list;
		m->list = e;
	}
	free(e->app_id);
	free(e->external_id);
	e->app_id = app;
	e->external_id = ext;
	return 0;
}

void idmap_annotate(const struct idmap *m, const char *ep, json_t *o)
{
	const struct idmap_entry *e = idmap_find_ep(m, ep);

	if (e && e->app_id)
		json_object_set_new(o, "app_id", json_string(e->app_id));
	if (e && e->external_id)
		json_object_set_new(o, "external_id", json_string(e->external_id));
}
