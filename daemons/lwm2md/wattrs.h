/*
 * wattrs — the Write-Attributes (pmin, pmax, gt, lt, st, epmin, epmax; TS
 * Core §5.1.2) a client accepted with 2.04, per endpoint and path (table
 * write_attrs of lwm2md.db), shown beside the observation of that path.
 * They add up: a Write-Attributes of "pmax=120" after "pmin=10&pmax=60"
 * leaves "pmin=10&pmax=120".
 */
#ifndef LWM2MD_WATTRS_H
#define LWM2MD_WATTRS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/db.h"

#define WATTRS_MAX 256 /* bytes of one path's attributes as a query */

/* The attributes stored for @path ("/3/0/9") of @ep into @out; false (and "") when none. */
bool wattrs_get(struct db *db, const char *ep, const char *path, char *out, size_t size);

/*
 * @query ("pmax=120") accepted for @path of @ep: merged with the stored
 * ones into @merged and stored (in the iteration's transaction).  0, or
 * -EIO when not stored.
 */
int wattrs_written(struct db *db, const char *ep, const char *path, const char *query,
		   char *merged, size_t size);

/* "pmin=10&gt=20.5" as {"pmin": 10, "gt": 20.5}: the numbers a client was given. */
json_t *wattrs_json(const char *query);

#endif
