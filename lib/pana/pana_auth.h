/*
 * pana_auth — PANA key derivation and message integrity (RFC 5191 §5.3,
 * with PRF_HMAC_SHA1 and AUTH_HMAC_SHA1_160, the algorithms every
 * implementation must have).
 *
 *   prf+(K, S)     = T1 | T2 | …, Tn = HMAC-SHA1(K, Tn-1 | S | n)  (RFC 7296 §2.13)
 *   PANA_AUTH_KEY  = prf+(MSK, "IETF PANA" | I_PAR | I_PAN | PaC_nonce | PAA_nonce | Key_ID)
 *                    truncated to 20 bytes
 *   AUTH           = HMAC-SHA1(PANA_AUTH_KEY, message with the AUTH value zeroed)
 *
 * I_PAR and I_PAN are the whole first PAR and PAN of the session (the ones
 * with the S flag), Key_ID the 4 bytes of the Key-Id AVP.
 */
#ifndef LWGATE_PANA_AUTH_H
#define LWGATE_PANA_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PANA_AUTH_KEY_LEN 20

/*
 * Write @out_len bytes of prf+(@key, @seed) with HMAC-SHA1 to @out.
 * Returns 0, or -EINVAL past 255 blocks (RFC 7296 limits n to one byte),
 * -EIO when OpenSSL fails.
 */
int pana_auth_prf_plus(const uint8_t *key, size_t key_len, const uint8_t *seed, size_t seed_len,
		       uint8_t *out, size_t out_len);

/* The inputs of PANA_AUTH_KEY; every pointer is borrowed. */
struct pana_auth_input {
	const uint8_t *msk;
	size_t msk_len;
	const uint8_t *i_par, *i_pan;
	size_t i_par_len, i_pan_len;
	const uint8_t *pac_nonce, *paa_nonce; /* PANA_NONCE_LEN bytes each */
	size_t pac_nonce_len, paa_nonce_len;
	uint32_t key_id;
};

/* Derive PANA_AUTH_KEY into @out (PANA_AUTH_KEY_LEN bytes).  0, -EINVAL or -EIO. */
int pana_auth_key(const struct pana_auth_input *in, uint8_t out[PANA_AUTH_KEY_LEN]);

/*
 * Sign the finished message @buf (@len bytes) whose AUTH value (20 zero
 * bytes, see pana_msg_add_auth()) starts at @auth_off: the HMAC is written
 * there.  Returns 0, -EINVAL when the AUTH value does not lie in the
 * message, or -EIO.
 */
int pana_auth_sign(const uint8_t key[PANA_AUTH_KEY_LEN], uint8_t *buf, size_t len, size_t auth_off);

/*
 * True when the received message @buf (@len bytes) carries a correct AUTH
 * value at @auth (a pointer into @buf, PANA_AUTH_LEN bytes, from
 * pana_msg_parse()).  The comparison takes constant time.
 */
bool pana_auth_verify(const uint8_t key[PANA_AUTH_KEY_LEN], const uint8_t *buf, size_t len,
		      const uint8_t *auth, size_t auth_len);

#endif
