#include "lwm2m/lwm2m_registry.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lwm2m/lwm2m_xml.h"

/* A DDF file for one object is a few tens of kB; this bounds a bad one. */
#define DDF_MAX_SIZE (4u << 20)

struct lwm2m_registry {
	struct lwm2m_obj_def *obj; /* sorted by id */
	size_t count;
	size_t cap;
};

struct lwm2m_registry *lwm2m_registry_new(void)
{
	return calloc(1, sizeof(struct lwm2m_registry));
}

static void obj_fini(struct lwm2m_obj_def *o)
{
	for (size_t i = 0; i < o->nres; i++) {
		free(o->res[i].name);
		free(o->res[i].range);
		free(o->res[i].units);
	}
	free(o->res);
	free(o->name);
	free(o->urn);
	free(o->version);
	free(o->lwm2m_version);
	free(o->file);
}

void lwm2m_registry_free(struct lwm2m_registry *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->count; i++)
		obj_fini(&r->obj[i]);
	free(r->obj);
	free(r);
}

struct ctx {
	const char *name;
	struct lwm2m_error *err;
};

static int fail(struct ctx *c, const struct lwm2m_xml_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, const struct lwm2m_xml_node *n, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return lwm2m_error_set(c->err, -EBADMSG, SIZE_MAX, "%s:%ld: <%s>: %s", c->name,
			       n ? n->line : 0L, n && n->name ? n->name : "?", what);
}

static bool is_elem(const struct lwm2m_xml_node *n, const char *name)
{
	return n->name && strcmp(n->name, name) == 0;
}

static const struct lwm2m_xml_node *child(const struct lwm2m_xml_node *parent, const char *name)
{
	for (const struct lwm2m_xml_node *n = parent->children; n; n = n->next) {
		if (is_elem(n, name))
			return n;
	}
	return NULL;
}

/* The trimmed text of an element, malloc'ed; NULL when out of memory. */
static char *text_of(const struct lwm2m_xml_node *n)
{
	char *t = lwm2m_xml_text(n);
	const char *s = t;
	size_t len;
	char *out;

	if (!t)
		return NULL;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
			   s[len - 1] == '\r'))
		len--;
	out = strndup(s, len);
	free(t);
	return out;
}

/* Text of the required child @name of @parent, or an error. */
static int required_text(struct ctx *c, const struct lwm2m_xml_node *parent, const char *name,
			 char **out)
{
	const struct lwm2m_xml_node *n = child(parent, name);

	if (!n)
		return fail(c, parent, "missing element <%s>", name);
	*out = text_of(n);
	if (!*out)
		return lwm2m_error_set(c->err, -ENOMEM, SIZE_MAX, "%s: out of memory", c->name);
	return 0;
}

static int optional_text(struct ctx *c, const struct lwm2m_xml_node *parent, const char *name,
			 const char *def, char **out)
{
	const struct lwm2m_xml_node *n = child(parent, name);

	*out = n ? text_of(n) : strdup(def);
	if (!*out)
		return lwm2m_error_set(c->err, -ENOMEM, SIZE_MAX, "%s: out of memory", c->name);
	return 0;
}

static int parse_id(struct ctx *c, const struct lwm2m_xml_node *n, const char *s, uint16_t *out)
{
	char *end;
	long v;

	if (s[0] < '0' || s[0] > '9')
		return fail(c, n, "'%s' is not an ID (0..65534)", s);
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > LWM2M_ID_MAX)
		return fail(c, n, "'%s' is not an ID (0..65534)", s);
	*out = (uint16_t)v;
	return 0;
}

/* <MultipleInstances> or <Mandatory> of @parent, as a boolean. */
static int choice(struct ctx *c, const struct lwm2m_xml_node *parent, const char *name,
		  const char *yes, const char *no, bool *out)
{
	const struct lwm2m_xml_node *n = child(parent, name);
	char *t;
	int rc = 0;

	if (!n)
		return fail(c, parent, "missing element <%s>", name);
	t = text_of(n);
	if (!t)
		return lwm2m_error_set(c->err, -ENOMEM, SIZE_MAX, "%s: out of memory", c->name);
	if (strcmp(t, yes) == 0)
		*out = true;
	else if (strcmp(t, no) == 0)
		*out = false;
	else
		rc = fail(c, n, "unexpected value '%s'", t);
	free(t);
	return rc;
}

static int parse_ops(struct ctx *c, const struct lwm2m_xml_node *item, unsigned *out)
{
	const struct lwm2m_xml_node *n = child(item, "Operations");
	char *t;
	int rc = 0;

	if (!n)
		return fail(c, item, "missing element <%s>", "Operations");
	t = text_of(n);
	if (!t)
		return lwm2m_error_set(c->err, -ENOMEM, SIZE_MAX, "%s: out of memory", c->name);
	if (strcmp(t, "") == 0)
		*out = 0;
	else if (strcmp(t, "R") == 0)
		*out = LWM2M_OP_READ;
	else if (strcmp(t, "W") == 0)
		*out = LWM2M_OP_WRITE;
	else if (strcmp(t, "RW") == 0)
		*out = LWM2M_OP_READ | LWM2M_OP_WRITE;
	else if (strcmp(t, "E") == 0)
		*out = LWM2M_OP_EXECUTE;
	else
		rc = fail(c, n, "unknown operations '%s' (R, W, RW, E or empty)", t);
	free(t);
	return rc;
}

static int parse_item(struct ctx *c, const struct lwm2m_xml_node *item, struct lwm2m_res_def *r)
{
	const char *id = lwm2m_xml_attr(item, "ID");
	const struct lwm2m_xml_node *tn;
	char *type;
	int rc;

	if (!id)
		return fail(c, item, "missing attribute %s", "ID");
	rc = parse_id(c, item, id, &r->id);
	if (rc < 0)
		return rc;
	if ((rc = required_text(c, item, "Name", &r->name)) < 0 ||
	    (rc = parse_ops(c, item, &r->ops)) < 0 ||
	    (rc = choice(c, item, "MultipleInstances", "Multiple", "Single", &r->multiple)) < 0 ||
	    (rc = choice(c, item, "Mandatory", "Mandatory", "Optional", &r->mandatory)) < 0 ||
	    (rc = optional_text(c, item, "RangeEnumeration", "", &r->range)) < 0 ||
	    (rc = optional_text(c, item, "Units", "", &r->units)) < 0)
		return rc;
	tn = child(item, "Type");
	if (!tn)
		return fail(c, item, "missing element <%s>", "Type");
	type = text_of(tn);
	if (!type)
		return lwm2m_error_set(c->err, -ENOMEM, SIZE_MAX, "%s: out of memory", c->name);
	rc = lwm2m_type_parse(type, &r->type);
	if (rc < 0)
		rc = fail(c, tn, "unknown type '%s'", type);
	else if (r->type == LWM2M_TYPE_NONE && r->ops != LWM2M_OP_EXECUTE && r->ops != 0)
		rc = fail(c, tn, "%s", "a readable or writable resource needs a type");
	free(type);
	return rc;
}

static int res_cmp(const void *a, const void *b)
{
	const struct lwm2m_res_def *x = a, *y = b;

	return (int)x->id - (int)y->id;
}

static int parse_object(struct ctx *c, const struct lwm2m_xml_node *on, struct lwm2m_obj_def *o)
{
	const struct lwm2m_xml_node *idn, *resn;
	char *id;
	size_t n = 0;
	int rc;

	idn = child(on, "ObjectID");
	if (!idn)
		return fail(c, on, "missing element <%s>", "ObjectID");
	id = text_of(idn);
	if (!id)
		return lwm2m_error_set(c->err, -ENOMEM, SIZE_MAX, "%s: out of memory", c->name);
	rc = parse_id(c, idn, id, &o->id);
	free(id);
	if (rc < 0)
		return rc;
	if ((rc = required_text(c, on, "Name", &o->name)) < 0 ||
	    (rc = optional_text(c, on, "ObjectURN", "", &o->urn)) < 0 ||
	    (rc = optional_text(c, on, "ObjectVersion", "1.0", &o->version)) < 0 ||
	    (rc = optional_text(c, on, "LWM2MVersion", "1.0", &o->lwm2m_version)) < 0 ||
	    (rc = choice(c, on, "MultipleInstances", "Multiple", "Single", &o->multiple)) < 0 ||
	    (rc = choice(c, on, "Mandatory", "Mandatory", "Optional", &o->mandatory)) < 0)
		return rc;
	resn = child(on, "Resources");
	if (!resn)
		return fail(c, on, "missing element <%s>", "Resources");
	for (const struct lwm2m_xml_node *it = resn->children; it; it = it->next) {
		if (is_elem(it, "Item"))
			n++;
	}
	o->res = calloc(n ? n : 1, sizeof(*o->res));
	if (!o->res)
		return lwm2m_error_set(c->err, -ENOMEM, SIZE_MAX, "%s: out of memory", c->name);
	for (const struct lwm2m_xml_node *it = resn->children; it; it = it->next) {
		if (!it->name)
			continue;
		if (!is_elem(it, "Item"))
			return fail(c, it, "%s", "unexpected element in <Resources>");
		rc = parse_item(c, it, &o->res[o->nres]);
		o->nres++;
		if (rc < 0)
			return rc;
		for (size_t k = 0; k + 1 < o->nres; k++) {
			if (o->res[k].id == o->res[o->nres - 1].id)
				return lwm2m_error_set(c->err, -EBADMSG, SIZE_MAX,
						       "%s:%ld: <Item>: duplicate resource ID %u",
						       c->name, it->line, (unsigned)o->res[k].id);
		}
	}
	qsort(o->res, o->nres, sizeof(*o->res), res_cmp);
	return 0;
}

static size_t find_index(const struct lwm2m_registry *r, uint16_t id, bool *found)
{
	size_t lo = 0, hi = r->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->obj[mid].id == id) {
			*found = true;
			return mid;
		}
		if (r->obj[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static int insert(struct lwm2m_registry *r, struct lwm2m_obj_def *o)
{
	bool found;
	size_t at = find_index(r, o->id, &found);

	if (found)
		return -EEXIST;
	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct lwm2m_obj_def *p = realloc(r->obj, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		r->obj = p;
		r->cap = cap;
	}
	memmove(&r->obj[at + 1], &r->obj[at], (r->count - at) * sizeof(*o));
	r->obj[at] = *o;
	r->count++;
	return 0;
}

static int load_doc(struct lwm2m_registry *r, struct ctx *c, const struct lwm2m_xml_node *root)
{
	struct lwm2m_obj_def *defs = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (!root || !is_elem(root, "LWM2M"))
		return fail(c, root, "%s", "the root element must be <LWM2M>");
	for (const struct lwm2m_xml_node *on = root->children; on && rc == 0; on = on->next) {
		if (!on->name)
			continue;
		if (!is_elem(on, "Object")) {
			rc = fail(c, on, "%s", "unexpected element in <LWM2M>");
			break;
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 2;
			struct lwm2m_obj_def *p = realloc(defs, nc * sizeof(*p));

			if (!p) {
				rc = lwm2m_error_set(c->err, -ENOMEM, SIZE_MAX, "%s: out of memory",
						     c->name);
				break;
			}
			defs = p;
			cap = nc;
		}
		memset(&defs[n], 0, sizeof(defs[n]));
		rc = parse_object(c, on, &defs[n]);
		n++;
		if (rc == 0) {
			bool found;

			find_index(r, defs[n - 1].id, &found);
			for (size_t k = 0; k + 1 < n; k++)
				found = found || defs[k].id == defs[n - 1].id;
			if (found)
				rc = lwm2m_error_set(
					c->err, -EEXIST, SIZE_MAX,
					"%s:%ld: <Object>: object %u is already defined", c->name,
					on->line, (unsigned)defs[n - 1].id);
		}
	}
	if (rc == 0 && n == 0)
		rc = fail(c, root, "%s", "no <Object> in the file");
	for (size_t k = 0; rc == 0 && k < n; k++) {
		defs[k].file = strdup(c->name);
		if (!defs[k].file)
			rc = lwm2m_error_set(c->err, -ENOMEM, SIZE_MAX, "%s: out of memory",
					     c->name);
	}
	/* all or nothing: insert only once every object of the file parsed */
	if (rc == 0 && r->cap - r->count < n) {
		struct lwm2m_obj_def *p = realloc(r->obj, (r->count + n) * sizeof(*p));

		if (!p)
			rc = lwm2m_error_set(c->err, -ENOMEM, SIZE_MAX, "%s: out of memory",
					     c->name);
		else {
			r->obj = p;
			r->cap = r->count + n;
		}
	}
	for (size_t k = 0; k < n; k++) {
		if (rc == 0)
			insert(r, &defs[k]);
		else
			obj_fini(&defs[k]);
	}
	free(defs);
	return rc;
}

int lwm2m_registry_load_buffer(struct lwm2m_registry *r, const char *name, const uint8_t *buf,
			       size_t len, struct lwm2m_error *err)
{
	struct ctx c = { .name = name, .err = err };
	struct lwm2m_xml_doc *doc;
	int rc;

	if (len > DDF_MAX_SIZE)
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX, "%s: larger than %u bytes", name,
				       DDF_MAX_SIZE);
	rc = lwm2m_xml_parse(buf, len, name, &doc, err);
	if (rc < 0)
		return rc;
	rc = load_doc(r, &c, lwm2m_xml_root(doc));
	lwm2m_xml_free(doc);
	return rc;
}

int lwm2m_registry_load_file(struct lwm2m_registry *r, const char *path, struct lwm2m_error *err)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	uint8_t *buf;
	size_t n;
	int rc;

	if (!f)
		return lwm2m_error_set(err, -errno, SIZE_MAX, "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return lwm2m_error_set(err, -EINVAL, SIZE_MAX, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > DDF_MAX_SIZE) {
		fclose(f);
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX, "%s: larger than %u bytes", path,
				       DDF_MAX_SIZE);
	}
	/* one spare byte tells a file that grew since fstat from one that did not */
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "%s: out of memory", path);
	}
	n = fread(buf, 1, (size_t)st.st_size + 1, f);
	if (ferror(f) || n > (size_t)st.st_size)
		rc = lwm2m_error_set(err, -EIO, SIZE_MAX, "%s: read error or file changed", path);
	else
		rc = lwm2m_registry_load_buffer(r, path, buf, n, err);
	fclose(f);
	free(buf);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int lwm2m_registry_load_dir(struct lwm2m_registry *r, const char *dir,
			    lwm2m_registry_error_fn *on_error, void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int loaded = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 4, ".xml") != 0 || de->d_name[0] == '.')
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			char **p = realloc(names, nc * sizeof(*p));

			if (!p)
				break;
			names = p;
			cap = nc;
		}
		if (asprintf(&names[n], "%s/%s", dir, de->d_name) < 0)
			break;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		struct lwm2m_error err;

		lwm2m_error_clear(&err);
		if (lwm2m_registry_load_file(r, names[i], &err) == 0)
			loaded++;
		else if (on_error)
			on_error(arg, names[i], &err);
		free(names[i]);
	}
	free(names);
	return loaded;
}

const struct lwm2m_obj_def *lwm2m_registry_object(const struct lwm2m_registry *r, uint16_t id)
{
	bool found;
	size_t at;

	if (!r)
		return NULL;
	at = find_index(r, id, &found);
	return found ? &r->obj[at] : NULL;
}

const struct lwm2m_res_def *lwm2m_registry_resource(const struct lwm2m_registry *r, uint16_t obj,
						    uint16_t res)
{
	const struct lwm2m_obj_def *o = lwm2m_registry_object(r, obj);
	size_t lo = 0, hi;

	if (!o)
		return NULL;
	hi = o->nres;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (o->res[mid].id == res)
			return &o->res[mid];
		if (o->res[mid].id < res)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool lwm2m_registry_type_of(const struct lwm2m_registry *r, const struct lwm2m_path *p,
			    enum lwm2m_type *out)
{
	const struct lwm2m_res_def *d;

	if (p->len < LWM2M_PATH_RESOURCE)
		return false;
	d = lwm2m_registry_resource(r, p->id[0], p->id[2]);
	if (!d)
		return false;
	*out = d->type;
	return true;
}

size_t lwm2m_registry_count(const struct lwm2m_registry *r)
{
	return r ? r->count : 0;
}

const struct lwm2m_obj_def *lwm2m_registry_at(const struct lwm2m_registry *r, size_t i)
{
	return r && i < r->count ? &r->obj[i] : NULL;
}
