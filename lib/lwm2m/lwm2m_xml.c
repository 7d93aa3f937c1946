#include "lwm2m/lwm2m_xml.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <expat.h>

/*
 * Nodes, names and texts live in chunks freed together: a document is
 * built once, read, and dropped whole, so nothing is freed one by one and
 * freeing is a loop, not a recursion over a tree an input chose.
 */
#define CHUNK_SIZE 16384

struct chunk {
	struct chunk *next;
	size_t used, size;
	_Alignas(max_align_t) unsigned char data[];
};

struct lwm2m_xml_doc {
	struct chunk *chunks;
	struct lwm2m_xml_node *root;
};

struct builder {
	XML_Parser p;
	struct lwm2m_xml_doc *doc;
	struct lwm2m_xml_node *stack[LWM2M_XML_MAX_DEPTH];
	struct lwm2m_xml_node *last[LWM2M_XML_MAX_DEPTH]; /* last child of each open element */
	unsigned depth;
	char *text; /* character data not yet made a node */
	size_t text_len, text_cap;
	int error; /* ours, when expat was stopped: -ENOMEM or -EBADMSG (too deep) */
};

static void *alloc(struct lwm2m_xml_doc *doc, size_t size)
{
	struct chunk *c = doc->chunks;
	void *p;

	size = (size + _Alignof(max_align_t) - 1) & ~(size_t)(_Alignof(max_align_t) - 1);
	if (!c || c->size - c->used < size) {
		size_t cap = size > CHUNK_SIZE ? size : CHUNK_SIZE;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->size = cap;
		c->used = 0;
		c->next = doc->chunks;
		doc->chunks = c;
	}
	p = c->data + c->used;
	c->used += size;
	return p;
}

static char *copy(struct lwm2m_xml_doc *doc, const char *s, size_t len)
{
	char *d = alloc(doc, len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

static void stop(struct builder *b, int error)
{
	if (!b->error)
		b->error = error;
	XML_StopParser(b->p, XML_FALSE);
}

/* Hang @n under the innermost open element (or make it the root). */
static void append(struct builder *b, struct lwm2m_xml_node *n)
{
	if (b->depth == 0) {
		b->doc->root = n;
		return;
	}
	if (b->last[b->depth - 1])
		b->last[b->depth - 1]->next = n;
	else
		b->stack[b->depth - 1]->children = n;
	b->last[b->depth - 1] = n;
}

/* Character data since the last tag becomes one text node. */
static int flush_text(struct builder *b)
{
	struct lwm2m_xml_node *n;

	if (b->text_len == 0 || b->depth == 0) {
		b->text_len = 0;
		return 0;
	}
	n = alloc(b->doc, sizeof(*n));
	if (!n)
		return -ENOMEM;
	memset(n, 0, sizeof(*n));
	n->text = copy(b->doc, b->text, b->text_len);
	if (!n->text)
		return -ENOMEM;
	n->line = (long)XML_GetCurrentLineNumber(b->p);
	append(b, n);
	b->text_len = 0;
	return 0;
}

static void on_chars(void *arg, const XML_Char *s, int len)
{
	struct builder *b = arg;

	if (b->error)
		return;
	if (b->text_cap - b->text_len < (size_t)len) {
		size_t cap = b->text_cap ? b->text_cap : 256;
		char *t;

		while (cap - b->text_len < (size_t)len)
			cap *= 2;
		t = realloc(b->text, cap);
		if (!t) {
			stop(b, -ENOMEM);
			return;
		}
		b->text = t;
		b->text_cap = cap;
	}
	memcpy(b->text + b->text_len, s, (size_t)len);
	b->text_len += (size_t)len;
}

static const char **copy_attrs(struct lwm2m_xml_doc *doc, const XML_Char **attrs)
{
	size_t n = 0;
	const char **out;

	while (attrs[n])
		n++;
	out = alloc(doc, (n + 1) * sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		out[i] = copy(doc, attrs[i], strlen(attrs[i]));
		if (!out[i])
			return NULL;
	}
	out[n] = NULL;
	return out;
}

static void on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct builder *b = arg;
	struct lwm2m_xml_node *n;

	if (b->error)
		return;
	if (b->depth == LWM2M_XML_MAX_DEPTH) {
		stop(b, -EBADMSG);
		return;
	}
	if (flush_text(b) < 0 || !(n = alloc(b->doc, sizeof(*n)))) {
		stop(b, -ENOMEM);
		return;
	}
	memset(n, 0, sizeof(*n));
	n->name = copy(b->doc, name, strlen(name));
	n->attrs = copy_attrs(b->doc, attrs);
	n->line = (long)XML_GetCurrentLineNumber(b->p);
	if (!n->name || !n->attrs) {
		stop(b, -ENOMEM);
		return;
	}
	append(b, n);
	b->stack[b->depth] = n;
	b->last[b->depth] = NULL;
	b->depth++;
}

static void on_end(void *arg, const XML_Char *name)
{
	struct builder *b = arg;

	/* expat may still report the end of an empty element it was stopped in */
	if (b->error)
		return;
	if (flush_text(b) < 0) {
		stop(b, -ENOMEM);
		return;
	}
	b->depth--;
}

static int parse_error(struct builder *b, const char *name, struct lwm2m_error *err)
{
	long line = (long)XML_GetCurrentLineNumber(b->p);

	if (b->error == -ENOMEM)
		return lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "%s: out of memory", name);
	if (b->error == -EBADMSG)
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX,
				       "%s:%ld: XML: elements nest deeper than %d", name, line,
				       LWM2M_XML_MAX_DEPTH);
	return lwm2m_error_set(err, -EBADMSG, SIZE_MAX, "%s:%ld: XML: %s", name, line,
			       XML_ErrorString(XML_GetErrorCode(b->p)));
}

int lwm2m_xml_parse(const uint8_t *buf, size_t len, const char *name, struct lwm2m_xml_doc **out,
		    struct lwm2m_error *err)
{
	struct builder b = { 0 };
	int rc = 0;

	*out = NULL;
	if (len > INT_MAX)
		return lwm2m_error_set(err, -EBADMSG, SIZE_MAX, "%s: too large", name);
	b.doc = calloc(1, sizeof(*b.doc));
	b.p = XML_ParserCreate(NULL);
	if (!b.doc || !b.p) {
		rc = lwm2m_error_set(err, -ENOMEM, SIZE_MAX, "%s: out of memory", name);
		goto out;
	}
	XML_SetUserData(b.p, &b);
	XML_SetElementHandler(b.p, on_start, on_end);
	XML_SetCharacterDataHandler(b.p, on_chars);
	if (XML_Parse(b.p, (const char *)buf, (int)len, XML_TRUE) != XML_STATUS_OK) {
		rc = parse_error(&b, name, err);
		goto out;
	}
	*out = b.doc;
	b.doc = NULL;
out:
	if (b.p)
		XML_ParserFree(b.p);
	free(b.text);
	lwm2m_xml_free(b.doc);
	return rc;
}

const struct lwm2m_xml_node *lwm2m_xml_root(const struct lwm2m_xml_doc *doc)
{
	return doc->root;
}

const char *lwm2m_xml_attr(const struct lwm2m_xml_node *n, const char *name)
{
	for (const char **a = n->attrs; a && a[0]; a += 2) {
		if (strcmp(a[0], name) == 0)
			return a[1];
	}
	return NULL;
}

/* Depth-first over at most LWM2M_XML_MAX_DEPTH levels: the parser bounded the nesting. */
static size_t text_into(const struct lwm2m_xml_node *n, char *out)
{
	size_t len = 0;

	if (n->text) {
		len = strlen(n->text);
		if (out)
			memcpy(out, n->text, len);
		return len;
	}
	for (const struct lwm2m_xml_node *c = n->children; c; c = c->next)
		len += text_into(c, out ? out + len : NULL);
	return len;
}

char *lwm2m_xml_text(const struct lwm2m_xml_node *n)
{
	size_t len = text_into(n, NULL);
	char *s = malloc(len + 1);

	if (s) {
		text_into(n, s);
		s[len] = '\0';
	}
	return s;
}

void lwm2m_xml_free(struct lwm2m_xml_doc *doc)
{
	struct chunk *c, *next;

	if (!doc)
		return;
	for (c = doc->chunks; c; c = next) {
		next = c->next;
		free(c);
	}
	free(doc);
}
