/*
 * certs — X.509 certificate mode for lwm2md's DTLS and TLS listeners: the
 * CA, server certificate and key from the INI handed to libcoap, and the
 * check that a certificate-authenticated client acts only for the
 * endpoint its certificate names (LwM2M 1.1 TS Transport §5.2.8.3: the
 * Endpoint Client Name is the certificate's subject CN or one of its
 * subjectAltNames).
 */
#ifndef LWM2MD_CERTS_H
#define LWM2MD_CERTS_H

#include <stdbool.h>
#include <stddef.h>

#include <coap3/coap.h>

struct certs_config {
	const char *ca_file;   /* PEM: the CA client certificates must chain to */
	const char *cert_file; /* PEM: the server's certificate */
	const char *key_file;  /* PEM: the server's private key */
};

struct certs;

/*
 * Give @ctx the certificates of @cfg (the three files must be set).  The
 * server then asks DTLS and TLS clients that do not use a PSK for a
 * certificate and verifies it against the CAs of ca_file (each one a
 * trust anchor).  Returns 0 and *@out (to free with certs_free() after the
 * context), -ENOTSUP when libcoap cannot do PKI, or -EINVAL when a file
 * is unreadable or refused (logged).
 */
int certs_setup(coap_context_t *ctx, const struct certs_config *cfg, struct certs **out);

/* Free what certs_setup() made; NULL is fine. */
void certs_free(struct certs *c);

/*
 * Did @s authenticate with a certificate?  Then *@ok says whether @ep is
 * its subject CN or one of its DNS/URI subjectAltNames.  False for a PSK,
 * plain or unknown session.
 */
bool certs_peer_names(coap_session_t *s, const char *ep, bool *ok);

#endif
