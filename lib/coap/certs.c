/*
 * certs — X.509 certificates for lwm2md and rdd (libcoap PKI, OpenSSL
 * inspection).
 */
#define LOG_COMPONENT "tls"
#include "certs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "common/log.h"

/* libcoap calls this for each certificate of the chain it has verified. */
static int on_cn(const char *cn, const uint8_t *der, size_t der_len, coap_session_t *s,
		 unsigned depth, int validated, void *arg)
{
	if (depth == 0)
		log_debug("client certificate cn=%s validated=%d", cn ? cn : "?", validated);
	return validated;
}

/*
 * The files are read here and handed to libcoap as DER: libcoap 4.3.1's
 * PEM file path leaves OpenSSL's "no start line" end-of-file error in the
 * thread's error queue, where a later SSL_accept() finds it and drops a
 * PSK handshake that was going well.
 */
struct certs {
	char *ca_file; /* for certs_trust() */
	uint8_t *ca, *cert, *key;
	int ca_len, cert_len, key_len;
	coap_asn1_privatekey_type_t key_type;
};

void certs_free(struct certs *c)
{
	if (!c)
		return;
	free(c->ca_file);
	OPENSSL_free(c->ca);
	OPENSSL_free(c->cert);
	OPENSSL_clear_free(c->key, c->key_len > 0 ? (size_t)c->key_len : 0);
	free(c);
}

/* The first certificate of PEM file @path as DER; the length, or -1 (logged). */
static int read_cert(const char *what, const char *path, uint8_t **der)
{
	FILE *f = fopen(path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	int n = x ? i2d_X509(x, der) : -1;

	if (f)
		fclose(f);
	X509_free(x);
	if (n <= 0)
		log_warnx("[coaps] %s: no PEM certificate in %s", what, path);
	return n;
}

/* The private key of PEM file @path as DER, and its kind; the length, or -1. */
static int read_key(const char *path, uint8_t **der, coap_asn1_privatekey_type_t *type)
{
	FILE *f = fopen(path, "r");
	EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
	int n = -1;

	if (f)
		fclose(f);
	if (k && EVP_PKEY_base_id(k) == EVP_PKEY_EC)
		*type = COAP_ASN1_PKEY_EC;
	else if (k && EVP_PKEY_base_id(k) == EVP_PKEY_RSA)
		*type = COAP_ASN1_PKEY_RSA;
	else
		k = (EVP_PKEY_free(k), NULL);
	if (k)
		n = i2d_PrivateKey(k, der);
	EVP_PKEY_free(k);
	if (n <= 0)
		log_warnx("[coaps] key_file: no EC or RSA private key in PEM in %s", path);
	return n;
}

/* The PKI setup of @c: verify the peer against the CAs, present our own certificate. */
static void fill_pki(const struct certs *c, coap_dtls_pki_t *pki)
{
	memset(pki, 0, sizeof(*pki));
	pki->version = COAP_DTLS_PKI_SETUP_VERSION;
	pki->verify_peer_cert = 1;
	/* verified against every CA of ca_file (the trust store), not only the first */
	pki->check_common_ca = 0;
	pki->cert_chain_validation = 1;
	pki->cert_chain_verify_depth = 3;
	pki->validate_cn_call_back = on_cn;
	pki->pki_key.key_type = COAP_PKI_KEY_ASN1;
	pki->pki_key.key.asn1.ca_cert = c->ca;
	pki->pki_key.key.asn1.ca_cert_len = (size_t)c->ca_len;
	pki->pki_key.key.asn1.public_cert = c->cert;
	pki->pki_key.key.asn1.public_cert_len = (size_t)c->cert_len;
	pki->pki_key.key.asn1.private_key = c->key;
	pki->pki_key.key.asn1.private_key_len = (size_t)c->key_len;
	pki->pki_key.key.asn1.private_key_type = c->key_type;
}

bool certs_config_valid(const struct certs_config *cfg, char *why, size_t size)
{
	int files = !!cfg->ca_file[0] + !!cfg->cert_file[0] + !!cfg->key_file[0];

	if (files == 0 || files == 3)
		return true;
	snprintf(why, size, "[coaps] ca_file, cert_file and key_file go together");
	return false;
}

int certs_trust(const struct certs *c, coap_context_t *ctx)
{
	int ok = coap_context_set_pki_root_cas(ctx, c->ca_file, NULL);

	/*
	 * OpenSSL leaves an error (the PEM reader's end of file) in the
	 * thread's queue, which would fail the next handshake: cleared.
	 */
	ERR_clear_error();
	if (!ok) {
		log_warnx("[coaps] ca_file %s: its CAs could not be loaded as trust anchors",
			  c->ca_file);
		return -EIO;
	}
	return 0;
}

int certs_setup(coap_context_t *ctx, const struct certs_config *cfg, struct certs **out)
{
	struct certs *c;
	coap_dtls_pki_t pki;
	char why[96];

	*out = NULL;
	if (!certs_config_valid(cfg, why, sizeof(why))) {
		log_warnx("%s", why);
		return -EINVAL;
	}
	if (!cfg->ca_file[0])
		return 0; /* certificate mode off */
	if (!coap_dtls_is_supported() && !coap_tls_is_supported())
		return -ENOTSUP;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->ca_file = strdup(cfg->ca_file)))
		abort();
	c->ca_len = read_cert("ca_file", cfg->ca_file, &c->ca);
	c->cert_len = read_cert("cert_file", cfg->cert_file, &c->cert);
	c->key_len = read_key(cfg->key_file, &c->key, &c->key_type);
	ERR_clear_error();
	if (c->ca_len <= 0 || c->cert_len <= 0 || c->key_len <= 0) {
		certs_free(c);
		return -EINVAL;
	}
	fill_pki(c, &pki);
	if (!coap_context_set_pki(ctx, &pki)) {
		log_warnx("certificates refused: ca_file=%s cert_file=%s key_file=%s", cfg->ca_file,
			  cfg->cert_file, cfg->key_file);
		certs_free(c);
		return -EINVAL;
	}
	/* every CA of ca_file is a trust anchor: a bundle (a fleet's old and new CA) works */
	if (certs_trust(c, ctx) < 0) {
		certs_free(c);
		return -EINVAL;
	}
	*out = c;
	return 0;
}

coap_session_t *certs_client_session(const struct certs *c, coap_context_t *ctx,
				     const coap_address_t *dst)
{
	coap_dtls_pki_t pki;
	coap_session_t *s;

	fill_pki(c, &pki);
	s = coap_new_client_session_pki(ctx, NULL, dst, COAP_PROTO_DTLS, &pki);
	ERR_clear_error();
	return s;
}

static bool asn1_is(const ASN1_STRING *a, const char *ep)
{
	size_t n = strlen(ep);

	return a && (size_t)ASN1_STRING_length(a) == n &&
	       memcmp(ASN1_STRING_get0_data(a), ep, n) == 0;
}

static bool names_match(X509 *cert, const char *ep)
{
	X509_NAME *subject = X509_get_subject_name(cert);
	GENERAL_NAMES *sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	bool ok = false;
	int i = -1;

	while (!ok && subject && (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0)
		ok = asn1_is(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)), ep);
	for (int k = 0; !ok && sans && k < sk_GENERAL_NAME_num(sans); k++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, k);

		if (g->type == GEN_DNS || g->type == GEN_URI)
			ok = asn1_is(g->d.ia5, ep);
	}
	GENERAL_NAMES_free(sans);
	return ok;
}

bool certs_peer_names(coap_session_t *s, const char *ep, bool *ok)
{
	coap_tls_library_t lib;
	SSL *ssl = coap_session_get_tls(s, &lib);
	X509 *cert;

	if (!ssl || lib != COAP_TLS_LIBRARY_OPENSSL)
		return false;
	cert = SSL_get1_peer_certificate(ssl);
	if (!cert)
		return false;
	*ok = names_match(cert, ep);
	X509_free(cert);
	return true;
}

bool certs_peer_cn(coap_session_t *s, char *cn, size_t size)
{
	coap_tls_library_t lib;
	SSL *ssl = coap_session_get_tls(s, &lib);
	X509 *cert;
	X509_NAME *subject;
	int i;

	if (!ssl || lib != COAP_TLS_LIBRARY_OPENSSL)
		return false;
	cert = SSL_get1_peer_certificate(ssl);
	if (!cert)
		return false;
	cn[0] = '\0';
	subject = X509_get_subject_name(cert);
	i = subject ? X509_NAME_get_index_by_NID(subject, NID_commonName, -1) : -1;
	if (i >= 0) {
		const ASN1_STRING *a = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
		const unsigned char *data = ASN1_STRING_get0_data(a);
		int n = ASN1_STRING_length(a);

		/* a CN cut short (by a NUL in it, or by @size) could pass for another's */
		if (n > 0 && (size_t)n < size && !memchr(data, 0, (size_t)n)) {
			memcpy(cn, data, (size_t)n);
			cn[n] = '\0';
		}
	}
	X509_free(cert);
	return true;
}
