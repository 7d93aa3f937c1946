/*
 * rdgroup — the group interface of the Resource Directory drafts up to
 * draft-ietf-core-resource-directory-16 (LwM2M CRD-006; an lwgate
 * extension: RFC 9176 dropped it for Appendix A's groups as registrations,
 * which need nothing here).
 *
 *   POST /rd-group?gp=NAME[&d=SECTOR][&base=URI | &con=URI]
 *        payload "<>;ep=node1,<>;ep=node2;d=other" (link-format, or
 *        links-json), one link per member endpoint   → 2.01, Location-Path
 *                                                      rd-group/<16 hex>
 *   GET /rd-group/…      the member links             → 2.05
 *   DELETE /rd-group/…   removal                      → 2.02
 *   GET /rd-lookup/gp    group lookup, filters gp, d, base (con), ep (a
 *                        member), href, page, count:
 *                        "</rd-group/…>;gp=NAME;d=SECTOR;base=\"URI\""
 *   /rd-lookup/ep and /rd-lookup/res take gp=NAME: the member endpoints
 *   and their links (through rdstore_set_groups()).
 *
 * gp and d are at most 63 bytes; base (con, the draft's older name) is
 * the multicast address of the group, an absolute URI.  A member's sector
 * is the group's unless its link has d.  Members need not be registered
 * yet: lookups find the ones that are.  A group lives until it is removed
 * (the drafts give groups no lifetime).  Registering a group name again in
 * the same sector replaces that group, at a new location.  Group names
 * are First-Come-First-Remembered (rdauth: RDAUTH_GROUP with gp, claims in
 * their own table).
 *
 * Every change is committed to the database (table rdgroup) before it is
 * answered and only then applied in memory.
 */
#ifndef LWGATE_RDD_RDGROUP_H
#define LWGATE_RDD_RDGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/queue.h>

#include <coap3/coap.h>

#include "coap/linkformat.h"
#include "coap/rdquery.h"
#include "common/db.h"
#include "rdauth.h"
#include "rdserver.h"
#include "rdstore.h"

#define RDGROUP_LOC_MAX 32 /* "rd-group/" + 16 hex digits + NUL, with room */

struct rdgroup {
	char loc[RDGROUP_LOC_MAX]; /* group resource path, without the leading "/" */
	char *gp;
	char *d;                   /* "" without a sector */
	char *base;                /* "" without a multicast address */
	struct linkformat members; /* "<>;ep=…[;d=…]", one link per member */
	TAILQ_ENTRY(rdgroup) order;
};

TAILQ_HEAD(rdgroup_list, rdgroup);

struct rdgroups;

enum rdgroup_change {
	RDGROUP_CREATED,
	RDGROUP_REMOVED,  /* by DELETE or the control socket */
	RDGROUP_REPLACED, /* a new group took its name */
};

/* Called after each change is committed; for REMOVED and REPLACED @g is freed afterwards. */
typedef void (*rdgroup_change_fn)(const struct rdgroup *g, enum rdgroup_change change, void *ctx);

/* The SQL of the table of groups (for rdd's migration table). */
extern const char rdgroup_schema[];

/*
 * Load the groups of @db, and tell @store's lookups about membership.
 * Group creation and removal are authorized by @auth (borrowed; see
 * rdauth.h: RDAUTH_GROUP, a bearer token as auth=TOKEN).
 * Returns 0 and *@out, or -EIO (logged).
 */
int rdgroup_new(struct db *db, struct rdstore *store, struct rdauth *auth,
		rdgroup_change_fn on_change, void *ctx, struct rdgroups **out);

/* Free everything (the database keeps it); NULL is fine. */
void rdgroup_free(struct rdgroups *gs);

/* The groups in creation order. */
const struct rdgroup_list *rdgroup_list(const struct rdgroups *gs);

/* The group of @gp in sector @d (NULL or "": none), or NULL. */
struct rdgroup *rdgroup_find(struct rdgroups *gs, const char *d, const char *gp);

/* Remove @g (freed).  0 or -EIO (then it stays). */
int rdgroup_remove(struct rdgroups *gs, struct rdgroup *g);

/* How many groups there are. */
size_t rdgroup_count(const struct rdgroups *gs);

/*
 * POST /rd-group: a group registration (answers @resp; errors counted in
 * @st).  @limit caps the number of groups at its max_registrations (a
 * group of the same name and sector replaces it, adding none): 5.03.
 */
void rdgroup_post(struct rdgroups *gs, struct rdserver_stats *st, struct rdlimit *limit,
		  int64_t now_ms, unsigned max_links, coap_session_t *s, const coap_pdu_t *req,
		  coap_pdu_t *resp);

/*
 * The group lookup (GET /rd-lookup/gp, served and observed through
 * rdserver and rdwatch): the groups that match every filter of @q (gp, d,
 * base or con, ep, href; another matches nothing; the auth= item must be
 * gone), on the page that page/count select, as link-format in a malloc'd
 * *@text of *@len bytes (the caller frees).  @scope (NULL: all) is the
 * list of sectors the client may see (rdcreds_sector_in()): groups of
 * other sectors are left out.  Returns the number of groups, or -EINVAL
 * with a sentence in @why for a bad page or count.
 */
long rdgroup_lookup_text(const struct rdgroups *gs, const struct rdquery *q, const char *scope,
			 char **text, size_t *len, char *why, size_t why_len);

/*
 * A request to a path libcoap does not know: when it is a group resource
 * (/rd-group/…), answer it (GET, DELETE; other methods 4.05) and return
 * true; otherwise return false and leave @resp alone.
 */
bool rdgroup_serve(struct rdgroups *gs, struct rdserver_stats *st, coap_resource_t *res,
		   coap_session_t *s, const coap_pdu_t *req, const coap_string_t *query,
		   coap_pdu_t *resp);

#endif
