#ifndef LWM2M_XML_H
#define LWM2M_XML_H

#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_error.h"

/*
 * A small read-only element tree of an XML document, built with expat: the
 * DDF loader walks it like a DOM.  Elements keep their name, the line of
 * their start tag and their attributes; character data (entities expanded,
 * CDATA included) becomes text nodes between the elements, in document
 * order.  Comments and processing instructions are dropped.
 *
 * expat instead of libxml2: a DDF is read once at start, and libxml2 pulls
 * ICU and libstdc++ into every process that links it, about 2.5 MB of
 * resident memory for as long as lwm2md runs.  expat never fetches
 * anything (no external entities, no DTD from the network) and bounds
 * entity expansion ("billion laughs") itself; nesting is bounded here.
 */

/* Elements nest at most this deep; a DDF nests 5 deep (LWM2M/Object/Resources/Item/Name). */
#define LWM2M_XML_MAX_DEPTH 32

struct lwm2m_xml_node {
	const char *name;   /* element name; NULL for a text node */
	const char *text;   /* a text node's characters (NUL-terminated); NULL for elements */
	const char **attrs; /* name, value, name, value, ..., NULL; elements only */
	long line;          /* line of the start tag, from 1 */
	struct lwm2m_xml_node *children, *next;
};

struct lwm2m_xml_doc;

/*
 * lwm2m_xml_parse - parse @len bytes of @buf into a tree.
 * @name: the document's name for error messages ("conf/objects/3.xml").
 * Returns 0 and a document in *@out (free with lwm2m_xml_free()), or
 * -EBADMSG when the XML is not well-formed or nests too deep, @err saying
 * "NAME:LINE: XML: reason"; -ENOMEM when out of memory.
 */
int lwm2m_xml_parse(const uint8_t *buf, size_t len, const char *name, struct lwm2m_xml_doc **out,
		    struct lwm2m_error *err);

/* lwm2m_xml_root - the document element; valid as long as @doc. */
const struct lwm2m_xml_node *lwm2m_xml_root(const struct lwm2m_xml_doc *doc);

/* lwm2m_xml_attr - the value of attribute @name of element @n, or NULL. */
const char *lwm2m_xml_attr(const struct lwm2m_xml_node *n, const char *name);

/*
 * lwm2m_xml_text - the text of @n and all its descendants, in document order
 * (as DOM textContent), malloc'ed; NULL when out of memory.
 */
char *lwm2m_xml_text(const struct lwm2m_xml_node *n);

/* lwm2m_xml_free - free @doc and every node (NULL is fine). */
void lwm2m_xml_free(struct lwm2m_xml_doc *doc);

#endif
