/* libFuzzer target: DDF object definition files (expat element tree + our checks). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lwm2m/lwm2m_registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lwm2m_registry *r = lwm2m_registry_new();
	struct lwm2m_error err;

	if (!r)
		abort();
	if (lwm2m_registry_load_buffer(r, "fuzz.xml", data, size, &err) == 0) {
		for (size_t i = 0; i < lwm2m_registry_count(r); i++) {
			const struct lwm2m_obj_def *o = lwm2m_registry_at(r, i);

			for (size_t k = 0; k < o->nres; k++) {
				if (lwm2m_registry_resource(r, o->id, o->res[k].id) != &o->res[k])
					abort();
			}
		}
	}
	lwm2m_registry_free(r);
	return 0;
}
