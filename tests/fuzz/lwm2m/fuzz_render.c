/* libFuzzer target: reading the JSON rendering back (the input of `lwgatectl lwm2m encode`). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_lwm2m.h"
#include "lwm2m/lwm2m_render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lwm2m_doc doc, back;
	struct lwm2m_buf out;
	struct lwm2m_error err;

	lwm2m_doc_init(&doc);
	lwm2m_doc_init(&back);
	lwm2m_buf_init(&out);
	if (lwm2m_render_parse((const char *)data, size, NULL, fuzz_registry(), &doc, &err) == 0 &&
	    !fuzz_unrepresentable(&doc)) {
		/* what we render must read back to the same document */
		if (lwm2m_render_doc(&doc, fuzz_registry(), LWM2M_RENDER_NAMES, &out) != 0 ||
		    lwm2m_render_parse((const char *)out.data, out.len, NULL, fuzz_registry(),
		                       &back, &err) != 0 ||
		    back.count != doc.count)
			abort();
	}
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&back);
	lwm2m_doc_fini(&doc);
	return 0;
}
