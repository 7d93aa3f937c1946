#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lwm2m_test.h"

static void test_shipped_objects(void **state)
{
	struct lwm2m_registry *r = test_registry();
	const struct lwm2m_obj_def *o;
	const struct lwm2m_res_def *d;
	enum lwm2m_type t;

	assert_int_equal(lwm2m_registry_count(r), 11);
	o = lwm2m_registry_object(r, 3);
	assert_non_null(o);
	assert_string_equal(o->name, "Device");
	assert_false(o->multiple);
	assert_true(o->mandatory);
	assert_string_equal(o->version, "1.1");
	d = lwm2m_registry_resource(r, 3, 7);
	assert_non_null(d);
	assert_string_equal(d->name, "Power Source Voltage");
	assert_true(d->multiple);
	assert_int_equal(d->type, LWM2M_TYPE_INTEGER);
	assert_string_equal(d->units, "mV");
	assert_int_equal(d->ops, LWM2M_OP_READ);
	d = lwm2m_registry_resource(r, 3, 4);
	assert_int_equal(d->ops, LWM2M_OP_EXECUTE);
	assert_int_equal(d->type, LWM2M_TYPE_NONE);
	d = lwm2m_registry_resource(r, 3303, 5700);
	assert_int_equal(d->type, LWM2M_TYPE_FLOAT);
	d = lwm2m_registry_resource(r, 3311, 5850);
	assert_int_equal(d->ops, LWM2M_OP_READ | LWM2M_OP_WRITE);
	assert_int_equal(d->type, LWM2M_TYPE_BOOLEAN);
	assert_null(lwm2m_registry_resource(r, 3, 99));
	assert_null(lwm2m_registry_object(r, 9999));
	struct lwm2m_path p = tp("/3/0/13");
	assert_true(lwm2m_registry_type_of(r, &p, &t));
	assert_int_equal(t, LWM2M_TYPE_TIME);
	p = tp("/3/0");
	assert_false(lwm2m_registry_type_of(r, &p, &t));
	for (size_t i = 1; i < lwm2m_registry_count(r); i++)
		assert_true(lwm2m_registry_at(r, i - 1)->id < lwm2m_registry_at(r, i)->id);
	lwm2m_registry_free(r);
}

static int load(struct lwm2m_registry *r, const char *xml, struct lwm2m_error *err)
{
	lwm2m_error_clear(err);
	return lwm2m_registry_load_buffer(r, "bad.xml", (const uint8_t *)xml, strlen(xml), err);
}

#define OBJ_HEAD                                                                                   \
	"<LWM2M>\n<Object ObjectType=\"MODefinition\">\n<Name>X</Name>\n<ObjectID>%s</ObjectID>\n" \
	"<MultipleInstances>Multiple</MultipleInstances>\n<Mandatory>Optional</Mandatory>\n"

static void test_bad_files_name_line_and_element(void **state)
{
	struct lwm2m_registry *r = lwm2m_registry_new();
	struct lwm2m_error err;

	assert_int_equal(load(r, "<LWM2M><Object>", &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "bad.xml:1: XML:"));
	assert_int_equal(load(r,
			      "<LWM2M>\n<Object>\n<Name>X</Name>\n<ObjectID>70000</ObjectID>\n"
			      "</Object></LWM2M>",
			      &err),
			 -EBADMSG);
	assert_string_equal(err.msg, "bad.xml:4: <ObjectID>: '70000' is not an ID (0..65534)");
	assert_int_equal(load(r,
			      "<LWM2M>\n<Object><Name>X</Name><ObjectID>9</ObjectID>"
			      "<MultipleInstances>Multiple</MultipleInstances><Mandatory>Optional</"
			      "Mandatory>"
			      "<Resources>\n<Item ID=\"1\"><Name>a</Name><Operations>R</Operations>"
			      "<MultipleInstances>Single</MultipleInstances><Mandatory>Optional</"
			      "Mandatory>\n"
			      "<Type>Strng</Type></Item></Resources></Object></LWM2M>",
			      &err),
			 -EBADMSG);
	assert_string_equal(err.msg, "bad.xml:4: <Type>: unknown type 'Strng'");
	assert_int_equal(load(r,
			      "<LWM2M>\n<Object><Name>X</Name><ObjectID>9</ObjectID>\n"
			      "<MultipleInstances>Many</MultipleInstances></Object></LWM2M>",
			      &err),
			 -EBADMSG);
	assert_string_equal(err.msg, "bad.xml:3: <MultipleInstances>: unexpected value 'Many'");
	assert_int_equal(load(r, "<foo/>", &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "the root element must be <LWM2M>"));
	/* nothing of a bad file is kept */
	assert_int_equal(lwm2m_registry_count(r), 0);
	lwm2m_registry_free(r);
}

static void test_duplicates(void **state)
{
	struct lwm2m_registry *r = lwm2m_registry_new();
	struct lwm2m_error err;
	const char *ok =
		"<LWM2M><Object><Name>X</Name><ObjectID>9</ObjectID>"
		"<MultipleInstances>Multiple</MultipleInstances><Mandatory>Optional</Mandatory>"
		"<Resources/></Object></LWM2M>";

	assert_int_equal(load(r, ok, &err), 0);
	assert_int_equal(load(r, ok, &err), -EEXIST);
	assert_string_equal(err.msg, "bad.xml:1: <Object>: object 9 is already defined");
	assert_int_equal(
		load(r,
		     "<LWM2M><Object><Name>X</Name><ObjectID>10</ObjectID>"
		     "<MultipleInstances>Multiple</MultipleInstances><Mandatory>Optional</"
		     "Mandatory>"
		     "<Resources>\n"
		     "<Item "
		     "ID=\"1\"><Name>a</Name><Operations>E</Operations><MultipleInstances>Single"
		     "</MultipleInstances><Mandatory>Optional</Mandatory><Type></Type></Item>\n"
		     "<Item "
		     "ID=\"1\"><Name>a</Name><Operations>E</Operations><MultipleInstances>Single"
		     "</MultipleInstances><Mandatory>Optional</Mandatory><Type></Type></Item>"
		     "</Resources></Object></LWM2M>",
		     &err),
		-EBADMSG);
	assert_string_equal(err.msg, "bad.xml:3: <Item>: duplicate resource ID 1");
	assert_int_equal(lwm2m_registry_count(r), 1);
	lwm2m_registry_free(r);
}

static int bad_seen;

static void on_error(void *arg, const char *path, const struct lwm2m_error *err)
{
	bad_seen++;
	assert_non_null(strstr(err->msg, "broken.xml"));
}

static void test_load_dir_skips_bad_files(void **state)
{
	char dir[] = "/tmp/lwm2m-reg-XXXXXX";
	char path[128];
	struct lwm2m_registry *r = lwm2m_registry_new();
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/broken.xml", dir);
	f = fopen(path, "w");
	fputs("<LWM2M><Object>", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/3.xml", dir);
	f = fopen(path, "w");
	fputs("<LWM2M><Object><Name>Device</Name><ObjectID>3</ObjectID>"
	      "<MultipleInstances>Single</MultipleInstances><Mandatory>Mandatory</Mandatory>"
	      "<Resources/></Object></LWM2M>",
	      f);
	fclose(f);
	assert_int_equal(lwm2m_registry_load_dir(r, dir, on_error, NULL), 1);
	assert_int_equal(bad_seen, 1);
	assert_non_null(lwm2m_registry_object(r, 3));
	assert_int_equal(lwm2m_registry_load_dir(r, "/nonexistent-dir", NULL, NULL), -ENOENT);
	remove(path);
	snprintf(path, sizeof(path), "%s/broken.xml", dir);
	remove(path);
	rmdir(dir);
	lwm2m_registry_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_objects),
		cmocka_unit_test(test_bad_files_name_line_and_element),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_load_dir_skips_bad_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
