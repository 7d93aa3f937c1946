/*
 * idmap — the other names of an endpoint (LwM2M 1.1 requirements OSR-001
 * and LPW-001): an application ID and an external identifier (the LPWAN
 * identity an SCEF knows a device by, which need not be its IMSI or
 * MSISDN).  Kept in SQLite (migration 4) whether or not the endpoint is
 * registered, shown with the client, and usable to name it in commands.
 */
#ifndef LWM2MD_IDMAP_H
#define LWM2MD_IDMAP_H

#include <stdbool.h>

#include <jansson.h>

#include "common/db.h"

#define IDMAP_SCHEMA_4 \
	"CREATE TABLE endpoint_ids (ep TEXT PRIMARY KEY, app_id TEXT, external_id TEXT UNIQUE);"

struct idmap_entry {
	char *ep;
	char *app_id;      /* NULL when none */
	char *external_id; /* NULL when none */
	struct idmap_entry *next;
};

struct idmap;

/* An empty map writing to @db (borrowed).  Never NULL. */
struct idmap *idmap_new(struct db *db);

/* Free the map; NULL is fine. */
void idmap_free(struct idmap *m);

/* Load the stored entries: their count, or -EIO. */
int idmap_load(struct idmap *m);

/*
 * Set the application ID and/or external identifier of @ep (NULL: leave
 * as it is; "": clear), committed before returning.  Returns 0, -EEXIST
 * (another endpoint has that external identifier), -EINVAL (a name over
 * 255 bytes), -EIO.
 */
int idmap_set(struct idmap *m, const char *ep, const char *app_id, const char *external_id);

/* The entry of @ep, or NULL. */
const struct idmap_entry *idmap_find_ep(const struct idmap *m, const char *ep);

/* The endpoint with external identifier @id, or NULL. */
const char *idmap_ep_of_external(const struct idmap *m, const char *id);

/*
 * The endpoint with application ID @app_id among those @keep accepts (all
 * when @keep is NULL): 0 and *@ep, -ENOENT, or -E2BIG when several share
 * it (the caller must say which).
 */
int idmap_ep_of_app(const struct idmap *m, const char *app_id,
		    bool (*keep)(const char *ep, void *arg), void *arg, const char **ep);

/* Add "app_id" and "external_id" of @ep (when set) to the object @o. */
void idmap_annotate(const struct idmap *m, const char *ep, json_t *o);

#endif
