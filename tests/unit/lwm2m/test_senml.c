#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_senml.h"
#include "lwm2m_test.h"

static struct lwm2m_senml_rec rec(const char *bn, const char *n, int64_t v)
{
	struct lwm2m_senml_rec r;

	memset(&r, 0, sizeof(r));
	if (bn) {
		r.bn = bn;
		r.bn_len = strlen(bn);
		r.has_bn = true;
	}
	if (n) {
		r.n = n;
		r.n_len = strlen(n);
		r.has_n = true;
	}
	r.kind = LWM2M_SENML_INT;
	r.i = v;
	return r;
}

static void test_resolution(void **state)
{
	struct lwm2m_senml_base b;
	struct lwm2m_doc doc;
	struct lwm2m_path root = tp("/");
	struct lwm2m_senml_rec r;
	struct lwm2m_error err;

	lwm2m_doc_init(&doc);
	lwm2m_senml_base_init(&b);
	/* base name kept across records, relative names, absolute names, a new base */
	r = rec("/3/0/", "7/0", 1);
	assert_int_equal(lwm2m_senml_resolve(&b, &r, 0, &root, NULL, &doc, &err), 0);
	r = rec(NULL, "7/1", 2);
	assert_int_equal(lwm2m_senml_resolve(&b, &r, 1, &root, NULL, &doc, &err), 0);
	r = rec("", "/1/0/1", 3);
	assert_int_equal(lwm2m_senml_resolve(&b, &r, 2, &root, NULL, &doc, &err), 0);
	r = rec("/3303/0/5700", NULL, 4);
	r.has_t = true;
	r.t = 10;
	assert_int_equal(lwm2m_senml_resolve(&b, &r, 3, &root, NULL, &doc, &err), 0);
	r = rec("/3/0/", "7/", 5); /* a trailing slash still names /3/0/7 */
	assert_int_equal(lwm2m_senml_resolve(&b, &r, 4, &root, NULL, &doc, &err), 0);
	assert_int_equal(doc.count, 5);
	assert_true(
		lwm2m_path_equal(&doc.entries[1].path, &(struct lwm2m_path){ { 3, 0, 7, 1 }, 4 }));
	assert_true(lwm2m_path_equal(&doc.entries[2].path, &(struct lwm2m_path){ { 1, 0, 1 }, 3 }));
	assert_true(doc.entries[3].has_time);
	assert_true(lwm2m_path_equal(&doc.entries[4].path, &(struct lwm2m_path){ { 3, 0, 7 }, 3 }));
	r = rec("/3/0/", "07", 6);
	assert_int_equal(lwm2m_senml_resolve(&b, &r, 5, &root, NULL, &doc, &err), -EBADMSG);
	assert_string_equal(err.msg, "record 5: name \"/3/0/07\" is not an LwM2M path");
	lwm2m_doc_fini(&doc);
}

static void test_names(void **state)
{
	struct lwm2m_doc doc;
	struct lwm2m_senml_namer nm;
	char bn[LWM2M_PATH_STR_MAX + 1], n[LWM2M_PATH_STR_MAX + 1];
	struct lwm2m_error err;

	lwm2m_doc_init(&doc);
	doc.base = tp("/3/0");
	add_entry(&doc, "/3/0/0", lwm2m_value_int(1));
	add_entry(&doc, "/3/0/7/65534", lwm2m_value_int(1));
	lwm2m_senml_namer_init(&nm, &doc);
	assert_int_equal(lwm2m_senml_names(&nm, &doc, 0, bn, n, NULL), 0);
	assert_string_equal(bn, "/3/0/");
	assert_string_equal(n, "0");
	assert_int_equal(lwm2m_senml_names(&nm, &doc, 1, bn, n, NULL), 0);
	assert_string_equal(bn, "");
	assert_string_equal(n, "7/65534");
	lwm2m_doc_reset(&doc);
	doc.base = tp("/3/0/9");
	add_entry(&doc, "/3/0/9", lwm2m_value_int(1));
	add_entry(&doc, "/3/0/9", lwm2m_value_int(2));
	lwm2m_senml_namer_init(&nm, &doc);
	assert_int_equal(lwm2m_senml_names(&nm, &doc, 0, bn, n, NULL), 0);
	assert_string_equal(bn, "/3/0/9");
	assert_string_equal(n, "");
	assert_int_equal(lwm2m_senml_names(&nm, &doc, 1, bn, n, NULL), 0);
	assert_string_equal(bn, "");
	assert_string_equal(n, "");
	lwm2m_doc_reset(&doc);
	add_entry(&doc, "/1/0/1", lwm2m_value_int(1));
	lwm2m_senml_namer_init(&nm, &doc);
	assert_int_equal(lwm2m_senml_names(&nm, &doc, 0, bn, n, NULL), 0);
	assert_string_equal(bn, "");
	assert_string_equal(n, "/1/0/1");
	/* an entry outside the base has no SenML name: the encoders refuse it */
	lwm2m_doc_reset(&doc);
	doc.base = tp("/3/0");
	add_entry(&doc, "/4/0/1", lwm2m_value_int(1));
	lwm2m_senml_namer_init(&nm, &doc);
	assert_int_equal(lwm2m_senml_names(&nm, &doc, 0, bn, n, &err), -EINVAL);
	assert_string_equal(err.msg, "entry 0: path is outside the base path");
	assert_string_equal(bn, "");
	assert_string_equal(n, "");
	lwm2m_doc_fini(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolution),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
