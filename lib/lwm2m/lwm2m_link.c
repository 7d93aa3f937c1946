#include "lwm2m/lwm2m_link.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lwm2m/lwm2m_jsonw.h"

static const struct {
	enum lwm2m_link_attr bit;
	const char *name;
} attr_names[] = {
	{ LWM2M_ATTR_DIM, "dim" },   { LWM2M_ATTR_VER, "ver" },     { LWM2M_ATTR_PMIN, "pmin" },
	{ LWM2M_ATTR_PMAX, "pmax" }, { LWM2M_ATTR_GT, "gt" },       { LWM2M_ATTR_LT, "lt" },
	{ LWM2M_ATTR_ST, "st" },     { LWM2M_ATTR_EPMIN, "epmin" }, { LWM2M_ATTR_EPMAX, "epmax" },
	{ LWM2M_ATTR_EDGE, "edge" }, { LWM2M_ATTR_CON, "con" },     { LWM2M_ATTR_HQMAX, "hqmax" },
};

#define NATTRS (sizeof(attr_names) / sizeof(attr_names[0]))

const char *lwm2m_link_attr_name(enum lwm2m_link_attr bit)
{
	for (size_t i = 0; i < NATTRS; i++) {
		if (attr_names[i].bit == bit)
			return attr_names[i].name;
	}
	return NULL;
}

void lwm2m_link_list_init(struct lwm2m_link_list *l)
{
	memset(l, 0, sizeof(*l));
}

void lwm2m_link_list_fini(struct lwm2m_link_list *l)
{
	for (size_t i = 0; i < l->nextra; i++)
		free(l->extra[i]);
	free(l->extra);
	free(l->links);
	free(l->params);
	free(l->text);
	lwm2m_link_list_init(l);
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

static int parse_num(const char *s, double *out)
{
	char *end;

	if (!s[0] || strspn(s, "0123456789+-.eE") != strlen(s))
		return -EINVAL;
	errno = 0;
	*out = strtod(s, &end);
	if (errno || *end || !isfinite(*out))
		return -EINVAL;
	return 0;
}

static int parse_ver(const char *s, char *out, size_t size)
{
	const char *dot = strchr(s, '.');
	size_t n = strlen(s);

	if (!dot || dot == s || !dot[1] || n >= size || strspn(s, "0123456789.") != n ||
	    strchr(dot + 1, '.'))
		return -EINVAL;
	memcpy(out, s, n + 1);
	return 0;
}

int lwm2m_link_attr_set(struct lwm2m_link_attrs *a, const char *name, const char *value)
{
	enum lwm2m_link_attr bit = 0;
	int rc;

	for (size_t i = 0; i < NATTRS; i++) {
		if (strcmp(attr_names[i].name, name) == 0)
			bit = attr_names[i].bit;
	}
	if (!bit)
		return -ENOENT;
	if (!value)
		return -EINVAL;
	switch (bit) {
	case LWM2M_ATTR_DIM:
		rc = parse_u32(value, &a->dim);
		if (rc == 0 && a->dim > 65535)
			rc = -EINVAL;
		break;
	case LWM2M_ATTR_PMIN:
		rc = parse_u32(value, &a->pmin);
		break;
	case LWM2M_ATTR_PMAX:
		rc = parse_u32(value, &a->pmax);
		break;
	case LWM2M_ATTR_EPMIN:
		rc = parse_u32(value, &a->epmin);
		break;
	case LWM2M_ATTR_EPMAX:
		rc = parse_u32(value, &a->epmax);
		break;
	case LWM2M_ATTR_HQMAX:
		rc = parse_u32(value, &a->hqmax);
		break;
	case LWM2M_ATTR_GT:
		rc = parse_num(value, &a->gt);
		break;
	case LWM2M_ATTR_LT:
		rc = parse_num(value, &a->lt);
		break;
	case LWM2M_ATTR_ST:
		rc = parse_num(value, &a->st);
		if (rc == 0 && a->st < 0)
			rc = -EINVAL;
		break;
	case LWM2M_ATTR_EDGE:
	case LWM2M_ATTR_CON:
		rc = (strcmp(value, "0") == 0 || strcmp(value, "1") == 0) ? 0 : -EINVAL;
		if (rc == 0) {
			if (bit == LWM2M_ATTR_EDGE)
				a->edge = value[0] == '1';
			else
				a->con = value[0] == '1';
		}
		break;
	case LWM2M_ATTR_VER:
		rc = parse_ver(value, a->ver, sizeof(a->ver));
		break;
	default:
		rc = -ENOENT;
	}
	if (rc == 0)
		a->present |= bit;
	return rc;
}

static int grow_links(struct lwm2m_link_list *l)
{
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct lwm2m_link *p = realloc(l->links, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->links = p;
		l->cap = cap;
	}
	return 0;
}

static int push_param(struct lwm2m_link_list *l, const char *name, const char *value, bool quoted)
{
	if (l->nparams == l->params_cap) {
		size_t cap = l->params_cap ? l->params_cap * 2 : 8;
		struct lwm2m_link_param *p = realloc(l->params, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->params = p;
		l->params_cap = cap;
	}
	l->params[l->nparams++] = (struct lwm2m_link_param){ name, value, quoted };
	l->links[l->count - 1].nparams++;
	return 0;
}

/* RFC 5987 parmname / ptoken characters (RFC 6690 section 2) */
static bool is_ptoken(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$&+-.^_`|~:<=>?@[]{}/'()*%", c));
}

static bool is_parmname(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$&+-.^_`|~", c));
}

static void set_path(struct lwm2m_link *k)
{
	k->is_path = lwm2m_path_parse(k->uri, strlen(k->uri), &k->path) == 0;
}

/* Parse one ";name[=value]" whose ';' is at t[*pos]; cuts it into strings. */
static int parse_param(struct lwm2m_link_list *l, char *t, size_t len, size_t *pos, char *sep,
		       struct lwm2m_error *err)
{
	struct lwm2m_link *k = &l->links[l->count - 1];
	size_t i = *pos + 1, pstart = *pos, nstart = i;
	char *value = NULL;
	bool quoted = false;
	int rc;

	while (i < len && is_parmname(t[i]))
		i++;
	if (i == nstart)
		return lwm2m_error_set(err, -EBADMSG, pstart, "link %zu: parameter name expected",
				       l->count - 1);
	if (i < len && t[i] == '=') {
		t[i++] = '\0';
		if (i < len && t[i] == '"') {
			size_t w = ++i;

			quoted = true;
			value = t + i;
			/* unescape quoted-pairs in place; the string only shrinks */
			while (i < len && t[i] != '"') {
				if (t[i] == '\\' && i + 1 < len)
					i++;
				t[w++] = t[i++];
			}
			if (i == len)
				return lwm2m_error_set(err, -EBADMSG, pstart,
						       "link %zu: unterminated quoted string",
						       l->count - 1);
			t[w] = '\0';
			i++;
		} else {
			size_t vstart = i;

			while (i < len && is_ptoken(t[i]))
				i++;
			if (i == vstart)
				return lwm2m_error_set(err, -EBADMSG, vstart,
						       "link %zu: value expected", l->count - 1);
			value = t + vstart;
		}
	}
	*sep = i < len ? t[i] : '\0';
	if (*sep && *sep != ';' && *sep != ',')
		return lwm2m_error_set(err, -EBADMSG, i, "link %zu: ';' or ',' expected",
				       l->count - 1);
	if (i < len)
		t[i] = '\0';
	*pos = i;
	rc = lwm2m_link_attr_set(&k->attrs, t + nstart, value);
	if (rc == -EINVAL)
		return lwm2m_error_set(err, -EBADMSG, pstart,
				       "link %zu: invalid value for LwM2M attribute %s",
				       l->count - 1, t + nstart);
	if (rc == -ENOENT && push_param(l, t + nstart, value, quoted) < 0)
		return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory");
	return 0;
}

int lwm2m_link_decode(const uint8_t *buf, size_t len, struct lwm2m_link_list *l,
		      struct lwm2m_error *err)
{
	const uint8_t *nul = memchr(buf, '\0', len);
	char *t;
	size_t i = 0;

	if (nul)
		return lwm2m_error_set(err, -EBADMSG, (size_t)(nul - buf),
				       "NUL byte in link format");
	t = malloc(len + 1);
	if (!t)
		return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory");
	memcpy(t, buf, len);
	t[len] = '\0';
	l->text = t;
	while (i < len) {
		struct lwm2m_link *k;
		size_t start;
		char sep;
		int rc;

		if (grow_links(l) < 0)
			return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "out of memory");
		if (t[i] != '<')
			return lwm2m_error_set(err, -EBADMSG, i, "link %zu: '<' expected",
					       l->count);
		start = ++i;
		while (i < len && t[i] != '>')
			i++;
		if (i == len)
			return lwm2m_error_set(err, -EBADMSG, start - 1, "link %zu: no closing '>'",
					       l->count);
		t[i++] = '\0';
		k = &l->links[l->count++];
		memset(k, 0, sizeof(*k));
		k->uri = t + start;
		k->first_param = l->nparams;
		set_path(k);
		sep = i < len ? t[i] : '\0';
		while (sep == ';') {
			rc = parse_param(l, t, len, &i, &sep, err);
			if (rc < 0)
				return rc;
		}
		if (sep == ',') {
			i++;
			while (i < len &&
			       (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n'))
				i++;
			if (i == len)
				return lwm2m_error_set(err, -EBADMSG, i, "link expected after ','");
		} else if (sep) {
			return lwm2m_error_set(err, -EBADMSG, i, "link %zu: ';' or ',' expected",
					       l->count - 1);
		}
	}
	return 0;
}

static char *keep(struct lwm2m_link_list *l, const char *s)
{
	char **p = realloc(l->extra, (l->nextra + 1) * sizeof(*p));
	char *c;

	if (!p)
		return NULL;
	l->extra = p;
	c = strdup(s);
	if (c)
		l->extra[l->nextra++] = c;
	return c;
}

int lwm2m_link_add(struct lwm2m_link_list *l, const char *uri, const struct lwm2m_link_attrs *attrs)
{
	struct lwm2m_link *k;
	char *u;

	if (strchr(uri, '>'))
		return -EINVAL;
	if (grow_links(l) < 0 || !(u = keep(l, uri)))
		return -ENOMEM;
	k = &l->links[l->count++];
	memset(k, 0, sizeof(*k));
	k->uri = u;
	k->first_param = l->nparams;
	if (attrs)
		k->attrs = *attrs;
	set_path(k);
	return 0;
}

int lwm2m_link_add_param(struct lwm2m_link_list *l, const char *name, const char *value, bool quote)
{
	const char *n, *v = NULL;
	bool quoted = false;

	if (l->count == 0 || !name[0])
		return -EINVAL;
	for (const char *p = name; *p; p++) {
		if (!is_parmname(*p))
			return -EINVAL;
	}
	/* parameters of a link are contiguous: only the last link can grow */
	if (l->links[l->count - 1].first_param + l->links[l->count - 1].nparams != l->nparams)
		return -EINVAL;
	if (!(n = keep(l, name)))
		return -ENOMEM;
	if (value) {
		if (!(v = keep(l, value)))
			return -ENOMEM;
		quoted = quote || !value[0];
		for (const char *p = value; *p; p++)
			quoted = quoted || !is_ptoken(*p);
	}
	return push_param(l, n, v, quoted);
}

int lwm2m_link_attr_format(const struct lwm2m_link_attrs *a, enum lwm2m_link_attr bit,
			   struct lwm2m_buf *out)
{
	if (!(a->present & bit))
		return -ENOENT;
	switch (bit) {
	case LWM2M_ATTR_DIM:
		return lwm2m_jsonw_uint(out, a->dim);
	case LWM2M_ATTR_PMIN:
		return lwm2m_jsonw_uint(out, a->pmin);
	case LWM2M_ATTR_PMAX:
		return lwm2m_jsonw_uint(out, a->pmax);
	case LWM2M_ATTR_EPMIN:
		return lwm2m_jsonw_uint(out, a->epmin);
	case LWM2M_ATTR_EPMAX:
		return lwm2m_jsonw_uint(out, a->epmax);
	case LWM2M_ATTR_HQMAX:
		return lwm2m_jsonw_uint(out, a->hqmax);
	case LWM2M_ATTR_GT:
		return lwm2m_jsonw_double(out, a->gt, 0);
	case LWM2M_ATTR_LT:
		return lwm2m_jsonw_double(out, a->lt, 0);
	case LWM2M_ATTR_ST:
		return lwm2m_jsonw_double(out, a->st, 0);
	case LWM2M_ATTR_EDGE:
		return lwm2m_buf_append_byte(out, a->edge ? '1' : '0');
	case LWM2M_ATTR_CON:
		return lwm2m_buf_append_byte(out, a->con ? '1' : '0');
	case LWM2M_ATTR_VER:
		return lwm2m_buf_append_str(out, a->ver);
	}
	return -ENOENT;
}

static int put_attrs(const struct lwm2m_link_attrs *a, struct lwm2m_buf *out)
{
	int rc = 0;

	for (size_t i = 0; i < NATTRS && rc == 0; i++) {
		if (!(a->present & attr_names[i].bit))
			continue;
		rc = lwm2m_buf_printf(out, ";%s=", attr_names[i].name);
		if (rc == 0)
			rc = lwm2m_link_attr_format(a, attr_names[i].bit, out);
	}
	return rc;
}

int lwm2m_link_encode(const struct lwm2m_link_list *l, struct lwm2m_buf *out)
{
	size_t start = out->len;
	int rc = 0;

	for (size_t i = 0; i < l->count && rc == 0; i++) {
		const struct lwm2m_link *k = &l->links[i];

		rc = lwm2m_buf_printf(out, "%s<%s>", i ? "," : "", k->uri);
		if (rc == 0)
			rc = put_attrs(&k->attrs, out);
		for (size_t p = k->first_param; rc == 0 && p < k->first_param + k->nparams; p++) {
			const struct lwm2m_link_param *pa = &l->params[p];

			rc = lwm2m_buf_printf(out, ";%s", pa->name);
			if (rc || !pa->value)
				continue;
			if (!pa->quoted) {
				rc = lwm2m_buf_printf(out, "=%s", pa->value);
				continue;
			}
			rc = lwm2m_buf_append_str(out, "=\"");
			for (const char *c = pa->value; rc == 0 && *c; c++) {
				if (*c == '"' || *c == '\\')
					rc = lwm2m_buf_append_byte(out, '\\');
				if (rc == 0)
					rc = lwm2m_buf_append_byte(out, (uint8_t)*c);
			}
			if (rc == 0)
				rc = lwm2m_buf_append_byte(out, '"');
		}
	}
	if (rc < 0)
		out->len = start;
	return rc;
}
