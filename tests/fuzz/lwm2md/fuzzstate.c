/*
 * fuzzstate — the fuzz targets' database and object definitions (see fuzzstate.h).
 */
#include "fuzzstate.h"

#include <stdio.h>
#include <stdlib.h>

#include "observe.h"

struct db *fuzzstate_db(void)
{
	/* lwm2md's own observation schema, every step of it (as main.c migrates) */
	static const struct db_migration m[] = { { 1, OBSERVE_SCHEMA_6 }, { 2, OBSERVE_SCHEMA_8 } };
	static struct db *db;
	char path[] = "/tmp/fuzz-lwm2md-XXXXXX", file[64], why[256];

	if (db)
		return db;
	if (!mkdtemp(path))
		abort();
	snprintf(file, sizeof(file), "%s/lwm2md.db", path);
	if (db_open(file, m, sizeof(m) / sizeof(m[0]), &db, why, sizeof(why)) < 0) {
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
