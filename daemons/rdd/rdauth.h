/*
 * rdauth — who may change what in the Resource Directory (LwM2M CRD-004/
 * CRD-005, RFC 9176 §7): DTLS PSK identities limited to sectors, DTLS
 * client certificates limited to the sectors of [auth]
 * certificate_sectors, bearer tokens from the INI limited to sectors, the
 * binding of a PSK identity or a certificate to its endpoint name, and
 * First-Come-First-Remembered names (rdpolicy).
 *
 * The bearer token travels in a Uri-Query item "auth=TOKEN" (RDAUTH_PARAM)
 * of the request itself: CoAP has no Authorization option, and a query
 * item is what every CoAP client can send (coap-client: append it to the
 * URI).  rdauth_identify() takes it out of the query, so it is never
 * stored as an endpoint attribute nor used as a lookup filter.  Over plain
 * CoAP anybody on the path can read it: give tokens to clients that reach
 * rdd over coaps, or on a network you trust.
 *
 * How a handler uses it (every interface that changes the directory —
 * registration, simple registration, update, removal, and PATCH and group
 * changes too):
 *
 *	struct rdauth_who who;
 *	char why[160];
 *	int code;
 *
 *	if (!rdreq_query(…, &q)) return;
 *	code = rdauth_identify(auth, session, &q, &who);   // strips auth=
 *	if (code == 0)
 *		code = rdauth_check(auth, &who, RDAUTH_PATCH, reg->d, reg->ep, why, sizeof(why));
 *	if (code) { rdreq_error(…, resp, code, "%s", why); return; }   // 4.01 or 4.03
 *	… change the store …
 *	(a new registration: rdauth_registered(auth, &who, d, ep) after storing)
 *
 * For a group (RDAUTH_GROUP) pass the group's sector and name (gp as
 * @ep): the credentials are checked against the sector, and the name
 * against the group names remembered (First-Come-First-Remembered like
 * endpoint names, in a namespace of their own: rdauth_group_registered()
 * after storing, rdauth_group_released() after a removal).  The pub/sub broker does the same with
 * RDAUTH_TOPIC and its sector for every change, and RDAUTH_LOOKUP and its
 * sector for reading and subscribing.
 *
 * Lookups: rdauth_check(RDAUTH_LOOKUP) with d NULL, then
 * rdauth_lookup_scope() for the sectors whose registrations and groups
 * the answer may show; reading one registration or group: RDAUTH_LOOKUP
 * with its sector (4.03 outside the scope).
 */
#ifndef LWGATE_RDD_RDAUTH_H
#define LWGATE_RDD_RDAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coap3/coap.h>

#include "coap/certs.h"
#include "coap/rdquery.h"
#include "common/db.h"
#include "rdcreds.h"
#include "rdpolicy.h"

#define RDAUTH_PARAM "auth" /* the Uri-Query item that carries a bearer token */

/* bytes of a lookup scope: a credential's and a token's sector lists, a comma, a NUL */
#define RDAUTH_SCOPE_MAX (2 * RDCREDS_SECTORS_MAX + 2)

struct rdauth;

struct rdauth_config {
	bool registration_required; /* [auth] registration_required */
	bool lookup_open;           /* [auth] lookup_open */
	/*
	 * [auth] tokens: "TOKEN[:SECTOR,SECTOR…] …", separated by spaces; a
	 * token without sectors may act in any; "-" is the empty sector.
	 */
	const char *tokens;
	/* [auth] certificate_sectors: where a DTLS client certificate may act ("*", NULL: any) */
	const char *certificate_sectors;
	bool bind_psk_identity; /* [policy] bind_psk_identity: over DTLS, ep = PSK identity */
	bool bind_certificate;  /* [policy] bind_certificate: ep = the certificate's CN or a SAN */
	int64_t remember_s;     /* [policy] remember: 0 while registered, < 0 forever */
};

enum rdauth_op {
	RDAUTH_REGISTER, /* registration and simple registration: d and ep of the request */
	RDAUTH_UPDATE,   /* d and ep of the registration */
	RDAUTH_REMOVE,
	RDAUTH_PATCH,
	RDAUTH_GROUP, /* group creation, replacement, removal: d and the group's name (gp) */
	/*
	 * the lookup interfaces (d NULL: rdauth_lookup_scope() then says which
	 * sectors the client sees), and reading one thing of sector d (a
	 * registration, a group, the broker's topics); ep NULL
	 */
	RDAUTH_LOOKUP,
	/*
	 * the pub/sub broker's changes — creating, configuring and deleting a
	 * topic, publishing and deleting its data: d is the broker's sector
	 * ([pubsub] sector), ep NULL; what a registration needs, without names
	 */
	RDAUTH_TOPIC,
};

/* Who sent a request (filled by rdauth_identify()). */
struct rdauth_who {
	/* "psk:ID", "x509:CN", "token:HASH", or "" (anonymous) */
	char identity[RDPOLICY_IDENTITY_MAX];
	char psk[PSKGUARD_IDENTITY_MAX + 1]; /* the DTLS PSK identity, "" otherwise */
	const struct pskstore_cred *cred;    /* its credential (valid during the request) */
	bool certificate;                    /* the DTLS client gave a certificate instead */
	coap_session_t *session;             /* the request's (the certificate's names) */
	/* the sectors of the DTLS credential (PSK or certificate); NULL: none */
	const char *sectors;
	int token;       /* index of the bearer token given, -1: none */
	const char *bad; /* why the credentials presented are refused (4.01), or NULL */
};

struct rdauth_stats {
	uint64_t unauthorized; /* 4.01 */
	uint64_t forbidden;    /* 4.03: sector, identity binding, or remembered name */
	uint64_t remembered_refused;
	size_t credentials;
	long claims;       /* endpoint names remembered */
	long group_claims; /* group names remembered */
};

/*
 * Load the credentials and claims of @db (borrowed) and parse @cfg's
 * tokens.  Returns 0 and *@out, -EINVAL (bad tokens or certificate
 * sectors: logged) or -EIO.
 */
int rdauth_new(struct db *db, const struct rdauth_config *cfg, struct rdauth **out);

/* NULL is fine. */
void rdauth_free(struct rdauth *a);

/* Apply a reloaded config; on -EINVAL (bad tokens or sectors, logged) the old one stays. */
int rdauth_reload(struct rdauth *a, const struct rdauth_config *cfg);

/*
 * Would rdauth_new() take @cfg (its tokens and certificate_sectors)?  False
 * with "[auth] KEY: what" in @why.  rdd's config check asks it too.
 */
bool rdauth_config_valid(const struct rdauth_config *cfg, char *why, size_t size);

/* Check @tokens as [auth] tokens would be; false with a reason in @why. */
bool rdauth_tokens_valid(const char *tokens, char *why, size_t size);

/*
 * Who sent the request on @s with query @q: its PSK identity or
 * certificate, and the bearer token of the auth= item, which is removed
 * from @q.  Returns 0,
 * or 400 when auth= appears more than once or without a value.
 */
int rdauth_identify(struct rdauth *a, coap_session_t *s, struct rdquery *q, struct rdauth_who *who);

/* Remove the auth= items of @q (a query stored for later re-evaluation). */
void rdauth_strip(struct rdquery *q);

/*
 * May @who do @op on (@d, @ep)?  0 when allowed, else the CoAP code to
 * answer (401: no or unknown credentials; 403: authenticated but not for
 * this sector or name) with a diagnostic sentence in @why.  Refusals are
 * counted and logged at debug level.
 */
int rdauth_check(struct rdauth *a, const struct rdauth_who *who, enum rdauth_op op, const char *d,
		 const char *ep, char *why, size_t size);

/*
 * The sectors @who may see in lookups when they are not open: NULL when
 * it sees all (lookups open, or a credential for any sector: "*"), else a
 * list in @buf (RDAUTH_SCOPE_MAX bytes) as rdcreds_sector_in() reads it —
 * the sectors of its DTLS credential and of its bearer token together.
 * Call it after rdauth_check(RDAUTH_LOOKUP) allowed the request.
 */
const char *rdauth_lookup_scope(struct rdauth *a, const struct rdauth_who *who, char *buf,
				size_t size);

/*
 * A registration (or group) of (@d, @ep) by @who was stored: remember its
 * identity.  0 or -EIO (the caller undoes the registration and answers 5.00).
 */
int rdauth_registered(struct rdauth *a, const struct rdauth_who *who, const char *d,
		      const char *ep);

/* The registration of (@d, @ep) ended (removal, expiry; not a replacement). */
void rdauth_released(struct rdauth *a, const char *d, const char *ep);

/*
 * A group (@d, @gp) by @who was stored (created or replaced): remember its
 * identity, as for an endpoint name but in a namespace of its own.  0 or
 * -EIO (the caller undoes the group and answers 5.00).
 */
int rdauth_group_registered(struct rdauth *a, const struct rdauth_who *who, const char *d,
			    const char *gp);

/* The group (@d, @gp) was removed (not replaced). */
void rdauth_group_released(struct rdauth *a, const char *d, const char *gp);

/* The claims on group names (for the control commands). */
struct rdpolicy *rdauth_group_policy(struct rdauth *a);

/* The PSK store (for the control commands and, through pskstore_key, the handshakes). */
struct pskstore *rdauth_creds(struct rdauth *a);

/* The claims (for the control commands). */
struct rdpolicy *rdauth_policy(struct rdauth *a);

void rdauth_get_stats(struct rdauth *a, struct rdauth_stats *out);

#endif
