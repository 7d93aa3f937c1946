/* libFuzzer target: the link-format decoder, its encoder and the JSON rendering round trip. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lwm2m/lwm2m_link.h"
#include "lwm2m/lwm2m_render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lwm2m_link_list l, again, back;
	struct lwm2m_buf out, out2, json;
	struct lwm2m_error err;

	lwm2m_link_list_init(&l);
	lwm2m_link_list_init(&again);
	lwm2m_link_list_init(&back);
	lwm2m_buf_init(&out);
	lwm2m_buf_init(&out2);
	lwm2m_buf_init(&json);
	if (lwm2m_link_decode(data, size, &l, &err) == 0) {
		/* our own link format must parse and print the same again */
		if (lwm2m_link_encode(&l, &out) != 0 ||
		    lwm2m_link_decode(out.data ? out.data : (const uint8_t *)"", out.len, &again,
		                      &err) != 0 ||
		    lwm2m_link_encode(&again, &out2) != 0 || out.len != out2.len ||
		    (out.len && memcmp(out.data, out2.data, out.len) != 0))
			abort();
		if (lwm2m_render_links(&l, NULL, &json) != 0)
			abort();
		lwm2m_render_parse_links((const char *)json.data, json.len, &back, &err);
	}
	lwm2m_buf_fini(&json);
	lwm2m_buf_fini(&out2);
	lwm2m_buf_fini(&out);
	lwm2m_link_list_fini(&back);
	lwm2m_link_list_fini(&again);
	lwm2m_link_list_fini(&l);
	return 0;
}
