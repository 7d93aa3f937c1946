/*
 * idsfile — parser of the endpoint ID mapping file.
 */
#include "idsfile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* [*s, *s + *n) without blanks at both ends */
static void trim(const char **s, size_t *n)
{
	while (*n && blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && blank((*s)[*n - 1]))
		(*n)--;
}

/* "@pre@what@post", @what (@n bytes) cut at 64 */
static int bad(char *why, size_t size, const char *pre, const char *what, size_t n,
	       const char *post)
{
	snprintf(why, size, "%s%.*s%s", pre, (int)(n > 64 ? 64 : n), what, post);
	return -EINVAL;
}

static int fail(char *why, size_t size, const char *msg)
{
	snprintf(why, size, "%s", msg);
	return -EINVAL;
}

/* "app_id=x, external_id=y" into @e */
static int items(const char *s, size_t n, struct idsfile_entry *e, char *why, size_t size)
{
	while (n) {
		const char *comma = memchr(s, ',', n);
		size_t item = comma ? (size_t)(comma - s) : n;
		const char *name = s, *eq = memchr(s, '=', item), *value;
		size_t name_len, value_len;

		if (!eq) {
			trim(&name, &item);
			return bad(why, size, "'", name, item, "' is not name=value");
		}
		name_len = (size_t)(eq - s);
		value = eq + 1;
		value_len = item - name_len - 1;
		trim(&name, &name_len);
		trim(&value, &value_len);
		if (!value_len || value_len > IDSFILE_NAME_MAX || memchr(value, '=', value_len))
			return bad(why, size, "", name, name_len,
				   ": the value must be 1 to 255 bytes, without '='");
		if (name_len == 6 && memcmp(name, "app_id", 6) == 0) {
			if (e->app_id)
				return bad(why, size, "", name, name_len, " given twice");
			e->app_id = value;
			e->app_len = value_len;
		} else if (name_len == 11 && memcmp(name, "external_id", 11) == 0) {
			if (e->external_id)
				return bad(why, size, "", name, name_len, " given twice");
			e->external_id = value;
			e->ext_len = value_len;
		} else {
			return bad(why, size, "'", name, name_len,
				   "' is not app_id or external_id");
		}
		s += item + (comma ? 1 : 0);
		n -= item + (comma ? 1 : 0);
		if (comma && !n)
			return fail(why, size, "a ',' with nothing after it");
	}
	return 0;
}

int idsfile_parse(const char *text, size_t len, idsfile_cb cb, void *arg, char *why, size_t size,
		  unsigned *line)
{
	const char *p = text, *end = text + len;

	*line = 0;
	if (size)
		why[0] = '\0';
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *s = p, *eq;
		struct idsfile_entry e = { 0 };
		int rc;

		++*line;
		p += n + (nl ? 1 : 0);
		trim(&s, &n);
		if (!n || s[0] == '#' || s[0] == ';')
			continue;
		if (memchr(s, '\0', n))
			return fail(why, size, "a NUL byte");
		eq = memchr(s, '=', n);
		if (!eq)
			return bad(why, size, "'", s, n, "' is not EP = app_id=…, external_id=…");
		e.ep = s;
		e.ep_len = (size_t)(eq - s);
		trim(&e.ep, &e.ep_len);
		if (!e.ep_len || e.ep_len > IDSFILE_NAME_MAX)
			return fail(why, size, "the endpoint name must be 1 to 255 bytes");
		rc = items(eq + 1, n - (size_t)(eq + 1 - s), &e, why, size);
		if (rc < 0)
			return rc;
		if (!e.app_id && !e.external_id)
			return bad(why, size, "", e.ep, e.ep_len,
				   ": give app_id= and/or external_id=");
		e.line = *line;
		rc = cb(arg, &e);
		if (rc < 0)
			return rc;
	}
	return 0;
}
