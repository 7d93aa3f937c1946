/*
 * respfmt: the format of a client's answer, with what lwm2m-node-lib
 * (LwM2M 1.0) actually sends: no Content-Format on a Read or a Discover,
 * and the 1.0-draft numbers 1541-1544.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_link.h"
#include "lwm2m/lwm2m_path.h"
#include "respfmt.h"

static void test_absent_option(void **state)
{
	(void)state;
	assert_int_equal(respfmt_of(false, 0, false), LWM2M_FORMAT_TEXT);
	assert_int_equal(respfmt_of(false, 0, true), LWM2M_FORMAT_LINK);
}

static void test_registered_numbers_pass(void **state)
{
	(void)state;
	assert_int_equal(respfmt_of(true, 0, true), LWM2M_FORMAT_TEXT);
	assert_int_equal(respfmt_of(true, 40, false), LWM2M_FORMAT_LINK);
	assert_int_equal(respfmt_of(true, 11542, false), LWM2M_FORMAT_TLV);
	assert_int_equal(respfmt_of(true, 112, false), LWM2M_FORMAT_SENML_CBOR);
	/* unknown numbers stay as they are: the decoder reports them */
	assert_int_equal((int)respfmt_of(true, 65000, false), 65000);
}

static void test_draft_numbers(void **state)
{
	(void)state;
	assert_int_equal(respfmt_of(true, 1541, false), LWM2M_FORMAT_TEXT);
	assert_int_equal(respfmt_of(true, 1542, false), LWM2M_FORMAT_TLV);
	assert_int_equal(respfmt_of(true, 1543, false), LWM2M_FORMAT_JSON);
	assert_int_equal(respfmt_of(true, 1544, false), LWM2M_FORMAT_OPAQUE);
}

/* what lwm2m-node-lib 1.4.0 answers a Discover of /3/0, decoded as respfmt says */
static void test_nodelib_discover_decodes(void **state)
{
	static const char payload[] = "</3/0>,</3/0/0>,</3/0/1>,</3/0/14>";
	struct lwm2m_link_list l;
	struct lwm2m_error err = { 0 };

	(void)state;
	assert_int_equal(respfmt_of(false, 0, true), LWM2M_FORMAT_LINK);
	lwm2m_link_list_init(&l);
	assert_int_equal(lwm2m_link_decode((const uint8_t *)payload, strlen(payload), &l, &err), 0);
	assert_int_equal(l.count, 4);
	lwm2m_link_list_fini(&l);
}

/* and a Read of /3/0/0, text without an option */
static void test_nodelib_read_decodes(void **state)
{
	struct lwm2m_path p;
	struct lwm2m_doc doc;
	struct lwm2m_error err = { 0 };

	(void)state;
	assert_int_equal(lwm2m_path_parse("/3/0/0", 6, &p), 0);
	lwm2m_doc_init(&doc);
	assert_int_equal(lwm2m_format_decode(respfmt_of(false, 0, false), (const uint8_t *)"Acme",
					     4, &p, NULL, &doc, &err),
			 0);
	assert_int_equal(doc.count, 1);
	lwm2m_doc_fini(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absent_option),
		cmocka_unit_test(test_registered_numbers_pass),
		cmocka_unit_test(test_draft_numbers),
		cmocka_unit_test(test_nodelib_discover_decodes),
		cmocka_unit_test(test_nodelib_read_decodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
