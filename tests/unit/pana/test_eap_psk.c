/* eap_psk: both ends against the messages vectors.py computes with PyCryptodome. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pana/eap.h"
#include "pana/eap_psk.h"
#include "vectors.h"

static uint8_t psk[16], rand_s[16], rand_p[16];

static int setup(void **state)
{
	for (int i = 0; i < 16; i++) {
		psk[i] = (uint8_t)i;
		rand_s[i] = (uint8_t)(0x10 + i);
		rand_p[i] = (uint8_t)(0x80 + i);
	}
	return 0;
}

static void keys(void **state)
{
	uint8_t ak[16], kdk[16], tek[16], msk[64], emsk[64];

	assert_int_equal(eap_psk_key_setup(psk, ak, kdk), 0);
	assert_memory_equal(ak, psk_ak, 16);
	assert_memory_equal(kdk, psk_kdk, 16);
	assert_int_equal(eap_psk_derive(kdk, rand_p, tek, msk, emsk), 0);
	assert_memory_equal(tek, psk_tek, 16);
	assert_memory_equal(msk, psk_msk, 64);
	assert_memory_equal(emsk, psk_emsk, 64);
}

static void server_side(void **state)
{
	struct eap_psk s;
	uint8_t out[EAP_PSK_MAX_MSG];

	assert_int_equal(eap_psk_server_start(&s, "paad.lwgate", rand_s, 7, out, sizeof(out)),
			 sizeof(psk_m1));
	assert_memory_equal(out, psk_m1, sizeof(psk_m1));
	assert_int_equal(eap_psk_server_recv2(&s, psk_m2, sizeof(psk_m2)), 0);
	assert_int_equal(s.id_p_len, 6);
	assert_memory_equal(s.id_p, "node-1", 6);
	assert_int_equal(eap_psk_server_send3(&s, psk, out, sizeof(out)), sizeof(psk_m3));
	assert_memory_equal(out, psk_m3, sizeof(psk_m3));
	assert_int_equal(eap_psk_server_recv4(&s, psk_m4, sizeof(psk_m4)), 0);
	assert_int_equal(s.state, EAP_PSK_DONE);
	assert_memory_equal(s.msk, psk_msk, 64);
}

static void peer_side(void **state)
{
	struct eap_psk p;
	uint8_t out[EAP_PSK_MAX_MSG];

	assert_int_equal(eap_psk_peer_init(&p, "node-1", psk), 0);
	assert_int_equal(eap_psk_peer_input(&p, psk_m1, sizeof(psk_m1), rand_p, out, sizeof(out)),
			 sizeof(psk_m2));
	assert_memory_equal(out, psk_m2, sizeof(psk_m2));
	assert_int_equal(eap_psk_peer_input(&p, psk_m3, sizeof(psk_m3), rand_p, out, sizeof(out)),
			 sizeof(psk_m4));
	assert_memory_equal(out, psk_m4, sizeof(psk_m4));
	assert_int_equal(p.state, EAP_PSK_DONE);
	assert_memory_equal(p.msk, psk_msk, 64);
}

static void wrong_key(void **state)
{
	struct eap_psk s, p;
	uint8_t out[EAP_PSK_MAX_MSG], bad[16];

	memcpy(bad, psk, 16);
	bad[0] ^= 1;
	/* the server with another PSK refuses MAC_P */
	eap_psk_server_start(&s, "paad.lwgate", rand_s, 7, out, sizeof(out));
	assert_int_equal(eap_psk_server_recv2(&s, psk_m2, sizeof(psk_m2)), 0);
	assert_int_equal(eap_psk_server_send3(&s, bad, out, sizeof(out)), -EACCES);
	assert_int_equal(s.state, EAP_PSK_FAILED);
	/* the peer with another PSK refuses MAC_S */
	eap_psk_peer_init(&p, "node-1", bad);
	assert_true(eap_psk_peer_input(&p, psk_m1, sizeof(psk_m1), rand_p, out, sizeof(out)) > 0);
	assert_int_equal(eap_psk_peer_input(&p, psk_m3, sizeof(psk_m3), rand_p, out, sizeof(out)),
			 -EACCES);
	assert_int_equal(p.state, EAP_PSK_FAILED);
}

static void tampered(void **state)
{
	struct eap_psk s;
	uint8_t out[EAP_PSK_MAX_MSG], m4[sizeof(psk_m4)], m2[sizeof(psk_m2)];

	eap_psk_server_start(&s, "paad.lwgate", rand_s, 7, out, sizeof(out));
	/* another RAND_S or identifier is not an answer to our message 1 */
	memcpy(m2, psk_m2, sizeof(m2));
	m2[6] ^= 1;
	assert_int_equal(eap_psk_server_recv2(&s, m2, sizeof(m2)), -EBADMSG);
	m2[6] ^= 1;
	m2[1]++;
	assert_int_equal(eap_psk_server_recv2(&s, m2, sizeof(m2)), -EBADMSG);
	assert_int_equal(eap_psk_server_recv2(&s, psk_m2, sizeof(psk_m2)), 0);
	assert_int_equal(eap_psk_server_send3(&s, psk, out, sizeof(out)), sizeof(psk_m3));
	/* a flipped bit in the protected channel's ciphertext fails its tag */
	memcpy(m4, psk_m4, sizeof(m4));
	m4[sizeof(m4) - 1] ^= 0x40;
	assert_int_equal(eap_psk_server_recv4(&s, m4, sizeof(m4)), -EACCES);
	assert_int_equal(s.state, EAP_PSK_FAILED);
}

static void parse_corrupt(void **state)
{
	struct eap_psk_msg m;
	uint8_t buf[sizeof(psk_m2)];

	assert_int_equal(eap_psk_parse(psk_m2, sizeof(psk_m2), &m), 0);
	assert_int_equal(m.t, 1);
	assert_int_equal(m.id_len, 6);
	/* every truncation is refused (Length no longer matches) */
	for (size_t n = 0; n < sizeof(psk_m2); n++)
		assert_int_equal(eap_psk_parse(psk_m2, n, &m), -EBADMSG);
	/* a response with T=0 */
	memcpy(buf, psk_m2, sizeof(buf));
	buf[5] = 0x00;
	assert_int_equal(eap_psk_parse(buf, sizeof(buf), &m), -EBADMSG);
	/* another method */
	buf[5] = 0x40;
	buf[4] = 4;
	assert_int_equal(eap_psk_parse(buf, sizeof(buf), &m), -EBADMSG);
	/* a message 3 whose protected channel is too short */
	assert_int_equal(eap_psk_parse(psk_m3, sizeof(psk_m3), &m), 0);
	memcpy(buf, psk_m3, sizeof(psk_m3) - 1);
	buf[3]--;
	assert_int_equal(eap_psk_parse(buf, sizeof(psk_m3) - 1, &m), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys),      cmocka_unit_test(server_side),
		cmocka_unit_test(peer_side), cmocka_unit_test(wrong_key),
		cmocka_unit_test(tampered),  cmocka_unit_test(parse_corrupt),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
