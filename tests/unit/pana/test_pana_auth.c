/* pana_auth against RFC 2202 and the answers vectors.py computes with Python's hmac. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pana/pana_auth.h"
#include "pana/pana_msg.h"
#include "vectors.h"

static void prf_plus_vector(void **state)
{
	uint8_t out[80], short_out[7];

	assert_int_equal(pana_auth_prf_plus((const uint8_t *)"key", 3, (const uint8_t *)"seed", 4,
					    out, sizeof(out)),
			 0);
	assert_memory_equal(out, prf_plus_80, sizeof(out));
	/* a shorter output is a prefix of the longer one */
	assert_int_equal(pana_auth_prf_plus((const uint8_t *)"key", 3, (const uint8_t *)"seed", 4,
					    short_out, sizeof(short_out)),
			 0);
	assert_memory_equal(short_out, prf_plus_80, sizeof(short_out));
	assert_int_equal(pana_auth_prf_plus(out, 20, out, 1, out, 255 * 20 + 1), -EINVAL);
}

static void auth_key_vector(void **state)
{
	uint8_t msk[64], pac[20], paa[20], out[PANA_AUTH_KEY_LEN];
	struct pana_auth_input in = { msk,           sizeof(msk),   i_par,     i_pan,
				      sizeof(i_par), sizeof(i_pan), pac,       paa,
				      sizeof(pac),   sizeof(paa),   0x01020304 };

	for (int i = 0; i < 64; i++)
		msk[i] = (uint8_t)i;
	for (int i = 0; i < 20; i++) {
		pac[i] = (uint8_t)(0xa0 + i % 16);
		paa[i] = (uint8_t)(0x50 + i);
	}
	assert_int_equal(pana_auth_key(&in, out), 0);
	assert_memory_equal(out, auth_key, sizeof(auth_key));
	in.key_id++;
	assert_int_equal(pana_auth_key(&in, out), 0);
	assert_memory_not_equal(out, auth_key, sizeof(auth_key));
}

static void sign_and_verify(void **state)
{
	uint8_t buf[sizeof(par_c_signed)];
	struct pana_msg m;
	const struct pana_avp *a;

	memcpy(buf, par_c_signed, sizeof(buf));
	memset(buf + sizeof(buf) - 20, 0x77, 20); /* sign overwrites whatever is there */
	assert_int_equal(pana_auth_sign(auth_key, buf, sizeof(buf), sizeof(buf) - 20), 0);
	assert_memory_equal(buf, par_c_signed, sizeof(buf));

	assert_int_equal(pana_msg_parse(buf, sizeof(buf), &m), 0);
	a = pana_msg_find(&m, PANA_AVP_AUTH);
	assert_true(pana_auth_verify(auth_key, buf, sizeof(buf), a->value, a->len));
	/* one flipped bit anywhere, in the header or the AUTH itself, fails */
	for (size_t i = 0; i < sizeof(buf); i += 7) {
		buf[i] ^= 0x10;
		assert_false(pana_auth_verify(auth_key, buf, sizeof(buf), a->value, a->len));
		buf[i] ^= 0x10;
	}
	assert_false(pana_auth_verify(auth_key, buf, sizeof(buf), a->value, 19));
	assert_false(pana_auth_verify(auth_key, buf, sizeof(buf) - 1, a->value, 20));
	assert_int_equal(pana_auth_sign(auth_key, buf, sizeof(buf), sizeof(buf) - 19), -EINVAL);
	assert_int_equal(pana_auth_sign(auth_key, buf, sizeof(buf), 4), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prf_plus_vector),
		cmocka_unit_test(auth_key_vector),
		cmocka_unit_test(sign_and_verify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
