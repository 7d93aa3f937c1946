/*
 * eax — AES-128-EAX from OpenSSL's CMAC and CTR (see eax.h).
 */
#include "pana/eax.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

/* CMAC-AES-128 over @a then @b (either may be empty). */
static int cmac2(const uint8_t *key, const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
		 uint8_t out[16])
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string("cipher", (char *)"AES-128-CBC", 0),
		OSSL_PARAM_construct_end(),
	};
	size_t n = 0;
	int ok = ctx && EVP_MAC_init(ctx, key, EAX_KEY_LEN, params) &&
		 (!a_len || EVP_MAC_update(ctx, a, a_len)) &&
		 (!b_len || EVP_MAC_update(ctx, b, b_len)) && EVP_MAC_final(ctx, out, &n, 16);

	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ok && n == 16 ? 0 : -EIO;
}

int eax_cmac(const uint8_t key[EAX_KEY_LEN], const uint8_t *x, size_t len, uint8_t out[16])
{
	return cmac2(key, x, len, NULL, 0, out);
}

/* OMACt(X) = CMAC(K, [t]_16 | X). */
static int omac(const uint8_t *key, uint8_t t, const uint8_t *x, size_t len, uint8_t out[16])
{
	uint8_t block[16] = { 0 };

	block[15] = t;
	return cmac2(key, block, sizeof(block), x, len, out);
}

static int ctr(const uint8_t *key, const uint8_t iv[16], const uint8_t *in, size_t len,
	       uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, ok;

	if (len > INT32_MAX)
		return -EIO;
	ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key, iv) &&
	     (!len || EVP_EncryptUpdate(ctx, out, &n, in, (int)len));
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

/* N' and N' ^ H' ^ OMAC2(C): what both directions compute. */
static int eax_tag(const struct eax_input *x, const uint8_t *c, size_t len, uint8_t n_[16],
		   uint8_t tag[16])
{
	uint8_t h_[16], c_[16];

	if (omac(x->key, 0, x->nonce, x->nonce_len, n_) < 0 ||
	    omac(x->key, 1, x->header, x->header_len, h_) < 0 || omac(x->key, 2, c, len, c_) < 0)
		return -EIO;
	for (int i = 0; i < 16; i++)
		tag[i] = n_[i] ^ h_[i] ^ c_[i];
	return 0;
}

int eax_encrypt(const struct eax_input *x, const uint8_t *in, size_t len, uint8_t *out,
		uint8_t tag[EAX_TAG_LEN])
{
	uint8_t n_[16];

	if (omac(x->key, 0, x->nonce, x->nonce_len, n_) < 0 || ctr(x->key, n_, in, len, out) < 0)
		return -EIO;
	return eax_tag(x, out, len, n_, tag);
}

int eax_decrypt(const struct eax_input *x, const uint8_t *in, size_t len, uint8_t *out,
		const uint8_t tag[EAX_TAG_LEN])
{
	uint8_t n_[16], want[16];

	if (eax_tag(x, in, len, n_, want) < 0)
		return -EIO;
	if (CRYPTO_memcmp(want, tag, EAX_TAG_LEN) != 0) {
		if (len)
			memset(out, 0, len);
		return -EBADMSG;
	}
	return ctr(x->key, n_, in, len, out);
}
