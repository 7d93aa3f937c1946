/*
 * Lookup: filters, pages, result links (see rdlookup.h).
 */
#include "rdlookup.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static bool is_control(const char *name)
{
	return strcmp(name, "page") == 0 || strcmp(name, "count") == 0;
}

static bool attrs_match(const struct linkformat_link *l, const struct rdquery_param *f)
{
	bool multi = rdquery_is_multivalue(f->name);

	for (size_t i = 0; i < l->attr_count; i++)
		if (strcmp(l->attrs[i].name, f->name) == 0 &&
		    rdquery_match(f, l->attrs[i].value, multi))
			return true;
	return false;
}

/* A registration attribute; "href" is the registration resource when @href_is_loc. */
static bool reg_match(const struct rdreg *r, const struct rdquery_param *f, bool href_is_loc)
{
	const char *n = f->name;

	if (strcmp(n, "ep") == 0)
		return rdquery_match(f, r->ep, false);
	if (strcmp(n, "d") == 0)
		return r->d[0] && rdquery_match(f, r->d, false);
	if (strcmp(n, "base") == 0)
		return rdquery_match(f, r->base, false);
	if (strcmp(n, "lt") == 0) {
		char lt[16];

		snprintf(lt, sizeof(lt), "%" PRIu32, r->lt);
		return rdquery_match(f, lt, false);
	}
	if (strcmp(n, "href") == 0) {
		char loc[RDSTORE_LOC_MAX + 1];

		snprintf(loc, sizeof(loc), "/%s", r->loc);
		return href_is_loc && rdquery_match(f, loc, false);
	}
	return r->attrs.count && attrs_match(&r->attrs.links[0], f);
}

static bool link_match(const struct rdreg *r, size_t i, const struct rdquery_param *f)
{
	if (strcmp(f->name, "href") == 0)
		return rdquery_match(f, r->links.links[i].target, false) ||
		       rdquery_match(f, r->resolved[i], false);
	return attrs_match(&r->links.links[i], f);
}

static bool res_matches(const struct rdreg *r, size_t i, const struct rdquery *q)
{
	for (size_t k = 0; k < q->count; k++) {
		const struct rdquery_param *f = &q->params[k];

		if (is_control(f->name))
			continue;
		if (!link_match(r, i, f) && !reg_match(r, f, false))
			return false;
	}
	return true;
}

static bool ep_matches(const struct rdreg *r, const struct rdquery *q)
{
	for (size_t k = 0; k < q->count; k++) {
		const struct rdquery_param *f = &q->params[k];
		bool ok;

		if (is_control(f->name))
			continue;
		ok = reg_match(r, f, true);
		for (size_t i = 0; !ok && strcmp(f->name, "href") != 0 && i < r->links.count; i++)
			ok = attrs_match(&r->links.links[i], f);
		if (!ok)
			return false;
	}
	return true;
}

long rdlookup_each(const struct rdstore *s, enum rdlookup_kind kind, const struct rdquery *q,
		   rdlookup_fn fn, void *ctx, char *why, size_t why_len)
{
	const struct rdquery_param *page = rdquery_find(q, "page");
	const struct rdquery_param *count = rdquery_find(q, "count");
	uint64_t pg = 0, cnt = UINT64_MAX, skip, seen = 0;
	const struct rdreg *r;
	long out = 0;

	if (page && rdquery_uint(page, 0, UINT32_MAX, &pg) < 0) {
		snprintf(why, why_len, "page must be a number from 0");
		return -EINVAL;
	}
	if (count && rdquery_uint(count, 0, UINT32_MAX, &cnt) < 0) {
		snprintf(why, why_len, "count must be a number from 0");
		return -EINVAL;
	}
	if (page && !count)
		cnt = RDLOOKUP_DEFAULT_COUNT;
	skip = pg * (cnt == UINT64_MAX ? 0 : cnt);
	TAILQ_FOREACH(r, rdstore_list(s), order)
	{
		if (kind == RDLOOKUP_EP) {
			if (!ep_matches(r, q))
				continue;
			if (seen++ >= skip && (uint64_t)out < cnt) {
				fn(r, SIZE_MAX, ctx);
				out++;
			}
			if ((uint64_t)out >= cnt)
				return out;
			continue;
		}
		for (size_t i = 0; i < r->links.count; i++) {
			if (!res_matches(r, i, q))
				continue;
			if (seen++ >= skip) {
				if ((uint64_t)out >= cnt)
					return out;
				fn(r, i, ctx);
				out++;
			}
		}
	}
	return out;
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

static void write_res(const struct rdreg *r, size_t i, FILE *out)
{
	const struct linkformat_link *src = &r->links.links[i];
	struct linkformat_attr *attrs = calloc(src->attr_count + 1, sizeof(*attrs));
	struct linkformat_link l = { r->resolved[i], attrs, 0 };
	size_t asize = strlen(r->base) + 2;
	char *anchor = NULL;
	bool anchored = false;

	if (!attrs)
		abort();
	for (size_t k = 0; k < src->attr_count; k++) {
		attrs[l.attr_count] = src->attrs[k];
		if (strcmp(src->attrs[k].name, "anchor") == 0 && src->attrs[k].value && !anchored) {
			asize += strlen(src->attrs[k].value);
			anchor = malloc(asize);
			if (!anchor)
				abort();
			if (linkformat_resolve(r->base, src->attrs[k].value, anchor, asize) < 0)
				snprintf(anchor, asize, "%s", src->attrs[k].value);
			attrs[l.attr_count].value = anchor;
			attrs[l.attr_count].quoted = true;
			anchored = true;
		}
		l.attr_count++;
	}
	if (!anchored) {
		anchor = malloc(asize);
		if (!anchor)
			abort();
		rdlookup_origin(r->base, anchor, asize);
		attrs[l.attr_count++] = (struct linkformat_attr){ "anchor", anchor, true };
	}
	write_link(&l, out);
	free(anchor);
	free(attrs);
}

static void write_ep(const struct rdreg *r, FILE *out)
{
	size_t nextra = r->attrs.count ? r->attrs.links[0].attr_count : 0;
	struct linkformat_attr *attrs = calloc(nextra + 4, sizeof(*attrs));
	char target[RDSTORE_LOC_MAX + 1], lt[16];
	struct linkformat_link l = { target, attrs, 0 };

	if (!attrs)
		abort();
	snprintf(target, sizeof(target), "/%s", r->loc);
	snprintf(lt, sizeof(lt), "%" PRIu32, r->lt);
	attrs[l.attr_count++] = (struct linkformat_attr){ "ep", r->ep, false };
	if (r->d[0])
		attrs[l.attr_count++] = (struct linkformat_attr){ "d", r->d, false };
	attrs[l.attr_count++] = (struct linkformat_attr){ "base", r->base, true };
	attrs[l.attr_count++] = (struct linkformat_attr){ "lt", lt, false };
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
		   char **text, size_t *len, char *why, size_t why_len)
{
	struct text_ctx t = { NULL, kind, true };
	long n;

	*text = NULL;
	*len = 0;
	t.out = open_memstream(text, len);
	if (!t.out)
		abort();
	n = rdlookup_each(s, kind, q, text_one, &t, why, why_len);
	fclose(t.out);
	if (n < 0) {
		free(*text);
		*text = NULL;
		*len = 0;
	}
	return n;
}
