/*
 * rdauth — authorization of the Resource Directory's requests (see
 * rdauth.h).
 */
#define LOG_COMPONENT "auth"
#include "rdauth.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/log.h"

#define TOKEN_MAX   256     /* bytes of a bearer token */
#define CERT_PREFIX "x509:" /* a certificate's identity: the prefix, then its CN */

struct token {
	char *secret;
	char *sectors;             /* as rdcreds_sector_in() reads it */
	char identity[6 + 16 + 1]; /* "token:" and 8 bytes of its SHA-256 in hex */
};

struct rdauth {
	struct pskstore *creds;
	struct rdpolicy *policy;       /* endpoint names */
	struct rdpolicy *group_policy; /* group names (/rd-group) */
	bool registration_required, lookup_open, bind_psk_identity, bind_certificate;
	char cert_sectors[RDCREDS_SECTORS_MAX + 1]; /* [auth] certificate_sectors */
	struct token *tokens;
	size_t token_count;
	struct rdauth_stats stats;
};

static void tokens_free(struct token *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		explicit_bzero(t[i].secret, strlen(t[i].secret));
		free(t[i].secret);
		free(t[i].sectors);
	}
	free(t);
}

/* Parse "TOKEN[:SECTORS] …" into a fresh array; -EINVAL with a reason. */
static int tokens_parse(const char *text, struct token **out, size_t *count, char *why, size_t size)
{
	char *copy = strdup(text ? text : ""), *save = NULL;
	struct token *t = NULL;
	size_t n = 0;

	if (!copy)
		abort();
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		char *colon = strchr(w, ':');
		const char *sectors = colon ? colon + 1 : "*";
		unsigned char md[32];
		unsigned mdlen = 0;

		if (colon)
			*colon = '\0';
		if (!*w || strlen(w) > TOKEN_MAX || !rdcreds_sectors_valid(sectors)) {
			snprintf(why, size, "token %zu: TOKEN[:SECTOR,…], 1 to %d bytes", n + 1,
				 TOKEN_MAX);
			tokens_free(t, n);
			free(copy);
			return -EINVAL;
		}
		for (size_t i = 0; i < n; i++)
			if (strcmp(t[i].secret, w) == 0) {
				snprintf(why, size, "token %zu: given twice", n + 1);
				tokens_free(t, n);
				free(copy);
				return -EINVAL;
			}
		t = realloc(t, (n + 1) * sizeof(*t));
		if (!t)
			abort();
		t[n].secret = strdup(w);
		t[n].sectors = strdup(sectors);
		if (!t[n].secret || !t[n].sectors)
			abort();
		/* registrations remember a hash, never the token itself */
		EVP_Digest(w, strlen(w), md, &mdlen, EVP_sha256(), NULL);
		snprintf(t[n].identity, sizeof(t[n].identity), "token:");
		for (size_t k = 0; k < 8; k++)
			snprintf(t[n].identity + 6 + 2 * k, 3, "%02x", md[k]);
		n++;
	}
	explicit_bzero(copy, strlen(text ? text : ""));
	free(copy);
	*out = t;
	*count = n;
	return 0;
}

bool rdauth_tokens_valid(const char *tokens, char *why, size_t size)
{
	struct token *t;
	size_t n;

	if (tokens_parse(tokens, &t, &n, why, size) < 0)
		return false;
	tokens_free(t, n);
	return true;
}

static const char *cert_sectors(const struct rdauth_config *cfg)
{
	return cfg->certificate_sectors ? cfg->certificate_sectors : "*";
}

/* The parts of @cfg that need no parsing; the sector list is checked already. */
static void apply(struct rdauth *a, const struct rdauth_config *cfg)
{
	a->registration_required = cfg->registration_required;
	a->lookup_open = cfg->lookup_open;
	a->bind_psk_identity = cfg->bind_psk_identity;
	a->bind_certificate = cfg->bind_certificate;
	snprintf(a->cert_sectors, sizeof(a->cert_sectors), "%s", cert_sectors(cfg));
}

bool rdauth_config_valid(const struct rdauth_config *cfg, char *why, size_t size)
{
	char text[128];

	if (!rdauth_tokens_valid(cfg->tokens, text, sizeof(text))) {
		snprintf(why, size, "[auth] tokens: %s", text);
		return false;
	}
	if (!rdcreds_sectors_valid(cert_sectors(cfg))) {
		snprintf(why, size,
			 "[auth] certificate_sectors: \"*\" or sector names joined by commas "
			 "(\"-\": no sector), not '%s'",
			 cert_sectors(cfg));
		return false;
	}
	return true;
}

int rdauth_new(struct db *db, const struct rdauth_config *cfg, struct rdauth **out)
{
	struct rdauth *a = calloc(1, sizeof(*a));
	struct rdpolicy_config pc = { .remember_ms =
					      cfg->remember_s < 0 ? -1 : cfg->remember_s * 1000 };
	struct rdpolicy_config gc = { .remember_ms = pc.remember_ms, .names = RDPOLICY_GROUPS };
	char why[256];
	int n;

	if (!a)
		abort();
	if (!rdauth_config_valid(cfg, why, sizeof(why))) {
		log_error("%s", why);
		free(a);
		return -EINVAL;
	}
	apply(a, cfg);
	tokens_parse(cfg->tokens, &a->tokens, &a->token_count, why, sizeof(why)); /* checked */
	a->creds = pskstore_new(db, &rdcreds_schema);
	n = pskstore_load(a->creds);
	if (n < 0 || rdpolicy_new(db, &pc, &a->policy) < 0 ||
	    rdpolicy_new(db, &gc, &a->group_policy) < 0) {
		rdauth_free(a);
		return -EIO;
	}
	log_info("credentials=%d tokens=%zu certificate_sectors=%s registration_required=%s "
		 "lookup_open=%s",
		 n, a->token_count, a->cert_sectors, a->registration_required ? "yes" : "no",
		 a->lookup_open ? "yes" : "no");
	*out = a;
	return 0;
}

void rdauth_free(struct rdauth *a)
{
	if (!a)
		return;
	pskstore_free(a->creds);
	rdpolicy_free(a->policy);
	rdpolicy_free(a->group_policy);
	tokens_free(a->tokens, a->token_count);
	free(a);
}

int rdauth_reload(struct rdauth *a, const struct rdauth_config *cfg)
{
	struct token *t;
	size_t n;
	char why[256];

	if (!rdauth_config_valid(cfg, why, sizeof(why))) {
		log_error("%s (the running configuration stays)", why);
		return -EINVAL;
	}
	tokens_parse(cfg->tokens, &t, &n, why, sizeof(why)); /* checked */
	tokens_free(a->tokens, a->token_count);
	a->tokens = t;
	a->token_count = n;
	apply(a, cfg);
	rdpolicy_set_remember(a->policy, cfg->remember_s < 0 ? -1 : cfg->remember_s * 1000);
	rdpolicy_set_remember(a->group_policy, cfg->remember_s < 0 ? -1 : cfg->remember_s * 1000);
	return 0;
}

static void drop_param(struct rdquery *q, size_t i)
{
	free(q->params[i].name);
	free(q->params[i].value);
	memmove(&q->params[i], &q->params[i + 1], (q->count - i - 1) * sizeof(q->params[0]));
	q->count--;
}

void rdauth_strip(struct rdquery *q)
{
	for (size_t i = q->count; i-- > 0;)
		if (strcmp(q->params[i].name, RDAUTH_PARAM) == 0)
			drop_param(q, i);
}

int rdauth_identify(struct rdauth *a, coap_session_t *s, struct rdquery *q, struct rdauth_who *who)
{
	const struct rdquery_param *p = rdquery_find(q, RDAUTH_PARAM);
	char cn[RDPOLICY_IDENTITY_MAX - sizeof(CERT_PREFIX) + 1];

	memset(who, 0, sizeof(*who));
	who->token = -1;
	if (rdquery_count(q, RDAUTH_PARAM) > 1 || (p && (!p->value || !p->value_len || p->prefix)))
		return 400;
	who->session = s;
	if (pskguard_identity(s, who->psk, sizeof(who->psk))) {
		who->cred = pskstore_find(a->creds, (const uint8_t *)who->psk, strlen(who->psk));
		if (who->cred) {
			snprintf(who->identity, sizeof(who->identity), "psk:%s", who->psk);
			who->sectors = who->cred->bound;
		} else {
			who->bad = "the PSK identity of this DTLS session was withdrawn";
		}
	} else if (s && certs_peer_cn(s, cn, sizeof(cn))) {
		/* libcoap let the handshake finish: the certificate chains to a CA of ca_file */
		who->certificate = true;
		if (cn[0]) {
			snprintf(who->identity, sizeof(who->identity), "%s%s", CERT_PREFIX, cn);
			who->sectors = a->cert_sectors;
		} else {
			who->bad = "the client certificate has no usable subject CN";
		}
	}
	if (p) {
		for (size_t i = 0; i < a->token_count; i++)
			if (strlen(a->tokens[i].secret) == p->value_len &&
			    CRYPTO_memcmp(a->tokens[i].secret, p->value, p->value_len) == 0)
				who->token = (int)i;
		if (who->token < 0)
			who->bad = "the bearer token (auth=) is not known";
		else if (!who->identity[0])
			snprintf(who->identity, sizeof(who->identity), "%s",
				 a->tokens[who->token].identity);
		rdauth_strip(q);
	}
	return 0;
}

static int refuse(struct rdauth *a, int code, char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int refuse(struct rdauth *a, int code, char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	if (code == 401)
		a->stats.unauthorized++;
	else
		a->stats.forbidden++;
	log_debug("refused %d.%02d: %s", code / 100, code % 100, why);
	return code;
}

/* Is @ep the CN or a subjectAltName of @who's certificate? */
static bool certificate_names(const struct rdauth_who *who, const char *ep)
{
	bool named = false;

	return who->session && certs_peer_names(who->session, ep, &named) && named;
}

int rdauth_check(struct rdauth *a, const struct rdauth_who *who, enum rdauth_op op, const char *d,
		 const char *ep, char *why, size_t size)
{
	bool authenticated = who->sectors || who->token >= 0;
	char scope[RDAUTH_SCOPE_MAX];

	if (who->bad)
		return refuse(a, 401, why, size, "%s", who->bad);
	if (op == RDAUTH_LOOKUP) {
		if (a->lookup_open)
			return 0;
		if (!authenticated)
			return refuse(
				a, 401, why, size,
				"lookups need coaps (a PSK or a certificate) or a bearer token "
				"(auth=TOKEN)");
		if (d) {
			const char *seen = rdauth_lookup_scope(a, who, scope, sizeof(scope));

			if (seen && !rdcreds_sector_in(seen, d))
				return refuse(a, 403, why, size,
					      "these credentials may not look up sector d='%s'", d);
		}
		return 0;
	}
	d = d ? d : "";
	if (!authenticated && a->registration_required)
		return refuse(
			a, 401, why, size,
			"%s needs coaps (a PSK or a certificate) or a bearer token (auth=TOKEN)",
			op == RDAUTH_TOPIC ? "a change of the broker's topics" : "registration");
	if (authenticated && !(who->sectors && rdcreds_sector_in(who->sectors, d)) &&
	    !(who->token >= 0 && rdcreds_sector_in(a->tokens[who->token].sectors, d)))
		return refuse(a, 403, why, size, "these credentials may not act in sector d='%s'",
			      d);
	if (op == RDAUTH_TOPIC || !ep)
		return 0;
	if (op == RDAUTH_GROUP) {
		if (rdpolicy_allows(a->group_policy, d, ep, who->identity))
			return 0;
		a->stats.remembered_refused++;
		return refuse(a, 403, why, size,
			      "group '%s' (d='%s') is remembered for another registrant", ep, d);
	}
	if (op == RDAUTH_REGISTER && a->bind_psk_identity) {
		if (who->psk[0] && strcmp(who->psk, ep) != 0)
			return refuse(a, 403, why, size,
				      "PSK identity '%s' may register only as ep=%s", who->psk,
				      who->psk);
		if (!who->psk[0] && pskstore_find(a->creds, (const uint8_t *)ep, strlen(ep)))
			return refuse(a, 403, why, size,
				      "ep '%s' has a DTLS credential: register over coaps", ep);
	}
	if (op == RDAUTH_REGISTER && a->bind_certificate && who->certificate &&
	    !certificate_names(who, ep))
		return refuse(a, 403, why, size,
			      "the certificate of CN '%s' may register only as its CN or one of "
			      "its subjectAltNames, not ep=%s",
			      who->identity + strlen(CERT_PREFIX), ep);
	if (!rdpolicy_allows(a->policy, d, ep, who->identity)) {
		a->stats.remembered_refused++;
		return refuse(a, 403, why, size,
			      "ep '%s' (d='%s') is remembered for another registrant", ep, d);
	}
	return 0;
}

const char *rdauth_lookup_scope(struct rdauth *a, const struct rdauth_who *who, char *buf,
				size_t size)
{
	const char *c = who->sectors;
	const char *t = who->token >= 0 ? a->tokens[who->token].sectors : NULL;

	if (a->lookup_open || (c && strcmp(c, "*") == 0) || (t && strcmp(t, "*") == 0))
		return NULL;
	/* both lists are at most RDCREDS_SECTORS_MAX bytes: RDAUTH_SCOPE_MAX holds them */
	snprintf(buf, size, "%s%s%s", c ? c : "", c && t ? "," : "", t ? t : "");
	return buf;
}

int rdauth_registered(struct rdauth *a, const struct rdauth_who *who, const char *d, const char *ep)
{
	return rdpolicy_claim(a->policy, d ? d : "", ep, who->identity);
}

void rdauth_released(struct rdauth *a, const char *d, const char *ep)
{
	rdpolicy_release(a->policy, d ? d : "", ep);
}

int rdauth_group_registered(struct rdauth *a, const struct rdauth_who *who, const char *d,
			    const char *gp)
{
	return rdpolicy_claim(a->group_policy, d ? d : "", gp, who->identity);
}

void rdauth_group_released(struct rdauth *a, const char *d, const char *gp)
{
	rdpolicy_release(a->group_policy, d ? d : "", gp);
}

struct rdpolicy *rdauth_group_policy(struct rdauth *a)
{
	return a->group_policy;
}

struct pskstore *rdauth_creds(struct rdauth *a)
{
	return a->creds;
}

struct rdpolicy *rdauth_policy(struct rdauth *a)
{
	return a->policy;
}

void rdauth_get_stats(struct rdauth *a, struct rdauth_stats *out)
{
	*out = a->stats;
	out->credentials = pskstore_count(a->creds);
	out->claims = rdpolicy_count(a->policy);
	out->group_claims = rdpolicy_count(a->group_policy);
}
