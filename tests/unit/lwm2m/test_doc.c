#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_doc.h"

static struct lwm2m_path P(const char *s) {
	struct lwm2m_path p;

	assert_int_equal(lwm2m_path_parse(s, strlen(s), &p), 0);
	return p;
}

static void
test_add_copies_bytes(void **state)
{
	struct lwm2m_doc doc;
	char text[] = "ACME";
	struct lwm2m_value v = lwm2m_value_bytes(LWM2M_TYPE_STRING, text, 4);
	struct lwm2m_path p = P("/3/0/0");

	lwm2m_doc_init(&doc);
	assert_int_equal(lwm2m_doc_add(&doc, &p, &v), 0);
	text[0] = 'X';
	assert_int_equal(doc.count, 1);
	assert_memory_equal(doc.entries[0].value.v.bytes.data, "ACME", 5); /* NUL-terminated */
	assert_false(doc.entries[0].has_time);
	lwm2m_doc_fini(&doc);
	assert_int_equal(doc.count, 0);
}

static void test_many_entries_and_reset(void **state)
{
	struct lwm2m_doc doc;
	char big[3000];

	memset(big, 'z', sizeof(big));
	lwm2m_doc_init(&doc);
	for (int round = 0; round < 3; round++) {
		for (uint16_t i = 0; i < 500; i++) {
			struct lwm2m_path p = lwm2m_path_make(3, (const uint16_t[]){ 3, 0, i });
			struct lwm2m_value v = lwm2m_value_bytes(LWM2M_TYPE_OPAQUE, big, i * 5u);

			assert_int_equal(lwm2m_doc_add(&doc, &p, &v), 0);
		}
		assert_int_equal(doc.count, 500);
		for (uint16_t i = 0; i < 500; i++) {
			assert_int_equal(doc.entries[i].value.v.bytes.len, i * 5u);
			if (i)
				assert_memory_equal(doc.entries[i].value.v.bytes.data, big, i * 5u);
		}
		lwm2m_doc_reset(&doc);
		assert_int_equal(doc.count, 0);
	}
	lwm2m_doc_fini(&doc);
}

static void test_sort_stable(void **state)
{
	struct lwm2m_doc doc;
	static const char *const paths[] = { "/3/0/9", "/1/0/1", "/3/0/7/1", "/3/0/7/0", "/3/0/9" };

	lwm2m_doc_init(&doc);
	for (int i = 0; i < 5; i++) {
		struct lwm2m_path p = P(paths[i]);
		struct lwm2m_value v = lwm2m_value_int(i);

		assert_int_equal(lwm2m_doc_add(&doc, &p, &v), 0);
	}
	lwm2m_doc_sort(&doc);
	assert_int_equal(doc.entries[0].value.v.i, 1);
	assert_int_equal(doc.entries[1].value.v.i, 3);
	assert_int_equal(doc.entries[2].value.v.i, 2);
	/* the two /3/0/9 values keep their order */
	assert_int_equal(doc.entries[3].value.v.i, 0);
	assert_int_equal(doc.entries[4].value.v.i, 4);
	lwm2m_doc_fini(&doc);
}

static void test_sort_large_stable(void **state)
{
	struct lwm2m_doc doc;

	lwm2m_doc_init(&doc);
	for (int i = 0; i < 300; i++) {
		struct lwm2m_path p =
			lwm2m_path_make(3, (const uint16_t[]){ 3, 0, (uint16_t)(299 - i) / 2 });
		struct lwm2m_value v = lwm2m_value_int(i);

		assert_int_equal(lwm2m_doc_add(&doc, &p, &v), 0);
	}
	lwm2m_doc_sort(&doc);
	for (size_t i = 1; i < doc.count; i++) {
		int c = lwm2m_path_cmp(&doc.entries[i - 1].path, &doc.entries[i].path);

		assert_true(c <= 0);
		if (c == 0)
			assert_true(doc.entries[i - 1].value.v.i < doc.entries[i].value.v.i);
	}
	lwm2m_doc_fini(&doc);
}

static void test_check_tree(void **state)
{
	struct lwm2m_doc doc;
	struct lwm2m_value v = lwm2m_value_int(1);
	size_t bad = 99;
	struct lwm2m_path a = P("/3/0/7"), b = P("/3/0/7/0"), c = P("/4/0/0");

	lwm2m_doc_init(&doc);
	doc.base = P("/3/0");
	assert_int_equal(lwm2m_doc_add(&doc, &a, &v), 0);
	assert_int_equal(lwm2m_doc_check_tree(&doc, &bad), 0);
	assert_int_equal(lwm2m_doc_add(&doc, &b, &v), 0);
	assert_int_equal(lwm2m_doc_check_tree(&doc, &bad), -EINVAL); /* ancestor and descendant */
	assert_int_equal(bad, 1);
	lwm2m_doc_reset(&doc);
	doc.base = P("/3/0");
	assert_int_equal(lwm2m_doc_add(&doc, &c, &v), 0);
	assert_int_equal(lwm2m_doc_check_tree(&doc, &bad), -EINVAL); /* outside the base */
	assert_non_null(lwm2m_doc_find(&doc, &c));
	assert_null(lwm2m_doc_find(&doc, &a));
	lwm2m_doc_fini(&doc);
}

static void test_timed(void **state)
{
	struct lwm2m_doc doc;
	struct lwm2m_value v = lwm2m_value_bytes(LWM2M_TYPE_STRING, "x", 1);
	struct lwm2m_path p = P("/3303/0/5701");

	lwm2m_doc_init(&doc);
	assert_int_equal(lwm2m_doc_add_timed(&doc, &p, &v, 1.5e9), 0);
	assert_true(doc.entries[0].has_time);
	assert_true(doc.entries[0].time == 1.5e9);
	assert_string_equal((const char *)doc.entries[0].value.v.bytes.data, "x");
	lwm2m_doc_fini(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_copies_bytes),
		cmocka_unit_test(test_many_entries_and_reset),
		cmocka_unit_test(test_sort_stable),
		cmocka_unit_test(test_sort_large_stable),
		cmocka_unit_test(test_check_tree),
		cmocka_unit_test(test_timed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
