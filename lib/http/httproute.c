#include "http/httproute.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct seg {
	const char *s;
	size_t len;
};

/* Split "/a/b/c" into its segments; an empty path ("/") has none. */
static int split(const char *path, struct seg *out, size_t *n)
{
	*n = 0;
	if (path[0] != '/')
		return -ENOENT;
	const char *p = path + 1;
	if (!*p)
		return 0;
	for (;;) {
		const char *e = strchr(p, '/');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (*n >= HTTPROUTE_MAX_SEGMENTS)
			return -EMSGSIZE;
		out[(*n)++] = (struct seg){ p, len };
		if (!e)
			return 0;
		p = e + 1;
	}
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Append segment @g, percent-decoded, to @out (holding *@n bytes). */
static int decode(struct seg g, char *out, size_t *n)
{
	if (g.len == 0)
		return -ENOENT; /* "//" or a trailing '/' names nothing */
	for (size_t i = 0; i < g.len; i++) {
		char c = g.s[i];
		if (c == '%') {
			if (i + 2 >= g.len)
				return -EBADMSG;
			int hi = hex(g.s[i + 1]), lo = hex(g.s[i + 2]);
			if (hi < 0 || lo < 0)
				return -EBADMSG;
			c = (char)(hi << 4 | lo);
			if (c == '/' || c == '\0')
				return -EBADMSG;
			i += 2;
		}
		if (*n + 1 >= HTTPROUTE_MAX_VALUE)
			return -EMSGSIZE;
		out[(*n)++] = c;
	}
	out[*n] = '\0';
	return 0;
}

/* Well-formed UTF-8 without control characters (RFC 3629 §4), as JSON strings need. */
static bool text_ok(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n = c < 0x80             ? 1
			   : (c & 0xe0) == 0xc0 ? 2
			   : (c & 0xf0) == 0xe0 ? 3
			   : (c & 0xf8) == 0xf0 ? 4
						: 0;
		if (n == 0 || i + n > len || c < 0x20 || c == 0x7f || c == 0xc0 || c == 0xc1 ||
		    c > 0xf4)
			return false;
		uint32_t cp = n == 1 ? c : c & (0x7f >> n);
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
		if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n;
	}
	return true;
}

static int capture(struct httproute_match *m, const struct seg *pat, const struct seg *segs,
		   size_t n)
{
	if (m->n >= HTTPROUTE_MAX_CAPTURES || pat->len - 2 >= sizeof(m->cap[0].name))
		return -EMSGSIZE;
	size_t nlen = pat->len - 2 - (pat->s[pat->len - 2] == '*');
	memcpy(m->cap[m->n].name, pat->s + 1, nlen);
	m->cap[m->n].name[nlen] = '\0';
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		if (i) {
			if (len + 1 >= HTTPROUTE_MAX_VALUE)
				return -EMSGSIZE;
			m->cap[m->n].value[len++] = '/';
		}
		int rc = decode(segs[i], m->cap[m->n].value, &len);
		if (rc)
			return rc;
	}
	if (!text_ok((const unsigned char *)m->cap[m->n].value, len))
		return -EBADMSG;
	m->n++;
	return 0;
}

static bool is_capture(struct seg p)
{
	return p.len >= 3 && p.s[0] == '{' && p.s[p.len - 1] == '}';
}

int httproute_match(const char *pattern, const char *path, struct httproute_match *m)
{
	struct seg ps[HTTPROUTE_MAX_SEGMENTS], ss[HTTPROUTE_MAX_SEGMENTS];
	size_t np, ns;
	memset(m, 0, sizeof(*m));
	if (split(pattern, ps, &np) || (strlen(path) > 1 && path[strlen(path) - 1] == '/'))
		return -ENOENT;
	int rc = split(path, ss, &ns);
	if (rc)
		return rc;
	size_t i = 0, j = 0;
	for (; i < np; i++) {
		if (!is_capture(ps[i])) {
			if (j >= ns || ss[j].len != ps[i].len ||
			    memcmp(ss[j].s, ps[i].s, ps[i].len))
				return -ENOENT;
			j++;
			continue;
		}
		size_t take = 1;
		if (ps[i].s[ps[i].len - 2] == '*') {
			size_t after = np - i - 1;
			if (ns < j + 1 + after)
				return -ENOENT;
			take = ns - j - after;
		}
		if (j + take > ns)
			return -ENOENT;
		if ((rc = capture(m, &ps[i], ss + j, take)))
			return rc;
		j += take;
	}
	return j == ns ? 0 : -ENOENT;
}

const char *httproute_get(const struct httproute_match *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->cap[i].name, name) == 0)
			return m->cap[i].value;
	return NULL;
}

size_t httproute_literals(const char *pattern)
{
	struct seg ps[HTTPROUTE_MAX_SEGMENTS];
	size_t np, n = 0;
	if (split(pattern, ps, &np))
		return 0;
	for (size_t i = 0; i < np; i++)
		n += !is_capture(ps[i]);
	return n;
}
