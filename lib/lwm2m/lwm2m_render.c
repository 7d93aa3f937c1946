#include "lwm2m/lwm2m_render.h"

#include <errno.h>
#include <string.h>

#include <jansson.h>

#include "lwm2m/lwm2m_jsonw.h"

static int put_path(struct lwm2m_buf *out, const struct lwm2m_path *p)
{
	char ps[LWM2M_PATH_STR_MAX];
	int n = lwm2m_path_format(p, ps, sizeof(ps));

	return lwm2m_jsonw_string(out, ps, (size_t)n);
}

static int put_value(struct lwm2m_buf *out, const struct lwm2m_value *v)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[16];
	int rc;

	switch (v->type) {
	case LWM2M_TYPE_NONE:
		return lwm2m_buf_append_str(out, "null");
	case LWM2M_TYPE_STRING:
	case LWM2M_TYPE_CORELNK:
		return lwm2m_jsonw_string(out, (const char *)v->v.bytes.data, v->v.bytes.len);
	case LWM2M_TYPE_OPAQUE:
		rc = lwm2m_buf_append_str(out, "{\"hex\": \"");
		for (size_t i = 0; rc == 0 && i < v->v.bytes.len; i++) {
			rc = lwm2m_buf_append_byte(out, (uint8_t)hex[v->v.bytes.data[i] >> 4]);
			if (rc == 0)
				rc = lwm2m_buf_append_byte(out,
							   (uint8_t)hex[v->v.bytes.data[i] & 15]);
		}
		return rc ? rc : lwm2m_buf_append_str(out, "\"}");
	case LWM2M_TYPE_OBJLNK:
		lwm2m_objlnk_format(v->v.lnk, tmp, sizeof(tmp));
		return lwm2m_buf_printf(out, "{\"objlnk\": \"%s\"}", tmp);
	case LWM2M_TYPE_INTEGER:
	case LWM2M_TYPE_TIME:
		return lwm2m_jsonw_int(out, v->v.i);
	case LWM2M_TYPE_UNSIGNED:
		return lwm2m_jsonw_uint(out, v->v.u);
	case LWM2M_TYPE_FLOAT:
		rc = lwm2m_jsonw_double(out, v->v.f, 1);
		return rc == -EDOM ? -EINVAL : rc;
	case LWM2M_TYPE_BOOLEAN:
		return lwm2m_buf_append_str(out, v->v.b ? "true" : "false");
	}
	return -EINVAL;
}

static int put_entry_value(struct lwm2m_buf *out, const struct lwm2m_entry *e)
{
	int rc;

	if (!e->has_time)
		return put_value(out, &e->value);
	rc = lwm2m_buf_append_str(out, "{\"t\": ");
	if (rc == 0)
		rc = lwm2m_jsonw_double(out, e->time, 0);
	if (rc == 0)
		rc = lwm2m_buf_append_str(out, ", \"v\": ");
	if (rc == 0)
		rc = put_value(out, &e->value);
	return rc ? (rc == -EDOM ? -EINVAL : rc) : lwm2m_buf_append_byte(out, '}');
}

static bool seen_before(const struct lwm2m_doc *doc, size_t i)
{
	for (size_t k = 0; k < i; k++) {
		if (lwm2m_path_equal(&doc->entries[k].path, &doc->entries[i].path))
			return true;
	}
	return false;
}

static int put_names(const struct lwm2m_doc *doc, const struct lwm2m_registry *reg,
		     struct lwm2m_buf *out)
{
	bool first = true;
	int rc = 0;

	for (size_t i = 0; i < doc->count && rc == 0; i++) {
		const struct lwm2m_path *p = &doc->entries[i].path;
		const struct lwm2m_obj_def *o;
		bool obj_seen = false, res_seen = false;

		if (p->len == 0 || !(o = lwm2m_registry_object(reg, p->id[0])))
			continue;
		for (size_t k = 0; k < i; k++) {
			const struct lwm2m_path *q = &doc->entries[k].path;

			obj_seen = obj_seen || (q->len > 0 && q->id[0] == p->id[0]);
			res_seen = res_seen || (q->len >= 3 && p->len >= 3 &&
						q->id[0] == p->id[0] && q->id[2] == p->id[2]);
		}
		if (!obj_seen) {
			rc = lwm2m_buf_printf(out, "%s\n    \"/%u\": ", first ? "" : ",",
					      (unsigned)p->id[0]);
			if (rc == 0)
				rc = lwm2m_jsonw_string(out, o->name, strlen(o->name));
			first = false;
		}
		if (rc == 0 && p->len >= 3 && !res_seen) {
			const struct lwm2m_res_def *r =
				lwm2m_registry_resource(reg, p->id[0], p->id[2]);

			if (!r)
				continue;
			/* resource names are per object: shown once with instance "x" */
			rc = lwm2m_buf_printf(out, "%s\n    \"/%u/x/%u\": ", first ? "" : ",",
					      (unsigned)p->id[0], (unsigned)p->id[2]);
			if (rc == 0)
				rc = lwm2m_jsonw_string(out, r->name, strlen(r->name));
			first = false;
		}
	}
	return rc;
}

int lwm2m_render_doc(const struct lwm2m_doc *doc, const struct lwm2m_registry *reg, unsigned flags,
		     struct lwm2m_buf *out)
{
	size_t start = out->len;
	int rc = lwm2m_buf_append_str(out, "{\n  \"base\": ");

	if (rc == 0)
		rc = put_path(out, &doc->base);
	for (size_t i = 0; i < doc->count && rc == 0; i++) {
		const struct lwm2m_entry *e = &doc->entries[i];
		size_t same = 0;

		if (seen_before(doc, i))
			continue;
		for (size_t k = i; k < doc->count; k++)
			same += lwm2m_path_equal(&doc->entries[k].path, &e->path);
		rc = lwm2m_buf_append_str(out, ",\n  ");
		if (rc == 0)
			rc = put_path(out, &e->path);
		if (rc == 0)
			rc = lwm2m_buf_append_str(out, ": ");
		if (rc == 0 && same == 1) {
			rc = put_entry_value(out, e);
			continue;
		}
		if (rc == 0)
			rc = lwm2m_buf_append_byte(out, '[');
		for (size_t k = i, n = 0; k < doc->count && rc == 0; k++) {
			if (!lwm2m_path_equal(&doc->entries[k].path, &e->path))
				continue;
			if (n++)
				rc = lwm2m_buf_append_str(out, ", ");
			if (rc == 0)
				rc = put_entry_value(out, &doc->entries[k]);
		}
		if (rc == 0)
			rc = lwm2m_buf_append_byte(out, ']');
	}
	if (rc == 0 && (flags & LWM2M_RENDER_NAMES) && reg) {
		size_t mark = out->len;

		rc = lwm2m_buf_append_str(out, ",\n  \"names\": {");
		if (rc == 0) {
			size_t inner = out->len;

			rc = put_names(doc, reg, out);
			if (rc == 0 && out->len == inner)
				out->len = mark; /* nothing known: no "names" member */
			else if (rc == 0)
				rc = lwm2m_buf_append_str(out, "\n  }");
		}
	}
	if (rc == 0)
		rc = lwm2m_buf_append_str(out, "\n}\n");
	if (rc < 0)
		out->len = start;
	return rc;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

struct pctx {
	const struct lwm2m_registry *reg;
	struct lwm2m_doc *doc;
	struct lwm2m_error *err;
	const char *key;
};

static int perr(struct pctx *c, const char *what)
{
	return lwm2m_error_set(c->err, -EBADMSG, SIZE_MAX, "\"%s\": %s", c->key, what);
}

static int add_one(struct pctx *c, const struct lwm2m_path *p, json_t *j, bool timed, double t)
{
	struct lwm2m_value v;
	enum lwm2m_type want = LWM2M_TYPE_NONE;
	bool known = lwm2m_registry_type_of(c->reg, p, &want);
	uint8_t *bytes = NULL;
	int rc;

	if (json_is_object(j)) {
		json_t *h = json_object_get(j, "hex"), *l = json_object_get(j, "objlnk");
		json_t *tv = json_object_get(j, "t"), *vv = json_object_get(j, "v");

		if (tv && vv && !timed) {
			if (!json_is_number(tv))
				return perr(c, "\"t\" must be a number");
			return add_one(c, p, vv, true, json_number_value(tv));
		}
		if (json_is_string(h)) {
			const char *s = json_string_value(h);
			size_t n = json_string_length(h);

			if (n % 2)
				return perr(c, "\"hex\" needs an even number of digits");
			bytes = lwm2m_doc_alloc(c->doc, n / 2 + 1);
			if (!bytes)
				return lwm2m_error_set(c->err, -ENOMEM, SIZE_MAX, "out of memory");
			for (size_t i = 0; i < n; i += 2) {
				int hi = hexval(s[i]), lo = hexval(s[i + 1]);

				if (hi < 0 || lo < 0)
					return perr(c, "\"hex\" holds a non-hex digit");
				bytes[i / 2] = (uint8_t)(hi << 4 | lo);
			}
			v = lwm2m_value_bytes(LWM2M_TYPE_OPAQUE, bytes, n / 2);
		} else if (json_is_string(l)) {
			v.type = LWM2M_TYPE_OBJLNK;
			if (lwm2m_objlnk_parse(json_string_value(l), json_string_length(l),
					       &v.v.lnk) < 0)
				return perr(c, "\"objlnk\" must be \"O:I\"");
		} else {
			return perr(c, "objects must be {\"hex\": ...}, {\"objlnk\": ...} or "
				       "{\"t\": ..., \"v\": ...}");
		}
	} else if (json_is_string(j)) {
		v = lwm2m_value_bytes(LWM2M_TYPE_STRING, json_string_value(j),
				      json_string_length(j));
		if (known && want == LWM2M_TYPE_OBJLNK) {
			v.type = LWM2M_TYPE_OBJLNK;
			if (lwm2m_objlnk_parse(json_string_value(j), json_string_length(j),
					       &v.v.lnk) < 0)
				return perr(c, "an Objlnk must be \"O:I\"");
		} else if (known && want == LWM2M_TYPE_OPAQUE) {
			/* a plain string for an Opaque resource: its UTF-8 bytes */
			v.type = LWM2M_TYPE_OPAQUE;
		}
	} else if (json_is_integer(j)) {
		v = lwm2m_value_int(json_integer_value(j));
	} else if (json_is_real(j)) {
		v = lwm2m_value_float(json_real_value(j));
	} else if (json_is_boolean(j)) {
		v = lwm2m_value_bool(json_is_true(j));
	} else if (json_is_null(j)) {
		v = lwm2m_value_none();
	} else {
		return perr(c, "arrays hold values, not arrays");
	}
	if (known && v.type != LWM2M_TYPE_NONE) {
		rc = lwm2m_value_coerce(&v, want);
		if (rc < 0) {
			char msg[96];

			snprintf(msg, sizeof(msg), "the resource is %s, not %s%s",
				 lwm2m_type_name(want), lwm2m_type_name(v.type),
				 rc == -ERANGE ? " (out of range)" : "");
			return perr(c, msg);
		}
	}
	if (v.type == LWM2M_TYPE_STRING && !lwm2m_utf8_valid(v.v.bytes.data, v.v.bytes.len))
		return perr(c, "string is not UTF-8");
	rc = timed ? lwm2m_doc_add_timed(c->doc, p, &v, t) : lwm2m_doc_add(c->doc, p, &v);
	return rc < 0 ? lwm2m_error_set(c->err, -ENOMEM, SIZE_MAX, "out of memory") : 0;
}

/* @json read by jansson (duplicate keys refused); NULL with @err set when it is not JSON. */
static json_t *load_json(const char *json, size_t len, struct lwm2m_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!root)
		lwm2m_error_set(err, -EBADMSG,
				jerr.position >= 0 ? (size_t)jerr.position : SIZE_MAX,
				"line %d column %d: %s", jerr.line, jerr.column, jerr.text);
	return root;
}

int lwm2m_render_parse(const char *json, size_t len, const struct lwm2m_path *base,
		       const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
		       struct lwm2m_error *err)
{
	struct pctx c = { .reg = reg, .doc = doc, .err = err };
	json_t *root, *v;
	const char *key;
	int rc = 0;

	root = load_json(json, len, err);
	if (!root)
		return -EBADMSG;
	if (!json_is_object(root)) {
		json_decref(root);
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
				       "expected a JSON object of \"/path\": value members");
	}
	doc->base.len = 0;
	if (base) {
		doc->base = *base;
	} else if ((v = json_object_get(root, "base"))) {
		if (!json_is_string(v) ||
		    lwm2m_path_parse(json_string_value(v), json_string_length(v), &doc->base) < 0) {
			json_decref(root);
			return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
					       "\"base\" must be an LwM2M path string");
		}
	}
	json_object_foreach (root, key, v) {
		struct lwm2m_path p;

		if (key[0] != '/')
			continue; /* metadata: "base", "names" */
		c.key = key;
		if (lwm2m_path_parse(key, strlen(key), &p) < 0) {
			rc = lwm2m_error_set(err, -EBADMSG, SIZE_MAX, "\"%s\" is not an LwM2M path",
					     key);
			break;
		}
		if (!lwm2m_path_is_prefix(&doc->base, &p)) {
			rc = perr(&c, "outside the base path");
			break;
		}
		if (json_is_array(v)) {
			size_t i;
			json_t *el;

			json_array_foreach (v, i, el) {
				rc = add_one(&c, &p, el, false, 0);
				if (rc < 0)
					break;
			}
		} else {
			rc = add_one(&c, &p, v, false, 0);
		}
		if (rc < 0)
			break;
	}
	json_decref(root);
	return rc;
}

int lwm2m_render_links(const struct lwm2m_link_list *l, const struct lwm2m_registry *reg,
		       struct lwm2m_buf *out)
{
	size_t start = out->len;
	int rc = lwm2m_buf_append_byte(out, '[');

	for (size_t i = 0; i < l->count && rc == 0; i++) {
		const struct lwm2m_link *k = &l->links[i];
		const char *name = NULL;

		rc = lwm2m_buf_append_str(out, i ? ",\n  {\"link\": " : "\n  {\"link\": ");
		if (rc == 0)
			rc = lwm2m_jsonw_string(out, k->uri, strlen(k->uri));
		if (rc == 0 && k->is_path && k->path.len == 1) {
			const struct lwm2m_obj_def *o = lwm2m_registry_object(reg, k->path.id[0]);

			name = o ? o->name : NULL;
		} else if (rc == 0 && k->is_path && k->path.len >= 3) {
			const struct lwm2m_res_def *r =
				lwm2m_registry_resource(reg, k->path.id[0], k->path.id[2]);

			name = r ? r->name : NULL;
		}
		if (rc == 0 && k->is_path && k->path.len == 2) {
			const struct lwm2m_obj_def *o = lwm2m_registry_object(reg, k->path.id[0]);

			name = o ? o->name : NULL;
		}
		if (rc == 0 && name) {
			rc = lwm2m_buf_append_str(out, ", \"name\": ");
			if (rc == 0)
				rc = lwm2m_jsonw_string(out, name, strlen(name));
		}
		for (unsigned bit = 1; bit <= LWM2M_ATTR_HQMAX && rc == 0; bit <<= 1) {
			if (!(k->attrs.present & bit))
				continue;
			rc = lwm2m_buf_printf(out, ", \"%s\": ", lwm2m_link_attr_name(bit));
			if (rc == 0 && bit == LWM2M_ATTR_VER)
				rc = lwm2m_jsonw_string(out, k->attrs.ver, strlen(k->attrs.ver));
			else if (rc == 0)
				rc = lwm2m_link_attr_format(&k->attrs, bit, out);
		}
		for (size_t p = k->first_param; rc == 0 && p < k->first_param + k->nparams; p++) {
			const struct lwm2m_link_param *pa = &l->params[p];

			rc = lwm2m_buf_append_str(out, ", ");
			if (rc == 0)
				rc = lwm2m_jsonw_string(out, pa->name, strlen(pa->name));
			if (rc == 0)
				rc = lwm2m_buf_append_str(out, ": ");
			if (rc == 0)
				rc = pa->value
					     ? lwm2m_jsonw_string(out, pa->value, strlen(pa->value))
					     : lwm2m_buf_append_str(out, "true");
		}
		if (rc == 0)
			rc = lwm2m_buf_append_byte(out, '}');
	}
	if (rc == 0)
		rc = lwm2m_buf_append_str(out, l->count ? "\n]\n" : "]\n");
	if (rc < 0)
		out->len = start;
	return rc;
}

/*
 * The link-format text of JSON number @v in @tmp (the shortest form that
 * reads back: "60", "1.5"); *@text is NULL when out of memory.
 * Returns 0 or -ENOMEM.
 */
static int number_text(const json_t *v, struct lwm2m_buf *tmp, const char **text)
{
	int rc;

	lwm2m_buf_reset(tmp);
	rc = lwm2m_jsonw_double(tmp, json_number_value(v), 0);
	*text = rc == 0 ? lwm2m_buf_cstr(tmp) : NULL;
	return rc;
}

/*
 * The LwM2M attributes among the number members of link object @el, into
 * @a; "ver" (a string) is the caller's.  Returns 0, or -EBADMSG with *@bad
 * the member that is not a valid value.
 */
static int read_attrs(json_t *el, struct lwm2m_link_attrs *a, struct lwm2m_buf *tmp,
		      const char **bad)
{
	const char *key;
	json_t *v;

	json_object_foreach (el, key, v) {
		const char *text;
		int rc;

		if (strcmp(key, "link") == 0 || strcmp(key, "name") == 0 || json_is_true(v) ||
		    json_is_string(v))
			continue;
		rc = json_is_number(v) ? number_text(v, tmp, &text) : -EBADMSG;
		/* numbers that are not LwM2M attributes become parameters below */
		if (rc == 0 && text && lwm2m_link_attr_set(a, key, text) == -EINVAL)
			rc = -EBADMSG;
		if (rc < 0) {
			*bad = key;
			return -EBADMSG;
		}
	}
	return 0;
}

/*
 * The members of link object @el that are not LwM2M attributes, as
 * parameters of the last link of @l.  Returns 0, or a negative errno with
 * *@bad the member that could not be added.
 */
static int add_params(json_t *el, struct lwm2m_link_list *l, struct lwm2m_buf *tmp,
		      const char **bad)
{
	const char *key;
	json_t *v;

	json_object_foreach (el, key, v) {
		struct lwm2m_link_attrs probe = { 0 };
		const char *text;
		int rc;

		if (strcmp(key, "link") == 0 || strcmp(key, "name") == 0 || strcmp(key, "ver") == 0)
			continue;
		if (json_is_number(v)) {
			if (number_text(v, tmp, &text) < 0 || !text ||
			    lwm2m_link_attr_set(&probe, key, text) != -ENOENT)
				continue; /* an LwM2M attribute, read by read_attrs */
			rc = lwm2m_link_add_param(l, key, text, false);
		} else if (json_is_true(v) || json_is_string(v)) {
			const char *sv = json_is_true(v) ? NULL : json_string_value(v);

			/* numbers (ct=11543) stay bare, other text is quoted (rt="...") */
			rc = lwm2m_link_add_param(l, key, sv,
						  sv && strspn(sv, "0123456789") != strlen(sv));
		} else {
			rc = -EINVAL;
		}
		if (rc < 0) {
			*bad = key;
			return rc;
		}
	}
	return 0;
}

int lwm2m_render_parse_links(const char *json, size_t len, struct lwm2m_link_list *l,
			     struct lwm2m_error *err)
{
	json_t *root, *el;
	struct lwm2m_buf tmp;
	size_t i;
	int rc = 0;

	root = load_json(json, len, err);
	if (!root)
		return -EBADMSG;
	if (!json_is_array(root)) {
		json_decref(root);
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX, "expected a JSON array of links");
	}
	lwm2m_buf_init(&tmp);
	json_array_foreach (root, i, el) {
		json_t *uri = json_object_get(el, "link");
		struct lwm2m_link_attrs a = { 0 };
		const char *bad = NULL;

		if (!json_is_object(el) || !json_is_string(uri)) {
			rc = lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
					     "link %zu: needs a \"link\" string member", i);
			break;
		}
		if (read_attrs(el, &a, &tmp, &bad) < 0) {
			rc = lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
					     "link %zu: bad value for \"%s\"", i, bad);
			break;
		}
		if (json_is_string(json_object_get(el, "ver")) &&
		    lwm2m_link_attr_set(&a, "ver", json_string_value(json_object_get(el, "ver"))) <
			    0) {
			rc = lwm2m_error_set(err, -EBADMSG, SIZE_MAX, "link %zu: bad \"ver\"", i);
			break;
		}
		rc = lwm2m_link_add(l, json_string_value(uri), &a);
		if (rc < 0) {
			rc = lwm2m_error_set(err, -EBADMSG, SIZE_MAX, "link %zu: bad target", i);
			break;
		}
		if (add_params(el, l, &tmp, &bad) < 0) {
			rc = lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
					     "link %zu: bad parameter \"%s\"", i, bad);
			break;
		}
	}
	lwm2m_buf_fini(&tmp);
	json_decref(root);
	return rc;
}
