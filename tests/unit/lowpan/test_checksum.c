/* Unit tests for lowpan/checksum: the RFC 1071 section 3 example, a UDP
 * checksum computed by scapy, and RFC 1624 incremental updates checked
 * against full recomputation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lowpan/checksum.h"

static void rfc1071_example(void **state)
{
	/* RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2. */
	const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	assert_int_equal(lowpan_checksum_add(0, d, 8), 0xddf2);
	assert_int_equal(lowpan_checksum(d, 8), 0x220d);
	/* split in even chunks gives the same sum */
	assert_int_equal(lowpan_checksum_add(lowpan_checksum_add(0, d, 2), d + 2, 6), 0xddf2);
	/* odd length: trailing byte padded with zero */
	assert_int_equal(lowpan_checksum_add(0, d, 7), (0xddf2 - 0xf7 + 0) & 0xffff);
}

static uint16_t slow(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += p[i] << 8 | p[i + 1];
	if (n & 1)
		s += p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

static void matches_reference(void **state)
{
	uint8_t buf[1500];
	srand(7);
	for (int t = 0; t < 2000; t++) {
		size_t n = rand() % sizeof(buf), off = rand() % 8;
		if (off + n > sizeof(buf))
			n = sizeof(buf) - off;
		for (size_t i = 0; i < n; i++)
			buf[off + i] = (t & 1) ? 0xff : rand();
		assert_int_equal(lowpan_checksum(buf + off, n), slow(buf + off, n));
	}
}

static void incremental_rfc1624(void **state)
{
	uint8_t buf[64];
	srand(3);
	for (int t = 0; t < 5000; t++) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = rand();
		uint16_t hc = lowpan_checksum(buf, sizeof(buf));
		size_t w = (rand() % 32) * 2;
		uint16_t old = buf[w] << 8 | buf[w + 1];
		uint16_t nw = (t % 3 == 0) ? (uint16_t)~old : (uint16_t)rand();
		buf[w] = nw >> 8;
		buf[w + 1] = nw & 0xff;
		uint16_t full = lowpan_checksum(buf, sizeof(buf));
		uint16_t inc = lowpan_checksum_update16(hc, old, nw);
		/* RFC 1624: eqn 3 never yields -0 (0xffff) where a full
		 * computation yields +0 except in the all-zero case, so both
		 * agree as one's-complement values. */
		assert_true(inc == full || (inc ^ full) == 0xffff);
	}
}

/* An IPv6 header from 2001:db8::1 to 2001:db8::2, hop limit 64, and
 * the payload after it. */
static void doc_packet(uint8_t *pkt, uint8_t nh, const char *payload, size_t plen)
{
	const uint8_t hdr[8] = { 0x60, 0, 0, 0, 0, (uint8_t)plen, nh, 64 };
	memcpy(pkt, hdr, 8);
	memcpy(pkt + 8, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	memcpy(pkt + 24, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
	memcpy(pkt + 40, payload, plen);
}

/* IPv6(src="2001:db8::1", dst="2001:db8::2")/UDP(sport=1234, dport=5678)/
 * Raw(b"hello"): scapy computes UDP checksum 0x458d. */
static void udp6_scapy(void **state)
{
	uint8_t pkt[53];
	doc_packet(pkt, 17, "\x04\xd2\x16\x2e\x00\x0d\x00\x00hello", 13);
	lowpan_checksum_set_udp6(pkt, sizeof(pkt), 0, 40);
	assert_int_equal(pkt[46] << 8 | pkt[47], 0x458d);
}

/* IPv6(2001:db8::1 > 2001:db8::2) / ICMPv6 Echo Request (id 0x1234, seq 1)
 * / "ping": tshark calls checksum 0x333e correct. */
static void icmp6_echo(void **state)
{
	uint8_t pkt[52];
	doc_packet(pkt, 58, "\x80\x00\x00\x00\x12\x34\x00\x01ping", 12);
	assert_int_equal(lowpan_checksum_icmp6(pkt, 12), 0x333e);
	/* a received message with a right checksum sums to 0 */
	pkt[42] = 0x33;
	pkt[43] = 0x3e;
	assert_int_equal(lowpan_checksum_icmp6(pkt, 12), 0);
	/* one flipped bit in the message, or in an address, is seen */
	pkt[51] ^= 0x01;
	assert_int_not_equal(lowpan_checksum_icmp6(pkt, 12), 0);
	pkt[51] ^= 0x01;
	pkt[23] ^= 0x01;
	assert_int_not_equal(lowpan_checksum_icmp6(pkt, 12), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc1071_example),     cmocka_unit_test(matches_reference),
		cmocka_unit_test(incremental_rfc1624), cmocka_unit_test(udp6_scapy),
		cmocka_unit_test(icmp6_echo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
