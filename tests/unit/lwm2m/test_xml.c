#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_xml.h"

static int parse(const char *xml, struct lwm2m_xml_doc **doc, struct lwm2m_error *err)
{
	lwm2m_error_clear(err);
	return lwm2m_xml_parse((const uint8_t *)xml, strlen(xml), "t.xml", doc, err);
}

/* The first element child of @n called @name. */
static const struct lwm2m_xml_node *elem(const struct lwm2m_xml_node *n, const char *name)
{
	for (const struct lwm2m_xml_node *c = n->children; c; c = c->next) {
		if (c->name && strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

static void test_tree_lines_attributes(void **state)
{
	struct lwm2m_xml_doc *doc;
	struct lwm2m_error err;
	const struct lwm2m_xml_node *root, *item;
	char *t;

	assert_int_equal(parse("<?xml version=\"1.0\"?>\n<LWM2M a=\"1\">\n<!-- no -->\n"
			       "<Item ID=\"7\" x='y'><Name> N </Name></Item>\n</LWM2M>",
			       &doc, &err),
			 0);
	root = lwm2m_xml_root(doc);
	assert_string_equal(root->name, "LWM2M");
	assert_int_equal(root->line, 2);
	assert_string_equal(lwm2m_xml_attr(root, "a"), "1");
	item = elem(root, "Item");
	assert_non_null(item);
	assert_int_equal(item->line, 4);
	assert_string_equal(lwm2m_xml_attr(item, "ID"), "7");
	assert_string_equal(lwm2m_xml_attr(item, "x"), "y");
	assert_null(lwm2m_xml_attr(item, "id"));
	t = lwm2m_xml_text(elem(item, "Name"));
	assert_string_equal(t, " N ");
	free(t);
	/* textContent: every descendant's text in order, the comment left out */
	t = lwm2m_xml_text(root);
	assert_string_equal(t, "\n\n N \n");
	free(t);
	lwm2m_xml_free(doc);
}

static void test_entities_and_cdata_are_text(void **state)
{
	struct lwm2m_xml_doc *doc;
	struct lwm2m_error err;
	char *t;

	assert_int_equal(parse("<!DOCTYPE a [<!ENTITY u \"Cel&#x73;ius\">]>"
			       "<a>&lt;&u;&gt;<![CDATA[<b>]]>&#233;</a>",
			       &doc, &err),
			 0);
	t = lwm2m_xml_text(lwm2m_xml_root(doc));
	assert_string_equal(t, "<Celsius><b>\xc3\xa9");
	free(t);
	lwm2m_xml_free(doc);
}

/* An external entity is never read: a DDF cannot make us open /etc/passwd. */
static void test_external_entity_not_fetched(void **state)
{
	struct lwm2m_xml_doc *doc = NULL;
	struct lwm2m_error err;
	char *t;

	if (parse("<!DOCTYPE a [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><a>x&e;y</a>", &doc,
		  &err) == 0) {
		t = lwm2m_xml_text(lwm2m_xml_root(doc));
		assert_string_equal(t, "xy");
		free(t);
	}
	lwm2m_xml_free(doc);
}

static void test_billion_laughs_refused(void **state)
{
	char xml[2048];
	size_t n = 0;
	struct lwm2m_xml_doc *doc = NULL;
	struct lwm2m_error err;

	n += (size_t)snprintf(xml + n, sizeof(xml) - n,
			      "<!DOCTYPE l [<!ENTITY l0 \"lollollollollollollollollollol\">");
	for (int i = 1; i < 10; i++)
		n += (size_t)snprintf(xml + n, sizeof(xml) - n,
				      "<!ENTITY l%d \"&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;"
				      "&l%d;\">",
				      i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
				      i - 1, i - 1);
	snprintf(xml + n, sizeof(xml) - n, "]><l>&l9;</l>");
	assert_int_equal(parse(xml, &doc, &err), -EBADMSG);
	assert_null(doc);
	assert_non_null(strstr(err.msg, "t.xml:1: XML: "));
}

static void test_errors_name_the_line(void **state)
{
	struct lwm2m_xml_doc *doc = NULL;
	struct lwm2m_error err;
	char deep[LWM2M_XML_MAX_DEPTH * 8 + 32] = "";

	assert_int_equal(parse("<a>\n<b></a>", &doc, &err), -EBADMSG);
	assert_null(doc);
	assert_string_equal(err.msg, "t.xml:2: XML: mismatched tag");
	assert_int_equal(parse("", &doc, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "t.xml:1: XML: "));
	for (int i = 0; i <= LWM2M_XML_MAX_DEPTH; i++)
		strcat(deep, "<a>");
	assert_int_equal(parse(deep, &doc, &err), -EBADMSG);
	assert_string_equal(err.msg, "t.xml:1: XML: elements nest deeper than 32");
	/* exactly the limit parses; an empty element one deeper does not */
	deep[0] = '\0';
	for (int i = 0; i < LWM2M_XML_MAX_DEPTH; i++)
		strcat(deep, "<a>");
	for (int i = 0; i < LWM2M_XML_MAX_DEPTH; i++)
		strcat(deep, "</a>");
	assert_int_equal(parse(deep, &doc, &err), 0);
	lwm2m_xml_free(doc);
	memmove(deep + 3 * LWM2M_XML_MAX_DEPTH + 4, deep + 3 * LWM2M_XML_MAX_DEPTH,
		strlen(deep + 3 * LWM2M_XML_MAX_DEPTH) + 1);
	memcpy(deep + 3 * LWM2M_XML_MAX_DEPTH, "<a/>", 4);
	assert_int_equal(parse(deep, &doc, &err), -EBADMSG);
	assert_null(doc);
	assert_string_equal(err.msg, "t.xml:1: XML: elements nest deeper than 32");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_lines_attributes),
		cmocka_unit_test(test_entities_and_cdata_are_text),
		cmocka_unit_test(test_external_entity_not_fetched),
		cmocka_unit_test(test_billion_laughs_refused),
		cmocka_unit_test(test_errors_name_the_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
