/* pana_msg: parse what vectors.py laid out by hand, build the same bytes, refuse corrupt input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pana/pana_msg.h"
#include "vectors.h"

static void parse_independent_par(void **state)
{
	struct pana_msg m;
	uint32_t v;

	assert_int_equal(pana_msg_parse(par_c_signed, sizeof(par_c_signed), &m), 0);
	assert_int_equal(m.flags, PANA_FLAG_R | PANA_FLAG_C);
	assert_int_equal(m.type, PANA_AUTH);
	assert_int_equal(m.session_id, 0x11223344);
	assert_int_equal(m.seq, 0x103);
	assert_int_equal(m.navps, 5);
	assert_int_equal(pana_msg_get_u32(&m, PANA_AVP_KEY_ID, &v), 0);
	assert_int_equal(v, 0x01020304);
	assert_int_equal(pana_msg_get_u32(&m, PANA_AVP_SESSION_LIFETIME, &v), 0);
	assert_int_equal(v, 3600);
	assert_int_equal(pana_msg_find(&m, PANA_AVP_AUTH)->len, 20);
	assert_int_equal(pana_msg_find(&m, PANA_AVP_EAP_PAYLOAD)->len, 4);
	assert_int_equal(pana_msg_get_u32(&m, PANA_AVP_NONCE, &v), -ENOENT);
	assert_int_equal(pana_msg_get_u32(&m, PANA_AVP_AUTH, &v), -EBADMSG);
	assert_string_equal(pana_msg_name(m.type, m.flags), "PAR");
}

static void build_matches_independent(void **state)
{
	struct pana_builder b;
	static const uint8_t eap[] = { 3, 9, 0, 4 };

	pana_msg_begin(&b, PANA_FLAG_R | PANA_FLAG_S, PANA_AUTH, 0x11223344, 0x100);
	pana_msg_add_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA1);
	pana_msg_add_u32(&b, PANA_AVP_INTEGRITY_ALG, PANA_AUTH_HMAC_SHA1_160);
	assert_int_equal(pana_msg_end(&b), sizeof(i_par));
	assert_memory_equal(b.buf, i_par, sizeof(i_par));

	pana_msg_begin(&b, PANA_FLAG_R | PANA_FLAG_C, PANA_AUTH, 0x11223344, 0x103);
	pana_msg_add_u32(&b, PANA_AVP_RESULT_CODE, PANA_SUCCESS);
	pana_msg_add(&b, PANA_AVP_EAP_PAYLOAD, eap, sizeof(eap));
	pana_msg_add_u32(&b, PANA_AVP_KEY_ID, 0x01020304);
	pana_msg_add_u32(&b, PANA_AVP_SESSION_LIFETIME, 3600);
	assert_int_equal(pana_msg_add_auth(&b), sizeof(par_c_signed) - 20);
	assert_int_equal(pana_msg_end(&b), sizeof(par_c_signed));
	assert_memory_equal(b.buf, par_c_signed, sizeof(par_c_signed) - 20);
}

static void padding_and_vendor(void **state)
{
	struct pana_builder b;
	struct pana_msg m;
	const struct pana_avp *a;

	pana_msg_begin(&b, 0, PANA_CLIENT_INITIATION, 0, 0);
	pana_msg_add(&b, PANA_AVP_EAP_PAYLOAD, "abcde", 5);
	assert_int_equal(pana_msg_end(&b), 16 + 8 + 8);
	assert_int_equal(pana_msg_parse(b.buf, b.len, &m), 0);
	a = pana_msg_find(&m, PANA_AVP_EAP_PAYLOAD);
	assert_int_equal(a->len, 5);
	assert_memory_equal(a->value, "abcde", 5);
	/* the same AVP with the V flag and a Vendor-Id is not the IETF AVP */
	{
		uint8_t v[] = { 0, 0, 0,    36, 0, 0, 0, 1, 0, 0, 0,    0,    0, 0, 0, 0,
				0, 2, 0x80, 0,  0, 4, 0, 0, 0, 0, 0x30, 0x39, 1, 2, 3, 4 };
		v[3] = sizeof(v);
		assert_int_equal(pana_msg_parse(v, sizeof(v), &m), 0);
		assert_int_equal(m.avps[0].vendor, 12345);
		assert_null(pana_msg_find(&m, PANA_AVP_EAP_PAYLOAD));
	}
}

static void corrupt_input(void **state)
{
	uint8_t buf[sizeof(par_c_signed)];
	struct pana_msg m;

	assert_int_equal(pana_msg_parse(par_c_signed, 15, &m), -EBADMSG);
	/* Message Length one byte off either way */
	memcpy(buf, par_c_signed, sizeof(buf));
	buf[3]++;
	assert_int_equal(pana_msg_parse(buf, sizeof(buf), &m), -EBADMSG);
	buf[3] -= 2;
	assert_int_equal(pana_msg_parse(buf, sizeof(buf) - 1, &m), -EBADMSG);
	/* an AVP Length that runs past the message */
	memcpy(buf, par_c_signed, sizeof(buf));
	buf[16 + 5] = 0xff;
	assert_int_equal(pana_msg_parse(buf, sizeof(buf), &m), -EBADMSG);
	/* the last AVP's padding missing: value 5 bytes, message ends after it */
	{
		uint8_t v[16 + 8 + 5] = { 0, 0, 0, sizeof(v), 0, 0, 0, 1 };

		v[16 + 1] = 2;
		v[16 + 5] = 5;
		assert_int_equal(pana_msg_parse(v, sizeof(v), &m), -EBADMSG);
	}
	/* a truncated header of a vendor AVP */
	{
		uint8_t v[16 + 8] = { 0, 0, 0, sizeof(v), 0, 0, 0, 1 };

		v[16 + 2] = 0x80;
		assert_int_equal(pana_msg_parse(v, sizeof(v), &m), -EBADMSG);
	}
}

static void too_many_avps_and_overflow(void **state)
{
	struct pana_builder b;
	struct pana_msg m;
	uint8_t big[PANA_MAX_MSG];

	pana_msg_begin(&b, 0, PANA_NOTIFICATION, 1, 1);
	for (int i = 0; i < PANA_MAX_AVPS + 1; i++)
		pana_msg_add_u32(&b, PANA_AVP_KEY_ID, (uint32_t)i);
	assert_true(pana_msg_end(&b) > 0);
	assert_int_equal(pana_msg_parse(b.buf, b.len, &m), -E2BIG);

	memset(big, 0, sizeof(big));
	pana_msg_begin(&b, 0, PANA_NOTIFICATION, 1, 1);
	pana_msg_add(&b, PANA_AVP_EAP_PAYLOAD, big, sizeof(big) - 16 - 8 + 1);
	assert_int_equal(b.error, -EMSGSIZE);
	assert_int_equal(pana_msg_add_auth(&b), 0);
	assert_int_equal(pana_msg_end(&b), -EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_independent_par),
		cmocka_unit_test(build_matches_independent),
		cmocka_unit_test(padding_and_vendor),
		cmocka_unit_test(corrupt_input),
		cmocka_unit_test(too_many_avps_and_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
