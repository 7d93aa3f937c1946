#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_format.h"
#include "lwm2m_test.h"

static void test_names(void **state)
{
	enum lwm2m_format f;

	assert_int_equal(lwm2m_format_parse("tlv", &f), 0);
	assert_int_equal(f, LWM2M_FORMAT_TLV);
	assert_int_equal(lwm2m_format_parse("application/senml+cbor", &f), 0);
	assert_int_equal(f, LWM2M_FORMAT_SENML_CBOR);
	assert_int_equal(lwm2m_format_parse("11544", &f), 0);
	assert_int_equal(f, LWM2M_FORMAT_CBOR);
	assert_int_equal(lwm2m_format_parse("0", &f), 0);
	assert_int_equal(f, LWM2M_FORMAT_TEXT);
	assert_int_equal(lwm2m_format_parse("41", &f), -EINVAL);
	assert_int_equal(lwm2m_format_parse("xml", &f), -EINVAL);
	assert_int_equal(lwm2m_format_parse("11542x", &f), -EINVAL);
	assert_string_equal(lwm2m_format_name(LWM2M_FORMAT_JSON), "json");
	assert_string_equal(lwm2m_format_mime(LWM2M_FORMAT_LINK), "application/link-format");
	assert_true(lwm2m_format_is_binary(LWM2M_FORMAT_TLV));
	assert_false(lwm2m_format_is_binary(LWM2M_FORMAT_SENML_JSON));
}

static void temperature_doc(struct lwm2m_doc *doc)
{
	doc->base = tp("/3303/0");
	add_entry(doc, "/3303/0/5700", lwm2m_value_float(22.5));
	add_str(doc, "/3303/0/5701", "Cel");
	add_entry(doc, "/3303/0/5601", lwm2m_value_float(-3.25));
}

static void objlnk_doc(struct lwm2m_doc *doc)
{
	doc->base = tp("/3/0/22");
	add_entry(doc, "/3/0/22/0", lwm2m_value_objlnk(3, 1));
	add_entry(doc, "/3/0/22/1", lwm2m_value_objlnk(65535, 65535));
}

static void opaque_doc(struct lwm2m_doc *doc)
{
	doc->base = tp("/0/0");
	add_entry(doc, "/0/0/3", lwm2m_value_bytes(LWM2M_TYPE_OPAQUE, "\x00\x01\xfe\xff", 4));
	add_entry(doc, "/0/0/1", lwm2m_value_bool(false));
}

static void single_objlnk(struct lwm2m_doc *doc)
{
	doc->base = tp("/3/0/22/0");
	add_entry(doc, "/3/0/22/0", lwm2m_value_objlnk(3, 1));
}

static void single_opaque(struct lwm2m_doc *doc)
{
	doc->base = tp("/5/0/0");
	add_entry(doc, "/5/0/0", lwm2m_value_bytes(LWM2M_TYPE_OPAQUE, "\x7f\x45\x4c\x46\x00", 5));
}

static const enum lwm2m_format tree_formats[] = {
	LWM2M_FORMAT_TLV,  LWM2M_FORMAT_SENML_JSON, LWM2M_FORMAT_SENML_CBOR,
	LWM2M_FORMAT_JSON, LWM2M_FORMAT_CBOR,
};

/* @want encoded in @a, decoded, re-encoded in @b and decoded must equal @want. */
static void through(struct lwm2m_doc *want, enum lwm2m_format a, enum lwm2m_format b)
{
	struct lwm2m_doc d1, d2;
	struct lwm2m_buf o1, o2;
	struct lwm2m_error err;

	lwm2m_doc_init(&d1);
	lwm2m_doc_init(&d2);
	lwm2m_buf_init(&o1);
	lwm2m_buf_init(&o2);
	if (lwm2m_format_encode(a, want, &o1, &err) != 0)
		fail_msg("encode %s: %s", lwm2m_format_name(a), err.msg);
	if (lwm2m_format_decode(a, o1.data, o1.len, &want->base, reg, &d1, &err) != 0)
		fail_msg("decode %s: %s", lwm2m_format_name(a), err.msg);
	if (lwm2m_format_encode(b, &d1, &o2, &err) != 0)
		fail_msg("%s -> encode %s: %s", lwm2m_format_name(a), lwm2m_format_name(b),
			 err.msg);
	if (lwm2m_format_decode(b, o2.data, o2.len, &want->base, reg, &d2, &err) != 0)
		fail_msg("%s -> decode %s: %s", lwm2m_format_name(a), lwm2m_format_name(b),
			 err.msg);
	lwm2m_doc_sort(&d2);
	assert_docs_equal(&d2, want);
	lwm2m_buf_fini(&o1);
	lwm2m_buf_fini(&o2);
	lwm2m_doc_fini(&d1);
	lwm2m_doc_fini(&d2);
}

static void all_pairs(void (*build)(struct lwm2m_doc *), const enum lwm2m_format *fs, size_t n)
{
	struct lwm2m_doc want;

	lwm2m_doc_init(&want);
	build(&want);
	lwm2m_doc_sort(&want);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++)
			through(&want, fs[i], fs[j]);
	}
	lwm2m_doc_fini(&want);
}

static void test_round_trips_every_pair(void **state)
{
	static const enum lwm2m_format single[] = {
		LWM2M_FORMAT_TEXT,       LWM2M_FORMAT_TLV,  LWM2M_FORMAT_SENML_JSON,
		LWM2M_FORMAT_SENML_CBOR, LWM2M_FORMAT_JSON, LWM2M_FORMAT_CBOR,
	};
	static const enum lwm2m_format with_opaque[] = {
		LWM2M_FORMAT_TEXT,       LWM2M_FORMAT_OPAQUE,     LWM2M_FORMAT_TLV,
		LWM2M_FORMAT_SENML_JSON, LWM2M_FORMAT_SENML_CBOR, LWM2M_FORMAT_JSON,
		LWM2M_FORMAT_CBOR,
	};

	all_pairs(device_doc, tree_formats, 5);
	all_pairs(temperature_doc, tree_formats, 5);
	all_pairs(objlnk_doc, tree_formats, 5);
	all_pairs(opaque_doc, tree_formats, 5);
	all_pairs(single_objlnk, single, 6);
	all_pairs(single_opaque, with_opaque, 7);
}

static void test_link_is_not_a_value_format(void **state)
{
	struct lwm2m_doc doc;
	struct lwm2m_buf out;
	struct lwm2m_error err;
	struct lwm2m_path p = tp("/3/0");

	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&out);
	assert_int_equal(lwm2m_format_decode(LWM2M_FORMAT_LINK, (const uint8_t *)"</3/0>", 6, &p,
					     reg, &doc, &err),
			 -ENOTSUP);
	assert_int_equal(lwm2m_format_encode(LWM2M_FORMAT_LINK, &doc, &out, &err), -ENOTSUP);
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_round_trips_every_pair),
		cmocka_unit_test(test_link_is_not_a_value_format),
	};
	return cmocka_run_group_tests(tests, registry_setup, registry_teardown);
}
