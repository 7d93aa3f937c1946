/*
 * Lookup: filters, pages, result links (see rdlookup.h).
 */
#include "rdlookup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "rdcreds.h"

static bool is_control(const char *name)
{
	return strcmp(name, "page") == 0 || strcmp(name, "count") == 0;
}

/* One filter of a query, with what is known about it before the scan. */
struct filter {
	const struct rdquery_param *p;
	enum {
		F_EP,
		F_D,
		F_BASE,
		F_LT,
		F_HREF,
		F_GP,
		F_ANCHOR,
		F_ATTR
	} kind;            /* decided once, not per item */
	bool multi;        /* rt, if, rel: lists of values */
	bool href;         /* matched against targets, not attributes */
	bool on_links;     /* some stored link may carry it (else only registrations can match) */
	bool bloomed;      /* an exact attribute value: its rdreg.link_bloom bits are in bloom */
	const char *scope; /* gp: the sectors whose groups count (NULL: all) */
	uint64_t bloom[2];
};

struct filters {
	struct filter f[RDQUERY_MAX_PARAMS];
	size_t n;
	uint32_t all; /* one bit per filter */
};

static void compile(const struct rdstore *s, const struct rdquery *q, const char *scope,
		    struct filters *c)
{
	c->n = 0;
	for (size_t k = 0; k < q->count; k++) {
		struct filter *f = &c->f[c->n];

		if (is_control(q->params[k].name))
			continue;
		f->p = &q->params[k];
		f->multi = rdquery_is_multivalue(f->p->name);
		f->href = strcmp(f->p->name, "href") == 0;
		f->kind = f->href                             ? F_HREF
			  : strcmp(f->p->name, "ep") == 0     ? F_EP
			  : strcmp(f->p->name, "d") == 0      ? F_D
			  : strcmp(f->p->name, "base") == 0   ? F_BASE
			  : strcmp(f->p->name, "lt") == 0     ? F_LT
			  : strcmp(f->p->name, "gp") == 0     ? F_GP
			  : strcmp(f->p->name, "anchor") == 0 ? F_ANCHOR
							      : F_ATTR;
		/* every link shows an anchor, its own or the base's origin */
		f->on_links =
			f->href || f->kind == F_ANCHOR || rdstore_attr_uses(s, f->p->name) > 0;
		f->bloomed = f->kind == F_ATTR && f->p->value && !f->p->prefix;
		f->scope = scope; /* a group out of sight is no group of the client's */
		if (f->bloomed)
			rdstore_bloom_bits(f->p->name, f->p->value, f->p->value_len, f->bloom);
		c->n++;
	}
	c->all = c->n == 32 ? UINT32_MAX : (1u << c->n) - 1;
}

/* strcmp() == 0, with the two-letter names of RFC 6690 (rt, if, ct, sz) decided inline. */
static inline bool name_is(const char *a, const char *b)
{
	return a[0] == b[0] &&
	       (a[0] == '\0' || (a[1] == b[1] && (a[1] == '\0' || strcmp(a + 2, b + 2) == 0)));
}

static bool attrs_match(const struct linkformat_link *l, const struct filter *f)
{
	const char *name = f->p->name;

	for (size_t i = 0; i < l->attr_count; i++)
		if (name_is(l->attrs[i].name, name) &&
		    rdquery_match(f->p, l->attrs[i].value, f->multi))
			return true;
	return false;
}

/* gp=: the registration is a member of a group of that name (see rdgroup.h). */
static bool group_match(const struct rdreg *r, const struct filter *f)
{
	const char *few[16], **names = few;
	size_t n = rdstore_groups_of(r->store, r, f->scope, few, 16);
	bool ok = false;

	if (n > 16) {
		names = calloc(n, sizeof(*names));
		if (!names)
			abort();
		rdstore_groups_of(r->store, r, f->scope, names, n);
	}
	for (size_t i = 0; i < n && !ok; i++)
		ok = rdquery_match(f->p, names[i], false);
	if (names != few)
		free(names);
	return ok;
}

/* A registration attribute; "href" is the registration resource when @href_is_loc. */
static bool reg_match(const struct rdreg *r, const struct filter *f, bool href_is_loc)
{
	char buf[RDSTORE_LOC_MAX + 1];

	switch (f->kind) {
	case F_EP:
		return rdquery_match(f->p, r->ep, false);
	case F_D:
		return r->d[0] && rdquery_match(f->p, r->d, false);
	case F_BASE:
		return rdquery_match(f->p, r->base, false);
	case F_LT:
		snprintf(buf, sizeof(buf), "%" PRIu32, r->lt);
		return rdquery_match(f->p, buf, false);
	case F_HREF:
		snprintf(buf, sizeof(buf), "/%s", r->loc);
		return href_is_loc && rdquery_match(f->p, buf, false);
	case F_GP:
		return group_match(r, f);
	case F_ANCHOR:
		return false; /* an anchor is a link's */
	case F_ATTR:
		break;
	}
	/* an endpoint link is rt="core.rd-ep" (RFC 9176 §6.3) */
	if (href_is_loc && strcmp(f->p->name, "rt") == 0 &&
	    rdquery_match(f->p, RDLOOKUP_EP_RT, true))
		return true;
	return r->attrs.count && attrs_match(&r->attrs.links[0], f);
}

/* The filters @r satisfies by itself, one bit each. */
static uint32_t reg_mask(const struct rdreg *r, const struct filters *c, bool href_is_loc)
{
	uint32_t m = 0;

	for (size_t k = 0; k < c->n; k++)
		if (reg_match(r, &c->f[k], href_is_loc))
			m |= 1u << k;
	return m;
}

static bool link_match(const struct rdreg *r, size_t i, const struct filter *f)
{
	if (f->href) {
		char *resolved;
		bool ok;

		if (rdquery_match(f->p, r->links.links[i].target, false))
			return true;
		resolved = rdstore_resolve(r, i);
		ok = rdquery_match(f->p, resolved, false);
		free(resolved);
		return ok;
	}
	if (f->kind == F_ANCHOR) { /* RFC 9176 §6.2: the anchor as the lookup shows it */
		char *anchor = rdlookup_anchor(r, i);
		bool ok = rdquery_match(f->p, anchor, false);

		free(anchor);
		return ok;
	}
	return attrs_match(&r->links.links[i], f);
}

/* Can links make up for the filters in @missing? (Not if none carries their name.) */
static bool links_may_match(const struct filters *c, uint32_t missing)
{
	for (size_t k = 0; k < c->n; k++)
		if ((missing & (1u << k)) && !c->f[k].on_links)
			return false;
	return true;
}

/*
 * Can the links of @r make up for the filters in @missing?  Not when one
 * asks for an exact value whose Bloom bits the links do not all have.
 */
static bool bloom_may_match(const struct rdreg *r, const struct filters *c, uint32_t missing)
{
	for (size_t k = 0; k < c->n; k++) {
		const struct filter *f = &c->f[k];

		if ((missing & (1u << k)) && f->bloomed &&
		    ((r->link_bloom[0] & f->bloom[0]) != f->bloom[0] ||
		     (r->link_bloom[1] & f->bloom[1]) != f->bloom[1]))
			return false;
	}
	return true;
}

static bool ep_matches(const struct rdreg *r, const struct filters *c)
{
	uint32_t missing = c->all & ~reg_mask(r, c, true);

	if (!links_may_match(c, missing) || !bloom_may_match(r, c, missing))
		return false;
	for (size_t k = 0; k < c->n; k++) {
		bool ok = false;

		if (!(missing & (1u << k)))
			continue;
		for (size_t i = 0; !ok && !c->f[k].href && i < r->links.count; i++)
			ok = link_match(r, i, &c->f[k]);
		if (!ok)
			return false;
	}
	return true;
}

static bool link_matches(const struct rdreg *r, size_t i, const struct filters *c, uint32_t missing)
{
	for (size_t k = 0; k < c->n; k++)
		if ((missing & (1u << k)) && !link_match(r, i, &c->f[k]))
			return false;
	return true;
}

/* A lookup in progress: the page window and what was passed on. */
struct walk {
	enum rdlookup_kind kind;
	const char *scope; /* the sectors seen (rdcreds list), NULL: all */
	const struct filters *c;
	uint64_t skip, cnt, seen;
	long out;
	rdlookup_fn fn;
	void *ctx;
};

/* Pass on what @r contributes; false once the page is full. */
static bool visit(struct walk *w, const struct rdreg *r)
{
	uint32_t missing;

	if (w->scope && !rdcreds_sector_in(w->scope, r->d))
		return true; /* out of the client's sight: as if not registered */
	if (r->lapsed)
		return true; /* its lifetime is over; only an update brings it back */
	if (w->kind == RDLOOKUP_EP) {
		if (!ep_matches(r, w->c))
			return true;
		if (w->seen++ >= w->skip) {
			if ((uint64_t)w->out >= w->cnt)
				return false;
			w->fn(r, SIZE_MAX, w->ctx);
			w->out++;
		}
		return true;
	}
	/* what the registration satisfies holds for each of its links */
	missing = w->c->all & ~reg_mask(r, w->c, false);
	if (!links_may_match(w->c, missing) || !bloom_may_match(r, w->c, missing))
		return true;
	for (size_t i = 0; i < r->links.count; i++) {
		if (!link_matches(r, i, w->c, missing))
			continue;
		if (w->seen++ >= w->skip) {
			if ((uint64_t)w->out >= w->cnt)
				return false;
			w->fn(r, i, w->ctx);
			w->out++;
		}
	}
	return true;
}

/*
 * An exact ep filter that only registrations can satisfy (no stored link
 * has an "ep" attribute) lets the lookup start from the name index.
 */
static const char *indexed_ep(const struct rdstore *s, const struct filters *c)
{
	for (size_t k = 0; k < c->n; k++)
		if (c->f[k].kind == F_EP && c->f[k].p->value && !c->f[k].p->prefix &&
		    !c->f[k].on_links)
			return c->f[k].p->value;
	return NULL;
}

static int by_seq(const void *a, const void *b)
{
	const struct rdreg *x = *(const struct rdreg *const *)a,
			   *y = *(const struct rdreg *const *)b;

	return (x->seq > y->seq) - (x->seq < y->seq);
}

int rdlookup_page(const struct rdquery *q, uint64_t *skip, uint64_t *count, char *why,
		  size_t why_len)
{
	int rc = rdquery_page(q, skip, count);

	if (rc == RDQUERY_E_NUMBER)
		snprintf(why, why_len, "page and count must be numbers from 0 to 4294967295");
	else if (rc < 0)
		snprintf(why, why_len, "%s", rdquery_strerror(rc));
	return rc < 0 ? -EINVAL : 0;
}

long rdlookup_each(const struct rdstore *s, enum rdlookup_kind kind, const struct rdquery *q,
		   const char *scope, rdlookup_fn fn, void *ctx, char *why, size_t why_len)
{
	uint64_t skip, cnt;
	struct filters c;
	struct walk w;
	const struct rdreg *r;
	const char *by_ep;

	if (rdlookup_page(q, &skip, &cnt, why, why_len) < 0)
		return -EINVAL;
	compile(s, q, scope, &c);
	w = (struct walk){ kind, scope, &c, skip, cnt, 0, 0, fn, ctx };
	by_ep = indexed_ep(s, &c);
	if (by_ep) {
		const struct rdreg *few[16], **regs = few;
		size_t n = rdstore_find_all_ep(s, by_ep, few, 16);

		if (n > 16) {
			regs = calloc(n, sizeof(*regs));
			if (!regs)
				abort();
			rdstore_find_all_ep(s, by_ep, regs, n);
		}
		qsort(regs, n, sizeof(*regs), by_seq);
		for (size_t i = 0; i < n && visit(&w, regs[i]); i++)
			;
		if (regs != few)
			free(regs);
		return w.out;
	}
	TAILQ_FOREACH(r, rdstore_list(s), order)
	{
		if (!visit(&w, r))
			break;
	}
	return w.out;
}

void rdlookup_origin(const char *uri, char *buf, size_t size)
{
	const char *p = strstr(uri, "://");
	size_t n = p ? (size_t)(p + 3 - uri) + strcspn(p + 3, "/?#") : strlen(uri);

	snprintf(buf, size, "%.*s", (int)n, uri);
}

static void write_link(const struct linkformat_link *l, FILE *out)
{
	char small[512], *big;
	size_t len;

	if (linkformat_format(l, 1, small, sizeof(small), &len) == 0) {
		fwrite(small, 1, len, out);
		return;
	}
	big = malloc(len + 1);
	if (!big)
		abort();
	linkformat_format(l, 1, big, len + 1, &len);
	fwrite(big, 1, len, out);
	free(big);
}

char *rdlookup_anchor(const struct rdreg *r, size_t i)
{
	const struct linkformat_attr *a = linkformat_find(&r->links.links[i], "anchor");
	size_t size = strlen(r->base) + (a && a->value ? strlen(a->value) : 0) + 2;
	char *anchor = malloc(size);

	if (!anchor)
		abort();
	if (!a || !a->value)
		rdlookup_origin(r->base, anchor, size);
	else if (linkformat_resolve(r->base, a->value, anchor, size) < 0)
		snprintf(anchor, size, "%s", a->value);
	return anchor;
}

static void write_res(const struct rdreg *r, size_t i, FILE *out)
{
	const struct linkformat_link *src = &r->links.links[i];
	struct linkformat_attr *attrs = calloc(src->attr_count + 1, sizeof(*attrs));
	char *target = rdstore_resolve(r, i), *anchor = rdlookup_anchor(r, i);
	struct linkformat_link l = { target, attrs, 0 };
	bool anchored = false;

	if (!attrs)
		abort();
	for (size_t k = 0; k < src->attr_count; k++) {
		attrs[l.attr_count] = src->attrs[k];
		if (strcmp(src->attrs[k].name, "anchor") == 0 && src->attrs[k].value && !anchored) {
			attrs[l.attr_count].value = anchor;
			attrs[l.attr_count].quoted = true;
			anchored = true;
		}
		l.attr_count++;
	}
	if (!anchored)
		attrs[l.attr_count++] = (struct linkformat_attr){ "anchor", anchor, true };
	write_link(&l, out);
	free(anchor);
	free(attrs);
	free(target);
}

static void write_ep(const struct rdreg *r, FILE *out)
{
	size_t nextra = r->attrs.count ? r->attrs.links[0].attr_count : 0;
	struct linkformat_attr *attrs = calloc(nextra + 4, sizeof(*attrs));
	char target[RDSTORE_LOC_MAX + 1];
	struct linkformat_link l = { target, attrs, 0 };

	if (!attrs)
		abort();
	snprintf(target, sizeof(target), "/%s", r->loc);
	/* RFC 9176 §6.3: the link says what it is (core.rd-ep), and lt is not reported */
	attrs[l.attr_count++] = (struct linkformat_attr){ "ep", r->ep, false };
	if (r->d[0])
		attrs[l.attr_count++] = (struct linkformat_attr){ "d", r->d, false };
	attrs[l.attr_count++] = (struct linkformat_attr){ "base", r->base, true };
	attrs[l.attr_count++] = (struct linkformat_attr){ "rt", RDLOOKUP_EP_RT, true };
	for (size_t k = 0; k < nextra; k++)
		attrs[l.attr_count++] = r->attrs.links[0].attrs[k];
	write_link(&l, out);
	free(attrs);
}

void rdlookup_write(const struct rdreg *reg, enum rdlookup_kind kind, size_t link, FILE *out)
{
	if (kind == RDLOOKUP_EP)
		write_ep(reg, out);
	else
		write_res(reg, link, out);
}

struct text_ctx {
	FILE *out;
	enum rdlookup_kind kind;
	bool first;
};

static void text_one(const struct rdreg *reg, size_t link, void *arg)
{
	struct text_ctx *t = arg;

	if (!t->first)
		fputc(',', t->out);
	t->first = false;
	rdlookup_write(reg, t->kind, link, t->out);
}

long rdlookup_text(const struct rdstore *s, enum rdlookup_kind kind, const struct rdquery *q,
		   const char *scope, char **text, size_t *len, char *why, size_t why_len)
{
	struct text_ctx t = { NULL, kind, true };
	long n;

	*text = NULL;
	*len = 0;
	t.out = open_memstream(text, len);
	if (!t.out)
		abort();
	n = rdlookup_each(s, kind, q, scope, text_one, &t, why, why_len);
	fclose(t.out);
	if (n < 0) {
		free(*text);
		*text = NULL;
		*len = 0;
	}
	return n;
}
