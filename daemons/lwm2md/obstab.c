/*
 * obstab — observe's table of observations (see obstab.h).
 */
#define LOG_COMPONENT "observe"
#include "obstab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/keyidx.h"
#include "common/log.h"
#include "wattrs.h"

struct obs *obstab_find_token(const struct observe *ob, const uint8_t *token, size_t len)
{
	if (len != OBSERVE_TOKEN_LEN)
		return NULL;
	return keyidx_get(ob->by_token, (const char *)token, len);
}

/* What an observation goes by: its path, or its paths. */
const char *obstab_name(const struct obs *o)
{
	return o->cname ? o->cname : o->path_s;
}

struct obs *obstab_find_path(const struct observe *ob, const char *ep,
			     const struct lwm2m_path *path)
{
	struct keyidx_iter it;

	for (struct obs *o = keyidx_first(ob->by_ep, ep, strlen(ep), &it); o; o = keyidx_next(&it))
		if (!o->cname && lwm2m_path_equal(&o->path, path))
			return o;
	return NULL;
}

struct obs *obstab_find_name(const struct observe *ob, const char *ep, const char *name)
{
	struct keyidx_iter it;

	for (struct obs *o = keyidx_first(ob->by_ep, ep, strlen(ep), &it); o; o = keyidx_next(&it))
		if (strcmp(obstab_name(o), name) == 0)
			return o;
	return NULL;
}

/*
 * "/3/0/9,/1/0/1" (or space-separated) into @paths (at most @max), and its
 * canonical form into @name.  Returns the number, or -EINVAL.
 */
int obstab_parse_paths(const char *list, struct lwm2m_path *paths, unsigned max, char *name,
		       size_t size)
{
	char copy[OBSERVE_NAME_MAX], *save = NULL;
	size_t o = 0;
	int n = 0;

	snprintf(copy, sizeof(copy), "%s", list);
	name[0] = '\0';
	for (char *w = strtok_r(copy, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
		char ps[LWM2M_PATH_STR_MAX];

		if ((unsigned)n == max || lwm2m_path_parse(w, strlen(w), &paths[n]) < 0 ||
		    paths[n].len == 0)
			return -EINVAL;
		lwm2m_path_format(&paths[n++], ps, sizeof(ps));
		o += (size_t)snprintf(name + o, o < size ? size - o : 0, "%s%s", o ? "," : "", ps);
	}
	return n && o < size ? n : -EINVAL;
}

/* Make @o the observation of @n paths named @name (Observe-Composite). */
void obstab_set_composite(struct obs *o, const struct lwm2m_path *paths, unsigned n,
			  const char *name)
{
	o->cpaths = calloc(n, sizeof(*paths));
	o->cname = strdup(name);
	if (!o->cpaths || !o->cname)
		abort();
	memcpy(o->cpaths, paths, n * sizeof(*paths));
	o->ncpaths = n;
}

/* Whether a value at @p belongs to @o: a resource under its path or one of its paths. */
bool obstab_covers(const struct obs *o, const struct lwm2m_path *p)
{
	if (p->len < LWM2M_PATH_RESOURCE)
		return false;
	if (!o->cname)
		return lwm2m_path_is_prefix(&o->path, p);
	for (unsigned i = 0; i < o->ncpaths; i++)
		if (lwm2m_path_is_prefix(&o->cpaths[i], p))
			return true;
	return false;
}

struct obs *obstab_add(struct observe *ob, const uint8_t *token, const char *ep,
		       const struct lwm2m_path *path, int accept, int64_t created)
{
	struct obs *o = calloc(1, sizeof(*o));

	if (!o || !(o->ep = strdup(ep)))
		abort();
	memcpy(o->token, token, OBSERVE_TOKEN_LEN);
	o->path = *path;
	lwm2m_path_format(path, o->path_s, sizeof(o->path_s));
	o->accept = accept;
	o->created = created;
	o->prev = ob->tail;
	if (ob->tail)
		ob->tail->next = o;
	else
		ob->head = o;
	ob->tail = o;
	keyidx_add(ob->by_token, (const char *)o->token, OBSERVE_TOKEN_LEN, o);
	keyidx_add(ob->by_ep, o->ep, strlen(o->ep), o);
	ob->st.observations++;
	return o;
}

/* Forget @o, in the database too when it was stored there. */
void obstab_del(struct observe *ob, struct obs *o)
{
	if (o->stored) {
		db_batch(ob->cfg.db);
		if (db_exec(ob->cfg.db, "DELETE FROM observations WHERE token = ?", "b", o->token,
			    (size_t)OBSERVE_TOKEN_LEN) < 0)
			ob->st.db_errors++;
	}
	notifyblk_release(ob->blocks, o->token, OBSERVE_TOKEN_LEN);
	keyidx_del(ob->by_token, (const char *)o->token, OBSERVE_TOKEN_LEN, o);
	keyidx_del(ob->by_ep, o->ep, strlen(o->ep), o);
	if (o->prev)
		o->prev->next = o->next;
	else
		ob->head = o->next;
	if (o->next)
		o->next->prev = o->prev;
	else
		ob->tail = o->prev;
	ob->st.observations--;
	free(o->cpaths);
	free(o->cname);
	free(o->attrs);
	free(o->ep);
	free(o);
}

/*
 * A fresh token: the process's 4 random bytes, then 4 counting ones
 * (RFC 9175 §4.2 asks for tokens an off-path attacker cannot guess; the
 * counter keeps them unique while the process lives, and the lookup
 * below skips any an older process left in the table).
 */
void obstab_new_token(struct observe *ob, uint8_t token[OBSERVE_TOKEN_LEN])
{
	do {
		uint32_t n = ob->counter++;

		memcpy(token, &ob->prefix, 4);
		token[4] = (uint8_t)(n >> 24);
		token[5] = (uint8_t)(n >> 16);
		token[6] = (uint8_t)(n >> 8);
		token[7] = (uint8_t)n;
	} while (obstab_find_token(ob, token, OBSERVE_TOKEN_LEN));
}

void obstab_set_attrs(struct obs *o, const char *query)
{
	free(o->attrs);
	o->attrs = query && *query ? strdup(query) : NULL;
	if (query && *query && !o->attrs)
		abort();
}

/* The attributes stored for @o's path, if any. */
void obstab_attrs_of(struct observe *ob, struct obs *o)
{
	char query[WATTRS_MAX];

	if (wattrs_get(ob->cfg.db, o->ep, obstab_name(o), query, sizeof(query)))
		obstab_set_attrs(o, query);
}

void obstab_load(struct observe *ob)
{
	sqlite3_stmt *st =
		db_stmt(ob->cfg.db, "SELECT token, ep, path, accept, created, cancelling "
				    "FROM observations");
	int rc, n = 0;

	if (!st)
		return;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const void *token = sqlite3_column_blob(st, 0);
		const char *ep = (const char *)sqlite3_column_text(st, 1);
		const char *path = (const char *)sqlite3_column_text(st, 2);
		struct lwm2m_path p = { .len = 0 }, many[OBSERVE_PATHS_MAX];
		char name[OBSERVE_NAME_MAX];
		int npaths = 0;
		struct obs *o;

		/* one path, or an Observe-Composite's list */
		if (sqlite3_column_bytes(st, 0) != OBSERVE_TOKEN_LEN || !ep || !path ||
		    (lwm2m_path_parse(path, strlen(path), &p) < 0 &&
		     (npaths = obstab_parse_paths(path, many, OBSERVE_PATHS_MAX, name,
						  sizeof(name))) < 0)) {
			log_warnx("observations: a malformed row skipped");
			continue;
		}
		o = obstab_add(ob, token, ep, &p, sqlite3_column_int(st, 3),
			       sqlite3_column_int64(st, 4));
		if (npaths > 0)
			obstab_set_composite(o, many, (unsigned)npaths, name);
		o->stored = true;
		o->cancelling = sqlite3_column_int(st, 5) != 0;
		obstab_attrs_of(ob, o);
		n++;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		log_warnx("observations: not all read (%s)", sqlite3_errmsg(db_handle(ob->cfg.db)));
	if (n)
		log_info("observations loaded count=%d", n);
}
