#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_link.h"

static void roundtrip(const char *text, struct lwm2m_link_list *l)
{
	struct lwm2m_buf out;
	struct lwm2m_error err;

	lwm2m_link_list_init(l);
	lwm2m_buf_init(&out);
	if (lwm2m_link_decode((const uint8_t *)text, strlen(text), l, &err) != 0)
		fail_msg("%s: %s", text, err.msg);
	assert_int_equal(lwm2m_link_encode(l, &out), 0);
	assert_string_equal(lwm2m_buf_cstr(&out), text);
	lwm2m_buf_fini(&out);
}

static void test_rfc6690_example(void **state)
{
	struct lwm2m_link_list l;

	/* RFC 6690 section 5, first example */
	roundtrip("</sensors/temp>;rt=\"temperature-c\";if=\"sensor\","
		  "</sensors/light>;rt=\"light-lux\";if=\"sensor\"",
		  &l);
	assert_int_equal(l.count, 2);
	assert_false(l.links[0].is_path);
	assert_string_equal(l.links[1].uri, "/sensors/light");
	assert_int_equal(l.links[1].nparams, 2);
	assert_string_equal(l.params[l.links[1].first_param].name, "rt");
	assert_string_equal(l.params[l.links[1].first_param].value, "light-lux");
	lwm2m_link_list_fini(&l);
}

static void test_lwm2m_register_and_discover(void **state)
{
	struct lwm2m_link_list l;
	const struct lwm2m_link *k;

	roundtrip("</>;rt=\"oma.lwm2m\";ct=11543,</1/0>,</3/0>;ver=1.1,</3303/0>,</3303/1>", &l);
	assert_int_equal(l.count, 5);
	assert_true(l.links[0].is_path);
	assert_int_equal(l.links[0].path.len, 0);
	assert_string_equal(l.params[1].name, "ct");
	assert_string_equal(l.params[1].value, "11543");
	assert_false(l.params[1].quoted);
	assert_true(l.links[2].attrs.present & LWM2M_ATTR_VER);
	assert_string_equal(l.links[2].attrs.ver, "1.1");
	lwm2m_link_list_fini(&l);

	/* Discover /3/0 as in the LwM2M TS */
	roundtrip("</3/0>;pmin=10;pmax=60,</3/0/1>,</3/0/2>,</3/0/3>,</3/0/4>,</3/0/6>;dim=8,"
		  "</3/0/7>;dim=8;gt=50;lt=42.2,</3/0/8>;dim=8,</3/0/11>,</3/0/16>",
		  &l);
	k = &l.links[6];
	assert_int_equal(k->path.len, 3);
	assert_int_equal(k->path.id[2], 7);
	assert_int_equal(k->attrs.dim, 8);
	assert_true(k->attrs.gt == 50);
	assert_true(k->attrs.lt == 42.2);
	assert_int_equal(l.links[0].attrs.pmax, 60);
	lwm2m_link_list_fini(&l);

	roundtrip("</3303/0/5700>;st=0.5;epmin=1;epmax=30;edge=1;con=0;hqmax=4", &l);
	assert_true(l.links[0].attrs.edge);
	assert_int_equal(l.links[0].attrs.hqmax, 4);
	lwm2m_link_list_fini(&l);
}

static void test_build(void **state)
{
	struct lwm2m_link_list l;
	struct lwm2m_link_attrs a = { 0 };
	struct lwm2m_buf out;

	lwm2m_link_list_init(&l);
	lwm2m_buf_init(&out);
	assert_int_equal(lwm2m_link_attr_set(&a, "pmin", "5"), 0);
	assert_int_equal(lwm2m_link_attr_set(&a, "gt", "-1.5"), 0);
	assert_int_equal(lwm2m_link_attr_set(&a, "pmin", "x"), -EINVAL);
	assert_int_equal(lwm2m_link_attr_set(&a, "rt", "x"), -ENOENT);
	assert_int_equal(lwm2m_link_add(&l, "/3/0/9", &a), 0);
	assert_int_equal(lwm2m_link_add_param(&l, "rt", "a b", false), 0);
	assert_int_equal(lwm2m_link_add_param(&l, "obs", NULL, false), 0);
	assert_int_equal(lwm2m_link_encode(&l, &out), 0);
	assert_string_equal(lwm2m_buf_cstr(&out), "</3/0/9>;pmin=5;gt=-1.5;rt=\"a b\";obs");
	lwm2m_buf_fini(&out);
	lwm2m_link_list_fini(&l);
}

static void expect_bad(const char *text, const char *msg)
{
	struct lwm2m_link_list l;
	struct lwm2m_error err;

	lwm2m_link_list_init(&l);
	assert_int_equal(lwm2m_link_decode((const uint8_t *)text, strlen(text), &l, &err),
			 -EBADMSG);
	assert_string_equal(err.msg, msg);
	lwm2m_link_list_fini(&l);
}

static void test_malformed(void **state)
{
	expect_bad("/3/0", "offset 0: link 0: '<' expected");
	expect_bad("</3/0", "offset 0: link 0: no closing '>'");
	expect_bad("</3/0>;pmin=x", "offset 6: link 0: invalid value for LwM2M attribute pmin");
	expect_bad("</3/0>;edge=2", "offset 6: link 0: invalid value for LwM2M attribute edge");
	expect_bad("</3/0>;ver=1", "offset 6: link 0: invalid value for LwM2M attribute ver");
	expect_bad("</3/0>,</1/0>;rt=\"x", "offset 13: link 1: unterminated quoted string");
	expect_bad("</3/0>;", "offset 6: link 0: parameter name expected");
	expect_bad("</3/0>x", "offset 6: link 0: ';' or ',' expected");
	expect_bad("</3/0>,", "offset 7: link expected after ','");
	expect_bad("</3/0>;ct=", "offset 10: link 0: value expected");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6690_example),
		cmocka_unit_test(test_lwm2m_register_and_discover),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
