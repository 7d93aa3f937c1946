/*
 * RPL control messages against vectors built by scapy 2.5's contrib/rpl
 * (the generating commands are beside each vector), and source routes
 * against RFC 6554's layout worked out by hand.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lowpan/checksum.h"
#include "lowpan/rpl.h"

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = 0;

	for (; hex[0] && hex[1]; hex += 2)
		out[n++] = (uint8_t)strtoul((char[]){ hex[0], hex[1], 0 }, NULL, 16);
	return n;
}

static void addr(const char *text, uint8_t out[16])
{
	assert_int_equal(inet_pton(AF_INET6, text, out), 1);
}

/* IPv6(src="fd00::1", dst="ff02::1a", hlim=64)/ICMPv6RPL(code=1)/RPLDIO(RPLInstanceID=30,
 * ver=240, rank=256, G=1, mop=1, prf=0, dtsn=1, dodagid="fd00::1")/RPLOptDODAGConfig(
 * DIOIntDoubl=8, DIOIntMin=12, DIORedun=10, MaxRankIncrease=1792, MinRankIncrease=256, OCP=1,
 * DefLifetime=30, LifetimeUnit=60)/RPLOptPIO(plen=64, L=0, A=1, R=1, validlifetime=86400,
 * preflifetime=14400, prefix="fd00::1") */
static const char dio_hex[] =
	"60000000004c3a40fd000000000000000000000000000001ff02000000000000000000000000001a9b01dba8"
	"1ef0010088010000fd000000000000000000000000000001040e00080c0a070001000001001e003c081e40600"
	"00151800000384000000000fd000000000000000000000000000001";

/* IPv6(src="fd00::c", dst="fd00::1")/ICMPv6RPL(code=2)/RPLDAO(RPLInstanceID=30, K=1, daoseq=7)
 * /RPLOptTgt(plen=128, prefix="fd00::c")/RPLOptTIO(pathseq=3, pathlifetime=30,
 * parentaddr="fd00::b") */
static const char dao_hex[] =
	"6000000000323a40fd00000000000000000000000000000cfd0000000000000000000000000000019b02431e"
	"1e80000705120080fd00000000000000000000000000000c06140000031efd00000000000000000000000000"
	"000b";

/* the same with D=1, dodagid="fd00::1", daoseq=8, pathseq=4, pathlifetime=0: a No-Path DAO */
static const char nopath_hex[] =
	"6000000000423a40fd00000000000000000000000000000cfd0000000000000000000000000000019b024569"
	"1e400008fd00000000000000000000000000000105120080fd00000000000000000000000000000c06140000"
	"0400fd00000000000000000000000000000b";

/* IPv6(src="fd00::1", dst="fd00::c")/ICMPv6RPL(code=3)/RPLDAOACK(RPLInstanceID=30, daoseq=7) */
static const char daoack_hex[] =
	"6000000000083a40fd000000000000000000000000000001fd00000000000000000000000000000c9b0345ab"
	"1e000700";

/* IPv6(src="fe80::b", dst="ff02::1a")/ICMPv6RPL(code=0)/RPLDIS() */
static const char dis_hex[] =
	"6000000000063a40fe80000000000000000000000000000bff02000000000000000000000000001a9b006716"
	"0000";

static void test_parse_dio(void **state)
{
	uint8_t pkt[256], root[16];
	size_t n = unhex(dio_hex, pkt);
	struct lowpan_rpl_msg m;

	assert_int_equal(lowpan_rpl_parse(pkt + 40, n - 40, &m), 0);
	addr("fd00::1", root);
	assert_int_equal(m.code, LOWPAN_RPL_DIO);
	assert_int_equal(m.instance, 30);
	assert_int_equal(m.version, 240);
	assert_int_equal(m.rank, 256);
	assert_true(m.grounded);
	assert_int_equal(m.mop, 1);
	assert_int_equal(m.dtsn, 1);
	assert_memory_equal(m.dodagid, root, 16);
	assert_true(m.has_config);
	assert_int_equal(m.config.dio_int_doublings, 8);
	assert_int_equal(m.config.dio_int_min, 12);
	assert_int_equal(m.config.max_rank_increase, 1792);
	assert_int_equal(m.config.lifetime_unit, 60);
	assert_true(m.has_prefix);
	assert_int_equal(m.prefix.len, 64);
	assert_int_equal(m.prefix.flags, 0x60);
	assert_int_equal(m.prefix.valid_lifetime, 86400);
}

/* Our DIO with the same content is byte for byte scapy's, checksum included. */
static void test_build_dio_matches_scapy(void **state)
{
	uint8_t want[256], got[256], src[16], dst[16];
	size_t n = unhex(dio_hex, want);
	struct lowpan_rpl_msg m = {
		.code = LOWPAN_RPL_DIO,
		.instance = 30,
		.version = 240,
		.rank = 256,
		.grounded = true,
		.mop = 1,
		.dtsn = 1,
		.has_dodagid = true,
		.has_config = true,
		.config = { .dio_int_doublings = 8,
			    .dio_int_min = 12,
			    .dio_redundancy = 10,
			    .max_rank_increase = 1792,
			    .min_hop_rank_increase = 256,
			    .ocp = 1,
			    .default_lifetime = 30,
			    .lifetime_unit = 60 },
		.has_prefix = true,
		.prefix = { .len = 64,
			    .flags = 0x60,
			    .valid_lifetime = 86400,
			    .preferred_lifetime = 14400 },
	};

	addr("fd00::1", src);
	addr("ff02::1a", dst);
	memcpy(m.dodagid, src, 16);
	memcpy(m.prefix.prefix, src, 16);
	assert_int_equal(lowpan_rpl_build(&m, src, dst, got, sizeof(got)), (int)n);
	assert_memory_equal(got, want, n);
	assert_int_equal(lowpan_rpl_build(&m, src, dst, got, n - 1), -ENOSPC);
}

static void test_parse_dao_and_no_path(void **state)
{
	uint8_t pkt[256], target[16], parent[16], root[16];
	size_t n = unhex(dao_hex, pkt);
	struct lowpan_rpl_msg m;

	addr("fd00::c", target);
	addr("fd00::b", parent);
	addr("fd00::1", root);
	assert_int_equal(lowpan_rpl_parse(pkt + 40, n - 40, &m), 0);
	assert_int_equal(m.code, LOWPAN_RPL_DAO);
	assert_true(m.ack_requested);
	assert_false(m.has_dodagid);
	assert_int_equal(m.sequence, 7);
	assert_int_equal(m.ntargets, 1);
	assert_int_equal(m.targets[0].prefix_len, 128);
	assert_memory_equal(m.targets[0].prefix, target, 16);
	assert_true(m.targets[0].has_transit && m.targets[0].has_parent);
	assert_int_equal(m.targets[0].path_sequence, 3);
	assert_int_equal(m.targets[0].path_lifetime, 30);
	assert_memory_equal(m.targets[0].parent, parent, 16);

	n = unhex(nopath_hex, pkt);
	assert_int_equal(lowpan_rpl_parse(pkt + 40, n - 40, &m), 0);
	assert_false(m.ack_requested);
	assert_true(m.has_dodagid);
	assert_memory_equal(m.dodagid, root, 16);
	assert_int_equal(m.targets[0].path_lifetime, 0);
}

static void test_dao_ack_and_dis(void **state)
{
	uint8_t want[128], got[128], src[16], dst[16];
	size_t n = unhex(daoack_hex, want);
	struct lowpan_rpl_msg m = { .code = LOWPAN_RPL_DAO_ACK, .instance = 30, .sequence = 7 };

	addr("fd00::1", src);
	addr("fd00::c", dst);
	assert_int_equal(lowpan_rpl_build(&m, src, dst, got, sizeof(got)), (int)n);
	assert_memory_equal(got, want, n);
	n = unhex(dis_hex, want);
	assert_int_equal(lowpan_rpl_parse(want + 40, n - 40, &m), 0);
	assert_int_equal(m.code, LOWPAN_RPL_DIS);
}

/* DAO-ACK with the D flag: DODAGID after the four fixed octets, and back. */
static void test_dao_ack_with_dodagid_round_trip(void **state)
{
	uint8_t pkt[128], root[16], node[16];
	struct lowpan_rpl_msg m = { .code = LOWPAN_RPL_DAO_ACK,
				    .instance = 30,
				    .sequence = 7,
				    .status = 129,
				    .has_dodagid = true },
			      back;
	int n;

	addr("fd00::1", root);
	addr("fd00::c", node);
	memcpy(m.dodagid, root, 16);
	n = lowpan_rpl_build(&m, root, node, pkt, sizeof(pkt));
	assert_int_equal(n, 40 + 4 + 20);
	assert_int_equal(pkt[44], 30);
	assert_int_equal(pkt[45], 0x80); /* D */
	assert_int_equal(pkt[46], 7);
	assert_int_equal(pkt[47], 129);
	assert_memory_equal(pkt + 48, root, 16);
	assert_int_equal(lowpan_rpl_parse(pkt + 40, (size_t)n - 40, &back), 0);
	assert_int_equal(back.code, LOWPAN_RPL_DAO_ACK);
	assert_int_equal(back.sequence, 7);
	assert_int_equal(back.status, 129);
	assert_true(back.has_dodagid);
	assert_memory_equal(back.dodagid, root, 16);
	/* the D flag promises a DODAGID: without its 16 octets the message is malformed */
	assert_int_equal(lowpan_rpl_parse(pkt + 40, 4 + 4 + 15, &back), -EBADMSG);
	/* and it does not fit a buffer without room for it */
	assert_int_equal(lowpan_rpl_build(&m, root, node, pkt, (size_t)n - 1), -ENOSPC);
}

static void test_our_dao_parses_back(void **state)
{
	uint8_t pkt[256], a[16], b[16], c[16];
	struct lowpan_rpl_msg m = { .code = LOWPAN_RPL_DAO,
				    .instance = 30,
				    .sequence = 200,
				    .ack_requested = true,
				    .ntargets = 2 },
			      back;
	int n;

	addr("fd00::1", a);
	addr("fd00::b", b);
	addr("fd00::c", c);
	m.targets[0] = (struct lowpan_rpl_target){ .prefix_len = 128,
						   .has_transit = true,
						   .path_sequence = 9,
						   .path_lifetime = 30,
						   .has_parent = true };
	memcpy(m.targets[0].prefix, c, 16);
	memcpy(m.targets[0].parent, b, 16);
	m.targets[1] = m.targets[0];
	m.targets[1].prefix_len = 64;
	n = lowpan_rpl_build(&m, c, a, pkt, sizeof(pkt));
	assert_true(n > 0);
	/* the checksum verifies */
	assert_int_equal(lowpan_checksum_finish(lowpan_checksum_add(
				 lowpan_checksum_pseudo6(c, a, (uint32_t)n - 40, 58), pkt + 40,
				 (size_t)n - 40)),
			 0);
	assert_int_equal(lowpan_rpl_parse(pkt + 40, (size_t)n - 40, &back), 0);
	assert_int_equal(back.ntargets, 2);
	assert_int_equal(back.targets[1].prefix_len, 64);
	assert_memory_equal(back.targets[1].parent, b, 16);
}

static void test_malformed(void **state)
{
	uint8_t pkt[256];
	size_t n = unhex(dao_hex, pkt);
	struct lowpan_rpl_msg m;

	for (size_t cut = 4; cut < n - 40; cut++) {
		int rc = lowpan_rpl_parse(pkt + 40, cut, &m);

		/* a cut at an option boundary is a shorter valid message; others are errors */
		assert_true(rc == 0 || rc == -EBADMSG);
	}
	pkt[40 + 1] = 0x8a; /* secure DIS */
	assert_int_equal(lowpan_rpl_parse(pkt + 40, n - 40, &m), -EPROTONOSUPPORT);
	pkt[40] = 134;
	assert_int_equal(lowpan_rpl_parse(pkt + 40, n - 40, &m), -EBADMSG);
}

/* fd00::1 -> fd00::b -> fd00::c -> fd00::d: SRH with CmprI = CmprE = 15 (RFC 6554 §3). */
static void test_source_route_insert(void **state)
{
	uint8_t pkt[128] = { 0x60, 0, 0, 0, 0, 8, 17, 64 }, out[256], hops[3][16], back[8][16];
	static const uint8_t srh[16] = { 17, 1, 3, 2, 0xff, 0x60, 0, 0, 0x0c, 0x0d };
	uint8_t root[16];
	int n;

	addr("fd00::1", root);
	addr("fd00::b", hops[0]);
	addr("fd00::c", hops[1]);
	addr("fd00::d", hops[2]);
	memcpy(pkt + 8, root, 16);
	memcpy(pkt + 24, hops[2], 16);
	n = lowpan_rpl_source_route(pkt, 48, root, (const uint8_t(*)[16])hops, 3, false, out,
				    sizeof(out));
	assert_int_equal(n, 48 + 16);
	assert_int_equal(out[6], 43);
	assert_int_equal(out[5], 8 + 16);
	assert_memory_equal(out + 24, hops[0], 16);
	assert_memory_equal(out + 40, srh, 16);
	assert_int_equal(lowpan_rpl_srh_parse(out + 40, 16, out + 24, back, 8), 3);
	assert_memory_equal(back, hops, sizeof(hops));
}

static void test_source_route_encapsulate_and_strip(void **state)
{
	uint8_t pkt[128] = { 0x60, 0, 0, 0, 0, 8, 17, 64 }, out[256], hops[2][16], root[16];
	uint8_t host[16];
	int n;

	addr("fd00::1", root);
	addr("2001:db8::5", host);
	addr("fd00::b", hops[0]);
	addr("fd00::c", hops[1]);
	memcpy(pkt + 8, host, 16);
	memcpy(pkt + 24, hops[1], 16);
	n = lowpan_rpl_source_route(pkt, 48, root, (const uint8_t(*)[16])hops, 2, true, out,
				    sizeof(out));
	assert_int_equal(n, 40 + 16 + 48);
	assert_memory_equal(out + 8, root, 16);
	assert_memory_equal(out + 24, hops[0], 16);
	assert_int_equal(out[40], 41);     /* SRH next header: IPv6 */
	assert_int_equal(out[56 + 7], 64); /* the inner packet is carried unchanged */
	assert_memory_equal(out + 56 + 24, hops[1], 16);

	/* an upward IPv6-in-IPv6 to the root, with an RPL option in the outer HBH */
	uint8_t up[256] = { 0x60, 0, 0, 0, 0, 8 + 48, 0, 64 };
	static const uint8_t hbh[8] = { 41, 0, 0x63, 4, 0, 0x1e, 0x01, 0x00 };

	memcpy(up + 8, hops[1], 16);
	memcpy(up + 24, root, 16);
	memcpy(up + 40, hbh, 8);
	memcpy(up + 48, pkt, 48);
	n = lowpan_rpl_strip(up, 96, root);
	assert_int_equal(n, 48);
	assert_memory_equal(up, pkt, 48);
}

static void test_strip_leaves_other_options(void **state)
{
	uint8_t pkt[128] = { 0x60, 0, 0, 0, 0, 16, 0, 64 };
	/* HBH with a router alert (type 5): not ours to remove */
	static const uint8_t hbh[8] = { 17, 0, 5, 2, 0, 0, 1, 0 };

	memcpy(pkt + 40, hbh, 8);
	assert_int_equal(lowpan_rpl_strip(pkt, 56, pkt + 24), 56);
	assert_int_equal(pkt[6], 0);
	assert_int_equal(lowpan_rpl_strip(pkt, 50, pkt + 24), -EBADMSG);
}

/* RFC 6550 §7.2 lollipop counters, as RFC 8505 §5.2 uses them for TIDs */
static void test_seq_newer(void **state)
{
	(void)state;
	assert_true(lowpan_rpl_seq_newer(1, 0));
	assert_false(lowpan_rpl_seq_newer(0, 1));
	assert_false(lowpan_rpl_seq_newer(5, 5));
	/* the straight part (128..255) rolls into the circular one (0..127) */
	assert_true(lowpan_rpl_seq_newer(3, 250));
	assert_false(lowpan_rpl_seq_newer(250, 3));
	assert_true(lowpan_rpl_seq_newer(10, 5));
	assert_false(lowpan_rpl_seq_newer(5, 10));
	assert_true(lowpan_rpl_seq_newer(130, 129)); /* straight part: plain order */
	assert_true(lowpan_rpl_seq_newer(40, 0));    /* beyond the window: a restart */
	assert_true(lowpan_rpl_seq_newer(0, 40));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_newer),
		cmocka_unit_test(test_parse_dio),
		cmocka_unit_test(test_build_dio_matches_scapy),
		cmocka_unit_test(test_parse_dao_and_no_path),
		cmocka_unit_test(test_dao_ack_and_dis),
		cmocka_unit_test(test_dao_ack_with_dodagid_round_trip),
		cmocka_unit_test(test_our_dao_parses_back),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_source_route_insert),
		cmocka_unit_test(test_source_route_encapsulate_and_strip),
		cmocka_unit_test(test_strip_leaves_other_options),
	};

	return cmocka_run_group_tests_name("rpl", tests, NULL, NULL);
}
