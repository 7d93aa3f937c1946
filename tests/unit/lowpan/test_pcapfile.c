/* Unit tests for lowpan/pcapfile: both byte orders, nanosecond files,
 * truncation and pcapng refused; writer output reads back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lowpan/error.h"
#include "lowpan/pcapfile.h"

#include "testutil.h"

/* Big-endian, microseconds, link type 195, one 5-octet record (as written
 * by libpcap on a big-endian host). */
static void big_endian(void **state)
{
	uint8_t b[64];
	size_t n = unhex("a1b2c3d4000200040000000000000000000000ff000000c3"
			 "0000000a000f4240000000050000000541ffee0102",
			 b);
	struct lowpan_pcapfile_reader r;
	struct lowpan_pcapfile_rec rec;
	assert_int_equal(lowpan_pcapfile_open(&r, b, n), 0);
	assert_int_equal(r.linktype, 195);
	assert_int_equal(lowpan_pcapfile_next(&r, &rec), 0);
	assert_int_equal(rec.ts_sec, 10);
	assert_int_equal(rec.ts_usec, 1000000);
	assert_int_equal(rec.len, 5);
	assert_memory_equal(rec.data, "\x41\xff\xee\x01\x02", 5);
	assert_int_equal(lowpan_pcapfile_next(&r, &rec), 0);
	assert_null(rec.data);
	/* truncated record */
	assert_int_equal(lowpan_pcapfile_open(&r, b, n - 1), 0);
	assert_int_equal(lowpan_pcapfile_next(&r, &rec), LOWPAN_ERR_PCAP);
	assert_int_equal(lowpan_pcapfile_open(&r, b, 20), LOWPAN_ERR_PCAP);
}

static void little_endian_nsec_and_writer(void **state)
{
	uint8_t b[128];
	lowpan_pcapfile_put_header(b, 229);
	lowpan_pcapfile_put_record(b + 24, 7, 999, 3);
	memcpy(b + 40, "abc", 3);
	struct lowpan_pcapfile_reader r;
	struct lowpan_pcapfile_rec rec;
	assert_int_equal(lowpan_pcapfile_open(&r, b, 43), 0);
	assert_false(r.swap);
	assert_int_equal(r.linktype, 229);
	assert_int_equal(lowpan_pcapfile_next(&r, &rec), 0);
	assert_int_equal(rec.ts_usec, 999);
	assert_memory_equal(rec.data, "abc", 3);
	/* the same file with the nanosecond magic */
	b[0] = 0x4d;
	b[1] = 0x3c;
	assert_int_equal(lowpan_pcapfile_open(&r, b, 43), 0);
	assert_int_equal(lowpan_pcapfile_next(&r, &rec), 0);
	assert_int_equal(rec.ts_usec, 0);
	/* pcapng section header block */
	memcpy(b, "\x0a\x0d\x0d\x0a", 4);
	assert_int_equal(lowpan_pcapfile_open(&r, b, 43), LOWPAN_ERR_PCAP);
	/* absurd captured length */
	lowpan_pcapfile_put_header(b, 229);
	lowpan_pcapfile_put_record(b + 24, 7, 999, 0x7fffffff);
	assert_int_equal(lowpan_pcapfile_open(&r, b, 43), 0);
	assert_int_equal(lowpan_pcapfile_next(&r, &rec), LOWPAN_ERR_PCAP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(big_endian),
		cmocka_unit_test(little_endian_nsec_and_writer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
