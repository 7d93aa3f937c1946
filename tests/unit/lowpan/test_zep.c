/* ZEP v2 against packets a RIOT native64 node (socket_zep) really sent. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lowpan/error.h"
#include "lowpan/frame.h"
#include "lowpan/zep.h"

/* riot-node.elf --eui64=02:00:00:00:00:00:00:0e, its first frame: a
 * broadcast Router Solicitation (IPHC, ICMPv6 type 0x85) on channel 26,
 * PAN 0x0023, with the FCS (CRC mode) at the end */
static const uint8_t riot_rs[] = {
	0x45, 0x58, 0x02, 0x01, 0x1a, 0x75, 0x80, 0x01, 0xff, 0xee, 0xc0, 0x55, 0x2f,
	0x00, 0x70, 0xe6, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x2d, 0x41, 0xd8, 0xf8, 0x23, 0x00, 0xff, 0xff,
	0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x7b, 0x3b, 0x3a, 0x02, 0x85,
	0x00, 0x7a, 0x09, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21, 0x63,
};

static void test_riot_data(void **state)
{
	struct lowpan_zep z;
	struct lowpan_frame f;
	static const uint8_t src[8] = { 2, 0, 0, 0, 0, 0, 0, 0x0e };

	assert_int_equal(lowpan_zep_parse(riot_rs, sizeof(riot_rs), &z), 0);
	assert_int_equal(z.version, 2);
	assert_int_equal(z.type, LOWPAN_ZEP_TYPE_DATA);
	assert_int_equal(z.channel, 26);
	assert_true(z.crc_mode);
	assert_int_equal(z.lqi, 0xff);
	assert_int_equal(z.frame_len, 0x2d - 2);
	assert_ptr_equal(z.frame, riot_rs + LOWPAN_ZEP_V2_HDR);
	assert_int_equal(lowpan_frame_parse(z.frame, z.frame_len, 0, &f), 0);
	assert_int_equal(f.dst_pan, 0x0023);
	assert_int_equal(f.src.mode, LOWPAN_ADDR_EXT);
	assert_memory_equal(f.src.a, src, 8);
	assert_int_equal(f.seq, 0xf8);
}

static void test_bad_fcs_length_preamble(void **state)
{
	uint8_t p[sizeof(riot_rs) + 1];
	struct lowpan_zep z;

	memcpy(p, riot_rs, sizeof(riot_rs));
	p[sizeof(riot_rs) - 1] ^= 1;
	assert_int_equal(lowpan_zep_parse(p, sizeof(riot_rs), &z), LOWPAN_ERR_FCS);
	memcpy(p, riot_rs, sizeof(riot_rs));
	p[7] = 0; /* LQI mode: the last two octets are not checked, still stripped */
	p[sizeof(riot_rs) - 1] ^= 1;
	assert_int_equal(lowpan_zep_parse(p, sizeof(riot_rs), &z), 0);
	assert_int_equal(z.frame_len, 0x2d - 2);
	memcpy(p, riot_rs, sizeof(riot_rs));
	assert_int_equal(lowpan_zep_parse(p, sizeof(riot_rs) - 1, &z), LOWPAN_ERR_TRUNCATED);
	assert_int_equal(lowpan_zep_parse(p, sizeof(riot_rs) + 1, &z), LOWPAN_ERR_LENGTH);
	assert_int_equal(lowpan_zep_parse(p, LOWPAN_ZEP_V2_HDR - 1, &z), LOWPAN_ERR_TRUNCATED);
	p[31] = 1; /* a PSDU too short for its FCS */
	assert_int_equal(lowpan_zep_parse(p, LOWPAN_ZEP_V2_HDR + 1, &z), LOWPAN_ERR_LENGTH);
	memcpy(p, riot_rs, sizeof(riot_rs));
	p[1] = 'Y';
	assert_int_equal(lowpan_zep_parse(p, sizeof(riot_rs), &z), LOWPAN_ERR_ZEP);
	p[1] = 'X';
	p[2] = 3;
	assert_int_equal(lowpan_zep_parse(p, sizeof(riot_rs), &z), LOWPAN_ERR_ZEP);
	assert_int_equal(lowpan_zep_parse(p, 3, &z), LOWPAN_ERR_TRUNCATED);
}

/* socket_zep_hello's start-up packet (type 255) and a v2 ACK carry no frame */
static void test_hello_and_ack(void **state)
{
	uint8_t hello[LOWPAN_ZEP_V2_HDR + 13] = { 'E', 'X', 2, 255 };
	const uint8_t ack[] = { 'E', 'X', 2, 2, 0, 0, 1, 2 };
	struct lowpan_zep z;

	assert_int_equal(lowpan_zep_parse(hello, sizeof(hello), &z), 0);
	assert_int_equal(z.type, 255);
	assert_null(z.frame);
	assert_int_equal(lowpan_zep_parse(ack, sizeof(ack), &z), 0);
	assert_int_equal(z.type, LOWPAN_ZEP_TYPE_ACK);
	assert_int_equal(z.seq, 0x102);
	assert_null(z.frame);
	assert_int_equal(lowpan_zep_parse(ack, sizeof(ack) - 1, &z), LOWPAN_ERR_TRUNCATED);
}

/* What we build is what RIOT sends, but for the timestamp, device and seq */
static void test_build_like_riot(void **state)
{
	uint8_t out[200], want[sizeof(riot_rs)];
	struct lowpan_zep z;
	int n;

	n = lowpan_zep_build_data(riot_rs + LOWPAN_ZEP_V2_HDR, 0x2d - 2, 26, 0x2f0070e6, out,
				  sizeof(out));
	assert_int_equal(n, sizeof(riot_rs));
	memcpy(want, riot_rs, sizeof(want));
	memset(want + 5, 0, 2); /* device */
	memset(want + 9, 0, 8); /* NTP time */
	want[17] = 0x2f;
	want[18] = 0x00;
	want[19] = 0x70;
	want[20] = 0xe6;
	assert_int_equal(lowpan_zep_parse(out, (size_t)n, &z), 0);
	assert_int_equal(z.seq, 0x2f0070e6);
	memcpy(out + 17, riot_rs + 17, 4);
	memcpy(want + 17, riot_rs + 17, 4);
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(lowpan_zep_build_data(out, 126, 26, 0, out, sizeof(out)), -EMSGSIZE);
	assert_int_equal(lowpan_zep_build_data(riot_rs, 10, 26, 0, out, 43), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_riot_data),
		cmocka_unit_test(test_bad_fcs_length_preamble),
		cmocka_unit_test(test_hello_and_ack),
		cmocka_unit_test(test_build_like_riot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
