/*
 * eap_psk — EAP-PSK (RFC 4764) server and peer (see eap_psk.h).
 */
#include "pana/eap_psk.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "pana/eap.h"
#include "pana/eax.h"

#define HDR        6            /* Code, Identifier, Length, Type, Flags */
#define EAX_HDR    22           /* HDR and RAND_S: what the protected channel authenticates */
#define PCH_LEN    (4 + 16 + 1) /* Nonce, Tag, encrypted R/E flags */
#define FLAGS_T(t) ((uint8_t)((t) << 6))

/* One AES-128 block: out = E(key, in). */
static int aes_block(const uint8_t key[16], const uint8_t in[16], uint8_t out[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0;
	int ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, key, NULL) &&
		 EVP_CIPHER_CTX_set_padding(ctx, 0) && EVP_EncryptUpdate(ctx, out, &n, in, 16);

	EVP_CIPHER_CTX_free(ctx);
	return ok && n == 16 ? 0 : -EIO;
}

/* E(key, c XOR counter), the "modified counter mode" of §3.1 and §3.2. */
static int aes_counter(const uint8_t key[16], const uint8_t c[16], uint8_t counter, uint8_t out[16])
{
	uint8_t x[16];

	memcpy(x, c, 16);
	x[15] ^= counter;
	return aes_block(key, x, out);
}

int eap_psk_key_setup(const uint8_t psk[EAP_PSK_PSK_LEN], uint8_t ak[16], uint8_t kdk[16])
{
	static const uint8_t zero[16];
	uint8_t c[16];
	int rc = aes_block(psk, zero, c);

	if (rc == 0)
		rc = aes_counter(psk, c, 1, ak);
	if (rc == 0)
		rc = aes_counter(psk, c, 2, kdk);
	OPENSSL_cleanse(c, sizeof(c));
	return rc;
}

int eap_psk_derive(const uint8_t kdk[16], const uint8_t rand_p[EAP_PSK_RAND_LEN], uint8_t tek[16],
		   uint8_t msk[EAP_PSK_MSK_LEN], uint8_t emsk[EAP_PSK_EMSK_LEN])
{
	uint8_t c[16];
	int rc = aes_block(kdk, rand_p, c);

	if (rc == 0)
		rc = aes_counter(kdk, c, 1, tek);
	for (uint8_t i = 0; rc == 0 && i < 4; i++)
		rc = aes_counter(kdk, c, (uint8_t)(2 + i), msk + 16 * i);
	for (uint8_t i = 0; rc == 0 && i < 4; i++)
		rc = aes_counter(kdk, c, (uint8_t)(6 + i), emsk + 16 * i);
	OPENSSL_cleanse(c, sizeof(c));
	return rc;
}

int eap_psk_parse(const uint8_t *eap, size_t len, struct eap_psk_msg *out)
{
	static const size_t fixed[4] = { 16, 48, 32, 16 }; /* after Flags, by T */
	struct eap_pkt pkt;
	size_t rest;

	if (eap_parse(eap, len, &pkt) < 0 || pkt.type != EAP_TYPE_PSK || pkt.data_len < 1)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->code = pkt.code;
	out->eap_id = pkt.id;
	out->t = pkt.data[0] >> 6;
	if ((out->t & 1) != (pkt.code == EAP_RESPONSE) || pkt.data_len - 1 < fixed[out->t])
		return -EBADMSG;
	out->rand_s = pkt.data + 1;
	rest = pkt.data_len - 1 - fixed[out->t];
	switch (out->t) {
	case 0:
		out->id = pkt.data + 17;
		out->id_len = rest;
		break;
	case 1:
		out->rand_p = pkt.data + 17;
		out->mac = pkt.data + 33;
		out->id = pkt.data + 49;
		out->id_len = rest;
		break;
	case 2:
		out->mac = pkt.data + 17;
		out->pchannel = pkt.data + 33;
		out->pchannel_len = rest;
		break;
	default:
		out->pchannel = pkt.data + 17;
		out->pchannel_len = rest;
		break;
	}
	if (out->id_len > EAP_PSK_MAX_ID)
		return -E2BIG;
	if (out->pchannel && out->pchannel_len < PCH_LEN)
		return -EBADMSG;
	return 0;
}

void eap_psk_clear(struct eap_psk *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}

/* CMAC(AK, a | b | c | d): MAC_P and MAC_S. */
static int mac4(const struct eap_psk *c, const uint8_t *a, size_t al, const uint8_t *b, size_t bl,
		const uint8_t *x, size_t xl, const uint8_t *d, size_t dl, uint8_t out[16])
{
	uint8_t buf[2 * EAP_PSK_MAX_ID + 2 * EAP_PSK_RAND_LEN], *p = buf;

	memcpy(p, a, al);
	p += al;
	memcpy(p, b, bl);
	p += bl;
	if (xl)
		memcpy(p, x, xl);
	p += xl;
	if (dl)
		memcpy(p, d, dl);
	p += dl;
	return eax_cmac(c->ak, buf, (size_t)(p - buf), out);
}

/*
 * Close the protected channel at @msg + @off (PCH_LEN bytes): nonce @nonce,
 * the R flag @r, authenticated with the packet's first 22 bytes.
 */
static int pchannel_seal(const struct eap_psk *c, uint8_t *msg, size_t off, uint32_t nonce,
			 uint8_t r)
{
	uint8_t n[16] = { 0 }, flags = (uint8_t)(r << 6);
	struct eax_input x = { c->tek, n, sizeof(n), msg, EAX_HDR };

	n[12] = (uint8_t)(nonce >> 24);
	n[13] = (uint8_t)(nonce >> 16);
	n[14] = (uint8_t)(nonce >> 8);
	n[15] = (uint8_t)nonce;
	memcpy(msg + off, n + 12, 4);
	return eax_encrypt(&x, &flags, 1, msg + off + 20, msg + off + 4);
}

/* Open the channel of the received @eap; the nonce must be @nonce.  Returns the R flag. */
static int pchannel_open(const struct eap_psk *c, const uint8_t *eap, const struct eap_psk_msg *m,
			 uint32_t nonce)
{
	uint8_t n[16] = { 0 }, plain[EAP_PSK_MAX_MSG];
	size_t len = m->pchannel_len - 20;
	struct eax_input x = { c->tek, n, sizeof(n), eap, EAX_HDR };
	const uint8_t *p = m->pchannel;
	uint32_t got = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];

	if (got != nonce || len > sizeof(plain))
		return -EACCES;
	memcpy(n + 12, p, 4);
	if (eax_decrypt(&x, p + 20, len, plain, p + 4) < 0)
		return -EACCES;
	/* an extension (E flag) is not defined for anything we do: refuse it */
	if (plain[0] & 0x20)
		return -EACCES;
	return plain[0] >> 6;
}

static int set_id(uint8_t *dst, size_t *dst_len, const char *id)
{
	size_t n = strlen(id);

	if (n > EAP_PSK_MAX_ID)
		return -EINVAL;
	memcpy(dst, id, n);
	*dst_len = n;
	return 0;
}

int eap_psk_server_start(struct eap_psk *c, const char *id_s, const uint8_t rand_s[16],
			 uint8_t eap_id, uint8_t *out, size_t size)
{
	size_t len;

	eap_psk_clear(c);
	if (set_id(c->id_s, &c->id_s_len, id_s) < 0)
		return -EINVAL;
	len = HDR + EAP_PSK_RAND_LEN + c->id_s_len;
	if (size < len)
		return -EMSGSIZE;
	memcpy(c->rand_s, rand_s, EAP_PSK_RAND_LEN);
	c->eap_id = eap_id;
	eap_put_header(out, EAP_REQUEST, eap_id, (uint16_t)len);
	out[4] = EAP_TYPE_PSK;
	out[5] = FLAGS_T(0);
	memcpy(out + HDR, rand_s, EAP_PSK_RAND_LEN);
	memcpy(out + HDR + EAP_PSK_RAND_LEN, c->id_s, c->id_s_len);
	c->state = EAP_PSK_SENT_1;
	return (int)len;
}

int eap_psk_server_recv2(struct eap_psk *c, const uint8_t *eap, size_t len)
{
	struct eap_psk_msg m;

	if (c->state != EAP_PSK_SENT_1 || eap_psk_parse(eap, len, &m) < 0 || m.t != 1 ||
	    m.eap_id != c->eap_id || memcmp(m.rand_s, c->rand_s, EAP_PSK_RAND_LEN) != 0)
		return -EBADMSG;
	memcpy(c->rand_p, m.rand_p, EAP_PSK_RAND_LEN);
	memcpy(c->mac_p, m.mac, EAP_PSK_MAC_LEN);
	memcpy(c->id_p, m.id, m.id_len);
	c->id_p_len = m.id_len;
	c->state = EAP_PSK_GOT_2;
	return 0;
}

int eap_psk_server_send3(struct eap_psk *c, const uint8_t psk[EAP_PSK_PSK_LEN], uint8_t *out,
			 size_t size)
{
	size_t len = HDR + EAP_PSK_RAND_LEN + EAP_PSK_MAC_LEN + PCH_LEN;
	uint8_t mac[EAP_PSK_MAC_LEN];
	int rc;

	if (c->state != EAP_PSK_GOT_2)
		return -EINVAL;
	if (size < len)
		return -EMSGSIZE;
	c->state = EAP_PSK_FAILED;
	rc = eap_psk_key_setup(psk, c->ak, c->kdk);
	if (rc == 0)
		rc = mac4(c, c->id_p, c->id_p_len, c->id_s, c->id_s_len, c->rand_s,
			  EAP_PSK_RAND_LEN, c->rand_p, EAP_PSK_RAND_LEN, mac);
	if (rc < 0)
		return rc;
	if (CRYPTO_memcmp(mac, c->mac_p, EAP_PSK_MAC_LEN) != 0)
		return -EACCES;
	c->eap_id++;
	eap_put_header(out, EAP_REQUEST, c->eap_id, (uint16_t)len);
	out[4] = EAP_TYPE_PSK;
	out[5] = FLAGS_T(2);
	memcpy(out + HDR, c->rand_s, EAP_PSK_RAND_LEN);
	rc = mac4(c, c->id_s, c->id_s_len, c->rand_p, EAP_PSK_RAND_LEN, NULL, 0, NULL, 0,
		  out + HDR + EAP_PSK_RAND_LEN);
	if (rc == 0)
		rc = eap_psk_derive(c->kdk, c->rand_p, c->tek, c->msk, c->emsk);
	if (rc == 0)
		rc = pchannel_seal(c, out, HDR + 2 * 16, 0, EAP_PSK_R_DONE_SUCCESS);
	if (rc < 0)
		return rc;
	c->state = EAP_PSK_SENT_3;
	return (int)len;
}

int eap_psk_server_recv4(struct eap_psk *c, const uint8_t *eap, size_t len)
{
	struct eap_psk_msg m;
	int r;

	if (c->state != EAP_PSK_SENT_3 || eap_psk_parse(eap, len, &m) < 0 || m.t != 3 ||
	    m.eap_id != c->eap_id || memcmp(m.rand_s, c->rand_s, EAP_PSK_RAND_LEN) != 0)
		return -EBADMSG;
	r = pchannel_open(c, eap, &m, 1);
	c->state = r == EAP_PSK_R_DONE_SUCCESS ? EAP_PSK_DONE : EAP_PSK_FAILED;
	return c->state == EAP_PSK_DONE ? 0 : -EACCES;
}

int eap_psk_peer_init(struct eap_psk *c, const char *id_p, const uint8_t psk[EAP_PSK_PSK_LEN])
{
	eap_psk_clear(c);
	if (set_id(c->id_p, &c->id_p_len, id_p) < 0)
		return -EINVAL;
	return eap_psk_key_setup(psk, c->ak, c->kdk);
}

static int peer_msg2(struct eap_psk *c, const struct eap_psk_msg *m, const uint8_t rand_p[16],
		     uint8_t *out, size_t size)
{
	size_t len = HDR + 3 * 16 + c->id_p_len;
	int rc;

	if (size < len)
		return -EMSGSIZE;
	memcpy(c->rand_s, m->rand_s, EAP_PSK_RAND_LEN);
	memcpy(c->rand_p, rand_p, EAP_PSK_RAND_LEN);
	memcpy(c->id_s, m->id, m->id_len);
	c->id_s_len = m->id_len;
	c->eap_id = m->eap_id;
	eap_put_header(out, EAP_RESPONSE, m->eap_id, (uint16_t)len);
	out[4] = EAP_TYPE_PSK;
	out[5] = FLAGS_T(1);
	memcpy(out + HDR, c->rand_s, 16);
	memcpy(out + HDR + 16, c->rand_p, 16);
	rc = mac4(c, c->id_p, c->id_p_len, c->id_s, c->id_s_len, c->rand_s, 16, c->rand_p, 16,
		  out + HDR + 32);
	if (rc < 0)
		return rc;
	memcpy(out + HDR + 48, c->id_p, c->id_p_len);
	c->state = EAP_PSK_SENT_2;
	return (int)len;
}

static int peer_msg4(struct eap_psk *c, const uint8_t *eap, const struct eap_psk_msg *m,
		     uint8_t *out, size_t size)
{
	size_t len = HDR + 16 + PCH_LEN;
	uint8_t mac[16];
	int rc;

	if (size < len)
		return -EMSGSIZE;
	if (memcmp(m->rand_s, c->rand_s, 16) != 0)
		return -EBADMSG;
	c->state = EAP_PSK_FAILED;
	rc = mac4(c, c->id_s, c->id_s_len, c->rand_p, 16, NULL, 0, NULL, 0, mac);
	if (rc == 0)
		rc = eap_psk_derive(c->kdk, c->rand_p, c->tek, c->msk, c->emsk);
	if (rc < 0)
		return rc;
	if (CRYPTO_memcmp(mac, m->mac, 16) != 0 ||
	    pchannel_open(c, eap, m, 0) != EAP_PSK_R_DONE_SUCCESS)
		return -EACCES;
	c->eap_id = m->eap_id;
	eap_put_header(out, EAP_RESPONSE, m->eap_id, (uint16_t)len);
	out[4] = EAP_TYPE_PSK;
	out[5] = FLAGS_T(3);
	memcpy(out + HDR, c->rand_s, 16);
	rc = pchannel_seal(c, out, HDR + 16, 1, EAP_PSK_R_DONE_SUCCESS);
	if (rc < 0)
		return rc;
	c->state = EAP_PSK_DONE;
	return (int)len;
}

int eap_psk_peer_input(struct eap_psk *c, const uint8_t *eap, size_t len,
		       const uint8_t rand_p[EAP_PSK_RAND_LEN], uint8_t *out, size_t size)
{
	struct eap_psk_msg m;

	if (eap_psk_parse(eap, len, &m) < 0)
		return -EBADMSG;
	if (m.t == 0 && (c->state == EAP_PSK_IDLE || c->state == EAP_PSK_DONE))
		return peer_msg2(c, &m, rand_p, out, size);
	if (m.t == 2 && c->state == EAP_PSK_SENT_2)
		return peer_msg4(c, eap, &m, out, size);
	return -EBADMSG;
}
