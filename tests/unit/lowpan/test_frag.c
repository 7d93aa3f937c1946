/* Unit tests for lowpan/frag: fragments fit the budget, come in natural
 * order with 8-octet-aligned offsets of the uncompressed datagram, FRAG1
 * carries the whole compressed header, and the result matches the
 * reference algorithm of shared/tools/sixlowpan_oracle.py (which tshark
 * accepts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "lowpan/dispatch.h"
#include "lowpan/error.h"
#include "lowpan/frag.h"

/* The oracle's fragment(): FRAG1 data k = room-4-len(chdr) rounded so that
 * uhdr+k is a multiple of 8; FRAGN step (room-5)//8*8. */
static void oracle_sizes(size_t clen, size_t plen, size_t uhdr, size_t room, size_t *sizes,
			 size_t *n)
{
	size_t size = uhdr + plen, k = room - 4 - clen;
	k -= (uhdr + k) % 8;
	*n = 0;
	sizes[(*n)++] = 4 + clen + k;
	size_t off = uhdr + k, step = (room - 5) / 8 * 8;
	while (off < size) {
		size_t c = size - off < step ? size - off : step;
		sizes[(*n)++] = 5 + c;
		off += c;
	}
}

static void natural_order_1280(void **state)
{
	uint8_t hdr[7] = { 0x7e, 0x33, 0xf0, 0x16, 0x33, 0xf0, 0xb0 }, payload[1232];
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)i;
	for (size_t budget = 20; budget <= 125; budget++) {
		struct lowpan_frag f;
		assert_int_equal(
			lowpan_frag_init(&f, hdr, 7, 48, payload, sizeof(payload), 0xbeef, budget),
			0);
		assert_true(lowpan_frag_is_fragmented(&f));
		size_t want[300], nw;
		oracle_sizes(7, sizeof(payload), 48, budget, want, &nw);
		uint8_t out[128], re[1280];
		size_t n, count = 0, expect_off = 0;
		memset(re, 0, sizeof(re));
		while (lowpan_frag_next(&f, out, sizeof(out), &n) == 0 && n) {
			struct lowpan_dispatch d;
			assert_true(n <= budget);
			assert_true(count < nw);
			assert_int_equal(n, want[count]);
			assert_int_equal(lowpan_dispatch_parse(out, n, &d), 0);
			assert_int_equal(d.dgram_size, 1280);
			assert_int_equal(d.dgram_tag, 0xbeef);
			if (count == 0) {
				assert_int_equal(d.frag, LOWPAN_FRAG_FIRST);
				assert_memory_equal(out + 4, hdr, 7);
				memcpy(re + 48, out + 11, n - 11);
				expect_off = 48 + n - 11;
				assert_int_equal(expect_off % 8, 0);
			} else {
				assert_int_equal(d.frag, LOWPAN_FRAG_NEXT);
				assert_int_equal(d.dgram_offset, expect_off);
				memcpy(re + d.dgram_offset, out + 5, n - 5);
				expect_off += n - 5;
			}
			count++;
		}
		assert_int_equal(count, nw);
		assert_int_equal(expect_off, 1280);
		assert_memory_equal(re + 48, payload, sizeof(payload));
	}
}

static void unfragmented_and_limits(void **state)
{
	uint8_t hdr[3] = { 0x7e, 0x33, 0x3a }, payload[2100] = { 1, 2, 3 };
	struct lowpan_frag f;
	uint8_t out[128];
	size_t n;
	assert_int_equal(lowpan_frag_init(&f, hdr, 3, 40, payload, 50, 1, 100), 0);
	assert_false(lowpan_frag_is_fragmented(&f));
	assert_int_equal(lowpan_frag_next(&f, out, sizeof(out), &n), 0);
	assert_int_equal(n, 53);
	assert_memory_equal(out, hdr, 3);
	assert_int_equal(lowpan_frag_next(&f, out, sizeof(out), &n), 0);
	assert_int_equal(n, 0);
	/* 2047 is the largest datagram_size */
	assert_int_equal(lowpan_frag_init(&f, hdr, 3, 40, payload, 2007, 1, 100), 0);
	assert_int_equal(lowpan_frag_init(&f, hdr, 3, 40, payload, 2008, 1, 100),
			 LOWPAN_ERR_TOO_BIG);
	/* budget too small for FRAG1 + header + alignment */
	assert_int_equal(lowpan_frag_init(&f, hdr, 3, 40, payload, 200, 1, 12), -EMSGSIZE);
	/* uncompressed dispatch: 0x41, ulen 0 */
	uint8_t d41 = 0x41;
	assert_int_equal(lowpan_frag_init(&f, &d41, 1, 0, payload, 300, 7, 100), 0);
	assert_int_equal(lowpan_frag_next(&f, out, sizeof(out), &n), 0);
	assert_int_equal(out[4], 0x41);
	assert_int_equal((n - 5) % 8, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(natural_order_1280),
		cmocka_unit_test(unfragmented_and_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
