/*
 * schema — lwm2md's database migrations: the one list the daemon opens its
 * database with (main.c) and that the unit tests, fuzz targets and
 * benchmarks open theirs with, so that a new migration reaches them all
 * (hand-kept copies went stale twice: a benchmark measured refusals because
 * its database lacked migration 8).
 */
#ifndef LWM2MD_SCHEMA_H
#define LWM2MD_SCHEMA_H

#include "common/db.h"

/* A constant, not sizeof, so that main.c's static daemon_def can use it;
 * schema.c asserts it matches the list. */
#define SCHEMA_MIGRATION_COUNT 8

/* Migrations 1..SCHEMA_MIGRATION_COUNT, in order. */
extern const struct db_migration schema_migrations[];

#endif
