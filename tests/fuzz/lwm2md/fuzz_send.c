/*
 * lwm2md's Send handler end to end: byte 0 picks the Content-Format
 * (SenML JSON, SenML CBOR, LwM2M CBOR, or one Send does not take), the
 * rest is the body of POST /dp from registered endpoint "fuzz"; the
 * values are decoded by lib/lwm2m with the shipped object definitions and
 * stored as last known values in SQLite.
 *
 * Properties: no crash or leak; the answer is 2.04, 4.00 (with a
 * diagnostic) or 4.15; exactly one counter moves; a 2.04 stored at least
 * one value, each of a resource (or resource instance).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "fuzzstate.h"
#include "lwm2m/lwm2m_path.h"
#include "lwm2m/lwm2m_registry.h"
#include "send.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CODE(c) ((unsigned)(((c) / 100) << 5 | ((c) % 100)))

static void check_values(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT path FROM last_values WHERE ep = 'fuzz'");
	struct lwm2m_path p;

	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);

		if (!s || lwm2m_path_parse(s, strlen(s), &p) < 0 || p.len < LWM2M_PATH_RESOURCE)
			abort();
	}
	sqlite3_reset(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned formats[] = { 110, 112, 11544, 11542 };
	struct db *db = fuzzstate_db();
	struct observe_config oc = { .db = db, .reg = fuzzstate_registry(), .max = 10 };
	struct observe *ob;
	struct send *sd;
	struct send_config sc = { .enabled = true, .reg = fuzzstate_registry() };
	struct send_stats st;
	unsigned code;
	char why[200];

	if (size < 1)
		return 0;
	ob = observe_new(&oc);
	sc.observe = ob;
	sd = send_new(&sc);
	if (db_exec(db, "DELETE FROM last_values", "") < 0)
		abort();
	code = send_handle(sd, "fuzz", "[::1]:1", true, formats[data[0] % 4], data + 1, size - 1,
			   why, sizeof(why));
	send_get_stats(sd, &st);
	if (st.accepted + st.malformed + st.unsupported_format != 1)
		abort();
	if (code == CODE(204)) {
		if (!st.accepted || !st.values)
			abort();
		check_values(db);
	} else if (code == CODE(400)) {
		if (!st.malformed || !why[0])
			abort();
	} else if (code != CODE(415) || !st.unsupported_format) {
		abort();
	}
	send_free(sd);
	observe_free(ob);
	return 0;
}
