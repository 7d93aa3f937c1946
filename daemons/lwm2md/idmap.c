/*
 * idmap — application IDs and external identifiers of endpoints: a list of
 * entries with three hash indexes (endpoint, external identifier,
 * application ID) over the names in force; the CLI's names in SQLite, the
 * file's in memory only.
 */
#define LOG_COMPONENT "idmap"
#include "idmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "idsfile.h"
#include "common/keyidx.h"

struct idmap {
	struct db *db;
	struct idmap_entry *list;
	struct keyidx *by_ep, *by_ext, *by_app;
	char *file; /* the ids file in force, NULL: none */
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

static char *dup_n(const char *s, size_t n)
{
	char *p;

	if (!s)
		return NULL;
	p = strndup(s, n);
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
	m->by_ep = keyidx_new();
	m->by_ext = keyidx_new();
	m->by_app = keyidx_new();
	return m;
}

static void entry_free(struct idmap_entry *e)
{
	free(e->ep);
	free(e->db_app);
	free(e->db_ext);
	free(e->file_app);
	free(e->file_ext);
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
	keyidx_free(m->by_ep);
	keyidx_free(m->by_ext);
	keyidx_free(m->by_app);
	free(m->file);
	free(m);
}

/* Take @e's names in force out of the indexes (before they change). */
static void unindex(struct idmap *m, struct idmap_entry *e)
{
	if (e->app_id)
		keyidx_del(m->by_app, e->app_id, strlen(e->app_id), e);
	if (e->external_id)
		keyidx_del(m->by_ext, e->external_id, strlen(e->external_id), e);
	e->app_id = e->external_id = NULL;
}

/* Work out @e's names in force (the file's first) and index them. */
static void reindex(struct idmap *m, struct idmap_entry *e)
{
	e->app_id = e->file_app ? e->file_app : e->db_app;
	e->external_id = e->file_ext ? e->file_ext : e->db_ext;
	if (e->app_id)
		keyidx_add(m->by_app, e->app_id, strlen(e->app_id), e);
	if (e->external_id)
		keyidx_add(m->by_ext, e->external_id, strlen(e->external_id), e);
}

static struct idmap_entry *entry_of(struct idmap *m, const char *ep, size_t len)
{
	struct idmap_entry *e = keyidx_get(m->by_ep, ep, len);

	if (e)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		abort();
	e->ep = dup_n(ep, len);
	e->next = m->list;
	m->list = e;
	keyidx_add(m->by_ep, e->ep, len, e);
	return e;
}

int idmap_load(struct idmap *m)
{
	sqlite3_stmt *st = db_stmt(m->db, "SELECT ep, app_id, external_id FROM endpoint_ids");
	int rc, n = 0;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ep = (const char *)sqlite3_column_text(st, 0);
		struct idmap_entry *e;

		if (!ep || !*ep)
			continue;
		e = entry_of(m, ep, strlen(ep));
		unindex(m, e);
		free(e->db_app);
		free(e->db_ext);
		e->db_app = dup_or_null((const char *)sqlite3_column_text(st, 1));
		e->db_ext = dup_or_null((const char *)sqlite3_column_text(st, 2));
		reindex(m, e);
		n++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? n : -EIO;
}

const struct idmap_entry *idmap_find_ep(const struct idmap *m, const char *ep)
{
	return keyidx_get(m->by_ep, ep, strlen(ep));
}

const char *idmap_ep_of_external(const struct idmap *m, const char *id)
{
	const struct idmap_entry *e = keyidx_get(m->by_ext, id, strlen(id));

	return e ? e->ep : NULL;
}

int idmap_ep_of_app(const struct idmap *m, const char *app_id,
		    bool (*keep)(const char *ep, void *arg), void *arg, const char **ep)
{
	struct keyidx_iter it;
	int n = 0;

	for (const struct idmap_entry *e = keyidx_first(m->by_app, app_id, strlen(app_id), &it); e;
	     e = keyidx_next(&it))
		if (!keep || keep(e->ep, arg)) {
			*ep = e->ep;
			n++;
		}
	return n == 0 ? -ENOENT : n > 1 ? -E2BIG : 0;
}

const char *idmap_file(const struct idmap *m)
{
	return m->file;
}

int idmap_set(struct idmap *m, const char *ep, const char *app_id, const char *external_id)
{
	struct idmap_entry *e = (struct idmap_entry *)idmap_find_ep(m, ep);
	const char *other;
	char *app, *ext;
	int rc;

	if (!*ep || strlen(ep) > 255 || (app_id && strlen(app_id) > 255) ||
	    (external_id && strlen(external_id) > 255))
		return -EINVAL;
	if (e && ((app_id && e->file_app) || (external_id && e->file_ext)))
		return -EPERM;
	other = external_id && *external_id ? idmap_ep_of_external(m, external_id) : NULL;
	if (other && strcmp(other, ep) != 0)
		return -EEXIST;
	app = app_id ? dup_or_null(app_id) : dup_or_null(e ? e->db_app : NULL);
	ext = external_id ? dup_or_null(external_id) : dup_or_null(e ? e->db_ext : NULL);
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
	e = entry_of(m, ep, strlen(ep));
	unindex(m, e);
	free(e->db_app);
	free(e->db_ext);
	e->db_app = app;
	e->db_ext = ext;
	reindex(m, e);
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

/* The file's entries while it is checked, before they are put in force. */
struct staged {
	struct staged_entry {
		char *ep, *app, *ext;
		unsigned line;
	} * v;
	size_t n, cap;
	struct keyidx *by_ep, *by_ext;
};

static int stage(void *arg, const struct idsfile_entry *f)
{
	struct staged *s = arg;
	struct staged_entry *e;

	if (keyidx_get(s->by_ep, f->ep, f->ep_len))
		return -EEXIST;
	if (f->external_id && keyidx_get(s->by_ext, f->external_id, f->ext_len))
		return -EADDRINUSE;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			abort();
	}
	e = &s->v[s->n];
	e->ep = dup_n(f->ep, f->ep_len);
	e->app = dup_n(f->app_id, f->app_len);
	e->ext = dup_n(f->external_id, f->ext_len);
	e->line = f->line;
	/* values are 1-based positions in s->v, which moves as it grows */
	keyidx_add(s->by_ep, e->ep, f->ep_len, (void *)(uintptr_t)(s->n + 1));
	if (e->ext)
		keyidx_add(s->by_ext, e->ext, f->ext_len, (void *)(uintptr_t)(s->n + 1));
	s->n++;
	return 0;
}

static void staged_fini(struct staged *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].ep);
		free(s->v[i].app);
		free(s->v[i].ext);
	}
	free(s->v);
	keyidx_free(s->by_ep);
	keyidx_free(s->by_ext);
}

/* Read all of @path into a NUL-terminated buffer: 0 or a negative errno. */
static int slurp(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	char *buf;
	size_t n;

	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) < 0 || st.st_size < 0 || (size_t)st.st_size > IDMAP_FILE_MAX) {
		fclose(f);
		return -EFBIG;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		abort();
	n = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return -EIO;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* An external identifier of the file that an endpoint outside it already has from the CLI. */
static const struct idmap_entry *clash(const struct idmap *m, const struct staged *s, size_t *which)
{
	for (const struct idmap_entry *e = m->list; e; e = e->next) {
		size_t i, own;

		if (!e->db_ext)
			continue;
		i = (size_t)(uintptr_t)keyidx_get(s->by_ext, e->db_ext, strlen(e->db_ext));
		if (!i || strcmp(s->v[i - 1].ep, e->ep) == 0)
			continue;
		/* e keeps its CLI name unless the file gives it another */
		own = (size_t)(uintptr_t)keyidx_get(s->by_ep, e->ep, strlen(e->ep));

		if (own && s->v[own - 1].ext)
			continue;
		*which = i - 1;
		return e;
	}
	return NULL;
}

int idmap_load_file(struct idmap *m, const char *path, char *why, size_t size)
{
	struct staged s = { .by_ep = keyidx_new(), .by_ext = keyidx_new() };
	const struct idmap_entry *other;
	char *text = NULL;
	size_t len = 0, which;
	unsigned line = 0;
	int rc = 0;

	if (size)
		why[0] = '\0';
	if (path && *path) {
		rc = slurp(path, &text, &len);
		if (rc < 0) {
			snprintf(why, size, "%s: %s", path, strerror(-rc));
			staged_fini(&s);
			return rc;
		}
		rc = idsfile_parse(text, len, stage, &s, why, size, &line);
		free(text);
		if (rc == -EEXIST)
			snprintf(why, size, "%s:%u: this endpoint has a line already", path, line);
		else if (rc == -EADDRINUSE)
			snprintf(why, size, "%s:%u: this external_id is on another line already",
				 path, line);
		else if (rc < 0) {
			char msg[256];

			snprintf(msg, sizeof(msg), "%s", why);
			snprintf(why, size, "%s:%u: %s", path, line, msg);
		}
		if (rc < 0) {
			staged_fini(&s);
			return -EINVAL;
		}
		other = clash(m, &s, &which);
		if (other) {
			snprintf(why, size, "%s:%u: external_id '%s' belongs to %s (set-ids)", path,
				 s.v[which].line, s.v[which].ext, other->ep);
			staged_fini(&s);
			return -EINVAL;
		}
	}
	/* checked: put it in force */
	for (struct idmap_entry *e = m->list; e; e = e->next)
		if (e->file_line) {
			unindex(m, e);
			free(e->file_app);
			free(e->file_ext);
			e->file_app = e->file_ext = NULL;
			e->file_line = 0;
			reindex(m, e);
		}
	for (size_t i = 0; i < s.n; i++) {
		struct idmap_entry *e = entry_of(m, s.v[i].ep, strlen(s.v[i].ep));

		unindex(m, e);
		e->file_app = s.v[i].app;
		e->file_ext = s.v[i].ext;
		s.v[i].app = s.v[i].ext = NULL;
		e->file_line = s.v[i].line;
		reindex(m, e);
	}
	free(m->file);
	m->file = path && *path ? dup_or_null(path) : NULL;
	rc = (int)s.n;
	staged_fini(&s);
	return rc;
}
