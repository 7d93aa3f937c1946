/*
 * noaccept — endpoints that ignore Reads with Accept (see noaccept.h).
 */
#define LOG_COMPONENT "dm"
#include "noaccept.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/keyidx.h"
#include "common/log.h"

struct name {
	char *ep;
	struct name *next;
};

struct noaccept {
	struct db *db;
	struct name *head; /* owns the names, */
	struct keyidx *idx; /* which this indexes */
};

bool noaccept_has(const struct noaccept *na, const char *ep)
{
	return keyidx_get(na->idx, ep, strlen(ep)) != NULL;
}

/* Remember @ep in memory (once). */
static void add(struct noaccept *na, const char *ep)
{
	struct name *n;

	if (noaccept_has(na, ep))
		return;
	n = calloc(1, sizeof(*n));
	if (!n || !(n->ep = strdup(ep)))
		abort();
	n->next = na->head;
	na->head = n;
	keyidx_add(na->idx, n->ep, strlen(n->ep), n);
}

static void load(struct noaccept *na)
{
	sqlite3_stmt *st =
		na->db ? db_stmt(na->db, "SELECT ep FROM reads_without_accept") : NULL;
	int rc, n = 0;

	if (!st)
		return;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ep = (const char *)sqlite3_column_text(st, 0);

		if (ep && *ep) {
			add(na, ep);
			n++;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		log_warnx("reads_without_accept: not all read; those endpoints are learnt again");
	else if (n)
		log_info("endpoints read without Accept: %d", n);
}

void noaccept_learn(struct noaccept *na, const char *ep)
{
	struct timespec now;

	if (noaccept_has(na, ep))
		return;
	add(na, ep);
	if (!na->db)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	db_batch(na->db);
	if (db_exec(na->db,
		    "INSERT OR IGNORE INTO reads_without_accept (ep, learned) VALUES (?, ?)", "tI",
		    ep, (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000) < 0 ||
	    db_commit(na->db) < 0)
		log_warnx("ep=%s: not stored that it ignores Accept (learnt again after a restart)",
			  ep);
}

struct noaccept *noaccept_new(struct db *db)
{
	struct noaccept *na = calloc(1, sizeof(*na));

	if (!na)
		abort();
	na->db = db;
	na->idx = keyidx_new();
	load(na);
	return na;
}

void noaccept_free(struct noaccept *na)
{
	if (!na)
		return;
	while (na->head) {
		struct name *n = na->head;

		na->head = n->next;
		free(n->ep);
		free(n);
	}
	keyidx_free(na->idx);
	free(na);
}
