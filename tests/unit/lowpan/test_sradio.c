#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lowpan/sradio.h"

/* Byte layouts as Contiki-NG's examples/slip-radio/slip-radio.c writes and reads them. */
static void test_parse_replies(void **state)
{
	const uint8_t mac[] = { '!', 'M', 0x00, 0x12, 0x4b, 0x00, 0x01, 0x02, 0x03, 0x04 };
	const uint8_t sent[] = { '!', 'R', 7, 2, 3 };
	const uint8_t param[] = { '!', 'V', 0x00, 0x02, 0xab, 0xcd };
	struct lowpan_sradio_msg m;

	assert_int_equal(lowpan_sradio_parse(mac, sizeof(mac), &m), 0);
	assert_int_equal(m.kind, LOWPAN_SRADIO_MAC);
	assert_memory_equal(m.eui64, mac + 2, 8);
	assert_int_equal(lowpan_sradio_parse(sent, sizeof(sent), &m), 0);
	assert_int_equal(m.kind, LOWPAN_SRADIO_TX_DONE);
	assert_int_equal(m.sid, 7);
	assert_int_equal(m.status, LOWPAN_SRADIO_TX_NOACK);
	assert_string_equal(lowpan_sradio_status_name(m.status), "no-ack");
	assert_int_equal(m.transmissions, 3);
	assert_int_equal(lowpan_sradio_parse(param, sizeof(param), &m), 0);
	assert_int_equal(m.kind, LOWPAN_SRADIO_PARAM);
	assert_int_equal(m.param, LOWPAN_SRADIO_PARAM_PAN_ID);
	assert_int_equal(m.value, 0xabcd);
}

static void test_short_replies_are_errors(void **state)
{
	struct lowpan_sradio_msg m;

	assert_int_equal(lowpan_sradio_parse((const uint8_t *)"!M\x01\x02", 4, &m), -EBADMSG);
	assert_int_equal(lowpan_sradio_parse((const uint8_t *)"!R\x01", 3, &m), -EBADMSG);
	assert_int_equal(lowpan_sradio_parse((const uint8_t *)"!V\x00\x01\x00", 5, &m), -EBADMSG);
	assert_int_equal(lowpan_sradio_parse((const uint8_t *)"", 0, &m), -EBADMSG);
}

static void test_text(void **state)
{
	struct lowpan_sradio_msg m;

	assert_int_equal(lowpan_sradio_parse((const uint8_t *)"EUnknown command", 16, &m), 0);
	assert_int_equal(m.kind, LOWPAN_SRADIO_ERROR);
	assert_int_equal(m.text_len, 15);
	assert_memory_equal(m.text, "Unknown command", 15);
	assert_int_equal(lowpan_sradio_parse((const uint8_t *)"\rslip-radio: started\n", 21, &m),
			 0);
	assert_int_equal(m.kind, LOWPAN_SRADIO_LOG);
	assert_memory_equal(m.text, "slip-radio: started\n", 20);
	assert_int_equal(
		lowpan_sradio_parse((const uint8_t *)"radio: setting channel: 26\n", 27, &m), 0);
	assert_int_equal(m.kind, LOWPAN_SRADIO_LOG);
}

static void test_frames(void **state)
{
	/* a data frame, PAN ID compression, short addresses (as scapy builds one) */
	const uint8_t frame[] = {
		0x41, 0x88, 0x2a, 0xcd, 0xab, 0xff, 0xff, 0x01, 0x00, 0x7a, 0x3b
	};
	/* a data frame that starts with '!' (ack request set) is still a frame */
	const uint8_t bang[] = { 0x21, 0xcc, 0x01, 0xcd, 0xab, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct lowpan_sradio_msg m;

	assert_int_equal(lowpan_sradio_parse(frame, sizeof(frame), &m), 0);
	assert_int_equal(m.kind, LOWPAN_SRADIO_FRAME);
	assert_ptr_equal(m.frame, frame);
	assert_int_equal(m.frame_len, sizeof(frame));
	assert_int_equal(lowpan_sradio_parse(bang, sizeof(bang), &m), 0);
	assert_int_equal(m.kind, LOWPAN_SRADIO_FRAME);
}

static void test_builders(void **state)
{
	const uint8_t frame[] = { 0x41, 0x88, 0x01 };
	uint8_t out[16];

	assert_int_equal(lowpan_sradio_mac_request(out, sizeof(out)), 2);
	assert_memory_equal(out, "?M", 2);
	assert_int_equal(lowpan_sradio_send(9, frame, sizeof(frame), out, sizeof(out)), 7);
	assert_memory_equal(out, "!S\x09\x00\x41\x88\x01", 7);
	assert_int_equal(lowpan_sradio_send(9, frame, sizeof(frame), out, 6), -ENOSPC);
	assert_int_equal(lowpan_sradio_set_param(LOWPAN_SRADIO_PARAM_CHANNEL, 26, out, sizeof(out)),
			 6);
	assert_memory_equal(out, "!V\x00\x01\x00\x1a", 6);
	assert_int_equal(lowpan_sradio_get_param(LOWPAN_SRADIO_PARAM_PAN_ID, out, sizeof(out)), 4);
	assert_memory_equal(out, "?V\x00\x02", 4);
	assert_int_equal(lowpan_sradio_set_channel(15, out, sizeof(out)), 3);
	assert_memory_equal(out, "!C\x0f", 3);
	assert_int_equal(lowpan_sradio_set_panid(0xabcd, out, sizeof(out)), 4);
	assert_memory_equal(out, "!P\xcd\xab", 4);
	assert_int_equal(lowpan_sradio_set_panid(0xabcd, out, 3), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_replies),
		cmocka_unit_test(test_short_replies_are_errors),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_builders),
	};

	return cmocka_run_group_tests_name("sradio", tests, NULL, NULL);
}
