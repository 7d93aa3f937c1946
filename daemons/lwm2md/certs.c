/*
 * certs — X.509 certificates for lwm2md (libcoap PKI, OpenSSL inspection).
 */
#define LOG_COMPONENT "tls"
#include "certs.h"

#include <errno.h>
#include <string.h>

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

int certs_setup(coap_context_t *ctx, const struct certs_config *cfg)
{
	coap_dtls_pki_t pki;

	if (!coap_dtls_is_supported() && !coap_tls_is_supported())
		return -ENOTSUP;
	memset(&pki, 0, sizeof(pki));
	pki.version = COAP_DTLS_PKI_SETUP_VERSION;
	pki.verify_peer_cert = 1;
	pki.check_common_ca = 1;
	pki.cert_chain_validation = 1;
	pki.cert_chain_verify_depth = 3;
	pki.validate_cn_call_back = on_cn;
	pki.pki_key.key_type = COAP_PKI_KEY_PEM;
	pki.pki_key.key.pem.ca_file = cfg->ca_file;
	pki.pki_key.key.pem.public_cert = cfg->cert_file;
	pki.pki_key.key.pem.private_key = cfg->key_file;
	if (!coap_context_set_pki(ctx, &pki)) {
		log_warnx("certificates refused: ca_file=%s cert_file=%s key_file=%s", cfg->ca_file,
			  cfg->cert_file, cfg->key_file);
		return -EINVAL;
	}
	return 0;
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
