/*
 * rdlookup — the lookup interface of RFC 9176 §6 over an rdstore:
 * filtering, paging and the link-format of the results.
 *
 * Filters: every query item but page and count is a filter, and all must
 * match.  A resource link matches a filter when one of its own attributes
 * does or, failing that, one of its registration's attributes (ep, d, base,
 * lt, et and the others); "href" is matched against the link's target as
 * registered and as resolved.  An endpoint matches a filter when one of its
 * registration attributes does, or one of its links does; "href" is
 * matched against its registration resource ("/reg/…"); "gp" matches the
 * names of the groups (rdgroup) the registration is a member of.  Values ending in
 * "*" are prefixes; rt, if and rel match on any of their space-separated
 * values (see coap/rdquery.h).
 *
 * Results: endpoint lookups give one link per registration, to its
 * registration resource, with the registration attributes; resource
 * lookups give each matching link with its target resolved against the
 * registration's base and an anchor (its own, resolved, or the base's
 * origin), as RFC 9176 §6.1 and Appendix C ask.
 */
#ifndef LWGATE_RDD_RDLOOKUP_H
#define LWGATE_RDD_RDLOOKUP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "coap/rdquery.h"
#include "rdstore.h"

#define RDLOOKUP_EP_RT "core.rd-ep" /* the rt of an endpoint lookup's links (RFC 9176 §6.3) */

enum rdlookup_kind {
	RDLOOKUP_EP,
	RDLOOKUP_RES,
};

/* One result: a registration, and for resource lookups the index of its link. */
typedef void (*rdlookup_fn)(const struct rdreg *reg, size_t link, void *ctx);

/*
 * The page window of @q (see rdquery_page()): 0, or -EINVAL with a
 * sentence in @why (page or count not a number, page without count).
 */
int rdlookup_page(const struct rdquery *q, uint64_t *skip, uint64_t *count, char *why,
		  size_t why_len);

/*
 * Call @fn for the results of @q in registration order, on the page that
 * page/count select.  @scope (NULL: every sector) is the list of sectors
 * the client may see, as rdcreds_sector_in() reads it: registrations of
 * other sectors are left out as if they were not there (before paging).
 * Returns the number of results passed to @fn, or -EINVAL with a sentence
 * in @why for a bad page or count.
 */
long rdlookup_each(const struct rdstore *s, enum rdlookup_kind kind, const struct rdquery *q,
		   const char *scope, rdlookup_fn fn, void *ctx, char *why, size_t why_len);

/* Write the result link for @reg (and link @link for RDLOOKUP_RES) to @out. */
void rdlookup_write(const struct rdreg *reg, enum rdlookup_kind kind, size_t link, FILE *out);

/*
 * The whole answer as link-format text: a malloc'd buffer in *@text (the
 * caller frees) of *@len bytes.  Returns the result count or -EINVAL (@why).
 */
long rdlookup_text(const struct rdstore *s, enum rdlookup_kind kind, const struct rdquery *q,
		   const char *scope, char **text, size_t *len, char *why, size_t why_len);

/*
 * The anchor a resource lookup shows for link @i of @r, malloc'd (the
 * caller frees): its own anchor resolved against the base, or without one
 * the base's origin.  The anchor filter matches this (RFC 9176 §6.2).
 */
char *rdlookup_anchor(const struct rdreg *r, size_t i);

/* The origin ("scheme://authority") of @uri into @buf. */
void rdlookup_origin(const char *uri, char *buf, size_t size);

#endif
