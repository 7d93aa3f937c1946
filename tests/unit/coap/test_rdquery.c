/*
 * rdquery: the registration and lookup queries of RFC 9176 as vectors,
 * wildcard and multi-value matching, numbers, and every error.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "coap/rdquery.h"

static int parse(const char *s, struct rdquery *q)
{
	return rdquery_parse((const uint8_t *)s, strlen(s), q);
}

/* RFC 9176 §5.3: POST /rd?ep=node1&... */
static void test_registration_query(void **state)
{
	struct rdquery q;
	const struct rdquery_param *p;
	uint64_t lt;

	assert_int_equal(parse("ep=node1&d=floor-3&lt=3600&base=coap://[2001:db8:2::1]:61616"
			       "&et=tag:example.com,2020:sensor",
			       &q),
			 0);
	assert_int_equal(q.count, 5);
	assert_string_equal(rdquery_find(&q, "ep")->value, "node1");
	assert_string_equal(rdquery_find(&q, "base")->value, "coap://[2001:db8:2::1]:61616");
	assert_string_equal(rdquery_find(&q, "et")->value, "tag:example.com,2020:sensor");
	p = rdquery_find(&q, "lt");
	assert_int_equal(rdquery_uint(p, 1, UINT32_MAX, &lt), 0);
	assert_int_equal(lt, 3600);
	assert_null(rdquery_find(&q, "page"));
	assert_int_equal(rdquery_count(&q, "ep"), 1);
	rdquery_fini(&q);
	assert_int_equal(q.count, 0);
}

/* RFC 9176 §6: GET /rd-lookup/res?rt=tag:example.org,2020:temperature, with page/count. */
static void test_lookup_query_and_matching(void **state)
{
	struct rdquery q;
	uint64_t n;

	assert_int_equal(parse("rt=tag:example.org,2020:temp*&page=2&count=10&obs&&title=", &q), 0);
	assert_int_equal(q.count, 5);
	assert_string_equal(q.params[0].value, "tag:example.org,2020:temp");
	assert_true(q.params[0].prefix);
	assert_true(rdquery_match(&q.params[0], "tag:example.org,2020:temperature", true));
	assert_true(rdquery_match(&q.params[0], "light tag:example.org,2020:temp", true));
	assert_false(rdquery_match(&q.params[0], "tag:example.org,2020:tem", true));
	assert_false(rdquery_match(&q.params[0], "light", true));
	assert_int_equal(rdquery_uint(&q.params[1], 0, 1000, &n), 0);
	assert_int_equal(n, 2);
	assert_null(q.params[3].value); /* "obs": presence */
	assert_true(rdquery_match(&q.params[3], NULL, false));
	assert_true(rdquery_match(&q.params[3], "x", false));
	assert_string_equal(q.params[4].value, ""); /* "title=": the empty value */
	assert_false(q.params[4].prefix);
	assert_true(rdquery_match(&q.params[4], "", false));
	assert_false(rdquery_match(&q.params[4], "x", false));
	assert_false(rdquery_match(&q.params[4], NULL, false));
	rdquery_fini(&q);
}

static void test_exact_and_multivalue(void **state)
{
	struct rdquery q;

	assert_int_equal(parse("rt=temperature&title=a b&ep=*&if=*", &q), 0);
	/* a space-separated list matches on any element, for rt/if/rel only */
	assert_true(rdquery_match(&q.params[0], "light temperature", true));
	assert_false(rdquery_match(&q.params[0], "light temperature", false));
	assert_false(rdquery_match(&q.params[0], "temperature-c", true));
	assert_true(rdquery_match(&q.params[1], "a b", false));
	assert_false(rdquery_match(&q.params[1], "a", false));
	/* "*" alone matches every value, and a bare attribute */
	assert_true(q.params[2].prefix);
	assert_true(rdquery_match(&q.params[2], "anything", false));
	assert_true(rdquery_match(&q.params[2], "", false));
	assert_true(rdquery_match(&q.params[3], NULL, true));
	assert_true(rdquery_is_multivalue("rt"));
	assert_true(rdquery_is_multivalue("if"));
	assert_true(rdquery_is_multivalue("rel"));
	assert_false(rdquery_is_multivalue("title"));
	rdquery_fini(&q);
}

static void test_numbers(void **state)
{
	static const struct {
		const char *item;
		int rc;
		uint64_t value;
	} cases[] = {
		{ "lt=90000", 0, 90000 },
		{ "lt=1", 0, 1 },
		{ "lt=4294967295", 0, 4294967295u },
		{ "lt=4294967296", RDQUERY_E_NUMBER, 0 },
		{ "lt=0", RDQUERY_E_NUMBER, 0 },
		{ "lt=-1", RDQUERY_E_NUMBER, 0 },
		{ "lt=+1", RDQUERY_E_NUMBER, 0 },
		{ "lt=1x", RDQUERY_E_NUMBER, 0 },
		{ "lt=", RDQUERY_E_NUMBER, 0 },
		{ "lt", RDQUERY_E_NUMBER, 0 },
		{ "lt=1*", RDQUERY_E_NUMBER, 0 },
		{ "lt=99999999999999999999999", RDQUERY_E_NUMBER, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rdquery q;
		uint64_t v = 0;

		assert_int_equal(parse(cases[i].item, &q), 0);
		if (rdquery_uint(&q.params[0], 1, UINT32_MAX, &v) != cases[i].rc ||
		    v != cases[i].value)
			fail_msg("%s", cases[i].item);
		rdquery_fini(&q);
	}
}

static void test_page(void **state)
{
	static const struct {
		const char *query;
		int rc;
		uint64_t skip, count;
	} cases[] = {
		{ "rt=x", 0, 0, UINT64_MAX },
		{ "count=10", 0, 0, 10 },
		{ "page=3&count=10", 0, 30, 10 },
		{ "count=0&page=7", 0, 0, 0 },
		{ "page=4294967295&count=4294967295", 0, 4294967295ull * 4294967295ull,
		  4294967295ull },
		{ "page=2", RDQUERY_E_PAGE, 0, UINT64_MAX }, /* RFC 9176 §6: page needs count */
		{ "page=x&count=1", RDQUERY_E_NUMBER, 0, 1 },
		{ "count=4294967296", RDQUERY_E_NUMBER, 0, UINT64_MAX },
		{ "page=-1&count=1", RDQUERY_E_NUMBER, 0, 1 },
	};
	struct rdquery q;
	uint64_t skip, count;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].query, &q), 0);
		if (rdquery_page(&q, &skip, &count) != cases[i].rc ||
		    (cases[i].rc == 0 && (skip != cases[i].skip || count != cases[i].count)))
			fail_msg("%s", cases[i].query);
		rdquery_fini(&q);
	}
}

static void test_errors(void **state)
{
	struct rdquery q;
	char many[RDQUERY_MAX_PARAMS * 4 + 8] = "";
	char long_item[RDQUERY_MAX_ITEM + 8];

	assert_int_equal(parse("=x", &q), RDQUERY_E_NAME);
	assert_int_equal(q.count, 0);
	assert_int_equal(parse("ep=a&b c=1", &q), RDQUERY_E_NAME);
	assert_int_equal(q.count, 0);
	assert_int_equal(parse("ep=a\nb", &q), RDQUERY_E_VALUE);
	assert_int_equal(rdquery_parse((const uint8_t *)"ep=a\0b", 6, &q), RDQUERY_E_VALUE);
	for (int i = 0; i <= RDQUERY_MAX_PARAMS; i++)
		strcat(many, "a=1&");
	assert_int_equal(parse(many, &q), RDQUERY_E_TOO_MANY);
	memset(long_item, 'a', sizeof(long_item) - 1);
	long_item[sizeof(long_item) - 1] = '\0';
	assert_int_equal(parse(long_item, &q), RDQUERY_E_TOO_LONG);
	/* an item rejected by rdquery_add() leaves the query as it was */
	rdquery_init(&q);
	assert_int_equal(rdquery_add(&q, (const uint8_t *)"ep=x", 4), 0);
	assert_int_equal(rdquery_add(&q, (const uint8_t *)"e p", 3), RDQUERY_E_NAME);
	assert_int_equal(q.count, 1);
	rdquery_fini(&q);
	assert_string_equal(rdquery_strerror(RDQUERY_E_NUMBER),
			    "query value is not a number in range");
	assert_string_equal(rdquery_strerror(-ENOMEM), strerror(ENOMEM));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registration_query),
		cmocka_unit_test(test_lookup_query_and_matching),
		cmocka_unit_test(test_exact_and_multivalue),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests_name("rdquery", tests, NULL, NULL);
}
