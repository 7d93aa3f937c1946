/*
 * obstab — observe's table of observations: the records (struct obs in
 * observeint.h) in creation order with their token and endpoint indexes,
 * fresh tokens, the Write-Attributes that go with them, and loading the
 * stored ones at start.  Internal to observe.
 */
#ifndef LWGATE_LWM2MD_OBSTAB_H
#define LWGATE_LWM2MD_OBSTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_path.h"
#include "observeint.h"

/* The observation with @token, or NULL. */
struct obs *obstab_find_token(const struct observe *ob, const uint8_t *token, size_t len);

/* What an observation goes by: its path, or its paths. */
const char *obstab_name(const struct obs *o);

/* @ep's observation of @path, or NULL. */
struct obs *obstab_find_path(const struct observe *ob, const char *ep,
			     const struct lwm2m_path *path);

/* @ep's observation named @name (a path, or a composite's paths), or NULL. */
struct obs *obstab_find_name(const struct observe *ob, const char *ep, const char *name);

/*
 * "/3/0/9,/1/0/1" (or space-separated) into @paths (at most @max), and its
 * canonical form into @name.  Returns the number, or -EINVAL.
 */
int obstab_parse_paths(const char *list, struct lwm2m_path *paths, unsigned max, char *name,
		       size_t size);

/* Make @o the observation of @n paths named @name (Observe-Composite). */
void obstab_set_composite(struct obs *o, const struct lwm2m_path *paths, unsigned n,
			  const char *name);

/* Whether a value at @p belongs to @o: a resource under its path or one of its paths. */
bool obstab_covers(const struct obs *o, const struct lwm2m_path *p);

/* A new observation, in the indexes and at the end of the creation order. */
struct obs *obstab_add(struct observe *ob, const uint8_t *token, const char *ep,
		       const struct lwm2m_path *path, int accept, int64_t created);

/* Forget @o, in the database too when it was stored there. */
void obstab_del(struct observe *ob, struct obs *o);

/*
 * A fresh token: the process's 4 random bytes, then 4 counting ones
 * (RFC 9175 §4.2 asks for tokens an off-path attacker cannot guess; the
 * counter keeps them unique while the process lives, and the lookup
 * skips any an older process left in the table).
 */
void obstab_new_token(struct observe *ob, uint8_t token[OBSERVE_TOKEN_LEN]);

/* @o's Write-Attributes: @query, or none when NULL or empty. */
void obstab_set_attrs(struct obs *o, const char *query);

/* The attributes stored for @o's path, if any. */
void obstab_attrs_of(struct observe *ob, struct obs *o);

/* The observations stored in the database, into the table (at start). */
void obstab_load(struct observe *ob);

#endif
