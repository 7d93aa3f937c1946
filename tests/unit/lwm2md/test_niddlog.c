/*
 * niddlog: downlinks logged with their MID and token; a held copy (same
 * MID, same bytes) is refused while held and taken again once final; the
 * log is bounded (the oldest goes); links and statuses are found and set;
 * the JSON lists the newest first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "niddlog.h"

static void test_identity_and_holds(void **state)
{
	struct niddlog l = { 0 };
	struct niddlog_entry *e, *f;
	const uint8_t req[] = { 0x42, 0x01, 0x00, 0x07, 0xab, 0xcd, 0xb1, '3' };
	uint8_t other[sizeof(req)];
	char tok[17];

	assert_int_equal(niddlog_add(&l, req, sizeof(req), &e), 0);
	assert_int_equal(e->mid, 7);
	niddlog_token_hex(e, tok);
	assert_string_equal(tok, "abcd");
	assert_string_equal(e->status, "SENDING");
	assert_true(e->held);
	/* its retransmission while on the wire or buffered */
	assert_int_equal(niddlog_add(&l, req, sizeof(req), &f), -EALREADY);
	snprintf(e->link, sizeof(e->link), "http://s/c/1/downlink-data-deliveries/3");
	niddlog_set_status(e, "BUFFERING");
	assert_true(e->held);
	assert_int_equal(niddlog_add(&l, req, sizeof(req), &f), -EALREADY);
	/* other bytes with the same MID are another message */
	memcpy(other, req, sizeof(req));
	other[7] = '4';
	assert_int_equal(niddlog_add(&l, other, sizeof(other), &f), 0);
	assert_ptr_equal(niddlog_find_link(&l, "http://s/c/1/downlink-data-deliveries/3"), e);
	assert_null(niddlog_find_link(&l, "http://s/c/1/downlink-data-deliveries/4"));
	assert_null(niddlog_find_link(&l, ""));
	niddlog_set_status(e, niddlog_status_name("SUCCESS_NEXT_HOP_UNACKNOWLEDGED"));
	assert_false(e->held);
	/* delivered: a retransmission goes again (it may have been lost on the radio) */
	assert_int_equal(niddlog_add(&l, req, sizeof(req), &f), 0);
	assert_ptr_not_equal(f, e);
	niddlog_set_status(f, "REFUSED");
	assert_false(f->held);
}

static void test_refused_and_statuses(void **state)
{
	struct niddlog l = { 0 };
	struct niddlog_entry *e;
	const uint8_t bad_ver[] = { 0x82, 0x01, 0x00, 0x07, 1, 2 };
	const uint8_t bad_tkl[] = { 0x49, 0x01, 0x00, 0x07 };
	const uint8_t short_tok[] = { 0x44, 0x01, 0x00, 0x07, 1 };

	assert_int_equal(niddlog_add(&l, bad_ver, sizeof(bad_ver), &e), -EINVAL);
	assert_int_equal(niddlog_add(&l, bad_tkl, sizeof(bad_tkl), &e), -EINVAL);
	assert_int_equal(niddlog_add(&l, short_tok, sizeof(short_tok), &e), -EINVAL);
	assert_int_equal(niddlog_add(&l, bad_ver, 3, &e), -EINVAL);
	assert_int_equal(l.next_seq, 0);
	assert_string_equal(niddlog_status_name("FAILURE_TIMEOUT"), "FAILURE_TIMEOUT");
	assert_null(niddlog_status_name("DELIVERED"));
	assert_null(niddlog_status_name(NULL));
}

static void test_bounded(void **state)
{
	struct niddlog l = { 0 };
	struct niddlog_entry *e, *first = NULL;
	uint8_t msg[] = { 0x40, 0x01, 0x00, 0x00 };
	json_t *a;

	for (unsigned i = 0; i < NIDDLOG_SIZE + 3; i++) {
		msg[3] = (uint8_t)i;
		assert_int_equal(niddlog_add(&l, msg, sizeof(msg), &e), 0);
		if (!first)
			first = e;
	}
	/* the first three went for the newest */
	assert_null(niddlog_get(&l, 1));
	assert_null(niddlog_get(&l, 3));
	assert_non_null(niddlog_get(&l, 4));
	assert_int_equal(niddlog_get(&l, NIDDLOG_SIZE + 3)->mid, NIDDLOG_SIZE + 2);
	a = niddlog_json(&l);
	assert_int_equal(json_array_size(a), NIDDLOG_SIZE);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "mid")),
			 NIDDLOG_SIZE + 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(a, NIDDLOG_SIZE - 1),
							    "mid")),
			 3);
	json_decref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_and_holds),
		cmocka_unit_test(test_refused_and_statuses),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
