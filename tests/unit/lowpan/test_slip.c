#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lowpan/slip.h"

struct collected {
	uint8_t frames[8][64];
	size_t lens[8];
	unsigned n;
};

static void collect(const uint8_t *frame, size_t len, void *arg)
{
	struct collected *c = arg;

	assert_true(c->n < 8 && len <= 64);
	memcpy(c->frames[c->n], frame, len);
	c->lens[c->n++] = len;
}

/* RFC 1055: END and ESC inside the data are escaped; we also lead with END. */
static void test_encode_escapes(void **state)
{
	const uint8_t in[] = { 0x01, 0xC0, 0x02, 0xDB, 0x03 };
	const uint8_t want[] = { 0xC0, 0x01, 0xDB, 0xDC, 0x02, 0xDB, 0xDD, 0x03, 0xC0 };
	uint8_t out[LOWPAN_SLIP_ENCODED_MAX(sizeof(in))];

	assert_int_equal(lowpan_slip_encode(in, sizeof(in), out, sizeof(out)), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	assert_int_equal(lowpan_slip_encode(in, sizeof(in), out, sizeof(want) - 1), -ENOSPC);
}

static void test_decode_byte_by_byte(void **state)
{
	/* noise, then the frame above, then "?M" as tunslip6 sends it */
	const uint8_t wire[] = { 0xC0, 0x01, 0xDB, 0xDC, 0x02, 0xDB, 0xDD,
				 0x03, 0xC0, 0xC0, '?',  'M',  0xC0 };
	const uint8_t first[] = { 0x01, 0xC0, 0x02, 0xDB, 0x03 };
	struct lowpan_slip_decoder d;
	uint8_t buf[64];
	struct collected c = { 0 };

	lowpan_slip_decoder_init(&d, buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(wire); i++)
		lowpan_slip_decode(&d, wire + i, 1, collect, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.lens[0], sizeof(first));
	assert_memory_equal(c.frames[0], first, sizeof(first));
	assert_int_equal(c.lens[1], 2);
	assert_memory_equal(c.frames[1], "?M", 2);
	assert_int_equal(d.stats.frames, 2);
}

struct big {
	uint8_t data[300];
	size_t len;
	unsigned n;
};

static void collect_big(const uint8_t *frame, size_t len, void *arg)
{
	struct big *b = arg;

	assert_true(len <= sizeof(b->data));
	memcpy(b->data, frame, len);
	b->len = len;
	b->n++;
}

/* Every byte value, split across reads at every possible point. */
static void test_round_trip_all_bytes(void **state)
{
	uint8_t in[256], enc[LOWPAN_SLIP_ENCODED_MAX(256)], buf[300];
	struct lowpan_slip_decoder d;
	int n;

	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	n = lowpan_slip_encode(in, sizeof(in), enc, sizeof(enc));
	assert_int_equal(n, 256 + 2 + 2); /* two escaped bytes, two ENDs */
	for (int cut = 0; cut <= n; cut++) {
		struct big got = { { 0 }, 0, 0 };

		lowpan_slip_decoder_init(&d, buf, sizeof(buf));
		lowpan_slip_decode(&d, enc, (size_t)cut, collect_big, &got);
		lowpan_slip_decode(&d, enc + cut, (size_t)(n - cut), collect_big, &got);
		assert_int_equal(got.n, 1);
		assert_int_equal(got.len, sizeof(in));
		assert_memory_equal(got.data, in, sizeof(in));
	}
}

static void test_bad_escape_drops_frame(void **state)
{
	const uint8_t wire[] = { 0xC0, 'a', 0xDB, 'x', 'b', 0xC0, 'o', 'k', 0xC0 };
	struct lowpan_slip_decoder d;
	uint8_t buf[64];
	struct collected c = { 0 };

	lowpan_slip_decoder_init(&d, buf, sizeof(buf));
	assert_int_equal(lowpan_slip_decode(&d, wire, sizeof(wire), collect, &c), 1);
	assert_int_equal(c.lens[0], 2);
	assert_memory_equal(c.frames[0], "ok", 2);
	assert_int_equal(d.stats.bad_escape, 1);
}

static void test_overflow_drops_frame(void **state)
{
	uint8_t wire[40];
	struct lowpan_slip_decoder d;
	uint8_t buf[16];
	struct collected c = { 0 };

	memset(wire, 'z', sizeof(wire));
	wire[0] = 0xC0;
	wire[30] = 0xC0; /* a 29-byte frame: too long for 16 */
	wire[31] = 's';
	wire[32] = 0xC0;
	lowpan_slip_decoder_init(&d, buf, sizeof(buf));
	assert_int_equal(lowpan_slip_decode(&d, wire, 33, collect, &c), 1);
	assert_int_equal(c.lens[0], 1);
	assert_int_equal(c.frames[0][0], 's');
	assert_int_equal(d.stats.overflow, 1);
	/* exactly full is fine */
	memset(wire, 'y', 16);
	wire[16] = 0xC0;
	assert_int_equal(lowpan_slip_decode(&d, wire, 17, collect, &c), 1);
	assert_int_equal(c.lens[1], 16);
}

static void test_reset_forgets_partial_frame(void **state)
{
	const uint8_t part[] = { 0xC0, 'p', 'a', 'r' };
	const uint8_t rest[] = { 'n', 'e', 'w', 0xC0 };
	struct lowpan_slip_decoder d;
	uint8_t buf[64];
	struct collected c = { 0 };

	lowpan_slip_decoder_init(&d, buf, sizeof(buf));
	lowpan_slip_decode(&d, part, sizeof(part), collect, &c);
	lowpan_slip_decoder_reset(&d);
	lowpan_slip_decode(&d, rest, sizeof(rest), collect, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.lens[0], 3);
	assert_memory_equal(c.frames[0], "new", 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_escapes),
		cmocka_unit_test(test_decode_byte_by_byte),
		cmocka_unit_test(test_round_trip_all_bytes),
		cmocka_unit_test(test_bad_escape_drops_frame),
		cmocka_unit_test(test_overflow_drops_frame),
		cmocka_unit_test(test_reset_forgets_partial_frame),
	};

	return cmocka_run_group_tests_name("slip", tests, NULL, NULL);
}
