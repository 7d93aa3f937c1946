/*
 * Observed lookups notified only when their result changes (see rdwatch.h).
 */
#include "rdwatch.h"

#include <stdlib.h>
#include <string.h>

#include "coap/rdquery.h"
#include "rdauth.h"

struct watch {
	bool used;
	enum rdwatch_kind kind;
	coap_string_t *query; /* as libcoap joined the observer's Uri-Query options; NULL: none */
	char *scope;          /* the sectors the observer sees; NULL: all */
	uint64_t hash;
};

struct lookup {
	coap_resource_t *res;
	rdwatch_lookup_fn fn;
	void *ctx;
};

struct rdwatch {
	struct event *recheck;
	struct lookup kinds[RDWATCH_KINDS];
	struct coapev *ev;
	struct watch watches[RDWATCH_MAX];
	size_t next; /* the slot to reuse when all are taken */
	unsigned long notified;
};

static uint64_t hash_of(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	return h;
}

static bool same_query(const coap_string_t *a, const coap_string_t *b)
{
	if (!a || !b)
		return a == b;
	return a->length == b->length && memcmp(a->s, b->s, a->length) == 0;
}

static bool same_scope(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static void forget(struct watch *x)
{
	coap_delete_string(x->query);
	free(x->scope);
	memset(x, 0, sizeof(*x));
}

void rdwatch_note(struct rdwatch *w, enum rdwatch_kind kind, const coap_string_t *query,
		  const char *scope, const char *text, size_t len)
{
	struct watch *x = NULL;

	for (size_t i = 0; i < RDWATCH_MAX && !x; i++)
		if (w->watches[i].used && w->watches[i].kind == kind &&
		    same_query(w->watches[i].query, query) &&
		    same_scope(w->watches[i].scope, scope))
			x = &w->watches[i];
	for (size_t i = 0; i < RDWATCH_MAX && !x; i++)
		if (!w->watches[i].used)
			x = &w->watches[i];
	if (!x) {
		x = &w->watches[w->next];
		w->next = (w->next + 1) % RDWATCH_MAX;
		forget(x);
	}
	if (!x->used) {
		x->used = true;
		x->kind = kind;
		if (query) {
			x->query = coap_new_string(query->length);
			if (!x->query)
				abort();
			memcpy(x->query->s, query->s, query->length);
		}
		if (scope) {
			x->scope = strdup(scope);
			if (!x->scope)
				abort();
		}
	}
	x->hash = hash_of(text, len);
}

static void recheck(evutil_socket_t fd, short what, void *arg)
{
	struct rdwatch *w = arg;
	bool any = false;

	for (size_t i = 0; i < RDWATCH_MAX; i++) {
		struct watch *x = &w->watches[i];
		struct lookup *k = &w->kinds[x->kind];
		struct rdquery q;
		char *text;
		size_t len;
		uint64_t h;
		long n;

		if (!x->used)
			continue;
		if (rdquery_parse(x->query ? x->query->s : NULL, x->query ? x->query->length : 0,
				  &q) < 0) {
			forget(x);
			continue;
		}
		rdauth_strip(&q); /* the bearer token is no filter */
		n = k->fn ? k->fn(k->ctx, &q, x->scope, &text, &len) : -1;
		rdquery_fini(&q);
		if (n < 0) {
			forget(x);
			continue;
		}
		h = hash_of(text, len);
		free(text);
		if (h == x->hash)
			continue;
		x->hash = h;
		if (!coap_resource_notify_observers(k->res, x->query)) {
			forget(x); /* nobody observes this resource any more */
			continue;
		}
		w->notified++;
		any = true;
	}
	if (any && w->ev)
		coapev_kick(w->ev); /* notifications go out now, not at libcoap's next timer */
}

struct rdwatch *rdwatch_new(struct event_base *base)
{
	struct rdwatch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->recheck = event_new(base, -1, 0, recheck, w);
	if (!w->recheck) {
		free(w);
		return NULL;
	}
	return w;
}

void rdwatch_free(struct rdwatch *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < RDWATCH_MAX; i++)
		forget(&w->watches[i]);
	event_free(w->recheck);
	free(w);
}

void rdwatch_attach(struct rdwatch *w, enum rdwatch_kind kind, coap_resource_t *res,
		    rdwatch_lookup_fn fn, void *ctx, struct coapev *ev)
{
	coap_resource_set_get_observable(res, 1);
	w->kinds[kind] = (struct lookup){ res, fn, ctx };
	w->ev = ev;
}

void rdwatch_changed(struct rdwatch *w)
{
	for (size_t i = 0; i < RDWATCH_MAX; i++) {
		if (w->watches[i].used) {
			event_active(w->recheck, EV_TIMEOUT, 0);
			return;
		}
	}
}

unsigned long rdwatch_notified(const struct rdwatch *w)
{
	return w->notified;
}
