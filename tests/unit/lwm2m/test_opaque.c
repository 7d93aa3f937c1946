#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_opaque.h"
#include "lwm2m_test.h"

static void test_opaque(void **state)
{
	struct lwm2m_doc doc;
	struct lwm2m_buf out;
	struct lwm2m_error err;
	struct lwm2m_path p = tp("/5/0/0");
	static const uint8_t fw[] = { 0x00, 0xff, 0x10, 0x00 };

	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&out);
	assert_int_equal(lwm2m_opaque_decode(fw, sizeof(fw), &p, reg, &doc, &err), 0);
	assert_int_equal(doc.entries[0].value.type, LWM2M_TYPE_OPAQUE);
	assert_int_equal(lwm2m_opaque_encode(&doc, &out, &err), 0);
	assert_int_equal(out.len, 4);
	assert_memory_equal(out.data, fw, 4);
	p = tp("/3/0/9");
	lwm2m_doc_reset(&doc);
	assert_int_equal(lwm2m_opaque_decode(fw, sizeof(fw), &p, reg, &doc, &err), -EBADMSG);
	assert_string_equal(err.msg,
			    "/3/0/9 is Integer: octet-stream carries only Opaque resources");
	add_entry(&doc, "/3/0/9", lwm2m_value_int(1));
	assert_int_equal(lwm2m_opaque_encode(&doc, &out, &err), -EINVAL);
	assert_string_equal(err.msg, "octet-stream carries Opaque values, not Integer");
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opaque),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
