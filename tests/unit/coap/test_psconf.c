/*
 * psconf: topic configurations from the draft's examples (encoded by
 * Python cbor2), the round trip, filters, dates, and corrupt input.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "coap/psconf.h"

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	for (; hex[0] && hex[1]; hex += 2) {
		sscanf(hex, "%2x", &v);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static int parse_hex(const char *hex, struct psconf *c, const char **why, size_t *where)
{
	uint8_t buf[512];
	size_t n = unhex(hex, buf);

	return psconf_parse(buf, n, c, why, where);
}

/* The creation request of the draft: {0: "living-room-sensor", 2: "core.ps.data"}. */
static void test_create_request(void **state)
{
	struct psconf c;

	assert_int_equal(parse_hex("a200726c6976696e672d726f6f6d2d73656e736f72026c636f72652e7073"
				   "2e64617461",
				   &c, NULL, NULL),
			 0);
	assert_int_equal(c.present,
			 PSCONF_BIT(PSCONF_TOPIC_NAME) | PSCONF_BIT(PSCONF_RESOURCE_TYPE));
	assert_string_equal(c.topic_name, "living-room-sensor");
	assert_string_equal(c.resource_type, "core.ps.data");
}

static const char full_hex[] =
	"a800726c6976696e672d726f6f6d2d73656e736f72016f70732f646174612f3162643064366402"
	"6c636f72652e70732e64617461031870046b74656d70657261747572650574323032332d30342d"
	"32385432333a35393a35395a061864071a00015180";

/* The same with expiration-date as the editor's copy has it, 1(1682726399), made by cbor2. */
static const char full_tag_hex[] =
	"a800726c6976696e672d726f6f6d2d73656e736f72016f70732f646174612f3162643064366402"
	"6c636f72652e70732e64617461031870046b74656d706572617475726505c11a644c5dff061864"
	"071a00015180";

/*
 * The PUT example's full configuration, read in both forms, and its
 * encoding in the current one byte for byte (cbor2 agrees).
 */
static void test_full_configuration_round_trip(void **state)
{
	struct psconf c, old;
	uint8_t want[512], out[512], text_form[512];
	size_t n = unhex(full_tag_hex, want);
	long len;

	assert_int_equal(psconf_parse(text_form, unhex(full_hex, text_form), &old, NULL, NULL), 0);
	assert_int_equal(psconf_parse(want, n, &c, NULL, NULL), 0);
	assert_memory_equal(&c, &old, sizeof(c));
	assert_string_equal(c.topic_data, "ps/data/1bd0d6d");
	assert_int_equal(c.content_format, 112);
	assert_string_equal(c.topic_type, "temperature");
	assert_string_equal(c.expiration_date, "2023-04-28T23:59:59Z");
	assert_int_equal(c.expires, 1682726399);
	assert_int_equal(c.max_subscribers, 100);
	assert_int_equal(c.observer_check, 86400);
	len = psconf_encode(&c, PSCONF_ALL, out, sizeof(out));
	assert_int_equal(len, (long)n);
	assert_memory_equal(out, want, n);
	/* too small a buffer, at every size */
	for (size_t size = 0; size < n; size++)
		assert_int_equal(psconf_encode(&c, PSCONF_ALL, out, size), -EMSGSIZE);
	/* a mask selects parameters: {1: "ps/data/1bd0d6d", 3: 112} */
	len = psconf_encode(&c, PSCONF_BIT(PSCONF_TOPIC_DATA) | PSCONF_BIT(PSCONF_CONTENT_FORMAT),
			    out, sizeof(out));
	assert_int_equal(len, 21);
	assert_memory_equal(out, "\xa2\x01\x6fps/data/1bd0d6d\x03\x18\x70", 21);
}

/* conf-filter by names (the draft's FETCH example) and by keys. */
static void test_conf_filter(void **state)
{
	struct psconf c;

	assert_int_equal(
		parse_hex("a109826a746f7069632d646174616a6d656469612d74797065", &c, NULL, NULL), 0);
	assert_int_equal(c.present, PSCONF_BIT(PSCONF_CONF_FILTER));
	assert_int_equal(c.filter,
			 PSCONF_BIT(PSCONF_TOPIC_DATA) | PSCONF_BIT(PSCONF_CONTENT_FORMAT));
	assert_int_equal(parse_hex("a109820103", &c, NULL, NULL), 0);
	assert_int_equal(c.filter,
			 PSCONF_BIT(PSCONF_TOPIC_DATA) | PSCONF_BIT(PSCONF_CONTENT_FORMAT));
	/* indefinite array and map */
	assert_int_equal(parse_hex("bf099f0006ffff", &c, NULL, NULL), 0);
	assert_int_equal(c.filter,
			 PSCONF_BIT(PSCONF_TOPIC_NAME) | PSCONF_BIT(PSCONF_MAX_SUBSCRIBERS));
	assert_int_equal(parse_hex("a1098109", &c, NULL, NULL), -ENOENT);
	assert_int_equal(parse_hex("a1098163666f6f", &c, NULL, NULL), -ENOENT);
	assert_int_equal(parse_hex("a10901", &c, NULL, NULL), -EINVAL);
}

/* The iPATCH example, and initialize. */
static void test_patch_and_initialize(void **state)
{
	struct psconf c;

	assert_int_equal(
		parse_hex("a20574323032342d30322d32385432333a35393a35395a0605", &c, NULL, NULL), 0);
	assert_int_equal(c.present,
			 PSCONF_BIT(PSCONF_EXPIRATION_DATE) | PSCONF_BIT(PSCONF_MAX_SUBSCRIBERS));
	assert_int_equal(c.max_subscribers, 5);
	assert_int_equal(parse_hex("a200616108f5", &c, NULL, NULL), 0);
	assert_true(c.initialize);
	assert_null(c.initial);
	assert_string_equal(c.topic_name, "a");
}

/* initialize as the editor's copy has it: the topic-data to start with (cbor2's encoding). */
static void test_initialize_value(void **state)
{
	static const char hex[] = "a3006161026c636f72652e70732e6461746108420102";
	struct psconf c, cur = { 0 }, merged;
	uint8_t in[64], out[64];
	size_t n = unhex(hex, in);
	const char *why = "";

	assert_int_equal(psconf_parse(in, n, &c, NULL, NULL), 0);
	assert_true(c.initialize);
	assert_ptr_equal(c.initial, in + n - 2); /* into the request's bytes */
	assert_int_equal(c.initial_len, 2);
	assert_int_equal(psconf_encode(&c, PSCONF_ALL, out, sizeof(out)), (long)n);
	assert_memory_equal(out, in, n);
	/* only a creation takes a value */
	assert_int_equal(psconf_merge(&cur, &c, false, &merged, &why), -EINVAL);
	assert_string_equal(why, "initialize is for creating a topic");
	/* an empty value is a value; a number is neither form */
	assert_int_equal(parse_hex("a10840", &c, &why, NULL), 0);
	assert_true(c.initial && c.initial_len == 0);
	assert_int_equal(parse_hex("a10801", &c, &why, NULL), -EINVAL);
}

/*
 * The numbering of -17/-18 (topic-history 8, initialize 9 as a bool,
 * conf-filter 10) next to that of -19; vectors from cbor2.
 */
static void test_older_numbering(void **state)
{
	struct psconf c, cur = { 0 }, merged;
	uint8_t out[64];
	const char *why = "";
	size_t where = 0;

	/* {0: "a", 9: true}: -18's initialize */
	assert_int_equal(parse_hex("a200616109f5", &c, NULL, NULL), 0);
	assert_int_equal(c.present, PSCONF_BIT(PSCONF_TOPIC_NAME) | PSCONF_BIT(PSCONF_INITIALIZE));
	assert_true(c.initialize);
	assert_null(c.initial);
	/* it is not written back: -19 has only the byte string ({0: "a"}) */
	assert_int_equal(psconf_encode(&c, PSCONF_ALL, out, sizeof(out)), 4);
	assert_memory_equal(out, "\xa1\x00\x61\x61", 4);
	/* nor taken by an update */
	assert_int_equal(psconf_merge(&cur, &c, false, &merged, &why), -EINVAL);
	/* {10: [1, 3]}: -18's conf-filter */
	assert_int_equal(parse_hex("a10a820103", &c, NULL, NULL), 0);
	assert_int_equal(c.present, PSCONF_BIT(PSCONF_CONF_FILTER));
	assert_int_equal(c.filter,
			 PSCONF_BIT(PSCONF_TOPIC_DATA) | PSCONF_BIT(PSCONF_CONTENT_FORMAT));
	/* {8: 10}: -18's topic-history, which -19 dropped */
	assert_int_equal(parse_hex("a1080a", &c, &why, &where), -EINVAL);
	assert_string_equal(why, "topic-history (key 8 before -19) is not supported");
	assert_int_equal(where, 2);
	/* one parameter under both numbers: {8: h'78', 9: true}, {9: [1], 10: [3]} */
	assert_int_equal(parse_hex("a208417809f5", &c, NULL, &where), -EEXIST);
	assert_int_equal(where, 4);
	assert_int_equal(parse_hex("a20981010a8103", &c, NULL, &where), -EEXIST);
	assert_int_equal(where, 4);
	/* {9: 1}, {10: true}: neither numbering */
	assert_int_equal(parse_hex("a10901", &c, NULL, NULL), -EINVAL);
	assert_int_equal(parse_hex("a10af5", &c, NULL, NULL), -EINVAL);
}

/* expiration-date: tag 1 over seconds, or RFC 3339 text; nothing else. */
static void test_expiration_forms(void **state)
{
	struct psconf c;
	size_t where;

	assert_int_equal(parse_hex("a205c11a65dfc8ff0605", &c, NULL, NULL), 0);
	assert_int_equal(c.expires, 1709164799);
	assert_string_equal(c.expiration_date, "2024-02-28T23:59:59Z");
	assert_int_equal(parse_hex("a105c01a65dfc8ff", &c, NULL, &where), -EINVAL); /* tag 0 */
	assert_int_equal(where, 2);
	/* tag 1 over a float (RFC 8949 §3.4.2): 1(1709164799.5), up to the next second */
	assert_int_equal(parse_hex("a105c1fb41d977f23fe00000", &c, NULL, NULL), 0);
	assert_int_equal(c.expires, 1709164800);
	assert_int_equal(parse_hex("a105c1f93e00", &c, NULL, NULL), 0); /* 1(1.5), half float */
	assert_int_equal(c.expires, 2);
	assert_int_equal(parse_hex("a105c1fbbff0000000000000", &c, NULL, NULL),
			 -EINVAL);                                                /* 1(-1.0) */
	assert_int_equal(parse_hex("a105c13a00000001", &c, NULL, NULL), -EINVAL); /* negative */
	assert_int_equal(parse_hex("a105c1", &c, NULL, NULL), -EBADMSG);          /* tag, no item */
	assert_int_equal(parse_hex("a1051a65dfc8ff", &c, NULL, NULL), -EINVAL);   /* untagged */
	assert_int_equal(parse_hex("a105c11b0000003afff44180", &c, NULL, NULL),
			 -EINVAL); /* > 9999 */
}

static void test_match(void **state)
{
	struct psconf f, t;

	assert_int_equal(parse_hex(full_hex, &t, NULL, NULL), 0);
	/* {2: "core.ps.data", 4: "temperature"} */
	assert_int_equal(parse_hex("a2026c636f72652e70732e64617461046b74656d7065726174757265", &f,
				   NULL, NULL),
			 0);
	assert_true(psconf_match(&f, &t));
	f.topic_type[0] = 'T';
	assert_false(psconf_match(&f, &t));
	memset(&f, 0, sizeof(f));
	assert_true(psconf_match(&f, &t)); /* an empty filter matches all */
	f.present = PSCONF_BIT(PSCONF_INITIALIZE);
	assert_false(psconf_match(&f, &t)); /* absent from the topic */
}

/* Every error has its errno, a reason and an offset. */
static void test_corrupt(void **state)
{
	static const struct {
		const char *hex;
		int rc;
		size_t where;
	} cases[] = {
		{ "", -EBADMSG, 0 },
		{ "80", -EBADMSG, 1 },              /* an array, not a map */
		{ "a2006161", -EBADMSG, 4 },        /* one pair missing */
		{ "a100616100", -EBADMSG, 4 },      /* a byte after the map */
		{ "a1007a00000010", -EBADMSG, 2 },  /* text longer than the input */
		{ "a10b6161", -ENOENT, 1 },         /* key 11 */
		{ "a10a6161", -EINVAL, 2 },         /* key 10 (-18's conf-filter) not an array */
		{ "a1206161", -ENOENT, 1 },         /* key -1 */
		{ "a1636b65796161", -ENOENT, 1 },   /* a text key */
		{ "a1f56161", -EINVAL, 1 },         /* key true */
		{ "a200616100616162", -EEXIST, 4 }, /* topic-name twice */
		{ "a10001", -EINVAL, 2 },           /* topic-name a number */
		{ "a10060", -EINVAL, 2 },           /* topic-name empty */
		{ "a1031a00010000", -EINVAL, 2 },   /* content format > 65535 */
		{ "a10700", -EINVAL, 2 },           /* observer-check 0 */
		{ "a1061b0000000100000000", -EINVAL, 2 }, /* max-subscribers > 2^32-1 */
		{ "a10801", -EINVAL, 2 },                 /* initialize a number (topic-history) */
		{ "a1056474657374", -EINVAL, 2 },         /* a date that is not one */
		{ "a100a0", -EINVAL, 2 },                 /* a map as a value */
		{ "a100c16161", -EINVAL, 2 },             /* a tag */
		{ "a1007f6161ff", -EINVAL, 2 },           /* an indefinite text */
		{ "bf0061", -EBADMSG, 2 },                /* indefinite map never ends */
		{ "bf00ff", -EBADMSG, 2 },                /* a key without a value */
		{ "a1001c", -EBADMSG, 2 },                /* reserved additional info */
	};
	struct psconf c;
	const char *why;
	size_t where;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = NULL;
		where = 999;
		assert_int_equal(parse_hex(cases[i].hex, &c, &why, &where), cases[i].rc);
		assert_non_null(why);
		assert_int_equal(where, cases[i].where);
		assert_int_equal(c.present, 0);
	}
	/* a control character in a text */
	assert_int_equal(psconf_parse((const uint8_t *)"\xa1\x00\x62\x61\x0a", 5, &c, &why, &where),
			 -EINVAL);
	/* 256 bytes of text */
	{
		uint8_t big[300] = { 0xa1, 0x00, 0x79, 0x01, 0x00 };

		memset(big + 5, 'x', 256);
		assert_int_equal(psconf_parse(big, 261, &c, &why, &where), -EMSGSIZE);
		big[3] = 0x00; /* 255: fits */
		big[4] = 0xff;
		assert_int_equal(psconf_parse(big, 260, &c, &why, &where), 0);
		assert_int_equal(strlen(c.topic_name), 255);
	}
	{
		static uint8_t huge[PSCONF_MAX_LEN + 1];

		assert_int_equal(psconf_parse(huge, sizeof(huge), &c, &why, &where), -EMSGSIZE);
	}
}

/* PUT replaces the optional parameters, iPATCH merges; the fixed three never change. */
static void test_merge(void **state)
{
	struct psconf cur, in, out;
	const char *why = NULL;

	assert_int_equal(parse_hex(full_hex, &cur, NULL, NULL), 0);
	/* iPATCH {5: "2024-02-28T23:59:59Z", 6: 5}: the draft's example */
	assert_int_equal(
		parse_hex("a20574323032342d30322d32385432333a35393a35395a0605", &in, NULL, NULL),
		0);
	assert_int_equal(psconf_merge(&cur, &in, false, &out, &why), 0);
	assert_int_equal(out.present, cur.present);
	assert_int_equal(out.max_subscribers, 5);
	assert_string_equal(out.expiration_date, "2024-02-28T23:59:59Z");
	assert_int_equal(out.expires, 1709164799);
	assert_string_equal(out.topic_type, "temperature");
	assert_int_equal(out.content_format, 112);
	/* the same as PUT: what is not given is gone, the fixed three stay */
	assert_int_equal(psconf_merge(&cur, &in, true, &out, &why), 0);
	assert_int_equal(out.present, PSCONF_BIT(PSCONF_TOPIC_NAME) |
					      PSCONF_BIT(PSCONF_TOPIC_DATA) |
					      PSCONF_BIT(PSCONF_RESOURCE_TYPE) |
					      PSCONF_BIT(PSCONF_EXPIRATION_DATE) |
					      PSCONF_BIT(PSCONF_MAX_SUBSCRIBERS));
	assert_string_equal(out.topic_data, "ps/data/1bd0d6d");
	/* repeating a fixed parameter is fine, changing it is not */
	assert_int_equal(parse_hex("a100726c6976696e672d726f6f6d2d73656e736f72", &in, NULL, NULL),
			 0);
	assert_int_equal(psconf_merge(&cur, &in, true, &out, &why), 0);
	assert_int_equal(parse_hex("a2006161026c636f72652e70732e64617461", &in, NULL, NULL), 0);
	assert_int_equal(psconf_merge(&cur, &in, false, &out, &why), -EPERM);
	assert_non_null(why);
	assert_int_equal(parse_hex("a1098101", &in, NULL, NULL), 0);
	assert_int_equal(psconf_merge(&cur, &in, false, &out, &why), -EINVAL);
}

static void test_dates(void **state)
{
	int64_t t;

	assert_int_equal(psconf_parse_date("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(psconf_parse_date("2026-12-31T23:59:59Z", &t), 0);
	assert_int_equal(t, 1798761599);
	assert_int_equal(psconf_parse_date("2026-12-31T23:59:59.123+01:00", &t), 0);
	assert_int_equal(t, 1798761599 - 3600);
	assert_int_equal(psconf_parse_date("2024-02-29T00:00:00z", &t), 0);
	assert_int_equal(psconf_parse_date("2023-02-29T00:00:00Z", &t), -EINVAL);
	/* the draft's PUT/GET example has day 00 */
	assert_int_equal(psconf_parse_date("2023-04-00T23:59:59Z", &t), -EINVAL);
	assert_int_equal(psconf_parse_date("2023-04-01T24:00:00Z", &t), -EINVAL);
	assert_int_equal(psconf_parse_date("2023-04-01T23:59:59", &t), -EINVAL);
	assert_int_equal(psconf_parse_date("2023-04-01 23:59:59Z", &t), -EINVAL);
	assert_int_equal(psconf_parse_date("2023-04-01T23:59:59Zx", &t), -EINVAL);
	assert_int_equal(psconf_parse_date("2023-04-01T23:59:59.Z", &t), -EINVAL);
	assert_string_equal(psconf_key_name(PSCONF_OBSERVER_CHECK), "observer-check");
	assert_null(psconf_key_name(PSCONF_KEY_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_request),
		cmocka_unit_test(test_full_configuration_round_trip),
		cmocka_unit_test(test_conf_filter),
		cmocka_unit_test(test_patch_and_initialize),
		cmocka_unit_test(test_initialize_value),
		cmocka_unit_test(test_older_numbering),
		cmocka_unit_test(test_expiration_forms),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_dates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
