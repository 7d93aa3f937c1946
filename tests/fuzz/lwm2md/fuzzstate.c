/*
 * fuzzstate — the fuzz targets' database and object definitions (see fuzzstate.h).
 */
#include "fuzzstate.h"

#include <stdio.h>
#include <stdlib.h>

#include "schema.h"

struct db *fuzzstate_db(void)
{
	static struct db *db;
	char path[] = "/tmp/fuzz-lwm2md-XXXXXX", file[64], why[256];

	if (db)
		return db;
	if (!mkdtemp(path))
		abort();
	snprintf(file, sizeof(file), "%s/lwm2md.db", path);
	/* lwm2md's own migrations, the list the daemon opens its database with */
	if (db_open(file, schema_migrations, SCHEMA_MIGRATION_COUNT, &db, why, sizeof(why)) < 0) {
		fprintf(stderr, "%s\n", why);
		abort();
	}
	return db;
}

const struct lwm2m_registry *fuzzstate_registry(void)
{
	static struct lwm2m_registry *reg;

	if (!reg) {
		reg = lwm2m_registry_new();
		if (!reg || lwm2m_registry_load_dir(reg, FUZZ_OBJECTS_DIR, NULL, NULL) < 4)
			abort();
	}
	return reg;
}
