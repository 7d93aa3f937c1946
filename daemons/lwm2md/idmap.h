/*
 * idmap — the other names of an endpoint (LwM2M 1.1 requirements OSR-001
 * and LPW-001): an application ID and an external identifier (the LPWAN
 * identity an SCEF knows a device by, which need not be its IMSI or
 * MSISDN).  Known whether or not the endpoint is registered, shown with
 * the client, and usable to name it in commands.
 *
 * Two sources: the names set from the CLI (`set-ids`, `cred-add`), kept in
 * SQLite (migration 4), and the mapping file `[lwm2m] ids_file` (idsfile.h),
 * read at start and at each reload.  For each of the two names of an
 * endpoint the file wins: a name the file sets cannot be changed from the
 * CLI (-EPERM), and when the file stops setting it, the CLI's value (if
 * any) shows again.  Lookups go through hash indexes (keyidx.h).
 */
#ifndef LWM2MD_IDMAP_H
#define LWM2MD_IDMAP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/db.h"

#define IDMAP_SCHEMA_4 \
	"CREATE TABLE endpoint_ids (ep TEXT PRIMARY KEY, app_id TEXT, external_id TEXT UNIQUE);"

#define IDMAP_FILE_MAX (64u << 20) /* bytes of an ids_file read at most */

struct idmap_entry {
	char *ep;
	const char *app_id;      /* in force: file_app, else db_app; NULL when none */
	const char *external_id; /* in force: file_ext, else db_ext; NULL when none */
	char *db_app, *db_ext;   /* set from the CLI, stored in SQLite */
	char *file_app, *file_ext;
	unsigned file_line; /* the entry's line in the ids file, 0: not in it */
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
 * Read the mapping file @path (NULL or "": none, which drops the names a
 * previous file set) and put its names in force.  All or nothing: on error
 * the names in force stay as they were, and @why (@size bytes) says what
 * and where.  Returns the number of entries, -ENOENT/-EACCES/-EFBIG (file
 * not readable or over IDMAP_FILE_MAX), -EINVAL (a malformed line, an
 * endpoint twice, an external identifier on two endpoints, also counting
 * those set from the CLI).
 */
int idmap_load_file(struct idmap *m, const char *path, char *why, size_t size);

/*
 * Set the application ID and/or external identifier of @ep from the CLI
 * (NULL: leave as it is; "": clear), committed before returning.  Returns
 * 0, -EPERM (the ids file sets that name for @ep), -EEXIST (another
 * endpoint has that external identifier), -EINVAL (a name over 255 bytes),
 * -EIO.
 */
int idmap_set(struct idmap *m, const char *ep, const char *app_id, const char *external_id);

/* The path of the ids file in force, or NULL. */
const char *idmap_file(const struct idmap *m);

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
