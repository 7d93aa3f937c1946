/* radius against the packets vectors.py builds with Python's hashlib and hmac. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pana/radius.h"
#include "vectors.h"

static uint8_t req_auth[16];

static int setup(void **state)
{
	for (int i = 0; i < 16; i++)
		req_auth[i] = (uint8_t)(0x20 + i);
	return 0;
}

static void request_matches(void **state)
{
	struct radius_builder b;

	radius_begin(&b, 42, req_auth);
	radius_add(&b, RADIUS_USER_NAME, "node-1", 6);
	radius_add_eap(&b, radius_big_eap, sizeof(radius_big_eap));
	assert_int_equal(radius_end(&b, "s3cret"), sizeof(radius_request));
	assert_memory_equal(b.buf, radius_request, sizeof(radius_request));
}

static void challenge(void **state)
{
	struct radius_pkt p;
	uint8_t eap[RADIUS_MAX_LEN];
	const struct radius_attr *st;

	assert_true(radius_verify_response(radius_challenge, sizeof(radius_challenge), req_auth,
					   "s3cret"));
	assert_false(radius_verify_response(radius_challenge, sizeof(radius_challenge), req_auth,
					    "other"));
	assert_int_equal(radius_parse(radius_challenge, sizeof(radius_challenge), &p), 0);
	assert_int_equal(p.code, RADIUS_ACCESS_CHALLENGE);
	assert_int_equal(radius_eap(&p, eap, sizeof(eap)), sizeof(psk_m2));
	assert_memory_equal(eap, psk_m2, sizeof(psk_m2));
	st = radius_find(&p, RADIUS_STATE);
	assert_non_null(st);
	assert_int_equal(st->len, 2);
	assert_int_equal(radius_eap(&p, eap, 10), -EMSGSIZE);
}

static void accept_msk(void **state)
{
	struct radius_pkt p;
	uint8_t msk[RADIUS_MSK_LEN], other[16];

	assert_true(
		radius_verify_response(radius_accept, sizeof(radius_accept), req_auth, "s3cret"));
	assert_int_equal(radius_parse(radius_accept, sizeof(radius_accept), &p), 0);
	assert_int_equal(radius_msk(&p, "s3cret", req_auth, msk), 0);
	assert_memory_equal(msk, radius_msk_expected, sizeof(msk));
	/* another request's authenticator decrypts to garbage: the length byte is wrong */
	memcpy(other, req_auth, 16);
	other[0] ^= 1;
	assert_int_equal(radius_msk(&p, "s3cret", other, msk), -EBADMSG);
	/* a challenge has no keys */
	assert_int_equal(radius_parse(radius_challenge, sizeof(radius_challenge), &p), 0);
	assert_int_equal(radius_msk(&p, "s3cret", req_auth, msk), -ENOENT);
}

static void tampered_and_corrupt(void **state)
{
	uint8_t buf[sizeof(radius_accept)];
	struct radius_pkt p;

	for (size_t i = 0; i < sizeof(buf); i += 5) {
		memcpy(buf, radius_accept, sizeof(buf));
		buf[i] ^= 0x01;
		assert_false(radius_verify_response(buf, sizeof(buf), req_auth, "s3cret"));
	}
	memcpy(buf, radius_accept, sizeof(buf));
	assert_int_equal(radius_parse(buf, 19, &p), -EBADMSG);
	buf[3]++; /* Length past the datagram */
	assert_int_equal(radius_parse(buf, sizeof(buf), &p), -EBADMSG);
	memcpy(buf, radius_accept, sizeof(buf));
	buf[21] = 1; /* an attribute shorter than its own header */
	assert_int_equal(radius_parse(buf, sizeof(buf), &p), -EBADMSG);
	buf[21] = 255; /* one that runs past Length */
	assert_int_equal(radius_parse(buf, sizeof(buf), &p), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request_matches),
		cmocka_unit_test(challenge),
		cmocka_unit_test(accept_msk),
		cmocka_unit_test(tampered_and_corrupt),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
