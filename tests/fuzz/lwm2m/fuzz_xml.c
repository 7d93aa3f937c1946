/* libFuzzer target: the expat element tree under DDF files (lwm2m_xml). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lwm2m/lwm2m_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lwm2m_xml_doc *doc;
	struct lwm2m_error err;
	const struct lwm2m_xml_node *root;
	char *all;
	size_t len = 0;

	if (lwm2m_xml_parse(data, size, "fuzz.xml", &doc, &err) < 0) {
		if (doc || !memchr(err.msg, '\0', sizeof(err.msg)))
			abort();
		return 0;
	}
	root = lwm2m_xml_root(doc);
	if (!root || !root->name || root->text)
		abort();
	/* an element's text is its children's, in order */
	all = lwm2m_xml_text(root);
	for (const struct lwm2m_xml_node *c = root->children; c; c = c->next) {
		char *t = lwm2m_xml_text(c);
		size_t n = strlen(t);

		if (strncmp(all + len, t, n) != 0)
			abort();
		len += n;
		free(t);
		for (const char **a = c->attrs; a && a[0]; a += 2) {
			if (!a[1] || lwm2m_xml_attr(c, a[0]) == NULL)
				abort();
		}
	}
	if (all[len] != '\0')
		abort();
	free(all);
	lwm2m_xml_free(doc);
	return 0;
}
