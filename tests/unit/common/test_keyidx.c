/*
 * keyidx: the hash index behind lwm2md's credential and endpoint-ID
 * lookups: unique and shared keys, deletion of one pair, growth to many
 * entries, keys that are prefixes of others and keys with NUL bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/keyidx.h"

static void test_get_and_del(void **state)
{
	struct keyidx *ix = keyidx_new();
	int a, b;

	(void)state;
	assert_null(keyidx_get(ix, "ep-1", 4));
	keyidx_add(ix, "ep-1", 4, &a);
	keyidx_add(ix, "ep-10", 5, &b);
	assert_ptr_equal(keyidx_get(ix, "ep-1", 4), &a);
	assert_ptr_equal(keyidx_get(ix, "ep-10", 5), &b);
	assert_null(keyidx_get(ix, "ep-", 3));
	assert_null(keyidx_get(ix, "ep-1", 3));
	assert_int_equal(keyidx_count(ix), 2);
	assert_false(keyidx_del(ix, "ep-1", 4, &b)); /* the pair, not just the key */
	assert_true(keyidx_del(ix, "ep-1", 4, &a));
	assert_false(keyidx_del(ix, "ep-1", 4, &a));
	assert_null(keyidx_get(ix, "ep-1", 4));
	assert_int_equal(keyidx_count(ix), 1);
	keyidx_free(ix);
	keyidx_free(NULL);
}

static void test_shared_key(void **state)
{
	struct keyidx *ix = keyidx_new();
	struct keyidx_iter it;
	int v[3], seen = 0;

	(void)state;
	for (int i = 0; i < 3; i++)
		keyidx_add(ix, "metering", 8, &v[i]);
	keyidx_add(ix, "other", 5, &seen);
	for (int *p = keyidx_first(ix, "metering", 8, &it); p; p = keyidx_next(&it)) {
		assert_true(p >= v && p < v + 3);
		seen |= 1 << (p - v);
	}
	assert_int_equal(seen, 7);
	assert_true(keyidx_del(ix, "metering", 8, &v[1]));
	seen = 0;
	for (int *p = keyidx_first(ix, "metering", 8, &it); p; p = keyidx_next(&it))
		seen |= 1 << (p - v);
	assert_int_equal(seen, 5);
	assert_null(keyidx_first(ix, "none", 4, &it));
	assert_null(keyidx_next(&it));
	keyidx_free(ix);
}

static void test_binary_keys(void **state)
{
	struct keyidx *ix = keyidx_new();
	int a, b;

	(void)state;
	keyidx_add(ix, "a\0b", 3, &a);
	keyidx_add(ix, "a\0c", 3, &b);
	assert_ptr_equal(keyidx_get(ix, "a\0b", 3), &a);
	assert_ptr_equal(keyidx_get(ix, "a\0c", 3), &b);
	assert_null(keyidx_get(ix, "a", 1));
	keyidx_free(ix);
}

/* 100,000 keys: all found after the growths, each once; half deleted */
static void test_many(void **state)
{
	enum { N = 100000 };
	struct keyidx *ix = keyidx_new();
	char(*keys)[16] = malloc(N * sizeof(*keys));

	(void)state;
	for (size_t i = 0; i < N; i++) {
		snprintf(keys[i], sizeof(keys[i]), "urn:dev:%zu", i);
		keyidx_add(ix, keys[i], strlen(keys[i]), keys[i]);
	}
	assert_int_equal(keyidx_count(ix), N);
	for (size_t i = 0; i < N; i++)
		assert_ptr_equal(keyidx_get(ix, keys[i], strlen(keys[i])), keys[i]);
	for (size_t i = 0; i < N; i += 2)
		assert_true(keyidx_del(ix, keys[i], strlen(keys[i]), keys[i]));
	for (size_t i = 0; i < N; i++) {
		void *v = keyidx_get(ix, keys[i], strlen(keys[i]));

		if (i % 2)
			assert_ptr_equal(v, keys[i]);
		else
			assert_null(v);
	}
	assert_int_equal(keyidx_count(ix), N / 2);
	keyidx_free(ix);
	free(keys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_and_del),
		cmocka_unit_test(test_shared_key),
		cmocka_unit_test(test_binary_keys),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
