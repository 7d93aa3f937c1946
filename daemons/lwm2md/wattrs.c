/*
 * wattrs — Write-Attributes a client accepted (see wattrs.h).
 */
#include "wattrs.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * @old with the items of @new ("pmin=10&pmax=60") in @out: attributes add
 * up (TS Core §5.1.2), a name given again takes its new value.
 */
static void merge(const char *old, const char *new, char *out, size_t size)
{
	char copy[WATTRS_MAX], *save = NULL;
	size_t o = 0;

	snprintf(copy, sizeof(copy), "%s", old);
	out[0] = '\0';
	for (char *item = strtok_r(copy, "&", &save); item; item = strtok_r(NULL, "&", &save)) {
		size_t name = strcspn(item, "=");
		const char *p = new;
		bool given = false;

		/* is "name=" one of @new's items? */
		while (*p && !given) {
			given = strncmp(p, item, name) == 0 && p[name] == '=';
			p += strcspn(p, "&");
			p += *p == '&';
		}
		if (!given)
			o += (size_t)snprintf(out + o, o < size ? size - o : 0, "%s%s",
					      o ? "&" : "", item);
	}
	snprintf(out + (o < size ? o : size - 1), o < size ? size - o : 1, "%s%s", o ? "&" : "",
		 new);
}

bool wattrs_get(struct db *db, const char *ep, const char *path, char *out, size_t size)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT query FROM write_attrs WHERE ep = ? AND path = ?");
	bool found = false;

	out[0] = '\0';
	if (!st)
		return false;
	sqlite3_bind_text(st, 1, ep, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
		found = true;
	}
	sqlite3_reset(st);
	return found;
}

int wattrs_written(struct db *db, const char *ep, const char *path, const char *query,
		   char *merged, size_t size)
{
	char old[WATTRS_MAX];

	wattrs_get(db, ep, path, old, sizeof(old));
	merge(old, query, merged, size);
	db_batch(db);
	return db_exec(db,
		       "INSERT INTO write_attrs (ep, path, query) VALUES (?, ?, ?) "
		       "ON CONFLICT (ep, path) DO UPDATE SET query = excluded.query",
		       "ttt", ep, path, merged) < 0
		       ? -EIO
		       : 0;
}

json_t *wattrs_json(const char *query)
{
	json_t *a = json_object();
	char copy[WATTRS_MAX], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", query);
	for (char *item = strtok_r(copy, "&", &save); item; item = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(item, '='), *end;
		double v;

		if (!eq)
			continue;
		*eq = '\0';
		v = strtod(eq + 1, &end);
		json_object_set_new(a, item,
				    *end || end == eq + 1        ? json_string(eq + 1)
				    : v == (double)(json_int_t)v ? json_integer((json_int_t)v)
								 : json_real(v));
	}
	return a;
}
