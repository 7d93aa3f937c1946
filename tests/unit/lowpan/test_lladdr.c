/* Unit tests for lowpan/lladdr: IID derivation (RFC 4944 6, RFC 6282
 * 3.2.2), parsing, and lowpan/error and lowpan/mib tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "lowpan/error.h"
#include "lowpan/lladdr.h"
#include "lowpan/mib.h"

static void iids(void **state)
{
	struct lowpan_lladdr a;
	uint8_t iid[8];
	lowpan_lladdr_set_ext(&a, 0x00124b0000000001);
	assert_int_equal(lowpan_lladdr_iid(&a, iid), 0);
	assert_memory_equal(iid, "\x02\x12\x4b\x00\x00\x00\x00\x01", 8);
	lowpan_lladdr_set_short(&a, 0xbeef);
	assert_int_equal(lowpan_lladdr_iid(&a, iid), 0);
	assert_memory_equal(iid, "\x00\x00\x00\xff\xfe\x00\xbe\xef", 8);
	memset(&a, 0, sizeof(a));
	assert_int_equal(lowpan_lladdr_iid(&a, iid), LOWPAN_ERR_LLADDR);
}

static void parse(void **state)
{
	struct lowpan_lladdr a, b;
	assert_int_equal(lowpan_lladdr_parse("0xBEEF", &a), 0);
	lowpan_lladdr_set_short(&b, 0xbeef);
	assert_true(lowpan_lladdr_equal(&a, &b));
	assert_int_equal(lowpan_lladdr_parse("00:12:4b:00:00:00:00:01", &a), 0);
	lowpan_lladdr_set_ext(&b, 0x00124b0000000001);
	assert_true(lowpan_lladdr_equal(&a, &b));
	assert_int_equal(lowpan_lladdr_parse("0012:4b00:0000:0001", &a), 0);
	assert_true(lowpan_lladdr_equal(&a, &b));
	assert_int_equal(lowpan_lladdr_parse("123", &a), -EINVAL);
	assert_int_equal(lowpan_lladdr_parse("12345", &a), -EINVAL);
	assert_int_equal(lowpan_lladdr_parse("00:12:4b:00:00:00:00:01:02", &a), -EINVAL);
	assert_int_equal(lowpan_lladdr_parse("zz", &a), -EINVAL);
}

static void tables(void **state)
{
	for (int e = LOWPAN_ERR_TRUNCATED; e < LOWPAN_ERR_MAX_; e++) {
		assert_non_null(lowpan_error_str(e));
		assert_string_not_equal(lowpan_error_name(e), "errno");
	}
	assert_string_equal(lowpan_error_name(-ENOMEM), "errno");
	assert_string_equal(lowpan_error_name(LOWPAN_ERR_HC1), "hc1");
	size_t n;
	const struct lowpan_mib_field *f = lowpan_mib_fields(&n);
	struct lowpan_mib m = { 0 };
	m.in_reasm_oks = 5;
	int found = 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].name, "lowpanInReasmOKs")) {
			assert_int_equal(lowpan_mib_get(&m, i), 5);
			found = 1;
		}
	assert_true(found);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(iids),
		cmocka_unit_test(parse),
		cmocka_unit_test(tables),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
