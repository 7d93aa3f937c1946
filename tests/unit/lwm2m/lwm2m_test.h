/* Helpers shared by the lwm2m unit tests (static, header-only). */
#ifndef LWM2M_TEST_H
#define LWM2M_TEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_error.h"
#include "lwm2m/lwm2m_registry.h"

static inline struct lwm2m_path tp(const char *s)
{
	struct lwm2m_path p;

	assert_int_equal(lwm2m_path_parse(s, strlen(s), &p), 0);
	return p;
}

/* The registry built from the shipped conf/objects. */
static inline struct lwm2m_registry *test_registry(void)
{
	struct lwm2m_registry *r = lwm2m_registry_new();

	assert_non_null(r);
	assert_int_equal(lwm2m_registry_load_dir(r, LWM2M_TEST_OBJECTS_DIR, NULL, NULL), 11);
	return r;
}

/*
 * The registry of the tests that decode typed values, loaded once per
 * group: cmocka_run_group_tests(tests, registry_setup, registry_teardown).
 */
static struct lwm2m_registry *reg;

static inline int registry_setup(void **state)
{
	(void)state;
	reg = test_registry();
	return 0;
}

static inline int registry_teardown(void **state)
{
	(void)state;
	lwm2m_registry_free(reg);
	return 0;
}

/* The signatures every content-format codec shares. */
typedef int (*test_decode_fn)(const uint8_t *buf, size_t len, const struct lwm2m_path *base,
			      const struct lwm2m_registry *reg, struct lwm2m_doc *doc,
			      struct lwm2m_error *err);
typedef int (*test_encode_fn)(const struct lwm2m_doc *doc, struct lwm2m_buf *out,
			      struct lwm2m_error *err);

/* Parse hex (spaces allowed) into @out; returns the byte count. */
static inline size_t unhex(const char *hex, uint8_t *out, size_t size)
{
	size_t n = 0;
	int hi = -1;

	for (const char *p = hex; *p; p++) {
		int v;

		if (*p == ' ' || *p == '\n')
			continue;
		v = (*p >= '0' && *p <= '9') ? *p - '0' : (*p | 0x20) - 'a' + 10;
		assert_true(v >= 0 && v < 16);
		if (hi < 0) {
			hi = v;
		} else {
			assert_true(n < size);
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	assert_int_equal(hi, -1);
	return n;
}

static inline void add_entry(struct lwm2m_doc *doc, const char *path, struct lwm2m_value v)
{
	struct lwm2m_path p = tp(path);

	assert_int_equal(lwm2m_doc_add(doc, &p, &v), 0);
}

static inline void add_str(struct lwm2m_doc *doc, const char *path, const char *s)
{
	add_entry(doc, path, lwm2m_value_bytes(LWM2M_TYPE_STRING, s, strlen(s)));
}

/*
 * The Device object instance of the LwM2M TS data-format examples
 * (Read /3/0), as typed values; entries in path order.
 */
static inline void device_doc(struct lwm2m_doc *doc)
{
	doc->base = tp("/3/0");
	add_str(doc, "/3/0/0", "Open Mobile Alliance");
	add_str(doc, "/3/0/1", "Lightweight M2M Client");
	add_str(doc, "/3/0/2", "345000123");
	add_str(doc, "/3/0/3", "1.0");
	add_entry(doc, "/3/0/6/0", lwm2m_value_int(1));
	add_entry(doc, "/3/0/6/1", lwm2m_value_int(5));
	add_entry(doc, "/3/0/7/0", lwm2m_value_int(3800));
	add_entry(doc, "/3/0/7/1", lwm2m_value_int(5000));
	add_entry(doc, "/3/0/8/0", lwm2m_value_int(125));
	add_entry(doc, "/3/0/8/1", lwm2m_value_int(900));
	add_entry(doc, "/3/0/9", lwm2m_value_int(100));
	add_entry(doc, "/3/0/10", lwm2m_value_int(15));
	add_entry(doc, "/3/0/11/0", lwm2m_value_int(0));
	add_entry(doc, "/3/0/13", lwm2m_value_time(1367491215));
	add_str(doc, "/3/0/14", "+02:00");
	add_str(doc, "/3/0/16", "U");
}

/* The same object, TLV-encoded, as printed in the LwM2M TS (Read /3/0). */
static const char DEVICE_TLV_HEX[] =
	"C8 00 14 4F 70 65 6E 20 4D 6F 62 69 6C 65 20 41 6C 6C 69 61 6E 63 65"
	"C8 01 16 4C 69 67 68 74 77 65 69 67 68 74 20 4D 32 4D 20 43 6C 69 65 6E 74"
	"C8 02 09 33 34 35 30 30 30 31 32 33"
	"C3 03 31 2E 30"
	"86 06 41 00 01 41 01 05"
	"88 07 08 42 00 0E D8 42 01 13 88"
	"87 08 41 00 7D 42 01 03 84"
	"C1 09 64"
	"C1 0A 0F"
	"83 0B 41 00 00"
	"C4 0D 51 82 42 8F"
	"C6 0E 2B 30 32 3A 30 30"
	"C1 10 55";

static inline void assert_docs_equal(const struct lwm2m_doc *a, const struct lwm2m_doc *b)
{
	assert_int_equal(a->count, b->count);
	for (size_t i = 0; i < a->count; i++) {
		char pa[LWM2M_PATH_STR_MAX], pb[LWM2M_PATH_STR_MAX];

		lwm2m_path_format(&a->entries[i].path, pa, sizeof(pa));
		lwm2m_path_format(&b->entries[i].path, pb, sizeof(pb));
		assert_string_equal(pa, pb);
		if (!lwm2m_value_equal(&a->entries[i].value, &b->entries[i].value))
			fail_msg("%s: values differ (types %s / %s)", pa,
				 lwm2m_type_name(a->entries[i].value.type),
				 lwm2m_type_name(b->entries[i].value.type));
	}
}

/* @decode @n bytes at @buf for request path @base with reg, into @doc (reset first). */
static inline int decode_with(test_decode_fn decode, const void *buf, size_t n, const char *base,
			      struct lwm2m_doc *doc, struct lwm2m_error *err)
{
	struct lwm2m_path b = tp(base);

	lwm2m_doc_reset(doc);
	lwm2m_error_clear(err);
	return decode(buf, n, &b, reg, doc, err);
}

/* decode_with() of a hex dump (unhex). */
static inline int decode_hex_with(test_decode_fn decode, const char *hex, const char *base,
				  struct lwm2m_doc *doc, struct lwm2m_error *err)
{
	uint8_t buf[512];
	size_t n = unhex(hex, buf, sizeof(buf));

	return decode_with(decode, buf, n, base, doc, err);
}

/* decode_with() of a text payload. */
static inline int decode_str_with(test_decode_fn decode, const char *text, const char *base,
				  struct lwm2m_doc *doc, struct lwm2m_error *err)
{
	return decode_with(decode, text, strlen(text), base, doc, err);
}

/*
 * A format's Read /3/0 test vector, both ways: @bytes decoded for /3/0 is
 * device_doc(), and device_doc() encodes to exactly @bytes.
 */
static inline void check_device_vector(test_decode_fn decode, test_encode_fn encode,
				       const void *bytes, size_t n)
{
	struct lwm2m_doc got, want;
	struct lwm2m_buf out;
	struct lwm2m_error err;

	lwm2m_doc_init(&got);
	lwm2m_doc_init(&want);
	lwm2m_buf_init(&out);
	device_doc(&want);
	assert_int_equal(decode_with(decode, bytes, n, "/3/0", &got, &err), 0);
	assert_docs_equal(&got, &want);
	assert_int_equal(encode(&want, &out, &err), 0);
	assert_int_equal(out.len, n);
	assert_memory_equal(out.data, bytes, n);
	lwm2m_buf_fini(&out);
	lwm2m_doc_fini(&got);
	lwm2m_doc_fini(&want);
}

/*
 * @decode refuses @n bytes at @buf for @base with -EBADMSG and exactly the
 * message @msg; @what names the input in a failure.
 */
static inline void expect_bad_with(test_decode_fn decode, const void *buf, size_t n,
				   const char *what, const char *base, const char *msg)
{
	struct lwm2m_doc doc;
	struct lwm2m_error err;
	int rc;

	lwm2m_doc_init(&doc);
	rc = decode_with(decode, buf, n, base, &doc, &err);
	if (rc != -EBADMSG)
		fail_msg("%s: returned %d", what, rc);
	assert_string_equal(err.msg, msg);
	lwm2m_doc_fini(&doc);
}

/* expect_bad_with() of a hex dump. */
static inline void expect_bad_hex(test_decode_fn decode, const char *hex, const char *base,
				  const char *msg)
{
	uint8_t buf[512];
	size_t n = unhex(hex, buf, sizeof(buf));

	expect_bad_with(decode, buf, n, hex, base, msg);
}

/* expect_bad_with() of a text payload. */
static inline void expect_bad_str(test_decode_fn decode, const char *text, const char *base,
				  const char *msg)
{
	expect_bad_with(decode, text, strlen(text), text, base, msg);
}

#endif
