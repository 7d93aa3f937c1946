/*
 * certs — X.509 certificate mode for the (D)TLS listeners of lwm2md and
 * rdd: the CA, certificate and key files of the INI's [coaps] handed to
 * libcoap, and what a daemon asks of a certificate-authenticated peer:
 * whether a name is one its certificate gives (LwM2M 1.1 TS Transport
 * §5.2.8.3: the Endpoint Client Name is the certificate's subject CN or
 * one of its subjectAltNames; rdd binds endpoint names the same way), and
 * its subject CN as an identity to remember.  rdd is also a DTLS client
 * with the same certificate (a simple registration's fetch).
 */
#ifndef LWGATE_COAP_CERTS_H
#define LWGATE_COAP_CERTS_H

#include <stdbool.h>
#include <stddef.h>

#include <coap3/coap.h>

/* The [coaps] keys of the INI; never NULL, "" when not given. */
struct certs_config {
	const char *ca_file;   /* PEM: the CAs peer certificates must chain to */
	const char *cert_file; /* PEM: the daemon's certificate */
	const char *key_file;  /* PEM: the daemon's private key */
};

struct certs;

/*
 * The three files all given or none; false with "[coaps] …" in @why.
 * certs_setup() checks it; a daemon's config check asks it too.
 */
bool certs_config_valid(const struct certs_config *cfg, char *why, size_t size);

/*
 * Give @ctx the certificates of @cfg.  The server then asks DTLS and TLS
 * clients that do not use a PSK for a certificate and verifies it against
 * the CAs of ca_file (each one a trust anchor).  Returns 0 and *@out (to
 * free with certs_free() after the context), or 0 and NULL when the three
 * files are all "" (certificate mode off); -EINVAL when only some are
 * given, or a file is unreadable or refused; -ENOTSUP when libcoap cannot
 * do PKI (logged).
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

/*
 * Did @s authenticate with a certificate?  Then @cn (@size bytes) holds
 * its subject CN, or "" when it has none, or one that does not fit or has
 * a NUL in it (cut short, it could pass for another certificate's).
 */
bool certs_peer_cn(coap_session_t *s, char *cn, size_t size);

/*
 * Make @ctx trust the CAs of @c's ca_file for the servers its client
 * sessions reach.  0 or -EIO (logged).
 */
int certs_trust(const struct certs *c, coap_context_t *ctx);

/*
 * A DTLS client session from @ctx to @dst that presents the certificate of
 * @c and accepts only a server whose certificate chains to a CA that @ctx
 * trusts (certs_trust); NULL when libcoap refuses.  The session is the
 * caller's (as coap_new_client_session_pki() makes it).  @ctx must serve
 * no PSKs: libcoap 4.3.1 then offers only PSK cipher suites, which a
 * server with a certificate refuses.
 */
coap_session_t *certs_client_session(const struct certs *c, coap_context_t *ctx,
				     const coap_address_t *dst);

#endif
