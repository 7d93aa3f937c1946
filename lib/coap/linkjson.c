/*
 * Links in JSON and CBOR, and merge patches over them (see linkjson.h).
 */
#include "coap/linkjson.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <jansson.h>

/* draft-ietf-core-links-json-10 §3: the CBOR keys of the usual names. */
static const char *const cbor_names[] = {
	NULL,    "href", "rel", "anchor", "rev", "hreflang", "media",
	"title", "type", "rt",  "if",     "sz",  "ct",       "obs",
};
#define CBOR_NAMES (sizeof(cbor_names) / sizeof(cbor_names[0]))

/* Links under construction; strings point into the JSON tree or the current links. */
struct build {
	struct linkformat_link *links;
	size_t count, cap;
};

static void build_free(struct build *b)
{
	for (size_t i = 0; i < b->count; i++)
		free(b->links[i].attrs);
	free(b->links);
	memset(b, 0, sizeof(*b));
}

static struct linkformat_link *build_link(struct build *b, const char *target)
{
	if (b->count == b->cap) {
		size_t n = b->cap ? b->cap * 2 : 8;
		struct linkformat_link *l = realloc(b->links, n * sizeof(*l));

		if (!l)
			return NULL;
		b->links = l;
		b->cap = n;
	}
	b->links[b->count] = (struct linkformat_link){ target, NULL, 0 };
	return &b->links[b->count++];
}

static int link_attr(struct linkformat_link *l, const char *name, const char *value)
{
	struct linkformat_attr *a = realloc(l->attrs, (l->attr_count + 1) * sizeof(*a));

	if (!a)
		return -ENOMEM;
	l->attrs = a;
	a[l->attr_count++] = (struct linkformat_attr){ name, value, false };
	return 0;
}

/* A value link-format can carry in a quoted-string: no controls but HTAB. */
static bool valid_value(const char *v)
{
	for (; *v; v++)
		if (((uint8_t)*v < 0x20 && *v != '\t') || *v == 0x7f)
			return false;
	return true;
}

/* One JSON attribute value (string, true, or an array of those) onto @l. */
static int add_value(struct linkformat_link *l, const char *name, json_t *v)
{
	size_t i;
	json_t *e;
	int rc;

	if (json_is_true(v))
		return link_attr(l, name, NULL);
	if (json_is_string(v)) {
		if (strlen(json_string_value(v)) != json_string_length(v) ||
		    !valid_value(json_string_value(v)))
			return LINKJSON_E_VALUE;
		return link_attr(l, name, json_string_value(v));
	}
	if (!json_is_array(v) || json_array_size(v) == 0)
		return LINKJSON_E_VALUE;
	json_array_foreach (v, i, e) {
		if (json_is_array(e))
			return LINKJSON_E_VALUE;
		rc = add_value(l, name, e);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static bool valid_href(json_t *h)
{
	return json_is_string(h) && strlen(json_string_value(h)) == json_string_length(h) &&
	       linkformat_is_target(json_string_value(h));
}

/* The attributes of the JSON object @o (but "href") onto @l. */
static int add_attrs(struct linkformat_link *l, json_t *o, bool skip_null)
{
	const char *name;
	json_t *v;
	int rc;

	json_object_foreach (o, name, v) {
		if (strcmp(name, "href") == 0)
			continue;
		if (!linkformat_is_parmname(name))
			return LINKJSON_E_NAME;
		if (skip_null && json_is_null(v))
			continue;
		rc = add_value(l, name, v);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Serialise what was built and parse it back into @out: the one check that counts. */
static int build_finish(struct build *b, struct linkformat *out)
{
	size_t len;
	char *text;
	int rc;

	linkformat_format(b->links, b->count, NULL, 0, &len);
	text = malloc(len + 1);
	if (!text) {
		build_free(b);
		return -ENOMEM;
	}
	linkformat_format(b->links, b->count, text, len + 1, &len);
	rc = linkformat_parse((const uint8_t *)text, len, out);
	if (rc == 0 && out->count != b->count) {
		linkformat_fini(out);
		rc = LINKJSON_E_HREF;
	}
	free(text);
	build_free(b);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		memset(out, 0, sizeof(*out));
		return LINKJSON_E_VALUE;
	}
	return 0;
}

/* The links of a decoded JSON tree (an array of objects) into @out. */
static int from_tree(json_t *root, struct linkformat *out)
{
	struct build b = { 0 };
	size_t i;
	json_t *o;
	int rc = 0;

	if (!json_is_array(root))
		return LINKJSON_E_SHAPE;
	json_array_foreach (root, i, o) {
		struct linkformat_link *l;
		json_t *href = json_object_get(o, "href");

		if (!json_is_object(o)) {
			rc = LINKJSON_E_SHAPE;
			break;
		}
		if (!valid_href(href)) {
			rc = LINKJSON_E_HREF;
			break;
		}
		l = build_link(&b, json_string_value(href));
		rc = l ? add_attrs(l, o, false) : -ENOMEM;
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		build_free(&b);
		return rc;
	}
	return build_finish(&b, out);
}

int linkjson_decode_json(const uint8_t *buf, size_t len, struct linkformat *out)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	memset(out, 0, sizeof(*out));
	root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		out->error_offset = jerr.position > 0 ? (size_t)jerr.position : 0;
		return LINKJSON_E_SYNTAX;
	}
	rc = from_tree(root, out);
	json_decref(root);
	return rc;
}

/* One CBOR data item head, read by libcbor's streaming decoder. */
enum citem_kind { CI_OTHER, CI_UINT, CI_TEXT, CI_ARRAY, CI_MAP, CI_TRUE };

struct citem {
	enum citem_kind kind;
	uint64_t u; /* UINT value, ARRAY or MAP count */
	const uint8_t *data;
	size_t len;
};

static void c_u8(void *ctx, uint8_t v)
{
	*(struct citem *)ctx = (struct citem){ .kind = CI_UINT, .u = v };
}

static void c_u16(void *ctx, uint16_t v)
{
	*(struct citem *)ctx = (struct citem){ .kind = CI_UINT, .u = v };
}

static void c_u32(void *ctx, uint32_t v)
{
	*(struct citem *)ctx = (struct citem){ .kind = CI_UINT, .u = v };
}

static void c_u64(void *ctx, uint64_t v)
{
	*(struct citem *)ctx = (struct citem){ .kind = CI_UINT, .u = v };
}

static void c_text(void *ctx, cbor_data data, size_t len)
{
	*(struct citem *)ctx = (struct citem){ .kind = CI_TEXT, .data = data, .len = (size_t)len };
}

static void c_array(void *ctx, size_t n)
{
	*(struct citem *)ctx = (struct citem){ .kind = CI_ARRAY, .u = n };
}

static void c_map(void *ctx, size_t n)
{
	*(struct citem *)ctx = (struct citem){ .kind = CI_MAP, .u = n };
}

static void c_bool(void *ctx, bool v)
{
	*(struct citem *)ctx = (struct citem){ .kind = v ? CI_TRUE : CI_OTHER };
}

struct creader {
	const uint8_t *buf;
	size_t len, pos;
};

/*
 * The next item head (a whole string for text).  Anything our format does
 * not use (indefinite lengths, tags, floats, byte strings…) is CI_OTHER.
 * libcbor checks every head and definite string against the bytes left.
 */
static int cnext(struct creader *r, struct citem *it)
{
	struct cbor_callbacks cb = cbor_empty_callbacks;
	struct cbor_decoder_result res;

	cb.uint8 = c_u8;
	cb.uint16 = c_u16;
	cb.uint32 = c_u32;
	cb.uint64 = c_u64;
	cb.string = c_text;
	cb.array_start = c_array;
	cb.map_start = c_map;
	cb.boolean = c_bool;
	if (r->pos >= r->len)
		return LINKJSON_E_SYNTAX;
	*it = (struct citem){ .kind = CI_OTHER };
	res = cbor_stream_decode(r->buf + r->pos, r->len - r->pos, &cb, it);
	if (res.status != CBOR_DECODER_FINISHED || res.read == 0)
		return LINKJSON_E_SYNTAX;
	r->pos += res.read;
	return 0;
}

/* A CBOR text string as a JSON string (valid UTF-8 without NUL), or NULL. */
static json_t *ctext(const struct citem *it)
{
	if (memchr(it->data, 0, it->len))
		return NULL;
	return json_stringn((const char *)it->data, it->len);
}

/* A value: text, true, or an array of those. */
static int cvalue(struct creader *r, json_t **out)
{
	struct citem it;
	json_t *arr;
	int rc = cnext(r, &it);

	if (rc < 0)
		return rc;
	if (it.kind == CI_TRUE) {
		*out = json_true();
		return 0;
	}
	if (it.kind == CI_TEXT) {
		*out = ctext(&it);
		return *out ? 0 : LINKJSON_E_VALUE;
	}
	/* each element takes at least one byte: a count past the input is a lie */
	if (it.kind != CI_ARRAY || it.u == 0 || it.u > r->len - r->pos)
		return LINKJSON_E_VALUE;
	arr = json_array();
	if (!arr)
		return -ENOMEM;
	for (uint64_t i = 0; i < it.u; i++) {
		struct citem e;
		json_t *s = NULL;

		rc = cnext(r, &e);
		if (rc == 0 && e.kind == CI_TRUE)
			s = json_true();
		else if (rc == 0 && e.kind == CI_TEXT)
			s = ctext(&e);
		if (rc == 0 && !s)
			rc = LINKJSON_E_VALUE;
		if (rc < 0) {
			json_decref(arr);
			return rc;
		}
		json_array_append_new(arr, s);
	}
	*out = arr;
	return 0;
}

/* One link map into a JSON object, integer keys named after the draft's table. */
static int clink(struct creader *r, json_t *o)
{
	struct citem it;
	int rc = cnext(r, &it);

	if (rc < 0)
		return rc;
	if (it.kind != CI_MAP || it.u > (r->len - r->pos) / 2)
		return LINKJSON_E_SHAPE;
	for (uint64_t i = 0; i < it.u; i++) {
		struct citem k;
		char *name;
		json_t *v;

		rc = cnext(r, &k);
		if (rc < 0)
			return rc;
		if (k.kind == CI_UINT && k.u > 0 && k.u < CBOR_NAMES)
			name = strdup(cbor_names[k.u]);
		else if (k.kind == CI_TEXT && k.len > 0 && !memchr(k.data, 0, k.len))
			name = strndup((const char *)k.data, k.len); /* k.len is within the input */
		else
			return LINKJSON_E_NAME;
		if (!name)
			return -ENOMEM;
		if (!linkformat_is_parmname(name) || json_object_get(o, name))
			rc = LINKJSON_E_NAME; /* a bad name or a key given twice */
		if (rc == 0)
			rc = cvalue(r, &v);
		if (rc == 0)
			json_object_set_new(o, name, v);
		free(name);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int linkjson_decode_cbor(const uint8_t *buf, size_t len, struct linkformat *out)
{
	struct creader r = { buf, len, 0 };
	struct citem it;
	json_t *root;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = cnext(&r, &it);
	if (rc == 0 && (it.kind != CI_ARRAY || it.u > len - r.pos))
		rc = LINKJSON_E_SHAPE;
	if (rc < 0) {
		out->error_offset = r.pos;
		return rc;
	}
	root = json_array();
	if (!root)
		return -ENOMEM;
	for (uint64_t i = 0; i < it.u && rc == 0; i++) {
		json_t *o = json_object();

		if (!o) {
			rc = -ENOMEM;
			break;
		}
		json_array_append_new(root, o);
		rc = clink(&r, o);
	}
	if (rc == 0 && r.pos != len)
		rc = LINKJSON_E_SYNTAX; /* trailing bytes */
	if (rc == 0)
		rc = from_tree(root, out);
	else
		out->error_offset = r.pos;
	json_decref(root);
	return rc;
}

bool linkjson_utf8_valid(const char *str)
{
	const uint8_t *p = (const uint8_t *)str;

	while (*p) {
		uint32_t c;
		int n;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0)
			n = 1, c = *p & 0x1f;
		else if ((*p & 0xf0) == 0xe0)
			n = 2, c = *p & 0x0f;
		else if ((*p & 0xf8) == 0xf0)
			n = 3, c = *p & 0x07;
		else
			return false;
		p++;
		for (int i = 0; i < n; i++, p++) {
			if ((*p & 0xc0) != 0x80) /* also stops at the NUL */
				return false;
			c = (c << 6) | (*p & 0x3f);
		}
		if ((n == 1 && c < 0x80) || (n == 2 && c < 0x800) || (n == 3 && c < 0x10000) ||
		    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return false;
	}
	return true;
}

/* Can @links be written as JSON or CBOR text strings? */
static bool links_utf8(const struct linkformat_link *links, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (!linkjson_utf8_valid(links[i].target))
			return false;
		for (size_t k = 0; k < links[i].attr_count; k++)
			if (!linkjson_utf8_valid(links[i].attrs[k].name) ||
			    (links[i].attrs[k].value &&
			     !linkjson_utf8_valid(links[i].attrs[k].value)))
				return false;
	}
	return true;
}

/* The value of attribute @k of @l and every later one of the same name, as JSON. */
static json_t *json_value_of(const struct linkformat_link *l, size_t k, size_t uses)
{
	json_t *arr;

	if (uses == 1)
		return l->attrs[k].value ? json_string(l->attrs[k].value) : json_true();
	arr = json_array();
	for (size_t j = k; arr && j < l->attr_count; j++)
		if (strcmp(l->attrs[j].name, l->attrs[k].name) == 0)
			json_array_append_new(arr, l->attrs[j].value
							   ? json_string(l->attrs[j].value)
							   : json_true());
	return arr;
}

static size_t uses_of(const struct linkformat_link *l, size_t k)
{
	size_t n = 0;

	for (size_t j = 0; j < l->attr_count; j++)
		if (strcmp(l->attrs[j].name, l->attrs[k].name) == 0)
			n++;
	return n;
}

/* True when attribute @k is the first of its name in @l (the one that carries them all). */
static bool first_of_name(const struct linkformat_link *l, size_t k)
{
	for (size_t j = 0; j < k; j++)
		if (strcmp(l->attrs[j].name, l->attrs[k].name) == 0)
			return false;
	return true;
}

int linkjson_encode_json(const struct linkformat_link *links, size_t count, char **out, size_t *len)
{
	json_t *root;

	if (!links_utf8(links, count))
		return LINKJSON_E_UTF8;
	root = json_array();
	if (!root)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		const struct linkformat_link *l = &links[i];
		json_t *o = json_object();

		if (!o || json_array_append_new(root, o) < 0 ||
		    json_object_set_new(o, "href", json_string(l->target)) < 0) {
			json_decref(root);
			return -ENOMEM;
		}
		for (size_t k = 0; k < l->attr_count; k++) {
			if (strcmp(l->attrs[k].name, "href") == 0 || !first_of_name(l, k))
				continue;
			if (json_object_set_new(o, l->attrs[k].name,
						json_value_of(l, k, uses_of(l, k))) < 0) {
				json_decref(root);
				return -ENOMEM;
			}
		}
	}
	*out = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!*out)
		return -ENOMEM;
	*len = strlen(*out);
	return 0;
}

/* A growing CBOR buffer. */
struct cbuf {
	uint8_t *data;
	size_t len, cap;
	bool failed;
};

static uint8_t *creserve(struct cbuf *b, size_t n)
{
	if (b->failed)
		return NULL;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *d;

		while (cap < b->len + n)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d) {
			b->failed = true;
			return NULL;
		}
		b->data = d;
		b->cap = cap;
	}
	return b->data + b->len;
}

#define HEAD_MAX 9 /* the longest CBOR head: 1 initial byte + 8 */

enum chead_kind { CH_UINT, CH_TEXT, CH_ARRAY, CH_MAP };

static void chead(struct cbuf *b, enum chead_kind kind, size_t v)
{
	uint8_t *p = creserve(b, HEAD_MAX);

	if (!p)
		return;
	switch (kind) {
	case CH_UINT:
		b->len += cbor_encode_uint(v, p, HEAD_MAX);
		break;
	case CH_TEXT:
		b->len += cbor_encode_string_start(v, p, HEAD_MAX);
		break;
	case CH_ARRAY:
		b->len += cbor_encode_array_start(v, p, HEAD_MAX);
		break;
	case CH_MAP:
		b->len += cbor_encode_map_start(v, p, HEAD_MAX);
		break;
	}
}

static void ctext_put(struct cbuf *b, const char *s)
{
	size_t n = strlen(s);
	uint8_t *p;

	chead(b, CH_TEXT, n);
	p = creserve(b, n);
	if (p) {
		memcpy(p, s, n);
		b->len += n;
	}
}

static void cvalue_put(struct cbuf *b, const char *v)
{
	uint8_t *p;

	if (v) {
		ctext_put(b, v);
		return;
	}
	p = creserve(b, 1);
	if (p)
		b->len += cbor_encode_bool(true, p, 1);
}

static void ckey_put(struct cbuf *b, const char *name)
{
	for (size_t i = 1; i < CBOR_NAMES; i++) {
		if (strcmp(cbor_names[i], name) == 0) {
			chead(b, CH_UINT, i);
			return;
		}
	}
	ctext_put(b, name);
}

int linkjson_encode_cbor(const struct linkformat_link *links, size_t count, uint8_t **out,
			 size_t *len)
{
	struct cbuf b = { 0 };

	if (!links_utf8(links, count))
		return LINKJSON_E_UTF8;
	chead(&b, CH_ARRAY, count);
	for (size_t i = 0; i < count; i++) {
		const struct linkformat_link *l = &links[i];
		size_t pairs = 1;

		for (size_t k = 0; k < l->attr_count; k++)
			if (strcmp(l->attrs[k].name, "href") != 0 && first_of_name(l, k))
				pairs++;
		chead(&b, CH_MAP, pairs);
		ckey_put(&b, "href");
		ctext_put(&b, l->target);
		for (size_t k = 0; k < l->attr_count; k++) {
			size_t uses;

			if (strcmp(l->attrs[k].name, "href") == 0 || !first_of_name(l, k))
				continue;
			ckey_put(&b, l->attrs[k].name);
			uses = uses_of(l, k);
			if (uses == 1) {
				cvalue_put(&b, l->attrs[k].value);
				continue;
			}
			chead(&b, CH_ARRAY, uses);
			for (size_t j = k; j < l->attr_count; j++)
				if (strcmp(l->attrs[j].name, l->attrs[k].name) == 0)
					cvalue_put(&b, l->attrs[j].value);
		}
	}
	if (b.failed) {
		free(b.data);
		return -ENOMEM;
	}
	*out = b.data;
	*len = b.len;
	return 0;
}

/* How many links of @cur have @target. */
static size_t target_uses(const struct linkformat *cur, const char *target)
{
	size_t n = 0;

	for (size_t i = 0; i < cur->count; i++)
		if (strcmp(cur->links[i].target, target) == 0)
			n++;
	return n;
}

/* Link @src changed by the patch object @po into @b. */
static int patch_link(struct build *b, const struct linkformat_link *src, json_t *po)
{
	struct linkformat_link *l = build_link(b, src->target);

	if (!l)
		return -ENOMEM;
	for (size_t k = 0; k < src->attr_count; k++) {
		int rc;

		if (json_object_get(po, src->attrs[k].name))
			continue; /* replaced or removed */
		rc = link_attr(l, src->attrs[k].name, src->attrs[k].value);
		if (rc < 0)
			return rc;
	}
	return add_attrs(l, po, true);
}

int linkjson_merge_patch(const struct linkformat *cur, const uint8_t *patch, size_t len,
			 struct linkformat *out)
{
	struct build b = { 0 };
	json_error_t jerr;
	const char *target;
	json_t *root, *po;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	root = json_loadb((const char *)patch, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		out->error_offset = jerr.position > 0 ? (size_t)jerr.position : 0;
		return LINKJSON_E_SYNTAX;
	}
	if (!json_is_object(root))
		rc = LINKJSON_E_SHAPE;
	/* every member is checked before anything is applied */
	json_object_foreach (root, target, po) {
		if (rc < 0)
			break;
		if (!linkformat_is_target(target))
			rc = LINKJSON_E_HREF;
		else if (!json_is_null(po) && !json_is_object(po))
			rc = LINKJSON_E_SHAPE;
		else if (json_object_get(po, "href"))
			rc = LINKJSON_E_NAME; /* the target is the key; it cannot change */
		else if (target_uses(cur, target) > 1)
			rc = LINKJSON_E_AMBIGUOUS;
	}
	for (size_t i = 0; rc == 0 && i < cur->count; i++) {
		const struct linkformat_link *src = &cur->links[i];

		po = json_object_get(root, src->target);
		if (json_is_null(po))
			continue; /* removed */
		if (po) {
			rc = patch_link(&b, src, po);
		} else {
			struct linkformat_link *l = build_link(&b, src->target);

			for (size_t k = 0; l && rc == 0 && k < src->attr_count; k++)
				rc = link_attr(l, src->attrs[k].name, src->attrs[k].value);
			if (!l)
				rc = -ENOMEM;
		}
	}
	json_object_foreach (root, target, po) {
		struct linkformat_link *l;

		if (rc < 0)
			break;
		if (!json_is_object(po) || target_uses(cur, target) > 0)
			continue;
		l = build_link(&b, target);
		rc = l ? add_attrs(l, po, true) : -ENOMEM;
	}
	if (rc < 0) {
		build_free(&b);
		json_decref(root);
		return rc;
	}
	rc = build_finish(&b, out);
	json_decref(root);
	return rc;
}

const char *linkjson_strerror(int err)
{
	switch (err) {
	case LINKJSON_E_SYNTAX:
		return "not well-formed JSON or CBOR";
	case LINKJSON_E_SHAPE:
		return "not a links document (an array of link objects; a patch: an object of "
		       "link objects or nulls keyed by href)";
	case LINKJSON_E_HREF:
		return "a link without href, or an href that is not a URI-Reference";
	case LINKJSON_E_NAME:
		return "an attribute name that is not a link-format parmname, or an unknown key";
	case LINKJSON_E_VALUE:
		return "an attribute value that is not a string, true, or an array of those";
	case LINKJSON_E_AMBIGUOUS:
		return "the patch names a target that more than one link has";
	case LINKJSON_E_UTF8:
		return "a target, name or value that is not UTF-8 cannot be written in JSON or "
		       "CBOR";
	case -ENOMEM:
		return "out of memory";
	default:
		return "unknown error";
	}
}
