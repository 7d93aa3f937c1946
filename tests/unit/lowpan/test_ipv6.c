/*
 * lowpan/ipv6 against the header scapy built for an RS
 * (IPv6(fe80::b > ff02::2) / ICMPv6ND_RS / SLLAO, as in test_nd.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lowpan/ipv6.h"

static const uint8_t scapy_rs_hdr[40] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x3a, 0xff, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0xff, 0x02, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
};

static void header_as_scapy(void **state)
{
	uint8_t p[LOWPAN_IPV6_HDR_LEN + 1];

	/* whatever the buffer held before, traffic class and flow label are 0 */
	memset(p, 0xa5, sizeof(p));
	lowpan_ipv6_put_header(p, 24, 58, 255, scapy_rs_hdr + 8, scapy_rs_hdr + 24);
	assert_memory_equal(p, scapy_rs_hdr, 40);
	assert_int_equal(p[40], 0xa5); /* nothing written past the header */
}

static void payload_length_big_endian(void **state)
{
	uint8_t p[LOWPAN_IPV6_HDR_LEN];

	lowpan_ipv6_put_header(p, 0x1234, 43, 64, scapy_rs_hdr + 8, scapy_rs_hdr + 24);
	assert_int_equal(p[4], 0x12);
	assert_int_equal(p[5], 0x34);
	assert_int_equal(p[6], 43);
	assert_int_equal(p[7], 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_as_scapy),
		cmocka_unit_test(payload_length_big_endian),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
