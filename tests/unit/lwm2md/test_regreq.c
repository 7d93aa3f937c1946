/*
 * regreq: the Register/Update query and object-link payload checks of
 * lwm2md, with the parameter examples of LwM2M 1.1 TS Core §6.2 / §8.2
 * and the payloads real clients (Wakaama, Leshan, lwm2m-node-lib) send.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "regreq.h"

#define MAXQ 16

/* Split "a=1&b=2" into items, as the Uri-Query options would arrive. */
static size_t split(const char *q, struct regreq_item *items)
{
	size_t n = 0;

	while (*q && n < MAXQ) {
		const char *amp = strchr(q, '&');
		size_t len = amp ? (size_t)(amp - q) : strlen(q);

		items[n].s = q;
		items[n++].len = len;
		q += len + (amp ? 1 : 0);
	}
	return n;
}

static int query(enum regreq_kind kind, const char *q, struct regreq_query *out, char *why)
{
	struct regreq_item items[MAXQ] = { 0 };
	size_t n = split(q, items);

	why[0] = '\0';
	return regreq_parse_query(kind, items, n, out, why, 128);
}

static void test_register_full(void **state)
{
	struct regreq_query q;
	char why[128];

	assert_int_equal(query(REGREQ_REGISTER,
			       "ep=urn:imei:1234&lt=300&lwm2m=1.1&b=UQ&sms=+4412345", &q, why),
			 0);
	assert_string_equal(q.ep, "urn:imei:1234");
	assert_int_equal(q.lifetime, 300);
	assert_string_equal(q.version, "1.1");
	assert_string_equal(q.binding, "UQ");
	assert_true(q.queue);
	assert_string_equal(q.sms, "+4412345");
	assert_int_equal(q.present, REGREQ_HAS_EP | REGREQ_HAS_LT | REGREQ_HAS_LWM2M |
					    REGREQ_HAS_B | REGREQ_HAS_SMS);
}

static void test_register_defaults_and_unknown(void **state)
{
	struct regreq_query q;
	char why[128];

	assert_int_equal(query(REGREQ_REGISTER, "ep=dev1&apn=internet&Q", &q, why), 0);
	assert_int_equal(q.lifetime, 86400);
	assert_string_equal(q.version, "1.0");
	assert_string_equal(q.binding, "U");
	assert_true(q.queue);
	assert_int_equal(q.lifetime, REGREQ_LIFETIME_DEF);
}

static void test_register_errors(void **state)
{
	static const struct {
		const char *q;
		int rc;
		const char *why;
	} cases[] = {
		{ "lt=60", REGREQ_EBAD, "ep: missing (the endpoint client name)" },
		{ "ep=", REGREQ_EBAD, "ep: no value" },
		{ "ep", REGREQ_EBAD, "ep: no value" },
		{ "ep=a b", REGREQ_EBAD, "ep: not 1-255 printable characters without spaces" },
		{ "ep=a&ep=b", REGREQ_EBAD, "ep: given twice" },
		{ "ep=a&lt=0", REGREQ_EBAD, "lt: '0' is not a lifetime in seconds (1-4294967295)" },
		{ "ep=a&lt=-5", REGREQ_EBAD,
		  "lt: '-5' is not a lifetime in seconds (1-4294967295)" },
		{ "ep=a&lt=4294967296", REGREQ_EBAD,
		  "lt: '4294967296' is not a lifetime in seconds (1-4294967295)" },
		{ "ep=a&lt=12x", REGREQ_EBAD,
		  "lt: '12x' is not a lifetime in seconds (1-4294967295)" },
		{ "ep=a&lwm2m=1.2", REGREQ_EVERSION,
		  "lwm2m: version 1.2 is not supported (1.0 and 1.1 are)" },
		{ "ep=a&lwm2m=2.0", REGREQ_EVERSION,
		  "lwm2m: version 2.0 is not supported (1.0 and 1.1 are)" },
		{ "ep=a&lwm2m=one", REGREQ_EBAD, "lwm2m: 'one' is not a version (major.minor)" },
		{ "ep=a&lwm2m=1.", REGREQ_EBAD, "lwm2m: '1.' is not a version (major.minor)" },
		{ "ep=a&b=X", REGREQ_EBAD, "b: 'X' is not a binding (letters U, S, T, N, H, Q)" },
		{ "ep=a&b=UU", REGREQ_EBAD, "b: 'UU' is not a binding (letters U, S, T, N, H, Q)" },
		{ "ep=a&b=Q", REGREQ_EBAD, "b: 'Q' is not a binding (letters U, S, T, N, H, Q)" },
		{ "ep=a&sms=12ab", REGREQ_EBAD, "sms: '12ab' is not an MSISDN" },
		{ "ep=a&Q=1", REGREQ_EBAD, "Q: takes no value" },
	};
	struct regreq_query q;
	char why[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = query(REGREQ_REGISTER, cases[i].q, &q, why);

		if (rc != cases[i].rc || strcmp(why, cases[i].why) != 0)
			fail_msg("%s: got %d '%s', want %d '%s'", cases[i].q, rc, why, cases[i].rc,
				 cases[i].why);
	}
}

static void test_update_subset(void **state)
{
	struct regreq_query q;
	char why[128];

	assert_int_equal(query(REGREQ_UPDATE, "", &q, why), 0);
	assert_int_equal(q.present, 0);
	assert_int_equal(query(REGREQ_UPDATE, "lt=90&b=T", &q, why), 0);
	assert_int_equal(q.present, REGREQ_HAS_LT | REGREQ_HAS_B);
	assert_int_equal(q.lifetime, 90);
	assert_string_equal(q.binding, "T");
	assert_false(q.queue);
	/* ep and lwm2m are not Update parameters: ignored, not used */
	assert_int_equal(query(REGREQ_UPDATE, "ep=other&lwm2m=9.9", &q, why), 0);
	assert_int_equal(q.present, 0);
	assert_int_equal(query(REGREQ_UPDATE, "lt=abc", &q, why), REGREQ_EBAD);
}

static int links(const char *payload, struct regreq_links *l, char *why)
{
	why[0] = '\0';
	return regreq_parse_links((const uint8_t *)payload, strlen(payload), l, why, 128);
}

static void test_links_plain(void **state)
{
	struct regreq_links l;
	char why[128];

	/* TS Core 1.1 §6.2.1 example, with an object version */
	assert_int_equal(links("</1/0>,</3/0>,</4/0>,</5>,</3303>;ver=1.1,</3303/0>", &l, why), 0);
	assert_string_equal(l.root, "/");
	assert_int_equal(l.count, 6);
	assert_int_equal(l.objects[0].obj, 1);
	assert_int_equal(l.objects[0].inst, 0);
	assert_int_equal(l.objects[3].obj, 5);
	assert_int_equal(l.objects[3].inst, -1);
	assert_string_equal(l.objects[4].ver, "1.1");
	assert_string_equal(l.objects[5].ver, "");
	regreq_links_fini(&l);
}

static void test_links_root_path(void **state)
{
	struct regreq_links l;
	char why[128];

	/* an alternate root path (TS Core §6.2.1, rt="oma.lwm2m") */
	assert_int_equal(
		links("</lwm2m>;rt=\"oma.lwm2m\";ct=11543, </lwm2m/1/101>,</lwm2m/3/0>", &l, why),
		0);
	assert_string_equal(l.root, "/lwm2m");
	assert_int_equal(l.count, 2);
	assert_int_equal(l.objects[0].obj, 1);
	assert_int_equal(l.objects[0].inst, 101);
	regreq_links_fini(&l);
	/* the root itself announced: "/" with rt, as Leshan sends */
	assert_int_equal(
		links("</>;rt=\"oma.lwm2m\";ct=\"60 110 112 11542 11543\",</1/0>", &l, why), 0);
	assert_string_equal(l.root, "/");
	assert_int_equal(l.count, 1);
	regreq_links_fini(&l);
}

static void test_links_errors(void **state)
{
	static const struct {
		const char *payload;
		const char *why;
	} cases[] = {
		{ "", "payload: missing (the object links, e.g. </1/0>,</3/0>)" },
		{ "</3/0/1>", "payload: link 1 </3/0/1> is not an object or instance under /" },
		{ "</1/0>,</foo>", "payload: link 2 </foo> is not an object or instance under /" },
		{ "</lwm2m>;rt=\"oma.lwm2m\",</3/0>",
		  "payload: link 2 </3/0> is not an object or instance under /lwm2m" },
		{ "</3/0>;ver=1.1", "payload: link 1 </3/0>: ver belongs on an object link" },
		{ "</a>;rt=\"oma.lwm2m\",</b>;rt=\"oma.lwm2m\"",
		  "payload: more than one link with rt=\"oma.lwm2m\"" },
		{ "</70000>", "payload: link 1 </70000> is not an object or instance under /" },
		{ "<///>;rt=\"oma.lwm2m\"", "payload: bad root path <///>" },
		{ "<a>;rt=\"oma.lwm2m\"", "payload: bad root path <a>" },
	};
	struct regreq_links l;
	char why[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = links(cases[i].payload, &l, why);

		regreq_links_fini(&l);
		if (rc != REGREQ_EBAD || strcmp(why, cases[i].why) != 0)
			fail_msg("%s: got %d '%s', want '%s'", cases[i].payload, rc, why,
				 cases[i].why);
	}
	/* not link format at all: the codec's own message follows */
	assert_int_equal(links("3/0", &l, why), REGREQ_EBAD);
	assert_memory_equal(why, "payload: not link format: ", 26);
	regreq_links_fini(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_full),
		cmocka_unit_test(test_register_defaults_and_unknown),
		cmocka_unit_test(test_register_errors),
		cmocka_unit_test(test_update_subset),
		cmocka_unit_test(test_links_plain),
		cmocka_unit_test(test_links_root_path),
		cmocka_unit_test(test_links_errors),
	};

	return cmocka_run_group_tests_name("regreq", tests, NULL, NULL);
}
