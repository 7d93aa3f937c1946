/* Unit tests for lowpan/frame: vectors built by scapy 2.5 (Dot15d4FCS, the
 * expression is quoted next to each) and hand-built 802.15.4-2015 frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "testutil.h"

#include "lowpan/error.h"
#include "lowpan/frame.h"

static void crc_check_value(void **state)
{
	/* CRC-16/KERMIT (the 802.15.4 FCS) catalogue check value. */
	assert_int_equal(lowpan_frame_crc16((const uint8_t *)"123456789", 9), 0x2189);
}

/* Dot15d4FCS(fcf_frametype=1, fcf_panidcompress=1, fcf_framever=1,
 * fcf_ackreq=1, fcf_destaddrmode=2, fcf_srcaddrmode=3, seqnum=0x42) /
 * Dot15d4Data(dest_panid=0xabcd, dest_addr=0xffff,
 * src_addr=0x00124b0000000001) / Raw(b"\x41hello") */
static void scapy_data_short_ext(void **state)
{
	uint8_t b[128], o[128];
	size_t n = unhex("61d842cdabffff01000000004b12004168656c6c6f61eb", b), on;
	struct lowpan_frame f;
	assert_int_equal(lowpan_frame_parse(b, n, LOWPAN_FRAME_FCS, &f), 0);
	assert_int_equal(f.type, LOWPAN_FRAME_DATA);
	assert_int_equal(f.version, LOWPAN_FRAME_V2006);
	assert_true(f.ack_req);
	assert_true(f.panid_comp);
	assert_int_equal(f.seq, 0x42);
	assert_int_equal(f.dst_pan, 0xabcd);
	assert_int_equal(f.src_pan, 0xabcd);
	assert_false(f.src_pan_present);
	assert_int_equal(f.dst.mode, LOWPAN_ADDR_SHORT);
	assert_memory_equal(f.dst.a, "\xff\xff", 2);
	assert_int_equal(f.src.mode, LOWPAN_ADDR_EXT);
	assert_memory_equal(f.src.a, "\x00\x12\x4b\x00\x00\x00\x00\x01", 8);
	assert_int_equal(f.payload_len, 6);
	assert_memory_equal(f.payload, "\x41hello", 6);
	/* rebuild: byte-identical */
	assert_int_equal(lowpan_frame_build(&f, f.payload, f.payload_len, LOWPAN_FRAME_FCS, o,
					    sizeof(o), &on),
			 0);
	assert_int_equal(on, n);
	assert_memory_equal(o, b, n);
	/* without FCS */
	assert_int_equal(lowpan_frame_parse(b, n - 2, 0, &f), 0);
	assert_int_equal(f.payload_len, 6);
	/* corrupt FCS */
	b[5] ^= 1;
	assert_int_equal(lowpan_frame_parse(b, n, LOWPAN_FRAME_FCS, &f), LOWPAN_ERR_FCS);
	assert_int_equal(lowpan_frame_parse(b, n, LOWPAN_FRAME_FCS | LOWPAN_FRAME_FCS_NOCHECK, &f),
			 0);
}

/* Dot15d4FCS(fcf_frametype=1, fcf_panidcompress=0, fcf_framever=0,
 * fcf_destaddrmode=3, fcf_srcaddrmode=2, seqnum=7) /
 * Dot15d4Data(dest_panid=0x1234, dest_addr=0x0102030405060708,
 * src_panid=0x5678, src_addr=0xbeef) / Raw(b"xyz") */
static void scapy_data_2003_two_pans(void **state)
{
	uint8_t b[128], o[128];
	size_t n = unhex("018c07341208070605040302017856efbe78797ab3fe", b), on;
	struct lowpan_frame f;
	assert_int_equal(lowpan_frame_parse(b, n, LOWPAN_FRAME_FCS, &f), 0);
	assert_int_equal(f.version, LOWPAN_FRAME_V2003);
	assert_int_equal(f.dst_pan, 0x1234);
	assert_int_equal(f.src_pan, 0x5678);
	assert_true(f.src_pan_present);
	assert_memory_equal(f.dst.a, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	assert_memory_equal(f.src.a, "\xbe\xef", 2);
	assert_memory_equal(f.payload, "xyz", 3);
	assert_int_equal(lowpan_frame_build(&f, f.payload, 3, LOWPAN_FRAME_FCS, o, sizeof(o), &on),
			 0);
	assert_memory_equal(o, b, n);
}

/* Dot15d4FCS(fcf_frametype=2, seqnum=0x99): 2003 immediate ACK */
static void scapy_ack(void **state)
{
	uint8_t b[16];
	size_t n = unhex("020099f0bc", b);
	struct lowpan_frame f;
	assert_int_equal(lowpan_frame_parse(b, n, LOWPAN_FRAME_FCS, &f), 0);
	assert_int_equal(f.type, LOWPAN_FRAME_ACK);
	assert_int_equal(f.seq, 0x99);
	assert_int_equal(f.payload_len, 0);
	assert_int_equal(f.dst.mode, LOWPAN_ADDR_NONE);
}

/* Dot15d4FCS(fcf_frametype=3, fcf_destaddrmode=2, fcf_srcaddrmode=3,
 * fcf_panidcompress=1, seqnum=5) / Dot15d4Cmd(dest_panid=0xabcd,
 * dest_addr=0, src_addr=0x1122334455667788, cmd_id=4)  (beacon request) */
static void scapy_cmd(void **state)
{
	uint8_t b[64];
	size_t n = unhex("43c805cdab00008877665544332211041219", b);
	struct lowpan_frame f;
	assert_int_equal(lowpan_frame_parse(b, n, LOWPAN_FRAME_FCS, &f), 0);
	assert_int_equal(f.type, LOWPAN_FRAME_CMD);
	assert_int_equal(f.cmd_id, 4);
	assert_memory_equal(f.src.a, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
}

/* Dot15d4FCS(fcf_frametype=0, fcf_srcaddrmode=2, fcf_destaddrmode=0, seqnum=9) /
 * Dot15d4Beacon(src_panid=0x1234, src_addr=1, sf_beaconorder=15,
 * sf_sforder=15, sf_pancoord=1, sf_assocpermit=1) / Raw(b"BP").  (scapy
 * leaves fcf_destaddrmode at 2 for beacons unless told, producing a frame
 * whose addressing fields contradict its FCF.) */
static void scapy_beacon(void **state)
{
	uint8_t b[64];
	size_t n = unhex("00800934120100ffcf80004250cdba", b);
	struct lowpan_frame f;
	assert_int_equal(lowpan_frame_parse(b, n, LOWPAN_FRAME_FCS, &f), 0);
	assert_int_equal(f.type, LOWPAN_FRAME_BEACON);
	assert_int_equal(f.src_pan, 0x1234);
	assert_int_equal(f.superframe, 0xcfff);
	assert_int_equal(f.payload_len, 2);
	assert_memory_equal(f.payload, "BP", 2);
	/* every truncation is refused, never read past the end */
	for (size_t i = 0; i < n; i++)
		assert_true(lowpan_frame_parse(b, i, LOWPAN_FRAME_FCS, &f) < 0);
}

/* 802.15.4-2006 secured data frame, built by hand after section 7.6.2:
 * FCF 0x9849 (data, security, PAN ID comp, short/short, v2006), seq 3,
 * PAN abcd, dst 0002, src 0001, security control 0x0d (ENC-MIC-32, key id
 * mode 1), frame counter 0x01020304, key index 7, 4 ciphertext bytes,
 * MIC 11223344. */
static void secured_2006(void **state)
{
	uint8_t b[64];
	size_t n = unhex("4998"
			 "03"
			 "cdab"
			 "0200"
			 "0100"
			 "0d"
			 "04030201"
			 "07"
			 "deadbeef"
			 "11223344",
			 b);
	struct lowpan_frame f;
	assert_int_equal(lowpan_frame_parse(b, n, 0, &f), 0);
	assert_true(f.security);
	assert_int_equal(f.sec.level, 5);
	assert_int_equal(f.sec.key_id_mode, 1);
	assert_int_equal(f.sec.frame_counter, 0x01020304);
	assert_int_equal(f.sec.key_index, 7);
	assert_int_equal(f.sec.mic_len, 4);
	assert_int_equal(f.payload_len, 4);
	assert_memory_equal(f.payload, "\xde\xad\xbe\xef", 4);
	uint8_t o[64];
	size_t on;
	assert_int_equal(lowpan_frame_build(&f, f.payload, 4 + 4, 0, o, sizeof(o), &on), 0);
	assert_memory_equal(o, b, n);
	/* MIC longer than the frame */
	assert_int_equal(lowpan_frame_parse(b, 15, 0, &f), LOWPAN_ERR_TRUNCATED);
}

/* 802.15.4-2015 (version 2) frames: table 7-2 PAN ID compression, sequence
 * number suppression and IEs. */
static void v2015_panid_table(void **state)
{
	struct {
		uint8_t dm, sm;
		bool comp, dp, sp;
	} t[] = {
		{ 0, 0, 0, 0, 0 }, { 0, 0, 1, 1, 0 }, { 2, 0, 0, 1, 0 }, { 2, 0, 1, 0, 0 },
		{ 0, 3, 0, 0, 1 }, { 0, 3, 1, 0, 0 }, { 3, 3, 0, 1, 0 }, { 3, 3, 1, 0, 0 },
		{ 2, 2, 0, 1, 1 }, { 2, 3, 0, 1, 1 }, { 3, 2, 0, 1, 1 }, { 2, 3, 1, 1, 0 },
		{ 3, 2, 1, 1, 0 }, { 2, 2, 1, 1, 0 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct lowpan_frame f = { .type = LOWPAN_FRAME_DATA,
					  .version = LOWPAN_FRAME_V2015,
					  .panid_comp = t[i].comp,
					  .dst_pan = 0x1111,
					  .src_pan = 0x2222,
					  .seq = 1 };
		f.dst.mode = t[i].dm;
		f.src.mode = t[i].sm;
		memset(f.dst.a, 0xd0, 8);
		memset(f.src.a, 0x50, 8);
		uint8_t o[64];
		size_t on;
		struct lowpan_frame g;
		assert_int_equal(lowpan_frame_build(&f, (const uint8_t *)"P", 1, LOWPAN_FRAME_FCS,
						    o, sizeof(o), &on),
				 0);
		assert_int_equal(lowpan_frame_parse(o, on, LOWPAN_FRAME_FCS, &g), 0);
		assert_int_equal(g.dst_pan_present, t[i].dp);
		assert_int_equal(g.src_pan_present, t[i].sp);
		assert_int_equal(on, 3 + 2 * t[i].dp + 2 * t[i].sp + lowpan_lladdr_len(t[i].dm) +
					     lowpan_lladdr_len(t[i].sm) + 1 + 2);
		assert_int_equal(g.payload_len, 1);
		assert_int_equal(g.payload[0], 'P');
	}
}

static void v2015_ies_seqsup(void **state)
{
	/* FCF: data, PAN ID comp, seq suppressed, IE present, dst short,
	 * v2015, src short = 0xaa41 + bits 8,9 -> 0xab41; dst PAN abcd;
	 * header IE id 0x1d len 2 (descriptor 0x0e82), HT1 (0x3f00);
	 * payload IE group 1 len 1 (0x8801), PT (0xf800); payload "Z" */
	uint8_t b[64];
	size_t n = unhex("41ab"
			 "cdab"
			 "3412"
			 "7856"
			 "820e"
			 "aabb"
			 "003f"
			 "0188"
			 "cc"
			 "00f8"
			 "5a",
			 b);
	struct lowpan_frame f;
	assert_int_equal(lowpan_frame_parse(b, n, 0, &f), 0);
	assert_true(f.seq_suppressed);
	assert_true(f.ie_present);
	assert_int_equal(f.hdr_ies_len, 6);
	assert_int_equal(f.pl_ies_len, 5);
	assert_int_equal(f.payload_len, 1);
	assert_int_equal(f.payload[0], 'Z');
	uint8_t o[64];
	size_t on;
	assert_int_equal(lowpan_frame_build(&f, f.payload, 1, 0, o, sizeof(o), &on), 0);
	assert_int_equal(on, n);
	assert_memory_equal(o, b, n);
	/* IE length running past the end */
	b[8] = 0x8f;
	assert_int_equal(lowpan_frame_parse(b, n, 0, &f), LOWPAN_ERR_TRUNCATED);
	/* payload IE where a header IE is expected */
	b[8] = 0x82;
	b[9] = 0x8e;
	assert_int_equal(lowpan_frame_parse(b, n, 0, &f), LOWPAN_ERR_IE);
}

static void bad_fields(void **state)
{
	struct lowpan_frame f;
	uint8_t b[32] = { 0x04, 0x00, 0x01 }; /* type 4 */
	assert_int_equal(lowpan_frame_parse(b, 3, 0, &f), LOWPAN_ERR_FRAME_TYPE);
	b[0] = 0x01;
	b[1] = 0x30; /* version 3 */
	assert_int_equal(lowpan_frame_parse(b, 3, 0, &f), LOWPAN_ERR_FRAME_VERSION);
	b[1] = 0x04; /* dst mode 1 */
	assert_int_equal(lowpan_frame_parse(b, 3, 0, &f), LOWPAN_ERR_ADDR_MODE);
	b[0] = 0x41;
	b[1] = 0x80; /* 2003, PAN ID comp, src short, no dst */
	assert_int_equal(lowpan_frame_parse(b, 10, 0, &f), LOWPAN_ERR_PANID);
	assert_int_equal(lowpan_frame_parse(b, 1, 0, &f), LOWPAN_ERR_TRUNCATED);
	uint8_t o[8];
	size_t on;
	struct lowpan_frame g = { .type = 1, .version = 1 };
	g.dst.mode = 3;
	assert_int_equal(lowpan_frame_build(&g, NULL, 0, LOWPAN_FRAME_FCS, o, sizeof(o), &on),
			 -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc_check_value),
		cmocka_unit_test(scapy_data_short_ext),
		cmocka_unit_test(scapy_data_2003_two_pans),
		cmocka_unit_test(scapy_ack),
		cmocka_unit_test(scapy_cmd),
		cmocka_unit_test(scapy_beacon),
		cmocka_unit_test(secured_2006),
		cmocka_unit_test(v2015_panid_table),
		cmocka_unit_test(v2015_ies_seqsup),
		cmocka_unit_test(bad_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
