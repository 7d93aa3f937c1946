/*
 * regreq — registration query and object-link payload checks.
 */
#include "regreq.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwm2m/lwm2m_link.h"
#include "lwm2m/lwm2m_path.h"

static int fail(int code, char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(int code, char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (why && why_len) {
		va_start(ap, fmt);
		vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* A value quoted into a diagnostic: printable, cut short. */
static void shown(const char *s, size_t n, char *buf, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < size; i++)
		buf[o++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (i < n && o + 4 <= size) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int parse_lifetime(const char *v, size_t n, uint32_t *out)
{
	unsigned long long x = 0;

	if (!all_digits(v, n) || n > 10)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		x = x * 10 + (unsigned)(v[i] - '0');
	if (x == 0 || x > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)x;
	return 0;
}

/* "major.minor", each 1-3 digits; 0 when served, REGREQ_EVERSION or REGREQ_EBAD. */
static int check_version(const char *v, size_t n, char *out, size_t size)
{
	const char *dot = memchr(v, '.', n);
	size_t major, minor;

	if (!dot)
		return REGREQ_EBAD;
	major = (size_t)(dot - v);
	minor = n - major - 1;
	if (!all_digits(v, major) || !all_digits(dot + 1, minor) || major > 3 || minor > 3)
		return REGREQ_EBAD;
	if (n >= size)
		return REGREQ_EBAD;
	memcpy(out, v, n);
	out[n] = '\0';
	if (strcmp(out, "1.0") == 0 || strcmp(out, "1.1") == 0)
		return 0;
	return REGREQ_EVERSION;
}

/*
 * TS Core 1.1 Table 6.2.1.1-1 bindings, plus 1.0's Q (queue) letter and
 * H, HTTP (LwM2M over HTTP/2, h2dev.h).
 */
static int check_binding(const char *v, size_t n, struct regreq_query *q)
{
	unsigned seen = 0;

	if (n == 0 || n > REGREQ_BINDING_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		const char *p = memchr("UQSTNH", v[i], 6);
		unsigned bit;

		if (!p || v[i] == '\0')
			return -EINVAL;
		bit = 1u << (p - "UQSTNH");
		if (seen & bit)
			return -EINVAL;
		seen |= bit;
	}
	/* Q alone binds to nothing: it qualifies U or S */
	if (seen == 2)
		return -EINVAL;
	memcpy(q->binding, v, n);
	q->binding[n] = '\0';
	if (seen & 2)
		q->queue = true;
	return 0;
}

static bool check_sms(const char *v, size_t n)
{
	size_t start = (n > 0 && v[0] == '+') ? 1 : 0;

	return n <= REGREQ_SMS_MAX && all_digits(v + start, n - start);
}

static bool check_ep(const char *v, size_t n)
{
	if (n == 0 || n > REGREQ_EP_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x21 || v[i] == 0x7f)
			return false;
	return true;
}

int regreq_parse_query(enum regreq_kind kind, const struct regreq_item *items, size_t n,
		       struct regreq_query *out, char *why, size_t why_len)
{
	static const char *const names[] = { "ep", "lt", "lwm2m", "b", "sms", "Q" };
	char v_shown[48];
	int rc;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		const char *s = items[i].s, *eq = memchr(s, '=', items[i].len);
		size_t name_len = eq ? (size_t)(eq - s) : items[i].len;
		const char *v = eq ? eq + 1 : NULL;
		size_t v_len = eq ? items[i].len - name_len - 1 : 0;
		unsigned bit = 0;
		size_t k;

		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (strlen(names[k]) == name_len && memcmp(names[k], s, name_len) == 0)
				break;
		if (k == sizeof(names) / sizeof(names[0]))
			continue; /* unknown parameters are ignored (TS Core §6.2) */
		bit = 1u << k;
		if (out->present & bit)
			return fail(REGREQ_EBAD, why, why_len, "%s: given twice", names[k]);
		out->present |= bit;
		if (bit == REGREQ_HAS_Q) {
			if (v)
				return fail(REGREQ_EBAD, why, why_len, "Q: takes no value");
			out->queue = true;
			continue;
		}
		if (!v || v_len == 0)
			return fail(REGREQ_EBAD, why, why_len, "%s: no value", names[k]);
		shown(v, v_len, v_shown, sizeof(v_shown));
		switch (bit) {
		case REGREQ_HAS_EP:
			if (kind == REGREQ_UPDATE)
				break; /* not an Update parameter: ignored like any other */
			if (!check_ep(v, v_len))
				return fail(REGREQ_EBAD, why, why_len,
					    "ep: not 1-%d printable characters without spaces",
					    REGREQ_EP_MAX);
			memcpy(out->ep, v, v_len);
			out->ep[v_len] = '\0';
			break;
		case REGREQ_HAS_LT:
			if (parse_lifetime(v, v_len, &out->lifetime) < 0)
				return fail(REGREQ_EBAD, why, why_len,
					    "lt: '%s' is not a lifetime in seconds (1-4294967295)",
					    v_shown);
			break;
		case REGREQ_HAS_LWM2M:
			if (kind == REGREQ_UPDATE)
				break;
			rc = check_version(v, v_len, out->version, sizeof(out->version));
			if (rc == REGREQ_EBAD)
				return fail(rc, why, why_len,
					    "lwm2m: '%s' is not a version (major.minor)", v_shown);
			if (rc == REGREQ_EVERSION)
				return fail(rc, why, why_len,
					    "lwm2m: version %s is not supported (1.0 and 1.1 are)",
					    out->version);
			break;
		case REGREQ_HAS_B:
			if (check_binding(v, v_len, out) < 0)
				return fail(REGREQ_EBAD, why, why_len,
					    "b: '%s' is not a binding (letters U, S, T, N, H, Q)",
					    v_shown);
			break;
		case REGREQ_HAS_SMS:
			if (!check_sms(v, v_len))
				return fail(REGREQ_EBAD, why, why_len, "sms: '%s' is not an MSISDN",
					    v_shown);
			memcpy(out->sms, v, v_len);
			out->sms[v_len] = '\0';
			break;
		default:
			break;
		}
	}
	if (kind == REGREQ_UPDATE) {
		/* ep and lwm2m are not part of an Update: forget we saw them */
		out->present &= ~(unsigned)(REGREQ_HAS_EP | REGREQ_HAS_LWM2M);
		return 0;
	}
	if (!(out->present & REGREQ_HAS_EP))
		return fail(REGREQ_EBAD, why, why_len, "ep: missing (the endpoint client name)");
	if (!(out->present & REGREQ_HAS_LT))
		out->lifetime = REGREQ_LIFETIME_DEF;
	if (!(out->present & REGREQ_HAS_LWM2M))
		strcpy(out->version, "1.0");
	if (!(out->present & REGREQ_HAS_B))
		strcpy(out->binding, "U");
	return 0;
}

static const char *link_param(const struct lwm2m_link_list *l, const struct lwm2m_link *k,
			      const char *name)
{
	for (size_t i = 0; i < k->nparams; i++) {
		const struct lwm2m_link_param *p = &l->params[k->first_param + i];

		if (strcmp(p->name, name) == 0)
			return p->value ? p->value : "";
	}
	return NULL;
}

int regreq_parse_links(const uint8_t *buf, size_t len, struct regreq_links *out, char *why,
		       size_t why_len)
{
	struct lwm2m_link_list l;
	struct lwm2m_error err;
	size_t root_len, root_link = SIZE_MAX;
	char uri_shown[48];
	int rc;

	memset(out, 0, sizeof(*out));
	strcpy(out->root, "/");
	if (len == 0)
		return fail(REGREQ_EBAD, why, why_len,
			    "payload: missing (the object links, e.g. </1/0>,</3/0>)");
	lwm2m_link_list_init(&l);
	rc = lwm2m_link_decode(buf, len, &l, &err);
	if (rc == -ENOMEM)
		goto out;
	if (rc < 0) {
		rc = fail(REGREQ_EBAD, why, why_len, "payload: not link format: %s", err.msg);
		goto out;
	}
	for (size_t i = 0; i < l.count; i++) {
		const char *rt = link_param(&l, &l.links[i], "rt");

		if (!rt || strcmp(rt, "oma.lwm2m") != 0)
			continue;
		if (root_link != SIZE_MAX) {
			rc = fail(REGREQ_EBAD, why, why_len,
				  "payload: more than one link with rt=\"oma.lwm2m\"");
			goto out;
		}
		root_link = i;
		root_len = strlen(l.links[i].uri);
		shown(l.links[i].uri, root_len, uri_shown, sizeof(uri_shown));
		if (root_len == 0 || root_len > REGREQ_ROOT_MAX || l.links[i].uri[0] != '/') {
			rc = fail(REGREQ_EBAD, why, why_len, "payload: bad root path <%s>",
				  uri_shown);
			goto out;
		}
		memcpy(out->root, l.links[i].uri, root_len + 1);
		/* "/lwm2m/" and "/lwm2m" name the same root */
		if (root_len > 1 && out->root[root_len - 1] == '/')
			out->root[--root_len] = '\0';
		/* its segments are Uri-Path options: none may be empty */
		if (strstr(out->root, "//") || (root_len > 1 && out->root[root_len - 1] == '/')) {
			rc = fail(REGREQ_EBAD, why, why_len, "payload: bad root path <%s>",
				  uri_shown);
			goto out;
		}
	}
	/* l.count is bounded by the payload length, so this is too */
	out->objects = calloc(l.count ? l.count : 1, sizeof(*out->objects));
	if (!out->objects) {
		rc = -ENOMEM;
		goto out;
	}
	root_len = strcmp(out->root, "/") == 0 ? 0 : strlen(out->root);
	for (size_t i = 0; i < l.count; i++) {
		const struct lwm2m_link *k = &l.links[i];
		struct lwm2m_path p;
		size_t ulen = strlen(k->uri);
		struct regreq_object *o;

		if (i == root_link)
			continue;
		shown(k->uri, ulen, uri_shown, sizeof(uri_shown));
		if (ulen <= root_len || memcmp(k->uri, out->root, root_len) != 0 ||
		    k->uri[root_len] != '/' ||
		    lwm2m_path_parse(k->uri + root_len, ulen - root_len, &p) < 0 ||
		    (p.len != LWM2M_PATH_OBJECT && p.len != LWM2M_PATH_INSTANCE)) {
			rc = fail(REGREQ_EBAD, why, why_len,
				  "payload: link %zu <%s> is not an object or instance under %s",
				  i + 1, uri_shown, out->root);
			goto out;
		}
		if ((k->attrs.present & LWM2M_ATTR_VER) && p.len != LWM2M_PATH_OBJECT) {
			rc = fail(REGREQ_EBAD, why, why_len,
				  "payload: link %zu <%s>: ver belongs on an object link", i + 1,
				  uri_shown);
			goto out;
		}
		o = &out->objects[out->count++];
		o->obj = p.id[0];
		o->inst = p.len == LWM2M_PATH_INSTANCE ? p.id[1] : -1;
		if (k->attrs.present & LWM2M_ATTR_VER)
			snprintf(o->ver, sizeof(o->ver), "%s", k->attrs.ver);
	}
	rc = 0;
out:
	lwm2m_link_list_fini(&l);
	return rc;
}

void regreq_links_fini(struct regreq_links *l)
{
	free(l->objects);
	l->objects = NULL;
	l->count = 0;
}
