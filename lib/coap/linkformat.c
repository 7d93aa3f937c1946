/*
 * CoRE Link Format: a two-pass parser (count, then fill one allocation),
 * an snprintf-like serialiser and RFC 3986 reference resolution.
 */
#include "coap/linkformat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Where the parser puts what it finds.  In the counting pass links is NULL
 * and only the counters move; in the filling pass the arrays and the arena
 * were sized by the counting pass over the same input, so they cannot
 * overflow.
 */
struct fill {
	struct linkformat_link *links;
	struct linkformat_attr *attrs;
	char *arena;
	size_t nlinks, nattrs, arena_used;
};

static bool is_ws(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alnum(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 8288 token characters; "*" for ext-name-star (title*). */
static bool is_parmchar(uint8_t c)
{
	return is_alnum(c) || (c && strchr("!#$&+-.^_`|~*", c));
}

/* RFC 6690 ptokenchar. */
static bool is_ptokenchar(uint8_t c)
{
	return is_alnum(c) || (c && strchr("!#$%&'()*+-./:<=>?@[]^_`{|}~", c));
}

/* A URI-Reference has no white space, controls, quotes or angle brackets. */
static bool is_targetchar(uint8_t c)
{
	return c > 0x20 && c != 0x7f && c != '<' && c != '>' && c != '"';
}

/* qdtext: any octet but controls (HTAB allowed), '"' and '\'. */
static bool is_qdtext(uint8_t c)
{
	return (c >= 0x20 || c == '\t') && c != 0x7f && c != '"' && c != '\\';
}

static void skip_ws(const uint8_t *p, size_t len, size_t *i)
{
	while (*i < len && is_ws(p[*i]))
		(*i)++;
}

/* Copy @n bytes (unescaping quoted-pairs when @unescape) into the arena. */
static const char *put(struct fill *f, const uint8_t *s, size_t n, bool unescape)
{
	char *dst = f->arena ? f->arena + f->arena_used : NULL;
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		if (unescape && s[i] == '\\')
			i++; /* the scanner guarantees a character follows */
		if (dst)
			dst[out] = (char)s[i];
		out++;
	}
	if (dst)
		dst[out] = '\0';
	f->arena_used += out + 1;
	return dst;
}

static void add_link(struct fill *f, const uint8_t *target, size_t n)
{
	const char *t = put(f, target, n, false);

	if (f->links) {
		struct linkformat_link *l = &f->links[f->nlinks];

		l->target = t;
		l->attrs = &f->attrs[f->nattrs];
		l->attr_count = 0;
	}
	f->nlinks++;
}

static void add_attr(struct fill *f, const uint8_t *name, size_t name_len, const uint8_t *value,
		     size_t value_len, bool quoted)
{
	const char *n = put(f, name, name_len, false);
	const char *v = value ? put(f, value, value_len, quoted) : NULL;

	if (f->links) {
		struct linkformat_attr *a = &f->attrs[f->nattrs];

		a->name = n;
		a->value = v;
		a->quoted = quoted;
		f->links[f->nlinks - 1].attr_count++;
	}
	f->nattrs++;
}

/* One link-param after its ";": name [ "=" value ]. */
static int scan_param(const uint8_t *p, size_t len, size_t *i, struct fill *f)
{
	size_t name = *i, value = 0, value_len = 0, name_len;
	bool has_value = false, quoted = false;

	while (*i < len && is_parmchar(p[*i]))
		(*i)++;
	name_len = *i - name;
	if (name_len == 0)
		return LINKFORMAT_E_PARAM;
	if (*i < len && p[*i] == '=') {
		(*i)++;
		has_value = true;
		if (*i < len && p[*i] == '"') {
			quoted = true;
			value = ++(*i);
			for (;;) {
				if (*i >= len)
					return LINKFORMAT_E_VALUE;
				if (p[*i] == '"')
					break;
				if (p[*i] == '\\') {
					if (*i + 1 >= len || p[*i + 1] == 0x7f ||
					    (p[*i + 1] < 0x20 && p[*i + 1] != '\t')) {
						(*i)++;
						return LINKFORMAT_E_VALUE;
					}
					*i += 2;
					continue;
				}
				if (!is_qdtext(p[*i]))
					return LINKFORMAT_E_VALUE;
				(*i)++;
			}
			value_len = *i - value;
			(*i)++; /* the closing quote */
		} else {
			value = *i;
			while (*i < len && is_ptokenchar(p[*i]))
				(*i)++;
			value_len = *i - value;
			if (value_len == 0)
				return LINKFORMAT_E_VALUE;
		}
	}
	add_attr(f, p + name, name_len, has_value ? p + value : NULL, value_len, quoted);
	return 0;
}

static int scan(const uint8_t *p, size_t len, struct fill *f, size_t *where)
{
	size_t i = 0;
	int rc;

	skip_ws(p, len, &i);
	if (i == len)
		return 0;
	for (;;) {
		size_t start;

		if (i >= len || p[i] != '<') {
			*where = i;
			return LINKFORMAT_E_TARGET;
		}
		start = ++i;
		while (i < len && is_targetchar(p[i]))
			i++;
		if (i >= len || p[i] != '>') {
			*where = i;
			return LINKFORMAT_E_TARGET;
		}
		add_link(f, p + start, i - start);
		i++;
		skip_ws(p, len, &i);
		while (i < len && p[i] == ';') {
			i++;
			skip_ws(p, len, &i);
			rc = scan_param(p, len, &i, f);
			if (rc < 0) {
				*where = i;
				return rc;
			}
			skip_ws(p, len, &i);
		}
		if (i == len)
			return 0;
		if (p[i] != ',') {
			*where = i;
			return LINKFORMAT_E_SEPARATOR;
		}
		i++;
		skip_ws(p, len, &i);
	}
}

int linkformat_parse(const uint8_t *buf, size_t len, struct linkformat *out)
{
	struct fill count = { 0 }, fill = { 0 };
	size_t where = 0, links_size, attrs_size;
	char *mem;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = scan(buf, len, &count, &where);
	if (rc < 0) {
		out->error_offset = where;
		return rc;
	}
	if (count.nlinks == 0)
		return 0;
	/* every link takes 2 input bytes and every attribute 2: bounded by len */
	links_size = count.nlinks * sizeof(struct linkformat_link);
	attrs_size = count.nattrs * sizeof(struct linkformat_attr);
	mem = malloc(links_size + attrs_size + count.arena_used);
	if (!mem)
		return -ENOMEM;
	fill.links = (struct linkformat_link *)mem;
	fill.attrs = (struct linkformat_attr *)(mem + links_size);
	fill.arena = mem + links_size + attrs_size;
	scan(buf, len, &fill, &where);
	out->mem = mem;
	out->links = fill.links;
	out->count = fill.nlinks;
	out->attr_total = fill.nattrs;
	return 0;
}

void linkformat_fini(struct linkformat *lf)
{
	free(lf->mem);
	memset(lf, 0, sizeof(*lf));
}

const struct linkformat_attr *linkformat_find(const struct linkformat_link *link, const char *name)
{
	for (size_t i = 0; i < link->attr_count; i++)
		if (strcmp(link->attrs[i].name, name) == 0)
			return &link->attrs[i];
	return NULL;
}

bool linkformat_is_ptoken(const char *value)
{
	if (!*value)
		return false;
	for (; *value; value++)
		if (!is_ptokenchar((uint8_t)*value))
			return false;
	return true;
}

bool linkformat_is_parmname(const char *name)
{
	if (!*name)
		return false;
	for (; *name; name++)
		if (!is_parmchar((uint8_t)*name))
			return false;
	return true;
}

bool linkformat_is_target(const char *target)
{
	for (; *target; target++)
		if (!is_targetchar((uint8_t)*target))
			return false;
	return true;
}

/* An output that counts everything and writes what fits. */
struct out {
	char *buf;
	size_t size, len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_str(struct out *o, const char *s)
{
	for (; *s; s++)
		out_char(o, *s);
}

int linkformat_format(const struct linkformat_link *links, size_t count, char *buf, size_t size,
		      size_t *len)
{
	struct out o = { buf, size, 0 };

	for (size_t i = 0; i < count; i++) {
		if (i)
			out_char(&o, ',');
		out_char(&o, '<');
		out_str(&o, links[i].target);
		out_char(&o, '>');
		for (size_t j = 0; j < links[i].attr_count; j++) {
			const struct linkformat_attr *a = &links[i].attrs[j];

			out_char(&o, ';');
			out_str(&o, a->name);
			if (!a->value)
				continue;
			out_char(&o, '=');
			if (!a->quoted && linkformat_is_ptoken(a->value)) {
				out_str(&o, a->value);
				continue;
			}
			out_char(&o, '"');
			for (const char *v = a->value; *v; v++) {
				if (*v == '"' || *v == '\\')
					out_char(&o, '\\');
				out_char(&o, *v);
			}
			out_char(&o, '"');
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	*len = o.len;
	return o.len < size ? 0 : -ENOSPC;
}

/* A component of a URI: a slice of the string, and whether it was there at all. */
struct part {
	const char *s;
	size_t n;
	bool def;
};

struct uri {
	struct part scheme, authority, path, query, fragment;
};

static void split_uri(const char *s, struct uri *u)
{
	const char *p = s;

	memset(u, 0, sizeof(*u));
	if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
		const char *q = p;

		while (is_alnum((uint8_t)*q) || *q == '+' || *q == '-' || *q == '.')
			q++;
		if (*q == ':') {
			u->scheme = (struct part){ p, (size_t)(q - p), true };
			p = q + 1;
		}
	}
	if (p[0] == '/' && p[1] == '/') {
		size_t n = strcspn(p + 2, "/?#");

		u->authority = (struct part){ p + 2, n, true };
		p += 2 + n;
	}
	u->path = (struct part){ p, strcspn(p, "?#"), true };
	p += u->path.n;
	if (*p == '?') {
		size_t n = strcspn(p + 1, "#");

		u->query = (struct part){ p + 1, n, true };
		p += 1 + n;
	}
	if (*p == '#')
		u->fragment = (struct part){ p + 1, strlen(p + 1), true };
}

static bool starts(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(s, prefix, k) == 0;
}

static bool equals(const char *s, size_t n, const char *word)
{
	return n == strlen(word) && memcmp(s, word, n) == 0;
}

/* Drop the last segment and its "/" from @out (RFC 3986 §5.2.4 step C). */
static void pop_segment(char *out, size_t *olen)
{
	while (*olen > 0 && out[*olen - 1] != '/')
		(*olen)--;
	if (*olen > 0)
		(*olen)--;
}

/* RFC 3986 §5.2.4 on @n bytes at @in, appended to @out (room for @n bytes). */
static void remove_dots(const char *in, size_t n, char *out, size_t *olen)
{
	while (n > 0) {
		if (starts(in, n, "../")) {
			in += 3, n -= 3;
		} else if (starts(in, n, "./")) {
			in += 2, n -= 2;
		} else if (starts(in, n, "/./")) {
			in += 2, n -= 2;
		} else if (equals(in, n, "/.")) {
			in = "/", n = 1;
		} else if (starts(in, n, "/../")) {
			in += 3, n -= 3;
			pop_segment(out, olen);
		} else if (equals(in, n, "/..")) {
			in = "/", n = 1;
			pop_segment(out, olen);
		} else if (equals(in, n, ".") || equals(in, n, "..")) {
			n = 0;
		} else {
			size_t k = 1;

			while (k < n && in[k] != '/')
				k++;
			memcpy(out + *olen, in, k);
			*olen += k;
			in += k, n -= k;
		}
	}
}

int linkformat_resolve(const char *base, const char *ref, char *buf, size_t size)
{
	struct uri b, r;
	struct part authority, query;
	size_t blen = strlen(base), rlen = strlen(ref), plen = 0;
	char *merged, *path;
	struct out o = { buf, size, 0 };

	split_uri(base, &b);
	split_uri(ref, &r);
	if (!b.scheme.def)
		return -EINVAL;
	if (r.scheme.def) {
		b.scheme = r.scheme;
		authority = r.authority;
		query = r.query;
	} else if (r.authority.def) {
		authority = r.authority;
		query = r.query;
	} else {
		authority = b.authority;
		query = r.query.def || r.path.n ? r.query : b.query;
	}
	/* the merged path is at most base path + "/" + reference path */
	merged = malloc(blen + rlen + 2);
	path = malloc(blen + rlen + 2);
	if (!merged || !path) {
		free(merged);
		free(path);
		return -ENOMEM;
	}
	if (r.scheme.def || r.authority.def || (r.path.n && r.path.s[0] == '/')) {
		remove_dots(r.path.s, r.path.n, path, &plen);
	} else if (r.path.n == 0) {
		memcpy(path, b.path.s, b.path.n);
		plen = b.path.n;
	} else {
		size_t mlen = 0;

		if (b.authority.def && b.path.n == 0) {
			merged[mlen++] = '/';
		} else {
			size_t keep = b.path.n;

			while (keep > 0 && b.path.s[keep - 1] != '/')
				keep--;
			memcpy(merged, b.path.s, keep);
			mlen = keep;
		}
		memcpy(merged + mlen, r.path.s, r.path.n);
		mlen += r.path.n;
		remove_dots(merged, mlen, path, &plen);
	}
	for (size_t i = 0; i < b.scheme.n; i++)
		out_char(&o, b.scheme.s[i]);
	out_char(&o, ':');
	if (authority.def) {
		out_str(&o, "//");
		for (size_t i = 0; i < authority.n; i++)
			out_char(&o, authority.s[i]);
	}
	for (size_t i = 0; i < plen; i++)
		out_char(&o, path[i]);
	if (query.def) {
		out_char(&o, '?');
		for (size_t i = 0; i < query.n; i++)
			out_char(&o, query.s[i]);
	}
	if (r.fragment.def) {
		out_char(&o, '#');
		for (size_t i = 0; i < r.fragment.n; i++)
			out_char(&o, r.fragment.s[i]);
	}
	free(merged);
	free(path);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len < size ? 0 : -ENOSPC;
}

const char *linkformat_strerror(int err)
{
	switch (err) {
	case 0:
		return "no error";
	case LINKFORMAT_E_TARGET:
		return "expected a link target in angle brackets";
	case LINKFORMAT_E_PARAM:
		return "bad or empty link parameter name";
	case LINKFORMAT_E_VALUE:
		return "bad link parameter value or unterminated quoted-string";
	case LINKFORMAT_E_SEPARATOR:
		return "expected \";\" or \",\" after a link";
	default:
		return err < 0 ? strerror(-err) : "unknown error";
	}
}
