/* Unit tests for lowpan/vreasm: forwarding fragments without reassembly
 * (LWIG guidance 3.1.1): in order, FRAGN before FRAG1 (held, then
 * released in order), no buffer (dropped and remembered), timeouts,
 * eviction, and the size of a runt entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "lowpan/error.h"
#include "lowpan/vreasm.h"

static uint8_t hdr[40] = { 0x60, 0, 0, 0, 0x01, 0xd8, 17, 64 };
static uint8_t data[1280];

static struct lowpan_reasm_key key(uint16_t tag)
{
	struct lowpan_reasm_key k;
	memset(&k, 0, sizeof(k));
	lowpan_lladdr_set_short(&k.src, 0x0001);
	lowpan_lladdr_set_short(&k.dst, 0x0000);
	k.size = 512;
	k.tag = tag;
	return k;
}

struct seen {
	int n;
	uint16_t offsets[16];
	uint16_t tag;
};

static void fwd(void *arg, const struct lowpan_vreasm_hop *hop, uint16_t offset, const uint8_t *d,
		size_t len)
{
	struct seen *s = arg;
	s->offsets[s->n++] = offset;
	s->tag = hop->out_tag;
	assert_int_equal(hop->hdr_len, 40);
	assert_memory_equal(hop->hdr, hdr, 40);
	assert_memory_equal(d, data + offset, len);
}

static void in_order(void **state)
{
	struct lowpan_mib mib = { 0 };
	struct lowpan_vreasm *v = lowpan_vreasm_new(NULL, &mib);
	struct lowpan_reasm_key k = key(7), other = key(8);
	assert_false(lowpan_vreasm_known(v, &k));
	assert_int_equal(lowpan_vreasm_first(v, &k, hdr, 40, 96, 0x99, 42, 0, fwd, NULL), 0);
	assert_int_equal(lowpan_vreasm_count(v), 1);
	assert_true(lowpan_vreasm_known(v, &k));
	assert_false(lowpan_vreasm_known(v, &other));
	enum lowpan_vreasm_action a;
	struct lowpan_vreasm_hop hop;
	for (uint16_t off = 96; off < 512; off += 104) {
		size_t len = off + 104u > 512 ? 512u - off : 104u;
		assert_int_equal(lowpan_vreasm_next(v, &k, off, data + off, len, 10, &a, &hop), 0);
		assert_int_equal(a, LOWPAN_VREASM_FORWARD);
		assert_int_equal(hop.out_tag, 0x99);
		assert_int_equal(hop.cookie, 42);
		assert_memory_equal(hop.hdr, hdr, 40);
	}
	/* the entry goes once the final fragment was forwarded */
	assert_false(lowpan_vreasm_known(v, &k));
	lowpan_vreasm_expire(v, 20);
	assert_int_equal(lowpan_vreasm_count(v), 0);
	assert_int_equal(mib.vreasm_forwarded, 5);
	lowpan_vreasm_free(v);
}

static void early_fragn_held(void **state)
{
	struct lowpan_mib mib = { 0 };
	struct lowpan_vreasm_cfg cfg = { .max_held = 1000 };
	struct lowpan_vreasm *v = lowpan_vreasm_new(&cfg, &mib);
	struct lowpan_reasm_key k = key(8);
	enum lowpan_vreasm_action a;
	struct lowpan_vreasm_hop hop;
	assert_int_equal(lowpan_vreasm_next(v, &k, 304, data + 304, 208, 0, &a, &hop), 0);
	assert_int_equal(a, LOWPAN_VREASM_HELD);
	assert_int_equal(lowpan_vreasm_next(v, &k, 96, data + 96, 104, 0, &a, &hop), 0);
	assert_int_equal(a, LOWPAN_VREASM_HELD);
	assert_int_equal(lowpan_vreasm_held_bytes(v), 312);
	struct seen s = { 0 };
	assert_int_equal(lowpan_vreasm_first(v, &k, hdr, 40, 96, 0x55, 1, 5, fwd, &s), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.offsets[0], 304); /* arrival order */
	assert_int_equal(s.offsets[1], 96);
	assert_int_equal(s.tag, 0x55);
	assert_int_equal(lowpan_vreasm_held_bytes(v), 0);
	assert_int_equal(mib.vreasm_buffered, 2);
	/* the missing middle fragment completes it */
	assert_int_equal(lowpan_vreasm_next(v, &k, 200, data + 200, 104, 6, &a, &hop), 0);
	assert_int_equal(a, LOWPAN_VREASM_FORWARD);
	lowpan_vreasm_expire(v, 7);
	assert_int_equal(lowpan_vreasm_count(v), 0);
	lowpan_vreasm_free(v);
}

static void no_buffer_drop_and_remember(void **state)
{
	struct lowpan_mib mib = { 0 };
	struct lowpan_vreasm *v = lowpan_vreasm_new(NULL, &mib); /* max_held 0 */
	struct lowpan_reasm_key k = key(9);
	enum lowpan_vreasm_action a;
	struct lowpan_vreasm_hop hop;
	assert_int_equal(lowpan_vreasm_next(v, &k, 96, data, 104, 0, &a, &hop), -ENOSPC);
	assert_int_equal(lowpan_vreasm_next(v, &k, 200, data, 104, 0, &a, &hop), LOWPAN_ERR_FRAG);
	assert_int_equal(lowpan_vreasm_first(v, &k, hdr, 40, 96, 1, 1, 0, NULL, NULL),
			 LOWPAN_ERR_FRAG);
	assert_int_equal(mib.vreasm_dropped, 3);
	/* remembered until the timeout, then forgotten */
	lowpan_vreasm_expire(v, 60000);
	assert_int_equal(mib.vreasm_timeouts, 1);
	assert_int_equal(lowpan_vreasm_first(v, &k, hdr, 40, 96, 1, 1, 60001, NULL, NULL), 0);
	/* fragment beyond the datagram */
	assert_int_equal(lowpan_vreasm_next(v, &k, 500, data, 104, 60001, &a, &hop),
			 LOWPAN_ERR_FRAG);
	lowpan_vreasm_free(v);
}

static void eviction_and_size(void **state)
{
	struct lowpan_mib mib = { 0 };
	struct lowpan_vreasm_cfg cfg = { .max_entries = 4, .max_held = 4096, .timeout_ms = 100 };
	struct lowpan_vreasm *v = lowpan_vreasm_new(&cfg, &mib);
	enum lowpan_vreasm_action a;
	struct lowpan_vreasm_hop hop;
	for (uint16_t t = 0; t < 6; t++) {
		struct lowpan_reasm_key k = key(t);
		assert_int_equal(lowpan_vreasm_next(v, &k, 96, data, 104, t, &a, &hop), 0);
	}
	assert_int_equal(lowpan_vreasm_count(v), 4);
	assert_int_equal(mib.vreasm_evictions, 2);
	assert_int_equal(mib.vreasm_dropped, 2); /* their held fragments */
	assert_int_equal(lowpan_vreasm_held_bytes(v), 4 * 104);
	lowpan_vreasm_expire(v, 1000);
	assert_int_equal(lowpan_vreasm_count(v), 0);
	assert_int_equal(lowpan_vreasm_held_bytes(v), 0);
	assert_true(lowpan_vreasm_entry_size() <= 64);
	lowpan_vreasm_free(v);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 3);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_order),
		cmocka_unit_test(early_fragn_held),
		cmocka_unit_test(no_buffer_drop_and_remember),
		cmocka_unit_test(eviction_and_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
