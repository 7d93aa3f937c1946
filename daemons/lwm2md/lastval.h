/*
 * lastval — the last known value of each resource of each endpoint (table
 * last_values of lwm2md.db): what notifications and Sends brought, typed
 * and named by the object definitions, with the time and the source
 * ("notify", "send", "read"), and listed by `lwgatectl lwm2md values`.
 */
#ifndef LWM2MD_LASTVAL_H
#define LWM2MD_LASTVAL_H

#include <jansson.h>

#include "common/db.h"
#include "common/ipc_server.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_path.h"
#include "lwm2m/lwm2m_registry.h"

/*
 * Answer @call with one record per stored value of @ep (under @path, when
 * not NULL), in path order: endpoint, path, value, time, source.
 */
void lastval_list(struct db *db, struct ipc_call *call, const char *ep,
		  const struct lwm2m_path *path);

/*
 * Store the values of @doc as @ep's last known values from @source, in the
 * iteration's transaction (db_batch), typed with @reg (may be NULL).
 * Returns them as {"/3/0/9": 87, …} (the caller's), or NULL when @doc does
 * not render; a row not written adds to *@db_errors.
 */
json_t *lastval_store(struct db *db, const struct lwm2m_registry *reg, const char *ep,
		      const struct lwm2m_doc *doc, const char *source, unsigned long *db_errors);

#endif
