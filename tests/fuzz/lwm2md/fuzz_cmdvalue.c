/*
 * lwm2md's command-line values (cmdvalue), typed by the shipped object
 * definitions: the first input byte picks the resource, the rest is the
 * text an operator typed.  Properties: no crash; a value that parses is
 * one entry at that path of the type the definition gives, which encodes
 * as text/plain and, decoded by lib/lwm2m, is that type again; a refusal
 * is -EBADMSG with a message.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdvalue.h"
#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct lwm2m_registry *registry(void)
{
	static struct lwm2m_registry *reg;

	if (!reg) {
		reg = lwm2m_registry_new();
		if (!reg || lwm2m_registry_load_dir(reg, FUZZ_OBJECTS_DIR, NULL, NULL) < 4)
			abort();
	}
	return reg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* one resource of each type that cmdvalue parses */
	static const char *const paths[] = { "/1/0/1",  "/1/0/13", "/3303/0/5700", "/1/0/6",
					     "/3/0/13", "/1/0/10", "/0/0/3",       "/3/0/22/1" };
	const struct lwm2m_registry *reg = registry();
	const char *ps;
	struct lwm2m_path p;
	struct lwm2m_doc doc, again;
	struct lwm2m_error err = { 0 };
	struct lwm2m_buf text;
	enum lwm2m_type t;
	int rc;

	if (size < 1)
		return 0;
	ps = paths[data[0] % (sizeof(paths) / sizeof(paths[0]))];
	if (lwm2m_path_parse(ps, strlen(ps), &p) < 0 || !cmdvalue_typed(reg, &p) ||
	    !lwm2m_registry_type_of(reg, &p, &t))
		abort();
	lwm2m_doc_init(&doc);
	rc = cmdvalue_parse((const char *)data + 1, size - 1, &p, reg, &doc, &err);
	if (rc < 0) {
		if (rc != -EBADMSG || err.code != rc || !err.msg[0])
			abort();
		lwm2m_doc_fini(&doc);
		return 0;
	}
	if (doc.count != 1 || lwm2m_path_cmp(&doc.entries[0].path, &p) != 0 ||
	    doc.entries[0].value.type != t)
		abort();
	lwm2m_buf_init(&text);
	lwm2m_doc_init(&again);
	/* NaN and infinity have no text form: cmdvalue must not have made one */
	if (lwm2m_text_encode(&doc, &text, &err) < 0 ||
	    lwm2m_text_decode(text.data, text.len, &p, reg, &again, &err) < 0 || again.count != 1 ||
	    again.entries[0].value.type != t)
		abort();
	lwm2m_doc_fini(&again);
	lwm2m_buf_fini(&text);
	lwm2m_doc_fini(&doc);
	return 0;
}
