/*
 * niddmsg: the three T8 callback bodies parsed (uplink data decoded from
 * padded base64), and what is refused: not an object, duplicates, wrong
 * types, unknown statuses, bad or empty base64, missing identities, data
 * over the bound.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "niddmsg.h"

static int parse(const char *s, struct niddmsg *m)
{
	return niddmsg_parse((const uint8_t *)s, strlen(s), m);
}

static void test_uplink(void **state)
{
	struct niddmsg *m = malloc(sizeof(*m));
	const uint8_t want[] = { 0x40, 0x01, 0x12, 0x34 };

	assert_int_equal(parse("{\"niddConfiguration\":\"http://s/c/1\",\"externalId\":"
			       "\"a@b\",\"data\":\"QAESNA==\"}",
			       m),
			 0);
	assert_int_equal(m->kind, NIDDMSG_UPLINK);
	assert_string_equal(m->external_id, "a@b");
	assert_string_equal(m->link, "http://s/c/1");
	assert_int_equal(m->data_len, 4);
	assert_memory_equal(m->data, want, 4);
	/* by configuration alone; one and two padding bytes */
	assert_int_equal(parse("{\"niddConfiguration\":\"x\",\"data\":\"QAE=\"}", m), 0);
	assert_int_equal(m->data_len, 2);
	assert_string_equal(m->external_id, "");
	assert_int_equal(parse("{\"externalId\":\"a@b\",\"data\":\"QQ==\"}", m), 0);
	assert_int_equal(m->data_len, 1);
	free(m);
}

static void test_statuses(void **state)
{
	struct niddmsg *m = malloc(sizeof(*m));

	assert_int_equal(parse("{\"niddDownlinkDataTransfer\":\"http://s/c/1/downlink-data-"
			       "deliveries/7\",\"deliveryStatus\":\"BUFFERING\"}",
			       m),
			 0);
	assert_int_equal(m->kind, NIDDMSG_DELIVERY_STATUS);
	assert_string_equal(m->delivery_status, "BUFFERING");
	assert_string_equal(m->link, "http://s/c/1/downlink-data-deliveries/7");
	assert_int_equal(parse("{\"niddConfiguration\":\"http://s/c/1\",\"externalId\":\"a@b\","
			       "\"status\":\"TERMINATED\"}",
			       m),
			 0);
	assert_int_equal(m->kind, NIDDMSG_CONFIG_STATUS);
	assert_string_equal(m->config_status, "TERMINATED");
	free(m);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"[1]",
		"{\"data\":\"QQ==\"}",                                /* no identity */
		"{\"externalId\":\"a@b\",\"data\":\"\"}",             /* empty */
		"{\"externalId\":\"a@b\",\"data\":\"QQ\"}",           /* unpadded */
		"{\"externalId\":\"a@b\",\"data\":\"Q Q=\"}",         /* blank */
		"{\"externalId\":\"a@b\",\"data\":\"Q=QQ\"}",         /* padding inside */
		"{\"externalId\":\"a@b\",\"data\":\"====\"}",         /* padding only */
		"{\"externalId\":\"a@b\",\"data\":7}",                /* type */
		"{\"externalId\":1,\"data\":\"QQ==\"}",               /* type */
		"{\"externalId\":\"a@b\",\"externalId\":\"c@d\",\"data\":\"QQ==\"}", /* duplicate */
		"{\"niddDownlinkDataTransfer\":\"l\",\"deliveryStatus\":\"DELIVERED\"}",
		"{\"deliveryStatus\":\"SUCCESS\"}",
		"{\"niddConfiguration\":\"l\",\"status\":\"\"}",
		"{\"status\":\"TERMINATED\"}",
		"{\"externalId\":\"a@b\"}",
	};
	struct niddmsg *m = malloc(sizeof(*m));

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], m) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
	}
	free(m);
}

static void test_bounds(void **state)
{
	/* 4096 bytes are taken, 4097 and 4099 not; a 600-byte link is too long */
	size_t n4096 = 4096 / 3 * 4 + 4, body = 6000;
	char *s = malloc(body);
	struct niddmsg *m = malloc(sizeof(*m));
	size_t off;

	off = (size_t)sprintf(s, "{\"externalId\":\"a@b\",\"data\":\"");
	memset(s + off, 'A', n4096 - 4);
	memcpy(s + off + n4096 - 4, "AA==", 4); /* 1365 * 3 + 1 = 4096 */
	strcpy(s + off + n4096, "\"}");
	assert_int_equal(parse(s, m), 0);
	assert_int_equal(m->data_len, 4096);
	memcpy(s + off + n4096 - 4, "AAA=", 4); /* 1365 * 3 + 2 = 4097 */
	assert_int_equal(parse(s, m), -EINVAL);
	memcpy(s + off + n4096 - 4, "AAAA", 4);
	strcpy(s + off + n4096, "AAAA\"}");
	assert_int_equal(parse(s, m), -EINVAL);
	off = (size_t)sprintf(s, "{\"niddConfiguration\":\"");
	memset(s + off, 'l', 600);
	strcpy(s + off + 600, "\",\"data\":\"QQ==\"}");
	assert_int_equal(parse(s, m), -EINVAL);
	free(m);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uplink),
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
