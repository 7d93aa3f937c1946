/*
 * cmdvalue: values typed on the command line, parsed by the types of the
 * OMA object definitions lwgate ships (conf/objects: /1 Server, /3 Device,
 * /0 Security, /3303 Temperature).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cmdvalue.h"

static struct lwm2m_registry *reg;

static int load(void **state)
{
	reg = lwm2m_registry_new();
	assert_non_null(reg);
	assert_true(lwm2m_registry_load_dir(reg, OBJECTS_DIR, NULL, NULL) >= 4);
	return 0;
}

static int unload(void **state)
{
	lwm2m_registry_free(reg);
	return 0;
}

/* Parse @text for @path; the entry (in @doc) or NULL with @err set. */
static const struct lwm2m_entry *parse(const char *path, const char *text, struct lwm2m_doc *doc,
				       struct lwm2m_error *err)
{
	struct lwm2m_path p;

	assert_int_equal(lwm2m_path_parse(path, strlen(path), &p), 0);
	lwm2m_doc_init(doc);
	if (cmdvalue_parse(text, strlen(text), &p, reg, doc, err) < 0)
		return NULL;
	assert_int_equal(doc->count, 1);
	assert_int_equal(lwm2m_path_cmp(&doc->entries[0].path, &p), 0);
	return &doc->entries[0];
}

static void typed(void **state)
{
	struct lwm2m_doc doc;
	struct lwm2m_error err;
	const struct lwm2m_entry *e;

	e = parse("/1/0/1", "120", &doc, &err); /* Lifetime: Integer */
	assert_int_equal(e->value.type, LWM2M_TYPE_INTEGER);
	assert_int_equal(e->value.v.i, 120);
	lwm2m_doc_fini(&doc);
	e = parse("/1/0/1", "-5", &doc, &err);
	assert_int_equal(e->value.v.i, -5);
	lwm2m_doc_fini(&doc);
	e = parse("/1/0/13", "18446744073709551615", &doc, &err); /* Unsigned Integer */
	assert_int_equal(e->value.type, LWM2M_TYPE_UNSIGNED);
	assert_true(e->value.v.u == UINT64_MAX);
	lwm2m_doc_fini(&doc);
	e = parse("/3303/0/5700", "21.5", &doc, &err); /* Float */
	assert_int_equal(e->value.type, LWM2M_TYPE_FLOAT);
	assert_true(e->value.v.f == 21.5);
	lwm2m_doc_fini(&doc);
	e = parse("/1/0/6", "true", &doc, &err); /* Boolean */
	assert_int_equal(e->value.type, LWM2M_TYPE_BOOLEAN);
	assert_true(e->value.v.b);
	lwm2m_doc_fini(&doc);
	e = parse("/1/0/6", "0", &doc, &err);
	assert_false(e->value.v.b);
	lwm2m_doc_fini(&doc);
	e = parse("/3/0/13", "1367491215", &doc, &err); /* Time */
	assert_int_equal(e->value.type, LWM2M_TYPE_TIME);
	assert_int_equal(e->value.v.i, 1367491215);
	lwm2m_doc_fini(&doc);
	e = parse("/3/0/13", "2013-05-02T10:40:15Z", &doc, &err); /* the same second, in UTC */
	assert_int_equal(e->value.v.i, 1367491215);
	lwm2m_doc_fini(&doc);
	e = parse("/1/0/10", "11:0", &doc, &err); /* APN Link: Objlnk */
	assert_int_equal(e->value.type, LWM2M_TYPE_OBJLNK);
	assert_int_equal(e->value.v.lnk.obj, 11);
	assert_int_equal(e->value.v.lnk.inst, 0);
	lwm2m_doc_fini(&doc);
	e = parse("/0/0/3", "0x00ff10", &doc, &err); /* Public Key: Opaque, hex */
	assert_int_equal(e->value.type, LWM2M_TYPE_OPAQUE);
	assert_int_equal(e->value.v.bytes.len, 3);
	assert_memory_equal(e->value.v.bytes.data, "\x00\xff\x10", 3);
	lwm2m_doc_fini(&doc);
	e = parse("/0/0/3", "AP8Q", &doc, &err); /* the same bytes in base64 */
	assert_int_equal(e->value.v.bytes.len, 3);
	assert_memory_equal(e->value.v.bytes.data, "\x00\xff\x10", 3);
	lwm2m_doc_fini(&doc);
	e = parse("/3/0/22/1", "3:1", &doc, &err); /* a resource instance of an Objlnk */
	assert_int_equal(e->value.v.lnk.inst, 1);
	lwm2m_doc_fini(&doc);
}

#define REFUSED(path, text, why)                            \
	do {                                                \
		struct lwm2m_doc doc;                       \
		struct lwm2m_error err = { 0 };             \
		assert_null(parse(path, text, &doc, &err)); \
		assert_int_equal(err.code, -EBADMSG);       \
		assert_string_equal(err.msg, why);          \
		lwm2m_doc_fini(&doc);                       \
	} while (0)

static void refused_with_the_type(void **state)
{
	REFUSED("/1/0/1", "12x",
		"\"12x\": /1/0/1 Lifetime is an Integer: a whole number, e.g. -5 or 120");
	REFUSED("/1/0/1", "99999999999999999999",
		"\"99999999999999999999\": /1/0/1 Lifetime is an Integer (out of range): a whole "
		"number, e.g. -5 or 120");
	REFUSED("/1/0/13", "-1",
		"\"-1\": /1/0/13 Registration Priority Order is an Unsigned Integer: a whole "
		"number from 0, e.g. 120");
	REFUSED("/3303/0/5700", "warm",
		"\"warm\": /3303/0/5700 Sensor Value is a Float: a decimal number, e.g. 21.5 or "
		"2.15e1");
	REFUSED("/3303/0/5700", "nan",
		"\"nan\": /3303/0/5700 Sensor Value is a Float: a decimal number, e.g. 21.5 or "
		"2.15e1");
	REFUSED("/1/0/6", "yes",
		"\"yes\": /1/0/6 Notification Storing When Disabled or Offline is a Boolean: true, "
		"false, 1 or 0");
	REFUSED("/3/0/13", "2013-05-02 10:40:15",
		"\"2013-05-02 10:40:15\": /3/0/13 Current Time is a Time: seconds since 1970, or "
		"a UTC date such as 2026-12-06T21:00:00Z");
	REFUSED("/1/0/10", "11",
		"\"11\": /1/0/10 APN Link is an Objlnk: an object link O:I, e.g. 3:0");
	REFUSED("/0/0/3", "0x0g",
		"\"0x0g\": /0/0/3 Public Key or Identity is an Opaque: base64, or hex after 0x "
		"(0x0a0b)");
	REFUSED("/0/0/3", "0xabc",
		"\"0xabc\": /0/0/3 Public Key or Identity is an Opaque: base64, or hex after 0x "
		"(0x0a0b)");
}

static void strings_stay_strings(void **state)
{
	struct lwm2m_path p;

	/* String, Corelnk, executable and unknown resources are not cmdvalue's */
	assert_int_equal(lwm2m_path_parse("/3/0/14", 7, &p), 0);
	assert_false(cmdvalue_typed(reg, &p));
	assert_int_equal(lwm2m_path_parse("/3/0/4", 6, &p), 0);
	assert_false(cmdvalue_typed(reg, &p));
	assert_int_equal(lwm2m_path_parse("/9999/0/1", 9, &p), 0);
	assert_false(cmdvalue_typed(reg, &p));
	assert_false(cmdvalue_typed(NULL, &p));
	assert_int_equal(lwm2m_path_parse("/1/0", 4, &p), 0);
	assert_false(cmdvalue_typed(reg, &p));
	assert_int_equal(lwm2m_path_parse("/1/0/1", 6, &p), 0);
	assert_true(cmdvalue_typed(reg, &p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(typed),
		cmocka_unit_test(refused_with_the_type),
		cmocka_unit_test(strings_stay_strings),
	};

	return cmocka_run_group_tests(tests, load, unload);
}
