/*
 * Registrations: database first, memory second (see rdstore.h).
 */
#define LOG_COMPONENT "store"

#include "rdstore.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "coap/rdquery.h"
#include "common/log.h"

const char rdstore_schema_2[] =
	"CREATE TABLE registration ("
	" loc TEXT PRIMARY KEY,"
	" ep TEXT NOT NULL,"
	" d TEXT NOT NULL,"
	" base TEXT NOT NULL,"
	" base_explicit INTEGER NOT NULL,"
	" lt INTEGER NOT NULL,"
	" expires INTEGER NOT NULL," /* wall clock, ms */
	" attrs TEXT NOT NULL,"      /* link-format "<>;et=…" of the other attributes */
	" links TEXT NOT NULL,"      /* link-format as registered */
	" UNIQUE (d, ep));";

struct rdstore {
	struct event_base *base;
	struct db *db;
	struct rdstore_config cfg;
	struct rdreg_list list;
	struct rdreg **buckets;  /* by endpoint name */
	struct rdreg **lbuckets; /* by location, the same number of buckets */
	size_t nbuckets, count, links;
	uint64_t seq; /* of the last registration attached */
	struct rdstore_stats stats;
	/* how many link attributes carry each name; past RDSTORE_MAX_NAMES: unknown */
	struct {
		char *name;
		size_t uses;
	} names[RDSTORE_MAX_NAMES];
	size_t nnames;
	bool names_overflow;
	rdstore_groups_fn groups_fn; /* group membership, from rdgroup */
	void *groups_ctx;
};

static void count_names(struct rdstore *s, const struct linkformat *lf, bool add)
{
	for (size_t i = 0; i < lf->count; i++) {
		for (size_t k = 0; k < lf->links[i].attr_count; k++) {
			const char *name = lf->links[i].attrs[k].name;
			size_t j = 0;

			while (j < s->nnames && strcmp(s->names[j].name, name) != 0)
				j++;
			if (j == s->nnames) {
				if (!add)
					continue; /* a name that arrived after the table was full */
				if (s->nnames == RDSTORE_MAX_NAMES) {
					s->names_overflow = true;
					continue;
				}
				s->names[j].name = strdup(name);
				if (!s->names[j].name)
					abort();
				s->names[j].uses = 0;
				s->nnames++;
			}
			if (add)
				s->names[j].uses++;
			else if (s->names[j].uses)
				s->names[j].uses--;
		}
	}
}

size_t rdstore_attr_uses(const struct rdstore *s, const char *name)
{
	for (size_t j = 0; j < s->nnames; j++)
		if (strcmp(s->names[j].name, name) == 0)
			return s->names[j].uses;
	return s->names_overflow ? SIZE_MAX : 0;
}

static int64_t realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t rdstore_now(const struct rdstore *s)
{
	return s->cfg.now_ms ? s->cfg.now_ms() : realtime_ms();
}

void rdstore_set_default_lt(struct rdstore *s, uint32_t lt)
{
	s->cfg.default_lt = lt;
}

void rdstore_set_grace(struct rdstore *s, uint32_t grace_s)
{
	s->cfg.grace_s = grace_s;
}

void rdstore_set_groups(struct rdstore *s, rdstore_groups_fn fn, void *ctx)
{
	s->groups_fn = fn;
	s->groups_ctx = ctx;
}

size_t rdstore_groups_of(const struct rdstore *s, const struct rdreg *r, const char *scope,
			 const char **names, size_t max)
{
	return s->groups_fn ? s->groups_fn(s->groups_ctx, r, scope, names, max) : 0;
}

/* Keyed by the endpoint name alone, so a lookup by ep finds every sector's. */
static size_t hash_key(const char *ep)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *ep; ep++)
		h = (h ^ (uint8_t)*ep) * 1099511628211ull;
	return (size_t)h;
}

static size_t loc_key(const char *loc)
{
	return hash_key(loc);
}

static void hash_insert(struct rdstore *s, struct rdreg *r)
{
	size_t i;

	if (s->count + 1 > s->nbuckets) {
		size_t n = s->nbuckets ? s->nbuckets * 2 : 64;
		struct rdreg **b = calloc(n, sizeof(*b)), **lb = calloc(n, sizeof(*lb));

		if (!b || !lb)
			abort();
		for (size_t k = 0; k < s->nbuckets; k++) {
			while (s->buckets[k]) {
				struct rdreg *x = s->buckets[k];

				s->buckets[k] = x->hash_next;
				i = hash_key(x->ep) & (n - 1);
				x->hash_next = b[i];
				b[i] = x;
			}
			while (s->lbuckets[k]) {
				struct rdreg *x = s->lbuckets[k];

				s->lbuckets[k] = x->loc_next;
				i = loc_key(x->loc) & (n - 1);
				x->loc_next = lb[i];
				lb[i] = x;
			}
		}
		free(s->buckets);
		free(s->lbuckets);
		s->buckets = b;
		s->lbuckets = lb;
		s->nbuckets = n;
	}
	i = hash_key(r->ep) & (s->nbuckets - 1);
	r->hash_next = s->buckets[i];
	s->buckets[i] = r;
	i = loc_key(r->loc) & (s->nbuckets - 1);
	r->loc_next = s->lbuckets[i];
	s->lbuckets[i] = r;
}

static void hash_remove(struct rdstore *s, struct rdreg *r)
{
	struct rdreg **p = &s->buckets[hash_key(r->ep) & (s->nbuckets - 1)];

	while (*p && *p != r)
		p = &(*p)->hash_next;
	if (*p)
		*p = r->hash_next;
	p = &s->lbuckets[loc_key(r->loc) & (s->nbuckets - 1)];
	while (*p && *p != r)
		p = &(*p)->loc_next;
	if (*p)
		*p = r->loc_next;
}

struct rdreg *rdstore_find_ep(struct rdstore *s, const char *d, const char *ep)
{
	struct rdreg *r;

	if (!s->nbuckets)
		return NULL;
	d = d ? d : "";
	for (r = s->buckets[hash_key(ep) & (s->nbuckets - 1)]; r; r = r->hash_next)
		if (strcmp(r->ep, ep) == 0 && strcmp(r->d, d) == 0)
			return r;
	return NULL;
}

size_t rdstore_find_all_ep(const struct rdstore *s, const char *ep, const struct rdreg **out,
			   size_t max)
{
	size_t n = 0;

	if (!s->nbuckets)
		return 0;
	for (struct rdreg *r = s->buckets[hash_key(ep) & (s->nbuckets - 1)]; r; r = r->hash_next) {
		if (strcmp(r->ep, ep) != 0)
			continue;
		if (n < max)
			out[n] = r;
		n++;
	}
	return n;
}

struct rdreg *rdstore_find_loc(struct rdstore *s, const char *loc)
{
	struct rdreg *r;

	if (!s->nbuckets)
		return NULL;
	for (r = s->lbuckets[loc_key(loc) & (s->nbuckets - 1)]; r; r = r->loc_next)
		if (strcmp(r->loc, loc) == 0)
			return r;
	return NULL;
}

const struct rdreg_list *rdstore_list(const struct rdstore *s)
{
	return &s->list;
}

void rdstore_get_stats(const struct rdstore *s, struct rdstore_stats *out)
{
	*out = s->stats;
	out->registrations = s->count;
	out->links = s->links;
}

/* Serialise links into a malloc'd string. */
static char *format_links(const struct linkformat_link *links, size_t n)
{
	size_t len;
	char *buf;

	linkformat_format(links, n, NULL, 0, &len);
	buf = malloc(len + 1);
	if (!buf)
		abort();
	linkformat_format(links, n, buf, len + 1, &len);
	return buf;
}

/*
 * The registration attributes as one link "<>;…": @old with the ones
 * named in @add replaced (or added).  Returns the text; *@out is parsed.
 */
static char *merge_attrs(const struct linkformat *old, const struct linkformat_attr *add,
			 size_t nadd, struct linkformat *out)
{
	size_t nold = old && old->count ? old->links[0].attr_count : 0, n = 0;
	struct linkformat_attr *all = calloc(nold + nadd + 1, sizeof(*all));
	struct linkformat_link link = { "", all, 0 };
	char *text;

	if (!all)
		abort();
	for (size_t i = 0; i < nold; i++) {
		const struct linkformat_attr *a = &old->links[0].attrs[i];
		bool replaced = false;

		for (size_t j = 0; j < nadd && !replaced; j++)
			replaced = strcmp(add[j].name, a->name) == 0;
		if (!replaced)
			all[n++] = *a;
	}
	for (size_t j = 0; j < nadd; j++)
		all[n++] = add[j];
	link.attr_count = n;
	text = format_links(&link, 1);
	free(all);
	if (linkformat_parse((const uint8_t *)text, strlen(text), out) < 0)
		abort(); /* we just wrote it: our bug */
	return text;
}

char *rdstore_resolve(const struct rdreg *r, size_t i)
{
	const char *t = r->links.links[i].target;
	size_t size = strlen(r->base) + strlen(t) + 2;
	char *buf = malloc(size);

	if (!buf)
		abort();
	/* the result is at most base + "/" + reference; a base without a scheme keeps t */
	if (linkformat_resolve(r->base, t, buf, size) < 0)
		snprintf(buf, size, "%s", t);
	return buf;
}

static void reg_free(struct rdreg *r)
{
	if (!r)
		return;
	if (r->timer)
		event_free(r->timer);
	linkformat_fini(&r->links);
	linkformat_fini(&r->attrs);
	free(r->ep);
	free(r->d);
	free(r->base);
	free(r);
}

static void on_expiry(evutil_socket_t fd, short what, void *arg);

static void arm(struct rdstore *s, struct rdreg *r)
{
	int64_t left = r->expires_ms - rdstore_now(s);
	struct timeval tv;

	if (left < 0)
		left = 0;
	tv.tv_sec = left / 1000;
	tv.tv_usec = (left % 1000) * 1000;
	if (!r->timer)
		r->timer = evtimer_new(s->base, on_expiry, r);
	if (!r->timer)
		abort();
	evtimer_add(r->timer, &tv);
}

void rdstore_bloom_bits(const char *name, const char *value, size_t len, uint64_t bits[2])
{
	uint32_t h = 2166136261u; /* FNV-1a over name, NUL, value */

	for (const char *c = name;; c++) {
		h = (h ^ (uint8_t)*c) * 16777619u;
		if (!*c)
			break;
	}
	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)value[i]) * 16777619u;
	bits[0] = bits[1] = 0;
	/* two 7-bit positions out of one hash (Kirsch-Mitzenmacher would do; these are enough) */
	for (int k = 0; k < RDSTORE_BLOOM_HASHES; k++, h >>= 7)
		bits[(h >> 6) & 1] |= 1ull << (h & 63);
}

static void bloom_add(struct rdreg *r, const char *name, const char *value, size_t len)
{
	uint64_t bits[2];

	rdstore_bloom_bits(name, value, len, bits);
	r->link_bloom[0] |= bits[0];
	r->link_bloom[1] |= bits[1];
}

/* link_bloom from the links of @r, as rdquery_match() reads them. */
static void index_links(struct rdreg *r)
{
	r->link_bloom[0] = r->link_bloom[1] = 0;
	for (size_t i = 0; i < r->links.count; i++) {
		const struct linkformat_link *l = &r->links.links[i];

		for (size_t k = 0; k < l->attr_count; k++) {
			const char *name = l->attrs[k].name, *v = l->attrs[k].value;

			if (!v)
				continue;
			if (!rdquery_is_multivalue(name)) {
				bloom_add(r, name, v, strlen(v));
				continue;
			}
			for (const char *sp; (sp = strchr(v, ' ')) != NULL; v = sp + 1)
				bloom_add(r, name, v, (size_t)(sp - v));
			bloom_add(r, name, v, strlen(v));
		}
	}
}

static void attach(struct rdstore *s, struct rdreg *r)
{
	r->store = s;
	r->seq = ++s->seq;
	TAILQ_INSERT_TAIL(&s->list, r, order);
	hash_insert(s, r);
	s->count++;
	s->links += r->links.count;
	count_names(s, &r->links, true);
	index_links(r);
	arm(s, r);
}

static void detach(struct rdstore *s, struct rdreg *r, enum rdstore_change why)
{
	TAILQ_REMOVE(&s->list, r, order);
	hash_remove(s, r);
	s->count--;
	s->links -= r->links.count;
	count_names(s, &r->links, false);
	if (s->cfg.on_change)
		s->cfg.on_change(r, why, s->cfg.ctx);
	reg_free(r);
}

/* A savepoint inside the loop's batch, so a failed step undoes only this change. */
static int tx_begin(struct rdstore *s)
{
	db_batch(s->db);
	return db_exec_script(s->db, "SAVEPOINT rd");
}

static int tx_end(struct rdstore *s, int rc)
{
	if (rc < 0) {
		db_exec_script(s->db, "ROLLBACK TO rd; RELEASE rd");
		s->stats.db_errors++;
		return -EIO;
	}
	if (db_exec_script(s->db, "RELEASE rd") < 0 || db_commit(s->db) < 0) {
		s->stats.db_errors++;
		return -EIO;
	}
	return 0;
}

static void new_loc(char *loc)
{
	uint8_t rnd[8];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		abort(); /* the kernel's random source never fails once booted */
	snprintf(loc, RDSTORE_LOC_MAX, "reg/%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1],
		 rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
}

static int db_insert(struct rdstore *s, const struct rdreg *r, const char *attrs, const char *links)
{
	return db_exec(s->db,
		       "INSERT INTO registration (loc, ep, d, base, base_explicit, lt, expires,"
		       " attrs, links) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "ttttiIItt", r->loc, r->ep, r->d, r->base, (int)r->base_explicit,
		       (int64_t)r->lt, r->expires_ms, attrs, links);
}

int rdstore_register(struct rdstore *s, struct rdreg_input *in, struct rdreg **out)
{
	struct rdreg *r = calloc(1, sizeof(*r)), *old;
	char *attrs_text, *links_text;
	int rc;

	if (!r)
		abort();
	r->ep = strdup(in->ep);
	r->d = strdup(in->d ? in->d : "");
	r->base_explicit = in->base != NULL;
	r->base = strdup(in->base ? in->base : in->source);
	if (!r->ep || !r->d || !r->base)
		abort();
	r->lt = in->lt ? in->lt : s->cfg.default_lt;
	r->expires_ms = rdstore_now(s) + (int64_t)r->lt * 1000;
	attrs_text = merge_attrs(NULL, in->attrs, in->attr_count, &r->attrs);
	links_text = in->links ? format_links(in->links->links, in->links->count) : strdup("");
	if (!links_text)
		abort();
	old = rdstore_find_ep(s, r->d, r->ep);
	rc = tx_begin(s);
	if (rc == 0 && old)
		rc = db_exec(s->db, "DELETE FROM registration WHERE loc = ?", "t", old->loc);
	if (rc >= 0) {
		/* RFC 9176 §5.3: the same endpoint and sector keep their registration resource */
		if (old)
			memcpy(r->loc, old->loc, sizeof(r->loc));
		else
			new_loc(r->loc);
		rc = db_insert(s, r, attrs_text, links_text);
		if (rc == -EEXIST && !old) { /* 2^-64 after a location clash: draw again */
			new_loc(r->loc);
			rc = db_insert(s, r, attrs_text, links_text);
		}
	}
	rc = tx_end(s, rc);
	free(attrs_text);
	free(links_text);
	if (rc < 0) {
		reg_free(r);
		return rc;
	}
	if (in->links) {
		r->links = *in->links;
		memset(in->links, 0, sizeof(*in->links));
	}
	if (old) {
		s->stats.replaced++;
		detach(s, old, RDSTORE_REPLACED);
	}
	attach(s, r);
	s->stats.created++;
	if (s->cfg.on_change)
		s->cfg.on_change(r, RDSTORE_CREATED, s->cfg.ctx);
	*out = r;
	return 0;
}

int rdstore_update(struct rdstore *s, struct rdreg *r, struct rdreg_input *in)
{
	const char *base = r->base;
	bool base_explicit = r->base_explicit;
	uint32_t lt = in->lt ? in->lt : r->lt;
	int64_t expires = rdstore_now(s) + (int64_t)lt * 1000;
	struct linkformat attrs = { 0 };
	char *attrs_text = NULL, *links_text = NULL, *new_base;
	int rc;

	if (in->base) {
		base = in->base;
		base_explicit = true;
	} else if (!r->base_explicit && in->source) {
		base = in->source; /* RFC 9176 §5.3.1: an implicit base follows the registrant */
	}
	if (in->attr_count)
		attrs_text = merge_attrs(&r->attrs, in->attrs, in->attr_count, &attrs);
	if (in->links)
		links_text = format_links(in->links->links, in->links->count);
	rc = tx_begin(s);
	if (rc == 0)
		rc = db_exec(s->db,
			     "UPDATE registration SET base = ?, base_explicit = ?, lt = ?,"
			     " expires = ?, attrs = coalesce(?, attrs), links = coalesce(?, links)"
			     " WHERE loc = ?",
			     "tiIIttt", base, (int)base_explicit, (int64_t)lt, expires, attrs_text,
			     links_text, r->loc);
	rc = tx_end(s, rc);
	free(attrs_text);
	free(links_text);
	if (rc < 0) {
		linkformat_fini(&attrs);
		return rc;
	}
	new_base = strdup(base);
	if (!new_base)
		abort();
	free(r->base);
	r->base = new_base;
	r->base_explicit = base_explicit;
	r->lt = lt;
	r->expires_ms = expires;
	if (in->attr_count) {
		linkformat_fini(&r->attrs);
		r->attrs = attrs;
	}
	if (in->links) {
		s->links -= r->links.count;
		count_names(s, &r->links, false);
		linkformat_fini(&r->links);
		r->links = *in->links;
		memset(in->links, 0, sizeof(*in->links));
		s->links += r->links.count;
		count_names(s, &r->links, true);
		index_links(r);
	}
	if (r->lapsed) {
		r->lapsed = false;
		s->stats.revived++;
		log_info("lapsed registration refreshed ep=%s d=%s loc=/%s", r->ep, r->d, r->loc);
	}
	arm(s, r);
	s->stats.updated++;
	if (s->cfg.on_change)
		s->cfg.on_change(r, RDSTORE_UPDATED, s->cfg.ctx);
	return 0;
}

static int remove_as(struct rdstore *s, struct rdreg *r, enum rdstore_change why)
{
	int rc = tx_begin(s);

	if (rc == 0)
		rc = db_exec(s->db, "DELETE FROM registration WHERE loc = ?", "t", r->loc);
	rc = tx_end(s, rc);
	if (rc < 0)
		return rc;
	if (why == RDSTORE_EXPIRED)
		s->stats.expired++;
	else
		s->stats.removed++;
	detach(s, r, why);
	return 0;
}

int rdstore_remove(struct rdstore *s, struct rdreg *r)
{
	return remove_as(s, r, RDSTORE_REMOVED);
}

/*
 * The lifetime of @r ended at @now: out of lookups until the grace period
 * is over too (RFC 9176 §5.3 lets a late update still refresh it).
 */
static void lapse(struct rdstore *s, struct rdreg *r, int64_t now)
{
	int64_t left = r->expires_ms + (int64_t)s->cfg.grace_s * 1000 - now;
	struct timeval tv = { left / 1000, (left % 1000) * 1000 };

	r->lapsed = true;
	s->stats.lapsed++;
	log_info("registration lapsed ep=%s d=%s loc=/%s: an update in %" PRId64 " ms refreshes it",
		 r->ep, r->d, r->loc, left);
	evtimer_add(r->timer, &tv);
	if (s->cfg.on_change)
		s->cfg.on_change(r, RDSTORE_LAPSED, s->cfg.ctx);
}

static void on_expiry(evutil_socket_t fd, short what, void *arg)
{
	struct rdreg *r = arg;
	struct rdstore *s = r->store;
	int64_t now = rdstore_now(s);

	if (r->expires_ms > now) { /* the wall clock was set back: wait more */
		arm(s, r);
		return;
	}
	if (!r->lapsed && r->expires_ms + (int64_t)s->cfg.grace_s * 1000 > now) {
		lapse(s, r, now);
		return;
	}
	log_info("registration expired ep=%s d=%s loc=/%s", r->ep, r->d, r->loc);
	if (remove_as(s, r, RDSTORE_EXPIRED) < 0) {
		struct timeval retry = { 1, 0 };

		evtimer_add(r->timer, &retry);
	}
}

static int load(struct rdstore *s)
{
	sqlite3_stmt *st = db_stmt(s->db, "SELECT loc, ep, d, base, base_explicit, lt, expires,"
					  " attrs, links FROM registration ORDER BY rowid");
	int rc;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rdreg *r = calloc(1, sizeof(*r));
		const char *attrs = (const char *)sqlite3_column_text(st, 7);
		const char *links = (const char *)sqlite3_column_text(st, 8);

		if (!r)
			abort();
		snprintf(r->loc, sizeof(r->loc), "%s", (const char *)sqlite3_column_text(st, 0));
		r->ep = strdup((const char *)sqlite3_column_text(st, 1));
		r->d = strdup((const char *)sqlite3_column_text(st, 2));
		r->base = strdup((const char *)sqlite3_column_text(st, 3));
		if (!r->ep || !r->d || !r->base)
			abort();
		r->base_explicit = sqlite3_column_int(st, 4) != 0;
		r->lt = (uint32_t)sqlite3_column_int64(st, 5);
		r->expires_ms = sqlite3_column_int64(st, 6);
		if (linkformat_parse((const uint8_t *)attrs, strlen(attrs), &r->attrs) < 0 ||
		    linkformat_parse((const uint8_t *)links, strlen(links), &r->links) < 0) {
			log_warnx("skipping unreadable registration loc=/%s", r->loc);
			reg_free(r);
			continue;
		}
		attach(s, r);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int rdstore_new(struct event_base *base, struct db *db, const struct rdstore_config *cfg,
		struct rdstore **out)
{
	struct rdstore *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return -ENOMEM;
	s->base = base;
	s->db = db;
	s->cfg = *cfg;
	TAILQ_INIT(&s->list);
	rc = load(s);
	if (rc < 0) {
		log_warnx("cannot load the registrations from %s", db_path(db));
		rdstore_free(s);
		return rc;
	}
	log_info("loaded registrations=%zu links=%zu", s->count, s->links);
	*out = s;
	return 0;
}

void rdstore_free(struct rdstore *s)
{
	struct rdreg *r;

	if (!s)
		return;
	while ((r = TAILQ_FIRST(&s->list))) {
		TAILQ_REMOVE(&s->list, r, order);
		reg_free(r);
	}
	for (size_t j = 0; j < s->nnames; j++)
		free(s->names[j].name);
	free(s->buckets);
	free(s->lbuckets);
	free(s);
}
