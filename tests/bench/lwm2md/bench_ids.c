/*
 * Lookups of lwm2md's endpoint IDs and PSK credentials at 100 and at
 * 100,000 entries (argv[1]): the hash indexes should make both sizes cost
 * the same per lookup.  Also the time to read an ids file of that many
 * lines and to load that many credentials from SQLite.  Time is this
 * thread's CPU time.  Prints figures; never fails on time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/log.h"
#include "creds.h"
#include "idmap.h"
#include "schema.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run(const char *dir, unsigned n)
{
	enum { LOOKUPS = 1000000 };
	char path[256], file[256], name[64];
	struct db *db;
	struct idmap *m;
	struct pskstore *cs;
	FILE *f;
	double t;
	unsigned found = 0, seed = 1;
	static const uint8_t key[16] = { 1 };

	snprintf(path, sizeof(path), "%s/bench-%u.db", dir, n);
	snprintf(file, sizeof(file), "%s/ids-%u", dir, n);
	if (db_open(path, schema_migrations, SCHEMA_MIGRATION_COUNT, &db, name, sizeof(name)) < 0)
		abort();
	f = fopen(file, "w");
	if (!f)
		abort();
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "urn:dev:%u = app_id=app-%u, external_id=ext-%u@nidd.example\n", i,
			i % 100, i);
	fclose(f);
	/* credentials go to SQLite in one transaction, then load as at start */
	db_batch(db);
	for (unsigned i = 0; i < n; i++) {
		char id[32], ep[32];

		snprintf(id, sizeof(id), "id-%u", i);
		snprintf(ep, sizeof(ep), "urn:dev:%u", i);
		if (db_exec(db,
			    "INSERT INTO credentials (identity, key, ep, created) VALUES (?, ?, ?, "
			    "?)",
			    "tbtI", id, key, sizeof(key), ep, (int64_t)i) < 0)
			abort();
	}
	if (db_commit(db) < 0)
		abort();

	m = idmap_new(db);
	t = now();
	if (idmap_load_file(m, file, name, sizeof(name)) != (int)n)
		abort();
	printf("n=%-6u ids_file load        %8.1f ms (%.0f ns/line)\n", n, (now() - t) * 1e3,
	       (now() - t) * 1e9 / n);
	cs = pskstore_new(db, &creds_schema);
	t = now();
	if (pskstore_load(cs) != (int)n)
		abort();
	printf("n=%-6u creds load (SQLite)  %8.1f ms\n", n, (now() - t) * 1e3);

	t = now();
	for (unsigned i = 0; i < LOOKUPS; i++) {
		seed = seed * 1103515245u + 12345u;
		snprintf(name, sizeof(name), "ext-%u@nidd.example", (seed >> 8) % n);
		found += idmap_ep_of_external(m, name) != NULL;
	}
	printf("n=%-6u external_id -> ep    %8.0f ns/lookup\n", n, (now() - t) * 1e9 / LOOKUPS);
	t = now();
	for (unsigned i = 0; i < LOOKUPS; i++) {
		seed = seed * 1103515245u + 12345u;
		snprintf(name, sizeof(name), "urn:dev:%u", (seed >> 8) % n);
		found += idmap_find_ep(m, name) != NULL;
	}
	printf("n=%-6u ep -> ids            %8.0f ns/lookup\n", n, (now() - t) * 1e9 / LOOKUPS);
	t = now();
	for (unsigned i = 0; i < LOOKUPS; i++) {
		seed = seed * 1103515245u + 12345u;
		int len = snprintf(name, sizeof(name), "id-%u", (seed >> 8) % n);

		found += pskstore_find(cs, (const uint8_t *)name, (size_t)len) != NULL;
	}
	printf("n=%-6u PSK identity -> cred %8.0f ns/lookup\n", n, (now() - t) * 1e9 / LOOKUPS);
	t = now();
	for (unsigned i = 0; i < LOOKUPS; i++) {
		seed = seed * 1103515245u + 12345u;
		snprintf(name, sizeof(name), "urn:dev:%u", (seed >> 8) % n);
		found += pskstore_find_bound(cs, name) != NULL;
	}
	printf("n=%-6u ep -> cred           %8.0f ns/lookup\n", n, (now() - t) * 1e9 / LOOKUPS);
	if (found != 4u * LOOKUPS)
		abort();
	pskstore_free(cs);
	idmap_free(m);
	db_close(db);
	unlink(file);
	unlink(path);
	strcat(path, "-wal");
	unlink(path);
	strcpy(path + strlen(path) - 3, "shm");
	unlink(path);
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 100000;
	char dir[] = "/tmp/bench-ids-XXXXXX";

	if (!mkdtemp(dir) || n == 0)
		return 1;
	log_set_level(LOG_LEVEL_WARNING);
	run(dir, n < 100 ? n : 100);
	run(dir, n);
	rmdir(dir);
	return 0;
}
