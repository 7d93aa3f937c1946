/*
 * rdpolicy — First-Come-First-Remembered (RFC 9176 §7.5): the RD remembers,
 * for each (sector, endpoint name), the security identity of the registrant
 * that created its registration, and accepts a registration of that name,
 * and any operation on its registration resource, only from that identity.
 *
 * Identities are strings chosen by the caller ("psk:ID", "token:HASH");
 * the empty string is an anonymous registrant, which leaves nothing to
 * remember: like RFC 9176 §7.5's policy with no stored credential, anyone
 * may then take or change the name.
 *
 * RFC 9176 §7.5 ties the claim to the active registration ("an endpoint
 * can not expect to own any particular endpoint name outside of an active
 * registration"): with remember_ms 0 a claim ends with its registration
 * (removal or expiry).  A positive remember_ms keeps it that much longer,
 * a negative one forever, so that a sleepy device cannot lose its name to
 * another identity while its registration has lapsed.
 *
 * Claims live in SQLite (table rd_claims, RDPOLICY_SCHEMA; group names —
 * "ep" is then the group's name gp — in rd_group_claims,
 * RDPOLICY_GROUP_SCHEMA); every change is committed before the call
 * returns.
 */
#ifndef LWGATE_RDD_RDPOLICY_H
#define LWGATE_RDD_RDPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/db.h"

#define RDPOLICY_SCHEMA                                               \
	"CREATE TABLE rd_claims (d TEXT NOT NULL, ep TEXT NOT NULL, " \
	"identity TEXT NOT NULL, released INTEGER, PRIMARY KEY (d, ep)) WITHOUT ROWID;"

/* The same for the names of groups (rdgroup's /rd-group), a namespace of their own. */
#define RDPOLICY_GROUP_SCHEMA                                               \
	"CREATE TABLE rd_group_claims (d TEXT NOT NULL, gp TEXT NOT NULL, " \
	"identity TEXT NOT NULL, released INTEGER, PRIMARY KEY (d, gp)) WITHOUT ROWID;"

#define RDPOLICY_IDENTITY_MAX 160 /* bytes of an identity string, with its NUL */

/* Which names a policy remembers (and so which table holds them). */
enum rdpolicy_names {
	RDPOLICY_ENDPOINTS, /* (d, ep) of registrations: rd_claims */
	RDPOLICY_GROUPS,    /* (d, gp) of groups: rd_group_claims */
};

struct rdpolicy;

struct rdpolicy_config {
	/* milliseconds a claim outlives its registration: 0 not at all, < 0 forever */
	int64_t remember_ms;
	int64_t (*now_ms)(void);   /* wall clock; NULL: CLOCK_REALTIME (tests drive time here) */
	enum rdpolicy_names names; /* endpoint names (0, the default) or group names */
};

struct rdpolicy_stats {
	uint64_t refused; /* registrations and operations refused for another identity */
	uint64_t db_errors;
};

/* Claims of @db (borrowed); lapsed ones are purged.  Returns 0 and *@out, or -EIO. */
int rdpolicy_new(struct db *db, const struct rdpolicy_config *cfg, struct rdpolicy **out);

/* NULL is fine. */
void rdpolicy_free(struct rdpolicy *p);

/* Apply a reloaded remember_ms (to claims released before and after). */
void rdpolicy_set_remember(struct rdpolicy *p, int64_t remember_ms);

/*
 * The identity that holds (@d, @ep) now, copied into @buf (@size bytes):
 * true when a claim holds, false when the name is free.
 */
bool rdpolicy_holder(struct rdpolicy *p, const char *d, const char *ep, char *buf, size_t size);

/*
 * May @identity ("" anonymous) register (@d, @ep) or act on its
 * registration?  True when no claim holds or it is @identity's; a refusal
 * is counted.
 */
bool rdpolicy_allows(struct rdpolicy *p, const char *d, const char *ep, const char *identity);

/*
 * A registration of (@d, @ep) by @identity was stored: remember it (an
 * anonymous registration forgets any lapsed claim).  0 or -EIO.
 */
int rdpolicy_claim(struct rdpolicy *p, const char *d, const char *ep, const char *identity);

/* The registration of (@d, @ep) ended (removed, expired): start forgetting.  0 or -EIO. */
int rdpolicy_release(struct rdpolicy *p, const char *d, const char *ep);

/* Drop the claim on (@d, @ep) at once (an operator's command).  0, -ENOENT, -EIO. */
int rdpolicy_forget(struct rdpolicy *p, const char *d, const char *ep);

/* Claims stored (held or lapsed but not yet purged), -EIO on error. */
long rdpolicy_count(struct rdpolicy *p);

void rdpolicy_get_stats(const struct rdpolicy *p, struct rdpolicy_stats *out);

#endif
