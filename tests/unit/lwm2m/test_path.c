#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_path.h"

static struct lwm2m_path parse_ok(const char *s)
{
	struct lwm2m_path p;

	assert_int_equal(lwm2m_path_parse(s, strlen(s), &p), 0);
	return p;
}

static void test_parse_levels(void **state)
{
	struct lwm2m_path p;

	p = parse_ok("/");
	assert_int_equal(p.len, 0);
	p = parse_ok("");
	assert_int_equal(p.len, 0);
	p = parse_ok("/3");
	assert_int_equal(p.len, 1);
	assert_int_equal(p.id[0], 3);
	p = parse_ok("/3/0/7/1");
	assert_int_equal(p.len, 4);
	assert_int_equal(p.id[2], 7);
	assert_int_equal(p.id[3], 1);
	p = parse_ok("/65534/0");
	assert_int_equal(p.id[0], 65534);
	/* SenML base names end with a slash */
	p = parse_ok("/3/0/");
	assert_int_equal(p.len, 2);
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = { "3/0",        "/3//0", "/3/x",   "/65535", "/03",
					   "/1/2/3/4/5", "//",    "/3/0//", "/-1",    "/3 " };
	struct lwm2m_path p = { .len = 9 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(lwm2m_path_parse(bad[i], strlen(bad[i]), &p), -EINVAL);
		assert_int_equal(p.len, 9); /* untouched */
	}
}

static void test_format(void **state)
{
	char buf[LWM2M_PATH_STR_MAX];
	struct lwm2m_path p = parse_ok("/65534/65534/65534/65534");

	assert_int_equal(lwm2m_path_format(&p, buf, sizeof(buf)), 24);
	assert_string_equal(buf, "/65534/65534/65534/65534");
	assert_int_equal(lwm2m_path_format(&p, buf, 10), -ENOSPC);
	p = parse_ok("/");
	assert_int_equal(lwm2m_path_format(&p, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "/");
}

static void test_cmp_prefix(void **state)
{
	struct lwm2m_path a = parse_ok("/3"), b = parse_ok("/3/0"), c = parse_ok("/3/0/0"),
			  d = parse_ok("/3/1"), e = parse_ok("/10"), root = parse_ok("/");

	assert_true(lwm2m_path_cmp(&a, &b) < 0);
	assert_true(lwm2m_path_cmp(&b, &c) < 0);
	assert_true(lwm2m_path_cmp(&c, &d) < 0);
	assert_true(lwm2m_path_cmp(&d, &e) < 0); /* numeric, not textual */
	assert_int_equal(lwm2m_path_cmp(&c, &c), 0);
	assert_true(lwm2m_path_is_prefix(&a, &c));
	assert_true(lwm2m_path_is_prefix(&root, &c));
	assert_true(lwm2m_path_is_prefix(&c, &c));
	assert_false(lwm2m_path_is_prefix(&c, &b));
	assert_false(lwm2m_path_is_prefix(&d, &c));
	assert_true(lwm2m_path_equal(&b, &b));
	assert_false(lwm2m_path_equal(&a, &b));
}

static void test_make_append(void **state)
{
	struct lwm2m_path p = lwm2m_path_make(2, (const uint16_t[]){ 3303, 1 });

	assert_int_equal(lwm2m_path_append(&p, 5700), 0);
	assert_int_equal(p.len, 3);
	assert_int_equal(p.id[2], 5700);
	assert_int_equal(lwm2m_path_append(&p, 65535), -EINVAL);
	assert_int_equal(lwm2m_path_append(&p, 0), 0);
	assert_int_equal(lwm2m_path_append(&p, 0), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_levels), cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_format),       cmocka_unit_test(test_cmp_prefix),
		cmocka_unit_test(test_make_append),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
