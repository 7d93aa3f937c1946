/*
 * Shared by the lwm2m fuzz targets (static, header-only): the registry of
 * the shipped object definitions, the request paths a payload is decoded
 * for, and the round-trip property every value format must keep.
 */
#ifndef FUZZ_LWM2M_H
#define FUZZ_LWM2M_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lwm2m/lwm2m_format.h"
#include "lwm2m/lwm2m_registry.h"

static inline const struct lwm2m_registry *fuzz_registry(void)
{
	static struct lwm2m_registry *reg;

	if (!reg) {
		reg = lwm2m_registry_new();
		if (!reg || lwm2m_registry_load_dir(reg, LWM2M_FUZZ_OBJECTS_DIR, NULL, NULL) < 11)
			abort();
	}
	return reg;
}

/* The first input byte picks the request path; the rest is the payload. */
static inline struct lwm2m_path fuzz_base(uint8_t sel)
{
	static const char *const bases[] = {"/",       "/3",     "/3/0",      "/3/0/7", "/3/0/7/1",
	                                    "/3303/0", "/0/0/3", "/1/0",      "/2",     "/3/0/13",
	                                    "/5/0/0",  "/3303",  "/9999/1/2", "/3/0/0", "/6/0/0"};
	const char *s = bases[sel % (sizeof(bases) / sizeof(bases[0]))];
	struct lwm2m_path p;

	if (lwm2m_path_parse(s, strlen(s), &p) < 0)
		abort();
	return p;
}

/* Values JSON cannot carry back exactly, which the property skips. */
static inline bool fuzz_unrepresentable(const struct lwm2m_doc *doc)
{
	for (size_t i = 0; i < doc->count; i++) {
		const struct lwm2m_value *v = &doc->entries[i].value;

		if ((v->type == LWM2M_TYPE_FLOAT && !isfinite(v->v.f)) ||
		    (v->type == LWM2M_TYPE_UNSIGNED && v->v.u > INT64_MAX) ||
		    (doc->entries[i].has_time && !isfinite(doc->entries[i].time)))
			return true;
	}
	return false;
}

static inline bool fuzz_same_value(const struct lwm2m_value *a, const struct lwm2m_value *b)
{
	if (a->type == LWM2M_TYPE_FLOAT && b->type == LWM2M_TYPE_FLOAT)
		return a->v.f == b->v.f;
	return lwm2m_value_equal(a, b);
}

/*
 * Decode @data in format @f; whatever decodes must encode again, and what
 * our encoder writes must decode to the same document.
 */
static inline void fuzz_format(enum lwm2m_format f, const uint8_t *data, size_t size)
{
	const struct lwm2m_registry *reg = fuzz_registry();
	struct lwm2m_doc doc, back;
	struct lwm2m_buf out;
	struct lwm2m_error err;
	struct lwm2m_path base;

	if (size < 1)
		return;
	base = fuzz_base(data[0]);
	lwm2m_doc_init(&doc);
	lwm2m_doc_init(&back);
	lwm2m_buf_init(&out);
	if (lwm2m_format_decode(f, data + 1, size - 1, &base, reg, &doc, &err) == 0 &&
	    !fuzz_unrepresentable(&doc)) {
		lwm2m_doc_sort(&doc);
		if (lwm2m_format_encode(f, &doc, &out, &err) == 0) {
			if (lwm2m_format_decode(f, out.data ? out.data : (const uint8_t *)"",
			                        out.len, &base, reg, &back, &err) != 0)
				abort(); /* our own output must decode */
			lwm2m_doc_sort(&back);
			if (back.count != doc.count)
				abort();
			for (size_t i = 0; i < doc.count; i++) {
				if (!lwm2m_path_equal(&doc.entries[i].path,
				                      &back.entries[i].path) ||
				    !fuzz_same_value(&doc.entries[i].value, &back.entries[i].value))
					abort();
			}
		}
	}
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&back);
	lwm2m_doc_fini(&doc);
}

#endif
