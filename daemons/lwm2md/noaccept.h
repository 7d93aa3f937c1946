/*
 * noaccept — the endpoints known to ignore a Read that carries an Accept
 * option.  LwM2M 1.0 clients such as lwm2m-node-lib silently drop a Read
 * whose Accept they do not support (TLV, SenML); dm.c sends such a Read
 * once more without Accept, and the endpoint is remembered here (and in
 * table reads_without_accept of lwm2md.db), so that its next Reads go
 * without Accept at once, after a restart too.  One entry per endpoint
 * that showed it, which only a registered client can.
 */
#ifndef LWM2MD_NOACCEPT_H
#define LWM2MD_NOACCEPT_H

#include <stdbool.h>

#include "common/db.h"

struct noaccept;

/* The endpoints stored in @db (may be NULL: memory only), loaded.  Never NULL. */
struct noaccept *noaccept_new(struct db *db);

/* NULL is fine. */
void noaccept_free(struct noaccept *na);

/* Is @ep one that ignores Accept? */
bool noaccept_has(const struct noaccept *na, const char *ep);

/*
 * Remember @ep in memory and in the database (committed; a failure there
 * is logged: memory still works until a restart).
 */
void noaccept_learn(struct noaccept *na, const char *ep);

#endif
