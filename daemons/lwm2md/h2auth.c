/*
 * h2auth — HTTP/2 devices' credentials (see h2auth.h).
 */
#define LOG_COMPONENT "lwm2md"
#include "h2auth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "coap/pskguard.h"
#include "common/log.h"
#include "vpeer.h"

#define MAX_TOKENS 256

struct token {
	char *ep, *secret;
};

struct h2auth {
	const struct pskstore *creds;
	struct token tokens[MAX_TOKENS];
	size_t n_tokens;
};

/* One name of a certificate, NUL-free and short enough to be an endpoint. */
struct name {
	char s[VPEER_IDENTITY_MAX];
};

/* Constant-time equality of two strings (a token guess learns nothing from timing). */
static bool same_secret(const char *a, const char *b, size_t blen)
{
	return strlen(a) == blen && CRYPTO_memcmp(a, b, blen) == 0;
}

/* "ep=token" items separated by blanks or commas into a->tokens. */
static int parse_tokens(struct h2auth *a, const char *spec)
{
	const char *p = spec ? spec : "";

	while (*p) {
		size_t len = strcspn(p, " \t,");
		if (len) {
			const char *eq = memchr(p, '=', len);
			if (!eq || eq == p || eq == p + len - 1 || a->n_tokens == MAX_TOKENS ||
			    (size_t)(eq - p) >= VPEER_IDENTITY_MAX) {
				log_error("http2 tokens: '%.*s' is not ep=token", (int)len, p);
				return -EINVAL;
			}
			struct token *t = &a->tokens[a->n_tokens++];
			t->ep = strndup(p, (size_t)(eq - p));
			t->secret = strndup(eq + 1, (size_t)(p + len - eq - 1));
			if (!t->ep || !t->secret)
				abort();
		}
		p += len;
		p += strspn(p, " \t,");
	}
	return 0;
}

int h2auth_new(const char *tokens, const struct pskstore *creds, struct h2auth **out)
{
	struct h2auth *a = calloc(1, sizeof(*a));

	if (!a)
		abort();
	a->creds = creds;
	if (parse_tokens(a, tokens) < 0) {
		h2auth_free(a);
		return -EINVAL;
	}
	*out = a;
	return 0;
}

void h2auth_free(struct h2auth *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_tokens; i++) {
		free(a->tokens[i].ep);
		free(a->tokens[i].secret);
	}
	free(a);
}

size_t h2auth_tokens(const struct h2auth *a)
{
	return a->n_tokens;
}

/* A PSK credential as a bearer token "identity:hexkey": its bound endpoint, or NULL. */
static const char *cred_endpoint(const struct h2auth *a, const char *tok)
{
	const char *colon = strrchr(tok, ':');
	const struct pskstore_cred *c;
	uint8_t key[PSKGUARD_KEY_MAX];
	size_t hexlen;

	if (!a->creds || !colon || colon == tok)
		return NULL;
	c = pskstore_find(a->creds, (const uint8_t *)tok, (size_t)(colon - tok));
	hexlen = strlen(colon + 1);
	if (!c || hexlen != 2 * c->key_len)
		return NULL;
	for (size_t i = 0; i < c->key_len; i++) {
		char b[3] = { colon[1 + 2 * i], colon[2 + 2 * i], 0 };
		char *end;
		key[i] = (uint8_t)strtoul(b, &end, 16);
		if (*end)
			return NULL;
	}
	return CRYPTO_memcmp(key, c->key, c->key_len) == 0 ? c->bound : NULL;
}

/* The endpoint of bearer token @auth ("Bearer …"), or NULL. */
static const char *token_endpoint(const struct h2auth *a, const char *auth)
{
	const char *found = NULL;

	if (strncasecmp(auth, "Bearer ", 7) != 0)
		return NULL;
	auth += 7;
	while (*auth == ' ')
		auth++;
	/* every entry is compared, so the time taken does not tell which matched */
	for (size_t i = 0; i < a->n_tokens; i++)
		if (same_secret(auth, a->tokens[i].secret, strlen(a->tokens[i].secret)))
			found = a->tokens[i].ep;
	return found ? found : cred_endpoint(a, auth);
}

/* @s (@len bytes) into @names[*n] when it can be an endpoint: no NUL, not empty, fits. */
static void add_name(struct name *names, size_t *n, const unsigned char *s, int len)
{
	if (*n == H2AUTH_NAMES_MAX || len <= 0 || (size_t)len >= sizeof(names->s) ||
	    memchr(s, 0, (size_t)len))
		return; /* a name cut short or holding a NUL could pass for another's */
	memcpy(names[*n].s, s, (size_t)len);
	names[*n].s[len] = '\0';
	(*n)++;
}

/* The subject CNs, then the DNS and URI subjectAltNames, of @cert; their count. */
static size_t cert_names(X509 *cert, struct name *names)
{
	X509_NAME *subject = X509_get_subject_name(cert);
	GENERAL_NAMES *sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	size_t n = 0;
	int i = -1;

	while (subject && (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0) {
		const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));

		add_name(names, &n, ASN1_STRING_get0_data(s), ASN1_STRING_length(s));
	}
	for (int k = 0; sans && k < sk_GENERAL_NAME_num(sans); k++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, k);

		if (g->type == GEN_DNS || g->type == GEN_URI)
			add_name(names, &n, ASN1_STRING_get0_data(g->d.ia5),
				 ASN1_STRING_length(g->d.ia5));
	}
	GENERAL_NAMES_free(sans);
	return n;
}

/* Whether the query @q has the item ep=@name (as sent: endpoint names need no escapes). */
static bool query_names(const char *q, const char *name)
{
	size_t len = strlen(name);

	while (q && *q) {
		size_t item = strcspn(q, "&");

		if (item == 3 + len && strncmp(q, "ep=", 3) == 0 && memcmp(q + 3, name, len) == 0)
			return true;
		q += item;
		q += *q == '&';
	}
	return false;
}

/* Which of the certificate's names @ex's request stands for (see h2auth_endpoint). */
static const char *cert_endpoint(struct http_exchange *ex, h2auth_known_fn known, void *arg,
				 struct name *names)
{
	X509 *cert = http_exchange_peer_cert(ex);
	const char *query = http_exchange_request(ex)->query;
	size_t n = cert ? cert_names(cert, names) : 0;

	for (size_t i = 0; i < n; i++)
		if (query_names(query, names[i].s))
			return names[i].s;
	for (size_t i = 0; i < n; i++)
		if (known && known(arg, names[i].s))
			return names[i].s;
	return n ? names[0].s : NULL;
}

int h2auth_endpoint(const struct h2auth *a, struct http_exchange *ex, h2auth_known_fn known,
		    void *arg, char *ep, size_t size)
{
	const char *auth = http_request_header(http_exchange_request(ex), "authorization");
	struct name *names = NULL;
	const char *found;

	if (auth) {
		found = token_endpoint(a, auth);
	} else {
		names = calloc(H2AUTH_NAMES_MAX, sizeof(*names));
		if (!names)
			abort();
		found = cert_endpoint(ex, known, arg, names);
	}
	if (found && strlen(found) < size)
		snprintf(ep, size, "%s", found);
	else
		found = NULL;
	free(names);
	return found ? 0 : -EACCES;
}
