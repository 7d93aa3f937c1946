/*
 * psstore — the topics of rdd's publish-subscribe broker in SQLite.
 *
 * One row per topic: its paths, its configuration (encoded as the
 * application/core-pubsub+cbor map the broker serves), its lifecycle state
 * and the last published value with its Content-Format and time.  Each
 * write is committed before it returns, so what a client was told (2.01,
 * 2.04, 2.02) survives a restart or a kill -9.
 */
#ifndef LWGATE_RDD_PSSTORE_H
#define LWGATE_RDD_PSSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/db.h"

/* The SQL of the rdd schema version that adds the topic table. */
extern const char psstore_schema[];

/* One topic as stored; the pointers are borrowed for the call. */
struct psstore_row {
	const char *id;      /* topic resource: "ps/<id>" */
	const char *data_id; /* topic-data resource: "ps/data/<data_id>" */
	const uint8_t *conf; /* encoded configuration */
	size_t conf_len;
	bool full; /* fully created: a value was published (or initialized) */
	const uint8_t *value;
	size_t value_len;
	int content_format; /* of the value; -1: none given */
	int64_t published_ms;
	int64_t created_ms;
};

typedef void (*psstore_load_fn)(const struct psstore_row *row, void *arg);

/* Call @fn for each stored topic, in creation order.  0 or -EIO (logged). */
int psstore_load(struct db *db, psstore_load_fn fn, void *arg);

/* Insert or replace the whole row of @row->id and commit.  0 or -EIO. */
int psstore_put(struct db *db, const struct psstore_row *row);

/* Delete the topic @id and commit.  0 or -EIO. */
int psstore_delete(struct db *db, const char *id);

#endif
