/*
 * schema — lwm2md's database migrations (see schema.h).
 */
#include "schema.h"

#include "clients.h"
#include "common/daemon.h"
#include "creds.h"
#include "dm.h"
#include "idmap.h"
#include "observe.h"
#include "queue.h"

/* Append only: a shipped migration never changes (db_open applies the ones
 * a database lacks, by number). */
const struct db_migration schema_migrations[] = {
	{ 1, DAEMON_SCHEMA_1 }, { 2, CLIENTS_SCHEMA_2 }, { 3, CREDS_SCHEMA_3 },
	{ 4, IDMAP_SCHEMA_4 },  { 5, DM_SCHEMA_5 },      { 6, OBSERVE_SCHEMA_6 },
	{ 7, QUEUE_SCHEMA_7 },  { 8, OBSERVE_SCHEMA_8 },
};

_Static_assert(sizeof(schema_migrations) / sizeof(schema_migrations[0]) == SCHEMA_MIGRATION_COUNT,
	       "SCHEMA_MIGRATION_COUNT must count schema_migrations");
