/*
 * eax — AES-128 in EAX mode (Bellare, Rogaway, Wagner, 2004), the
 * authenticated encryption of EAP-PSK's protected channel (RFC 4764 §3.3).
 * OpenSSL has AES-CTR and CMAC but no EAX; this module composes them:
 *
 *   N' = OMAC0(N), H' = OMAC1(H), C = CTR(N', M), Tag = N' ^ H' ^ OMAC2(C)
 *
 * where OMACt(X) = CMAC-AES-128(K, [t]_16 | X).  The tag is 16 bytes.
 */
#ifndef LWGATE_PANA_EAX_H
#define LWGATE_PANA_EAX_H

#include <stddef.h>
#include <stdint.h>

#define EAX_KEY_LEN 16
#define EAX_TAG_LEN 16

/* Inputs of one EAX operation; every pointer is borrowed and may be NULL when its length is 0. */
struct eax_input {
	const uint8_t *key; /* EAX_KEY_LEN bytes */
	const uint8_t *nonce;
	size_t nonce_len;
	const uint8_t *header;
	size_t header_len;
};

/*
 * Encrypt @len bytes of @in into @out (same size; may be the same buffer)
 * and write the tag.  Returns 0 or -EIO (OpenSSL failed).
 */
int eax_encrypt(const struct eax_input *x, const uint8_t *in, size_t len, uint8_t *out,
		uint8_t tag[EAX_TAG_LEN]);

/*
 * Check @tag and decrypt @len bytes of @in into @out.  Returns 0, -EBADMSG
 * when the tag is wrong (@out is then left zeroed), or -EIO.
 */
int eax_decrypt(const struct eax_input *x, const uint8_t *in, size_t len, uint8_t *out,
		const uint8_t tag[EAX_TAG_LEN]);

/* CMAC-AES-128 (RFC 4493; OMAC1) of @len bytes of @x under @key.  0 or -EIO. */
int eax_cmac(const uint8_t key[EAX_KEY_LEN], const uint8_t *x, size_t len, uint8_t out[16]);

#endif
