/*
 * Groups of the RD drafts: storage, CoAP interface, lookup (see rdgroup.h).
 */
#define LOG_COMPONENT "group"

#include "rdgroup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "coap/rdquery.h"
#include "common/log.h"
#include "rdlookup.h"
#include "rdreq.h"

#define MAX_NAME 63 /* gp, d and ep, as for registrations */

const char rdgroup_schema[] = "CREATE TABLE rdgroup ("
			      " loc TEXT PRIMARY KEY,"
			      " gp TEXT NOT NULL,"
			      " d TEXT NOT NULL,"
			      " base TEXT NOT NULL,"
			      " members TEXT NOT NULL," /* link-format "<>;ep=…,…" */
			      " UNIQUE (d, gp));";

struct rdgroups {
	struct db *db;
	struct rdstore *store;
	struct rdgroup_list list;
	size_t count;
	struct rdauth *auth;
	rdgroup_change_fn on_change;
	void *ctx;
};

/*
 * Who sent the request (auth= leaves @q): 0, or 400 with the reason in
 * @why (the token given twice or empty).
 */
static int identify(struct rdgroups *gs, coap_session_t *s, struct rdquery *q,
		    struct rdauth_who *who, char *why, size_t why_len)
{
	if (rdauth_identify(gs->auth, s, q, who) == 0)
		return 0;
	snprintf(why, why_len, "give one bearer token: auth=TOKEN");
	return 400;
}

/*
 * May this client do @op (RDAUTH_GROUP: remove; RDAUTH_LOOKUP: read) on
 * group @g (CRD-004/005)?  rdauth decides; auth= leaves @q.  Returns 0,
 * or the CoAP code to answer with (4.00, 4.01, 4.03) and the reason in
 * @why.
 */
static int authorized(struct rdgroups *gs, coap_session_t *s, struct rdquery *q, enum rdauth_op op,
		      const struct rdgroup *g, char *why, size_t why_len)
{
	struct rdauth_who who;
	int rc = identify(gs, s, q, &who, why, why_len);

	if (rc)
		return rc;
	return rdauth_check(gs->auth, &who, op, g->d, op == RDAUTH_GROUP ? g->gp : NULL, why,
			    why_len);
}

static void group_free(struct rdgroup *g)
{
	if (!g)
		return;
	linkformat_fini(&g->members);
	free(g->gp);
	free(g->d);
	free(g->base);
	free(g);
}

/* The sector of member link @l of @g. */
static const char *member_d(const struct rdgroup *g, const struct linkformat_link *l)
{
	const struct linkformat_attr *d = linkformat_find(l, "d");

	return d && d->value ? d->value : g->d;
}

static const char *member_ep(const struct linkformat_link *l)
{
	const struct linkformat_attr *ep = linkformat_find(l, "ep");

	return ep && ep->value ? ep->value : "";
}

static bool has_member(const struct rdgroup *g, const char *d, const char *ep)
{
	for (size_t i = 0; i < g->members.count; i++)
		if (strcmp(member_ep(&g->members.links[i]), ep) == 0 &&
		    strcmp(member_d(g, &g->members.links[i]), d) == 0)
			return true;
	return false;
}

/* rdstore_groups_fn: the groups (of @scope's sectors) registration @r is a member of. */
static size_t groups_of(void *ctx, const struct rdreg *r, const char *scope, const char **names,
			size_t max)
{
	struct rdgroups *gs = ctx;
	struct rdgroup *g;
	size_t n = 0;

	TAILQ_FOREACH(g, &gs->list, order)
	{
		if ((scope && !rdcreds_sector_in(scope, g->d)) || !has_member(g, r->d, r->ep))
			continue;
		if (n < max)
			names[n] = g->gp;
		n++;
	}
	return n;
}

static char *text_of(const struct linkformat *lf)
{
	size_t len;
	char *t;

	linkformat_format(lf->links, lf->count, NULL, 0, &len);
	t = malloc(len + 1);
	if (!t)
		abort();
	linkformat_format(lf->links, lf->count, t, len + 1, &len);
	return t;
}

static void new_loc(char *loc)
{
	uint8_t rnd[8];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		abort(); /* the kernel's random source never fails once booted */
	snprintf(loc, RDGROUP_LOC_MAX, "rd-group/%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1],
		 rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
}

/* Commit @g (replacing @old in the same transaction), then keep it in memory. */
static int group_add(struct rdgroups *gs, struct rdgroup *g, struct rdgroup *old)
{
	char *members = text_of(&g->members);
	int rc;

	db_batch(gs->db);
	rc = db_exec_script(gs->db, "SAVEPOINT rdgroup");
	if (rc >= 0 && old)
		rc = db_exec(gs->db, "DELETE FROM rdgroup WHERE loc = ?", "t", old->loc);
	if (rc >= 0) {
		new_loc(g->loc);
		rc = db_exec(
			gs->db,
			"INSERT INTO rdgroup (loc, gp, d, base, members) VALUES (?, ?, ?, ?, ?)",
			"ttttt", g->loc, g->gp, g->d, g->base, members);
	}
	free(members);
	if (rc < 0) {
		db_exec_script(gs->db, "ROLLBACK TO rdgroup; RELEASE rdgroup");
		return -EIO;
	}
	if (db_exec_script(gs->db, "RELEASE rdgroup") < 0 || db_commit(gs->db) < 0)
		return -EIO;
	if (old) {
		TAILQ_REMOVE(&gs->list, old, order);
		gs->count--;
		if (gs->on_change)
			gs->on_change(old, RDGROUP_REPLACED, gs->ctx);
		group_free(old);
	}
	TAILQ_INSERT_TAIL(&gs->list, g, order);
	gs->count++;
	if (gs->on_change)
		gs->on_change(g, RDGROUP_CREATED, gs->ctx);
	return 0;
}

int rdgroup_remove(struct rdgroups *gs, struct rdgroup *g)
{
	db_batch(gs->db);
	if (db_exec(gs->db, "DELETE FROM rdgroup WHERE loc = ?", "t", g->loc) < 0 ||
	    db_commit(gs->db) < 0)
		return -EIO;
	TAILQ_REMOVE(&gs->list, g, order);
	gs->count--;
	if (gs->on_change)
		gs->on_change(g, RDGROUP_REMOVED, gs->ctx);
	group_free(g);
	return 0;
}

struct rdgroup *rdgroup_find(struct rdgroups *gs, const char *d, const char *gp)
{
	struct rdgroup *g;

	TAILQ_FOREACH(g, &gs->list, order)
	{
		if (strcmp(g->gp, gp) == 0 && strcmp(g->d, d ? d : "") == 0)
			return g;
	}
	return NULL;
}

static struct rdgroup *find_loc(struct rdgroups *gs, const char *loc)
{
	struct rdgroup *g;

	TAILQ_FOREACH(g, &gs->list, order)
	{
		if (strcmp(g->loc, loc) == 0)
			return g;
	}
	return NULL;
}

const struct rdgroup_list *rdgroup_list(const struct rdgroups *gs)
{
	return &gs->list;
}

size_t rdgroup_count(const struct rdgroups *gs)
{
	return gs->count;
}

/* A name parameter (gp, d): a literal value of 1…63 bytes, UTF-8 without control characters. */
static bool valid_name(const struct rdquery_param *p)
{
	return p->value && p->value[0] && !p->prefix && strlen(p->value) <= MAX_NAME &&
	       rdreq_valid_name(p->value);
}

/* The member links: each "<>" with one ep and at most one d, nothing else. */
static bool valid_members(const struct linkformat *lf, char *why, size_t why_len)
{
	for (size_t i = 0; i < lf->count; i++) {
		const struct linkformat_link *l = &lf->links[i];
		size_t eps = 0, ds = 0;

		if (l->target[0]) {
			snprintf(why, why_len, "member %zu: the target must be <>", i + 1);
			return false;
		}
		for (size_t k = 0; k < l->attr_count; k++) {
			const struct linkformat_attr *a = &l->attrs[k];
			bool ep = strcmp(a->name, "ep") == 0, d = strcmp(a->name, "d") == 0;

			if (!ep && !d) {
				snprintf(why, why_len, "member %zu: only ep and d, not %s", i + 1,
					 a->name);
				return false;
			}
			if (!a->value || !a->value[0] || strlen(a->value) > MAX_NAME) {
				snprintf(why, why_len, "member %zu: %s must be 1 to %d bytes",
					 i + 1, a->name, MAX_NAME);
				return false;
			}
			eps += ep;
			ds += d;
		}
		if (eps != 1 || ds > 1) {
			snprintf(why, why_len, "member %zu needs one ep (and at most one d)",
				 i + 1);
			return false;
		}
	}
	return true;
}

/*
 * Check the parameters of a group registration into @g (strings copied).
 * False with the reason in @why.
 */
static bool group_params(const struct rdquery *q, struct rdgroup *g, char *why, size_t why_len)
{
	const struct rdquery_param *gp = rdquery_find(q, "gp"), *d = rdquery_find(q, "d");
	const struct rdquery_param *base = rdquery_find(q, "base"), *con = rdquery_find(q, "con");

	for (size_t i = 0; i < q->count; i++) {
		const char *n = q->params[i].name;

		if (strcmp(n, "gp") != 0 && strcmp(n, "d") != 0 && strcmp(n, "base") != 0 &&
		    strcmp(n, "con") != 0) {
			snprintf(why, why_len, "%s is not a group parameter (gp, d, base, con)", n);
			return false;
		}
		if (rdquery_count(q, n) > 1) {
			snprintf(why, why_len, "%s given twice", n);
			return false;
		}
	}
	if (!gp || !valid_name(gp)) {
		snprintf(why, why_len, "gp (the group name, 1 to %d bytes) is required", MAX_NAME);
		return false;
	}
	if (d && !valid_name(d)) {
		snprintf(why, why_len, "d must be a sector name of 1 to %d bytes", MAX_NAME);
		return false;
	}
	if (base && con) {
		snprintf(why, why_len, "base and con are the same parameter: give one");
		return false;
	}
	base = base ? base : con;
	if (base && (!base->value || base->prefix || !rdreq_valid_base(base->value))) {
		snprintf(why, why_len, "base must be an absolute URI without query or fragment");
		return false;
	}
	g->gp = strdup(gp->value);
	g->d = strdup(d ? d->value : "");
	g->base = strdup(base ? base->value : "");
	if (!g->gp || !g->d || !g->base)
		abort();
	return true;
}

static void publish_location(coap_pdu_t *resp, const struct rdgroup *g)
{
	const char *slash = strchr(g->loc, '/');

	coap_add_option(resp, COAP_OPTION_LOCATION_PATH, (size_t)(slash - g->loc),
			(const uint8_t *)g->loc);
	coap_add_option(resp, COAP_OPTION_LOCATION_PATH, strlen(slash + 1),
			(const uint8_t *)slash + 1);
}

void rdgroup_post(struct rdgroups *gs, struct rdserver_stats *st, struct rdlimit *limit,
		  int64_t now_ms, unsigned max_links, coap_session_t *s, const coap_pdu_t *req,
		  coap_pdu_t *resp)
{
	struct rdgroup *g = calloc(1, sizeof(*g));
	struct linkformat links;
	struct rdauth_who who;
	struct rdquery q;
	char why[160];
	bool present;
	int rc;

	if (!g)
		abort();
	if (!rdreq_query(st, req, resp, &q)) {
		free(g);
		return;
	}
	/* the credentials and the sector first, the name once the parameters are valid */
	rc = identify(gs, s, &q, &who, why, sizeof(why));
	if (rc == 0)
		rc = rdauth_check(gs->auth, &who, RDAUTH_GROUP,
				  rdquery_find(&q, "d") ? rdquery_find(&q, "d")->value : "", NULL,
				  why, sizeof(why));
	if (rc) {
		rdreq_error(st, resp, rc, "%s", why);
	} else if (!group_params(&q, g, why, sizeof(why))) {
		rdreq_error(st, resp, 400, "%s", why);
	} else if ((rc = rdauth_check(gs->auth, &who, RDAUTH_GROUP, g->d, g->gp, why,
				      sizeof(why))) != 0) {
		rdreq_error(st, resp, rc, "%s", why);
	} else if (rdreq_links(st, max_links, req, resp, &links, &present)) {
		struct rdgroup *old = rdgroup_find(gs, g->d, g->gp);
		uint32_t wait;

		if (present && !valid_members(&links, why, sizeof(why))) {
			rdreq_error(st, resp, 400, "%s", why);
			linkformat_fini(&links);
		} else if ((wait = rdlimit_room(limit, gs->count, 0, old ? 0 : 1, 0, now_ms)) !=
			   0) {
			rdreq_unavailable(resp, wait, "the directory holds all the groups it may");
			linkformat_fini(&links);
		} else {
			if (present)
				g->members = links;
			if (group_add(gs, g, old) < 0) {
				rdreq_error(st, resp, 500, "the group could not be stored");
			} else if (rdauth_group_registered(gs->auth, &who, g->d, g->gp) < 0) {
				/* no group without its claim: undone (the claim is released) */
				rdgroup_remove(gs, g);
				g = NULL;
				rdreq_error(st, resp, 500, "the group could not be stored");
			} else {
				coap_pdu_set_code(resp, COAP_RESPONSE_CODE(201));
				publish_location(resp, g);
				g = NULL; /* kept */
			}
		}
	}
	group_free(g);
	rdquery_fini(&q);
}

/* A group filter of /rd-lookup/gp against @g. */
static bool filter_match(const struct rdgroup *g, const struct rdquery_param *f)
{
	char href[RDGROUP_LOC_MAX + 1];

	if (strcmp(f->name, "gp") == 0)
		return rdquery_match(f, g->gp, false);
	if (strcmp(f->name, "d") == 0)
		return g->d[0] && rdquery_match(f, g->d, false);
	if (strcmp(f->name, "base") == 0 || strcmp(f->name, "con") == 0)
		return g->base[0] && rdquery_match(f, g->base, false);
	if (strcmp(f->name, "href") == 0) {
		snprintf(href, sizeof(href), "/%s", g->loc);
		return rdquery_match(f, href, false);
	}
	if (strcmp(f->name, "ep") == 0) {
		for (size_t i = 0; i < g->members.count; i++)
			if (rdquery_match(f, member_ep(&g->members.links[i]), false))
				return true;
		return false;
	}
	return false; /* groups have no other attributes */
}

/* "</rd-group/…>;gp=…[;d=…][;base="…"]" */
static void write_group(const struct rdgroup *g, FILE *out)
{
	struct linkformat_attr attrs[3];
	char target[RDGROUP_LOC_MAX + 1];
	struct linkformat_link l = { target, attrs, 0 };
	char small[512], *big;
	size_t len;

	snprintf(target, sizeof(target), "/%s", g->loc);
	attrs[l.attr_count++] = (struct linkformat_attr){ "gp", g->gp, false };
	if (g->d[0])
		attrs[l.attr_count++] = (struct linkformat_attr){ "d", g->d, false };
	if (g->base[0])
		attrs[l.attr_count++] = (struct linkformat_attr){ "base", g->base, true };
	if (linkformat_format(&l, 1, small, sizeof(small), &len) == 0) {
		fwrite(small, 1, len, out);
		return;
	}
	big = malloc(len + 1);
	if (!big)
		abort();
	linkformat_format(&l, 1, big, len + 1, &len);
	fwrite(big, 1, len, out);
	free(big);
}

long rdgroup_lookup_text(const struct rdgroups *gs, const struct rdquery *q, const char *scope,
			 char **text, size_t *len, char *why, size_t why_len)
{
	uint64_t skip, cnt, seen = 0, out = 0;
	const struct rdgroup *g;
	FILE *f;

	*text = NULL;
	*len = 0;
	if (rdlookup_page(q, &skip, &cnt, why, why_len) < 0)
		return -EINVAL;
	f = open_memstream(text, len);
	if (!f)
		abort();
	TAILQ_FOREACH(g, &gs->list, order)
	{
		bool ok = !scope || rdcreds_sector_in(scope, g->d);

		for (size_t k = 0; ok && k < q->count; k++)
			if (strcmp(q->params[k].name, "page") != 0 &&
			    strcmp(q->params[k].name, "count") != 0)
				ok = filter_match(g, &q->params[k]);
		if (!ok || seen++ < skip)
			continue;
		if (out == cnt)
			break;
		if (out++)
			fputc(',', f);
		write_group(g, f);
	}
	fclose(f);
	return (long)out;
}

bool rdgroup_serve(struct rdgroups *gs, struct rdserver_stats *st, coap_resource_t *res,
		   coap_session_t *s, const coap_pdu_t *req, const coap_string_t *query,
		   coap_pdu_t *resp)
{
	coap_string_t *path = coap_get_uri_path(req);
	char loc[RDGROUP_LOC_MAX], why[160], *text;
	struct rdgroup *g = NULL;
	struct rdquery q;
	int cf, rc;

	if (!path || path->length < 9 || memcmp(path->s, "rd-group/", 9) != 0) {
		coap_delete_string(path);
		return false;
	}
	if (path->length < sizeof(loc)) {
		memcpy(loc, path->s, path->length);
		loc[path->length] = '\0';
		g = find_loc(gs, loc);
	}
	coap_delete_string(path);
	if (!g) {
		rdreq_error(st, resp, 404, "no such group");
		return true;
	}
	switch (coap_pdu_get_code(req)) {
	case COAP_REQUEST_CODE_GET:
		if (!rdreq_accept(st, req, resp, &cf) || !rdreq_query(st, req, resp, &q))
			break;
		rc = authorized(gs, s, &q, RDAUTH_LOOKUP, g, why, sizeof(why));
		rdquery_fini(&q);
		if (rc) {
			rdreq_error(st, resp, rc, "%s", why);
			break;
		}
		text = text_of(&g->members);
		rdreq_reply_links(res, s, req, query, resp, text, strlen(text), cf);
		break;
	case COAP_REQUEST_CODE_DELETE:
		if (!rdreq_query(st, req, resp, &q))
			break;
		rc = authorized(gs, s, &q, RDAUTH_GROUP, g, why, sizeof(why));
		if (rc)
			rdreq_error(st, resp, rc, "%s", why);
		else if (q.count)
			rdreq_error(st, resp, 400, "a removal takes no query");
		else if (rdgroup_remove(gs, g) < 0)
			rdreq_error(st, resp, 500, "the removal could not be stored");
		else
			coap_pdu_set_code(resp, COAP_RESPONSE_CODE(202));
		rdquery_fini(&q);
		break;
	default:
		rdreq_error(st, resp, 405, "a group takes GET and DELETE");
		break;
	}
	return true;
}

static int load(struct rdgroups *gs)
{
	sqlite3_stmt *st =
		db_stmt(gs->db, "SELECT loc, gp, d, base, members FROM rdgroup ORDER BY rowid");
	int rc;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rdgroup *g = calloc(1, sizeof(*g));
		const char *members = (const char *)sqlite3_column_text(st, 4);

		if (!g)
			abort();
		snprintf(g->loc, sizeof(g->loc), "%s", (const char *)sqlite3_column_text(st, 0));
		g->gp = strdup((const char *)sqlite3_column_text(st, 1));
		g->d = strdup((const char *)sqlite3_column_text(st, 2));
		g->base = strdup((const char *)sqlite3_column_text(st, 3));
		if (!g->gp || !g->d || !g->base)
			abort();
		if (linkformat_parse((const uint8_t *)members, strlen(members), &g->members) < 0) {
			log_warnx("skipping unreadable group loc=/%s", g->loc);
			group_free(g);
			continue;
		}
		TAILQ_INSERT_TAIL(&gs->list, g, order);
		gs->count++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int rdgroup_new(struct db *db, struct rdstore *store, struct rdauth *auth,
		rdgroup_change_fn on_change, void *ctx, struct rdgroups **out)
{
	struct rdgroups *gs = calloc(1, sizeof(*gs));

	if (!gs)
		return -ENOMEM;
	gs->db = db;
	gs->store = store;
	gs->auth = auth;
	gs->on_change = on_change;
	gs->ctx = ctx;
	TAILQ_INIT(&gs->list);
	if (load(gs) < 0) {
		log_warnx("cannot load the groups from %s", db_path(db));
		rdgroup_free(gs);
		return -EIO;
	}
	rdstore_set_groups(store, groups_of, gs);
	log_info("loaded groups=%zu", gs->count);
	*out = gs;
	return 0;
}

void rdgroup_free(struct rdgroups *gs)
{
	struct rdgroup *g;

	if (!gs)
		return;
	if (gs->store)
		rdstore_set_groups(gs->store, NULL, NULL);
	while ((g = TAILQ_FIRST(&gs->list))) {
		TAILQ_REMOVE(&gs->list, g, order);
		group_free(g);
	}
	free(gs);
}
