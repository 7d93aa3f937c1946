/*
 * radius — RADIUS codec for EAP pass-through (see radius.h).
 */
#include "pana/radius.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define MD5_LEN      16
#define MS_VENDOR    311
#define MS_MPPE_SEND 16
#define MS_MPPE_RECV 17
#define MPPE_KEY_LEN 32

int radius_parse(const uint8_t *buf, size_t len, struct radius_pkt *out)
{
	size_t off = RADIUS_HDR_LEN;

	if (len < RADIUS_HDR_LEN)
		return -EBADMSG;
	out->code = buf[0];
	out->id = buf[1];
	out->len = (uint16_t)(buf[2] << 8 | buf[3]);
	out->auth = buf + 4;
	out->nattrs = 0;
	if (out->len < RADIUS_HDR_LEN || out->len > RADIUS_MAX_LEN || out->len > len)
		return -EBADMSG;
	while (off < out->len) {
		struct radius_attr *a;

		if (out->len - off < 2 || buf[off + 1] < 2 || buf[off + 1] > out->len - off)
			return -EBADMSG;
		if (out->nattrs == RADIUS_MAX_ATTRS)
			return -E2BIG;
		a = &out->attrs[out->nattrs++];
		a->type = buf[off];
		a->len = (uint8_t)(buf[off + 1] - 2);
		a->value = buf + off + 2;
		off += buf[off + 1];
	}
	return 0;
}

const struct radius_attr *radius_find(const struct radius_pkt *p, uint8_t type)
{
	for (size_t i = 0; i < p->nattrs; i++)
		if (p->attrs[i].type == type)
			return &p->attrs[i];
	return NULL;
}

int radius_eap(const struct radius_pkt *p, uint8_t *out, size_t size)
{
	size_t n = 0;
	bool any = false;

	for (size_t i = 0; i < p->nattrs; i++) {
		if (p->attrs[i].type != RADIUS_EAP_MESSAGE)
			continue;
		if (p->attrs[i].len > size - n)
			return -EMSGSIZE;
		memcpy(out + n, p->attrs[i].value, p->attrs[i].len);
		n += p->attrs[i].len;
		any = true;
	}
	return any ? (int)n : -ENOENT;
}

void radius_begin(struct radius_builder *b, uint8_t id, const uint8_t auth[RADIUS_AUTH_LEN])
{
	b->buf[0] = RADIUS_ACCESS_REQUEST;
	b->buf[1] = id;
	memcpy(b->buf + 4, auth, RADIUS_AUTH_LEN);
	b->len = RADIUS_HDR_LEN;
	b->ma_off = 0;
	b->error = 0;
}

void radius_add(struct radius_builder *b, uint8_t type, const void *value, size_t len)
{
	if (b->error)
		return;
	if (len < 1 || len > 253 || len + 2 > sizeof(b->buf) - b->len) {
		b->error = -EMSGSIZE;
		return;
	}
	b->buf[b->len] = type;
	b->buf[b->len + 1] = (uint8_t)(len + 2);
	memcpy(b->buf + b->len + 2, value, len);
	b->len += len + 2;
}

void radius_add_eap(struct radius_builder *b, const uint8_t *eap, size_t len)
{
	for (size_t off = 0; off < len; off += 253)
		radius_add(b, RADIUS_EAP_MESSAGE, eap + off, len - off < 253 ? len - off : 253);
}

/* MD5 of up to three pieces, or HMAC-MD5 under @key when it is not NULL. */
static int md5ish(const char *key, const uint8_t *a, size_t al, const uint8_t *b, size_t bl,
		  const uint8_t *c, size_t cl, uint8_t out[MD5_LEN])
{
	EVP_MAC *mac = key ? EVP_MAC_fetch(NULL, "HMAC", NULL) : NULL;
	EVP_MAC_CTX *mctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	EVP_MD_CTX *dctx = key ? NULL : EVP_MD_CTX_new();
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string("digest", (char *)"MD5", 0),
		OSSL_PARAM_construct_end(),
	};
	size_t n = 0;
	unsigned dn = 0;
	int ok;

	if (key)
		ok = mctx && EVP_MAC_init(mctx, (const uint8_t *)key, strlen(key), params) &&
		     EVP_MAC_update(mctx, a, al) && (!bl || EVP_MAC_update(mctx, b, bl)) &&
		     (!cl || EVP_MAC_update(mctx, c, cl)) &&
		     EVP_MAC_final(mctx, out, &n, MD5_LEN) && n == MD5_LEN;
	else
		ok = dctx && EVP_DigestInit_ex(dctx, EVP_md5(), NULL) &&
		     EVP_DigestUpdate(dctx, a, al) && (!bl || EVP_DigestUpdate(dctx, b, bl)) &&
		     (!cl || EVP_DigestUpdate(dctx, c, cl)) && EVP_DigestFinal_ex(dctx, out, &dn) &&
		     dn == MD5_LEN;
	EVP_MAC_CTX_free(mctx);
	EVP_MAC_free(mac);
	EVP_MD_CTX_free(dctx);
	return ok ? 0 : -EIO;
}

int radius_end(struct radius_builder *b, const char *secret)
{
	static const uint8_t zero[MD5_LEN];

	radius_add(b, RADIUS_MESSAGE_AUTHENTICATOR, zero, sizeof(zero));
	if (b->error)
		return b->error;
	b->ma_off = b->len - MD5_LEN;
	b->buf[2] = (uint8_t)(b->len >> 8);
	b->buf[3] = (uint8_t)b->len;
	if (md5ish(secret, b->buf, b->len, NULL, 0, NULL, 0, b->buf + b->ma_off) < 0)
		return -EIO;
	return (int)b->len;
}

bool radius_verify_response(const uint8_t *buf, size_t len, const uint8_t req_auth[RADIUS_AUTH_LEN],
			    const char *secret)
{
	uint8_t copy[RADIUS_MAX_LEN], want[MD5_LEN];
	struct radius_pkt p;
	const struct radius_attr *ma;

	if (radius_parse(buf, len, &p) < 0 ||
	    !(ma = radius_find(&p, RADIUS_MESSAGE_AUTHENTICATOR)) || ma->len != MD5_LEN)
		return false;
	/* Response Authenticator = MD5(Code | ID | Length | RequestAuth | Attributes | Secret) */
	memcpy(copy, buf, p.len);
	memcpy(copy + 4, req_auth, RADIUS_AUTH_LEN);
	if (md5ish(NULL, copy, p.len, (const uint8_t *)secret, strlen(secret), NULL, 0, want) < 0 ||
	    CRYPTO_memcmp(want, buf + 4, MD5_LEN) != 0)
		return false;
	/* Message-Authenticator: HMAC-MD5 with the request's authenticator and itself zeroed */
	memset(copy + (ma->value - buf), 0, MD5_LEN);
	if (md5ish(secret, copy, p.len, NULL, 0, NULL, 0, want) < 0)
		return false;
	return CRYPTO_memcmp(want, ma->value, MD5_LEN) == 0;
}

/* One MS-MPPE key: Salt(2) | String; b1 = MD5(S | R | Salt), bi = MD5(S | c(i-1)). */
static int mppe_decrypt(const uint8_t *v, size_t len, const char *secret, const uint8_t *req_auth,
			uint8_t key[MPPE_KEY_LEN])
{
	uint8_t plain[256], b[MD5_LEN];
	const uint8_t *c = v + 2;
	size_t n = len - 2;

	if (len < 2 + MD5_LEN || n % MD5_LEN || n > sizeof(plain))
		return -EBADMSG;
	for (size_t i = 0; i < n; i += MD5_LEN) {
		int rc = i == 0 ? md5ish(NULL, (const uint8_t *)secret, strlen(secret), req_auth,
					 RADIUS_AUTH_LEN, v, 2, b)
				: md5ish(NULL, (const uint8_t *)secret, strlen(secret),
					 c + i - MD5_LEN, MD5_LEN, NULL, 0, b);

		if (rc < 0)
			return rc;
		for (size_t j = 0; j < MD5_LEN; j++)
			plain[i + j] = c[i + j] ^ b[j];
	}
	/* the first byte is the key's length */
	if (plain[0] != MPPE_KEY_LEN || n < 1 + MPPE_KEY_LEN)
		return -EBADMSG;
	memcpy(key, plain + 1, MPPE_KEY_LEN);
	OPENSSL_cleanse(plain, sizeof(plain));
	return 0;
}

int radius_msk(const struct radius_pkt *p, const char *secret,
	       const uint8_t req_auth[RADIUS_AUTH_LEN], uint8_t msk[RADIUS_MSK_LEN])
{
	bool have_recv = false, have_send = false;

	for (size_t i = 0; i < p->nattrs; i++) {
		const struct radius_attr *a = &p->attrs[i];
		const uint8_t *v = a->value;
		uint32_t vendor;
		int rc;

		if (a->type != RADIUS_VENDOR_SPECIFIC || a->len < 6)
			continue;
		vendor = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
		/* Vendor-Type, Vendor-Length (which counts itself and the type) */
		if (vendor != MS_VENDOR || v[5] < 2 || v[5] > a->len - 4 ||
		    (v[4] != MS_MPPE_RECV && v[4] != MS_MPPE_SEND))
			continue;
		rc = mppe_decrypt(v + 6, (size_t)v[5] - 2, secret, req_auth,
				  msk + (v[4] == MS_MPPE_RECV ? 0 : MPPE_KEY_LEN));
		if (rc < 0)
			return rc;
		if (v[4] == MS_MPPE_RECV)
			have_recv = true;
		else
			have_send = true;
	}
	return have_recv && have_send ? 0 : -ENOENT;
}
