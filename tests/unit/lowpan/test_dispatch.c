/* Unit tests for lowpan/dispatch: RFC 4944 mesh, broadcast and fragment
 * headers, and the payload dispatch values of RFC 4944 / RFC 6282. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lowpan/dispatch.h"
#include "lowpan/error.h"

#include "testutil.h"

static void payload_kinds(void **state)
{
	struct lowpan_dispatch d;
	uint8_t b[4] = { 0x41, 0x60, 0 };
	assert_int_equal(lowpan_dispatch_parse(b, 2, &d), 0);
	assert_int_equal(d.payload, LOWPAN_PAYLOAD_IPV6);
	assert_int_equal(d.hdr_len, 0);
	/* 0x7F is IPHC (TF=3 NH=1 HLIM=3), not RFC 4944's ESC */
	for (unsigned v = 0x60; v <= 0x7f; v++) {
		b[0] = (uint8_t)v;
		assert_int_equal(lowpan_dispatch_parse(b, 3, &d), 0);
		assert_int_equal(d.payload, LOWPAN_PAYLOAD_IPHC);
	}
	b[0] = 0x42;
	assert_int_equal(lowpan_dispatch_parse(b, 3, &d), LOWPAN_ERR_HC1);
	for (unsigned v = 0; v < 0x40; v++) {
		b[0] = (uint8_t)v;
		assert_int_equal(lowpan_dispatch_parse(b, 3, &d), LOWPAN_ERR_NALP);
	}
	b[0] = 0x43;
	assert_int_equal(lowpan_dispatch_parse(b, 3, &d), LOWPAN_ERR_DISPATCH);
	b[0] = 0xf0; /* RFC 8025 page switch: not supported */
	assert_int_equal(lowpan_dispatch_parse(b, 3, &d), LOWPAN_ERR_DISPATCH);
	assert_int_equal(lowpan_dispatch_parse(b, 0, &d), LOWPAN_ERR_TRUNCATED);
}

/* RFC 4944 figure 3/4: mesh (V=1 short originator, F=0 extended final,
 * hops 5), broadcast seq 0x17, FRAG1 size 300 tag 0x1234, IPHC. */
static void mesh_bc0_frag1(void **state)
{
	uint8_t b[64];
	size_t n = unhex("a5"
			 "beef"
			 "0011223344556677"
			 "5017"
			 "c12c1234"
			 "7a33",
			 b);
	struct lowpan_dispatch d;
	assert_int_equal(lowpan_dispatch_parse(b, n, &d), 0);
	assert_true(d.mesh);
	assert_int_equal(d.hops_left, 5);
	assert_int_equal(d.orig.mode, LOWPAN_ADDR_SHORT);
	assert_memory_equal(d.orig.a, "\xbe\xef", 2);
	assert_int_equal(d.final.mode, LOWPAN_ADDR_EXT);
	assert_memory_equal(d.final.a, "\x00\x11\x22\x33\x44\x55\x66\x77", 8);
	assert_true(d.bc0);
	assert_int_equal(d.bc0_seq, 0x17);
	assert_int_equal(d.frag, LOWPAN_FRAG_FIRST);
	assert_int_equal(d.dgram_size, 300);
	assert_int_equal(d.dgram_tag, 0x1234);
	assert_int_equal(d.payload, LOWPAN_PAYLOAD_IPHC);
	assert_int_equal(d.hdr_len, n - 2);
	for (size_t i = 0; i < n - 2; i++)
		assert_true(lowpan_dispatch_parse(b, i, &d) < 0);
	/* builders produce the same bytes */
	uint8_t o[32];
	assert_int_equal(lowpan_dispatch_put_mesh(o, 5, &d.orig, &d.final), 11);
	assert_memory_equal(o, b, 11);
	assert_int_equal(lowpan_dispatch_put_frag(o, true, 300, 0x1234, 0), 4);
	assert_memory_equal(o, b + 13, 4);
	/* deep hops left */
	uint8_t deep[32];
	int l = lowpan_dispatch_put_mesh(deep, 200, &d.orig, &d.final);
	assert_int_equal(l, 12);
	deep[l] = 0x41;
	assert_int_equal(lowpan_dispatch_parse(deep, (size_t)l + 1, &d), 0);
	assert_int_equal(d.hops_left, 200);
}

static void fragn(void **state)
{
	uint8_t b[16];
	size_t n = unhex("e12c12340bdeadbeef", b);
	struct lowpan_dispatch d;
	assert_int_equal(lowpan_dispatch_parse(b, n, &d), 0);
	assert_int_equal(d.frag, LOWPAN_FRAG_NEXT);
	assert_int_equal(d.dgram_offset, 88);
	assert_int_equal(d.hdr_len, 5);
	assert_int_equal(d.payload, 0);
	uint8_t o[8];
	assert_int_equal(lowpan_dispatch_put_frag(o, false, 300, 0x1234, 88), 5);
	assert_memory_equal(o, b, 5);
	/* offset beyond the size, zero size, FRAGN at offset 0, empty FRAGN */
	b[4] = 0x40;
	assert_int_equal(lowpan_dispatch_parse(b, n, &d), LOWPAN_ERR_FRAG);
	b[4] = 0;
	assert_int_equal(lowpan_dispatch_parse(b, n, &d), LOWPAN_ERR_FRAG);
	b[4] = 1;
	assert_int_equal(lowpan_dispatch_parse(b, 5, &d), LOWPAN_ERR_FRAG);
	b[0] = 0xe0;
	b[1] = 0;
	assert_int_equal(lowpan_dispatch_parse(b, n, &d), LOWPAN_ERR_FRAG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(payload_kinds),
		cmocka_unit_test(mesh_bc0_frag1),
		cmocka_unit_test(fragn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
