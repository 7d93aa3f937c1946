/*
 * pana_auth — PANA_AUTH_KEY and AUTH with OpenSSL (see pana_auth.h).
 */
#include "pana/pana_auth.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "pana/pana_msg.h"

#define SHA1_LEN 20

/* HMAC-SHA1 over up to three pieces; NULL pieces are skipped.  0 or -EIO. */
static int hmac3(const uint8_t *key, size_t key_len, const uint8_t *a, size_t a_len,
		 const uint8_t *b, size_t b_len, const uint8_t *c, size_t c_len,
		 uint8_t out[SHA1_LEN])
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA1", 0),
		OSSL_PARAM_construct_end(),
	};
	size_t n = 0;
	int ok = ctx && EVP_MAC_init(ctx, key, key_len, params) &&
		 (!a || EVP_MAC_update(ctx, a, a_len)) && (!b || EVP_MAC_update(ctx, b, b_len)) &&
		 (!c || EVP_MAC_update(ctx, c, c_len)) && EVP_MAC_final(ctx, out, &n, SHA1_LEN);

	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok && n == SHA1_LEN ? 0 : -EIO;
}

int pana_auth_prf_plus(const uint8_t *key, size_t key_len, const uint8_t *seed, size_t seed_len,
		       uint8_t *out, size_t out_len)
{
	uint8_t t[SHA1_LEN];
	size_t done = 0;

	if (out_len > 255 * SHA1_LEN)
		return -EINVAL;
	for (uint8_t n = 1; done < out_len; n++) {
		size_t take = out_len - done < SHA1_LEN ? out_len - done : SHA1_LEN;
		/* T1 = prf(K, S | 0x01); Tn = prf(K, Tn-1 | S | n) */
		int rc = hmac3(key, key_len, n > 1 ? t : NULL, SHA1_LEN, seed, seed_len, &n, 1, t);

		if (rc < 0)
			return rc;
		memcpy(out + done, t, take);
		done += take;
	}
	OPENSSL_cleanse(t, sizeof(t));
	return 0;
}

int pana_auth_key(const struct pana_auth_input *in, uint8_t out[PANA_AUTH_KEY_LEN])
{
	static const char label[] = "IETF PANA";
	size_t len = strlen(label) + in->i_par_len + in->i_pan_len + in->pac_nonce_len +
		     in->paa_nonce_len + 4;
	uint8_t seed[9 + 2 * PANA_MAX_MSG + 2 * 256 + 4], *p = seed;
	int rc;

	if (in->i_par_len > PANA_MAX_MSG || in->i_pan_len > PANA_MAX_MSG ||
	    in->pac_nonce_len > 256 || in->paa_nonce_len > 256)
		return -EINVAL;
	memcpy(p, label, strlen(label));
	p += strlen(label);
	memcpy(p, in->i_par, in->i_par_len);
	p += in->i_par_len;
	memcpy(p, in->i_pan, in->i_pan_len);
	p += in->i_pan_len;
	memcpy(p, in->pac_nonce, in->pac_nonce_len);
	p += in->pac_nonce_len;
	memcpy(p, in->paa_nonce, in->paa_nonce_len);
	p += in->paa_nonce_len;
	*p++ = (uint8_t)(in->key_id >> 24);
	*p++ = (uint8_t)(in->key_id >> 16);
	*p++ = (uint8_t)(in->key_id >> 8);
	*p++ = (uint8_t)in->key_id;
	rc = pana_auth_prf_plus(in->msk, in->msk_len, seed, len, out, PANA_AUTH_KEY_LEN);
	OPENSSL_cleanse(seed, len);
	return rc;
}

int pana_auth_sign(const uint8_t key[PANA_AUTH_KEY_LEN], uint8_t *buf, size_t len, size_t auth_off)
{
	if (auth_off < PANA_HEADER_LEN || auth_off > len || len - auth_off < PANA_AUTH_LEN)
		return -EINVAL;
	memset(buf + auth_off, 0, PANA_AUTH_LEN);
	return hmac3(key, PANA_AUTH_KEY_LEN, buf, len, NULL, 0, NULL, 0, buf + auth_off);
}

bool pana_auth_verify(const uint8_t key[PANA_AUTH_KEY_LEN], const uint8_t *buf, size_t len,
		      const uint8_t *auth, size_t auth_len)
{
	static const uint8_t zero[PANA_AUTH_LEN];
	uint8_t mac[SHA1_LEN];
	size_t off;

	if (auth_len != PANA_AUTH_LEN || auth < buf || auth > buf + len ||
	    (size_t)(buf + len - auth) < PANA_AUTH_LEN)
		return false;
	off = (size_t)(auth - buf);
	/* the message as signed: everything, with the AUTH value as zeros */
	if (hmac3(key, PANA_AUTH_KEY_LEN, buf, off, zero, PANA_AUTH_LEN, auth + PANA_AUTH_LEN,
		  len - off - PANA_AUTH_LEN, mac) < 0)
		return false;
	return CRYPTO_memcmp(mac, auth, PANA_AUTH_LEN) == 0;
}
