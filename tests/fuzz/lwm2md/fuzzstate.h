/*
 * fuzzstate — what the end-to-end fuzz targets of lwm2md's handlers share:
 * a database with lwm2md's observation tables in a temporary folder, and
 * the shipped object definitions, each made once per process.
 */
#ifndef LWM2MD_FUZZSTATE_H
#define LWM2MD_FUZZSTATE_H

#include "common/db.h"
#include "lwm2m/lwm2m_registry.h"

/* The database (observations, last_values), made on the first call; aborts on failure. */
struct db *fuzzstate_db(void);

/* conf/objects (FUZZ_OBJECTS_DIR), loaded on the first call; aborts on failure. */
const struct lwm2m_registry *fuzzstate_registry(void);

#endif
