/* Unit tests for lowpan/reasm: order, duplicates, overlaps, size
 * mismatches, timeouts, bounds and the counters of each (RFC 4944 5.3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lowpan/checksum.h"
#include "lowpan/error.h"
#include "lowpan/reasm.h"

static uint8_t dg[2048];

static struct lowpan_reasm_key key(uint16_t size, uint16_t tag)
{
	struct lowpan_reasm_key k;
	memset(&k, 0, sizeof(k));
	lowpan_lladdr_set_ext(&k.src, 0x00124b0000000001);
	lowpan_lladdr_set_short(&k.dst, 0x0002);
	k.size = size;
	k.tag = tag;
	return k;
}

static int add(struct lowpan_reasm *r, const struct lowpan_reasm_key *k, uint16_t off, size_t len,
	       uint64_t now, uint8_t **out, size_t *olen)
{
	struct lowpan_reasm_frag f = { .offset = off, .data = dg + off, .len = len };
	return lowpan_reasm_add(r, k, &f, now, out, olen);
}

static void setup_dg(void)
{
	for (size_t i = 0; i < sizeof(dg); i++)
		dg[i] = (uint8_t)(i * 31 + 7);
}

static void in_order_shuffled_duplicates(void **state)
{
	setup_dg();
	struct lowpan_mib mib = { 0 };
	struct lowpan_reasm *r = lowpan_reasm_new(NULL, &mib);
	struct lowpan_reasm_key k = key(1280, 0x42);
	uint16_t offs[16];
	size_t n = 0;
	for (uint16_t o = 0; o < 1280; o += 96)
		offs[n++] = o;
	srand(5);
	for (int round = 0; round < 50; round++) {
		k.tag = (uint16_t)round;
		uint16_t ord[16];
		memcpy(ord, offs, sizeof(offs));
		for (size_t i = n - 1; round && i > 0; i--) {
			size_t j = (size_t)rand() % (i + 1);
			uint16_t t = ord[i];
			ord[i] = ord[j];
			ord[j] = t;
		}
		uint8_t *out = NULL;
		size_t olen = 0;
		for (size_t i = 0; i < n; i++) {
			size_t len = ord[i] + 96u > 1280 ? 1280u - ord[i] : 96u;
			assert_null(out);
			assert_int_equal(add(r, &k, ord[i], len, 1000, &out, &olen), 0);
			if (i + 1 < n && i % 3 == 0) /* duplicate */
				assert_int_equal(add(r, &k, ord[i], len, 1000, &out, &olen), 0);
		}
		assert_non_null(out);
		assert_int_equal(olen, 1280);
		assert_memory_equal(out, dg, 1280);
		free(out);
	}
	assert_int_equal(mib.in_reasm_oks, 50);
	assert_int_equal(mib.in_reasm_fails, 0);
	assert_true(mib.reasm_duplicates > 0);
	assert_int_equal(lowpan_reasm_count(r), 0);
	assert_int_equal(lowpan_reasm_bytes(r), 0);
	lowpan_reasm_free(r);
}

static void overlap_restarts(void **state)
{
	setup_dg();
	struct lowpan_mib mib = { 0 };
	struct lowpan_reasm *r = lowpan_reasm_new(NULL, &mib);
	struct lowpan_reasm_key k = key(200, 1);
	uint8_t *out;
	size_t olen;
	assert_int_equal(add(r, &k, 0, 96, 0, &out, &olen), 0);
	assert_int_equal(add(r, &k, 96, 96, 0, &out, &olen), 0);
	/* fully covered by earlier fragments with the same bytes: a
	 * duplicate whatever its boundaries, since nothing would change */
	assert_int_equal(add(r, &k, 48, 96, 0, &out, &olen), 0);
	assert_int_equal(mib.reasm_duplicates, 1);
	assert_int_equal(mib.reasm_overlaps, 0);
	lowpan_reasm_free(r);
	r = lowpan_reasm_new(NULL, &mib);
	assert_int_equal(add(r, &k, 0, 96, 0, &out, &olen), 0);
	/* overlaps [0,96) partly and reaches new ground: restart */
	assert_int_equal(add(r, &k, 48, 96, 0, &out, &olen), 0);
	assert_int_equal(mib.reasm_overlaps, 1);
	assert_int_equal(mib.in_reasm_fails, 1);
	assert_int_equal(lowpan_reasm_count(r), 1);
	/* same range, different bytes: conflicting copy, restart */
	dg[50] ^= 0xff;
	assert_int_equal(add(r, &k, 48, 96, 0, &out, &olen), 0);
	dg[50] ^= 0xff;
	assert_int_equal(mib.reasm_overlaps, 2);
	assert_int_equal(lowpan_reasm_count(r), 1);
	lowpan_reasm_free(r);
	/* (a fresh reassembler, for the complete case) */
	memset(&mib, 0, sizeof(mib));
	r = lowpan_reasm_new(NULL, &mib);
	assert_int_equal(add(r, &k, 0, 48, 0, &out, &olen), 0);
	assert_int_equal(add(r, &k, 144, 56, 0, &out, &olen), 0);
	assert_int_equal(add(r, &k, 48, 96, 0, &out, &olen), 0);
	assert_non_null(out);
	assert_memory_equal(out, dg, 200);
	free(out);
	lowpan_reasm_free(r);
}

static void bad_fragments_and_size_mismatch(void **state)
{
	setup_dg();
	struct lowpan_mib mib = { 0 };
	struct lowpan_reasm *r = lowpan_reasm_new(NULL, &mib);
	struct lowpan_reasm_key k = key(200, 9);
	uint8_t *out;
	size_t olen;
	assert_int_equal(add(r, &k, 160, 48, 0, &out, &olen), LOWPAN_ERR_FRAG); /* past end */
	assert_int_equal(add(r, &k, 0, 50, 0, &out, &olen), LOWPAN_ERR_FRAG);   /* not 8n */
	assert_int_equal(add(r, &k, 0, 0, 0, &out, &olen), LOWPAN_ERR_FRAG);
	assert_int_equal(mib.reasm_bad_fragments, 3);
	assert_int_equal(add(r, &k, 0, 96, 0, &out, &olen), 0);
	struct lowpan_reasm_key k2 = key(300, 9);
	assert_int_equal(add(r, &k2, 0, 96, 0, &out, &olen), 0);
	assert_int_equal(mib.reasm_size_mismatches, 1);
	assert_int_equal(lowpan_reasm_count(r), 1);
	/* a different tag or link address is another datagram */
	struct lowpan_reasm_key k3 = key(300, 10), k4 = key(300, 9);
	lowpan_lladdr_set_short(&k4.src, 0x0001);
	assert_int_equal(add(r, &k3, 0, 96, 0, &out, &olen), 0);
	assert_int_equal(add(r, &k4, 0, 96, 0, &out, &olen), 0);
	assert_int_equal(lowpan_reasm_count(r), 3);
	lowpan_reasm_free(r);
}

static void timeout_and_bounds(void **state)
{
	setup_dg();
	struct lowpan_mib mib = { 0 };
	struct lowpan_reasm_cfg cfg = { .timeout_ms = 5000, .max_entries = 3, .max_bytes = 4000 };
	struct lowpan_reasm *r = lowpan_reasm_new(&cfg, &mib);
	uint8_t *out;
	size_t olen;
	struct lowpan_reasm_key k = key(1280, 1);
	assert_int_equal(add(r, &k, 0, 96, 1000, &out, &olen), 0);
	assert_int_equal(lowpan_reasm_next_deadline(r), 6000);
	lowpan_reasm_expire(r, 5999);
	assert_int_equal(lowpan_reasm_count(r), 1);
	lowpan_reasm_expire(r, 6000);
	assert_int_equal(lowpan_reasm_count(r), 0);
	assert_int_equal(mib.reasm_timeouts, 1);
	assert_int_equal(lowpan_reasm_next_deadline(r), UINT64_MAX);
	/* bytes bound: 3 x 1280 = 3840 fit; a fourth evicts the oldest */
	for (uint16_t t = 0; t < 3; t++) {
		k.tag = t;
		assert_int_equal(add(r, &k, 0, 96, 7000 + t, &out, &olen), 0);
	}
	k.size = 200;
	k.tag = 99;
	assert_int_equal(add(r, &k, 0, 96, 8000, &out, &olen), 0);
	assert_int_equal(mib.reasm_evictions, 1);
	assert_int_equal(lowpan_reasm_count(r), 3);
	assert_int_equal(lowpan_reasm_bytes(r), 2 * 1280 + 200);
	/* too big for the budget at all */
	k.size = 2047;
	cfg.max_bytes = 2000;
	struct lowpan_reasm *r2 = lowpan_reasm_new(&cfg, &mib);
	assert_int_equal(add(r2, &k, 0, 96, 0, &out, &olen), -ENOSPC);
	assert_int_equal(mib.reasm_no_room, 1);
	lowpan_reasm_free(r2);
	/* timeout applies while adding, too */
	k.size = 200;
	k.tag = 99;
	assert_int_equal(add(r, &k, 96, 104, 8000 + 5000, &out, &olen), 0);
	assert_null(out);
	assert_int_equal(mib.reasm_timeouts, 4);
	lowpan_reasm_free(r);
	/* bookkeeping per 1280-octet datagram stays within 64 octets */
	assert_true(lowpan_reasm_entry_overhead(1280) <= 64);
}

static void udp_checksum_completed(void **state)
{
	struct lowpan_mib mib = { 0 };
	struct lowpan_reasm *r = lowpan_reasm_new(NULL, &mib);
	uint8_t p[400] = { 0x60, 0, 0, 0, 0x01, 0x68, 17, 64 };
	p[8] = 0xfe;
	p[9] = 0x80;
	p[23] = 1;
	p[24] = 0xfe;
	p[25] = 0x80;
	p[39] = 2;
	p[40] = 0x12;
	p[42] = 0x34;
	p[44] = 0x01;
	p[45] = 0x68;
	for (int i = 48; i < 400; i++)
		p[i] = (uint8_t)i;
	uint8_t want[400];
	memcpy(want, p, 400);
	lowpan_checksum_set_udp6(want, 400, 0, 40);
	struct lowpan_reasm_key k = key(400, 3);
	uint8_t *out;
	size_t olen;
	struct lowpan_reasm_frag f2 = { .offset = 96, .data = p + 96, .len = 304 };
	struct lowpan_reasm_frag f1 = { .offset = 0, .data = p, .len = 96, .udp_off = 40 };
	assert_int_equal(lowpan_reasm_add(r, &k, &f2, 0, &out, &olen), 0);
	assert_int_equal(lowpan_reasm_add(r, &k, &f1, 0, &out, &olen), 0);
	assert_non_null(out);
	assert_memory_equal(out, want, 400);
	free(out);
	lowpan_reasm_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_order_shuffled_duplicates),
		cmocka_unit_test(overlap_restarts),
		cmocka_unit_test(bad_fragments_and_size_mismatch),
		cmocka_unit_test(timeout_and_bounds),
		cmocka_unit_test(udp_checksum_completed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
