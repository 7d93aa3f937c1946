/*
 * clients — lwm2md's registered LwM2M clients: the in-memory table (by
 * endpoint name and by location), its SQLite mirror, and lifetime expiry.
 *
 * Every change is written to the database in the loop's batch and
 * committed before the function returns, so the caller may acknowledge it
 * on the wire at once (the registration survives a kill -9 from then on).
 * Each client has a libevent timer for its lifetime; when it fires the
 * client is removed and the removed() hook says why.
 *
 * The hooks let the CoAP side follow the table: added() when a client
 * appears (Register, or loaded at start), removed() just before a client
 * is freed (De-register, replaced by a new Register of its endpoint,
 * expired, removed from the CLI).
 */
#ifndef LWM2MD_CLIENTS_H
#define LWM2MD_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <jansson.h>

#include "common/db.h"
#include "regreq.h"

#define CLIENTS_LOCATION_LEN 20 /* hex digits of the random location: 80 bits */

/* Schema of migration 2 (lwm2md's own tables). */
#define CLIENTS_SCHEMA_2                                                                 \
	"CREATE TABLE clients (ep TEXT PRIMARY KEY, location TEXT NOT NULL UNIQUE, "     \
	"lwm2m TEXT NOT NULL, binding TEXT NOT NULL, queue INTEGER NOT NULL, sms TEXT, " \
	"lifetime INTEGER NOT NULL, root TEXT NOT NULL, links TEXT NOT NULL, "           \
	"address TEXT NOT NULL, port INTEGER NOT NULL, transport TEXT NOT NULL, "        \
	"registered INTEGER NOT NULL, updated INTEGER NOT NULL, expires INTEGER NOT NULL);"

enum clients_reason {
	CLIENTS_DEREGISTERED,
	CLIENTS_REPLACED,
	CLIENTS_EXPIRED,
	CLIENTS_REMOVED, /* from the control socket */
};

/* One registered client.  Fields are read-only outside clients.c. */
struct client {
	char *ep;
	char location[CLIENTS_LOCATION_LEN + 1];
	char version[8];
	char binding[REGREQ_BINDING_MAX + 1];
	bool queue;
	char *sms;   /* NULL when none */
	char *root;  /* "/" or the alternate root path */
	char *links; /* the object-link payload as received, NUL-terminated */
	uint32_t lifetime;
	int64_t registered, updated, expires; /* wall-clock milliseconds */
	int64_t last_seen; /* the client's last message (queue mode: awake after it) */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	const char *transport; /* "udp", "dtls", "tcp", "tls", "nidd", "http2" (static strings) */
	int ifindex;           /* interface the client's last message came in on */
	void *resource;        /* the CoAP side's /rd/{location} resource */

	/* private */
	struct clients *owner;
	struct event *timer;
	struct client *ep_next, *loc_next; /* hash chains */
	struct client *prev, *next;        /* registration order */
};

struct clients_hooks {
	void (*added)(void *ctx, struct client *c);
	void (*removed)(void *ctx, struct client *c, enum clients_reason why);
	void *ctx;
};

struct clients_stats {
	unsigned count;
	uint64_t registered, updated, deregistered, replaced, expired, removed, db_errors;
};

struct clients;

/* An empty table on @base writing to @db (both borrowed).  Never NULL. */
struct clients *clients_new(struct event_base *base, struct db *db,
			    const struct clients_hooks *hooks);

/* Free every client (the removed() hook is not called) and the table; NULL is fine. */
void clients_free(struct clients *cs);

/*
 * Load the clients stored in the database, calling added() for each;
 * those whose lifetime ended while we were down are removed as expired.
 * Returns the number loaded, or -EIO.
 */
int clients_load(struct clients *cs);

/*
 * Register @q->ep from @addr with the object links @links (@links_len
 * bytes, already checked, with root path @root).  A client already
 * registered under that endpoint is replaced (removed() with
 * CLIENTS_REPLACED first).  The new client gets a fresh random location.
 * @transport: "udp", "dtls", "tcp", "tls" or a vpeer kind ("nidd", "http2"; vpeer.h);
 * another string is stored as "udp".
 * Returns 0 and *@out, -EIO (database; nothing changed), -ENOSPC (table
 * full), or -ENOMEM.
 */
int clients_register(struct clients *cs, const struct regreq_query *q, const char *links,
		     size_t links_len, const char *root, const struct sockaddr *addr,
		     socklen_t addr_len, const char *transport, struct client **out);

/*
 * Apply an Update: the parameters present in @q, the new object links when
 * @links is not NULL, and the peer address @addr (a NAT may have moved it).
 * The lifetime starts again.  Returns 0 or -EIO (database; nothing changed).
 */
int clients_update(struct clients *cs, struct client *c, const struct regreq_query *q,
		   const char *links, size_t links_len, const char *root,
		   const struct sockaddr *addr, socklen_t addr_len);

/* Whether @c's address is @addr (what a message from it came from). */
bool clients_same_addr(const struct client *c, const struct sockaddr *addr, socklen_t len);

/*
 * @c now speaks from @addr (a NAT rebound it): the registration moves
 * there, in memory and in the database.  0, or -EIO (moved in memory only).
 */
int clients_move(struct clients *cs, struct client *c, const struct sockaddr *addr,
		 socklen_t addr_len);

/* Remove @c for @why: removed() hook, database row, free.  0 or -EIO (it is gone anyway). */
int clients_remove(struct clients *cs, struct client *c, enum clients_reason why);

struct client *clients_find_ep(struct clients *cs, const char *ep);
struct client *clients_find_location(struct clients *cs, const char *location, size_t len);

/* The client whose last message came from @addr (a Send, a notification), or NULL. */
struct client *clients_find_addr(struct clients *cs, const struct sockaddr *addr, socklen_t len);

/* The first client in registration order, and the next; NULL at the end. */
struct client *clients_first(struct clients *cs);
struct client *clients_next(struct client *c);

/* Most clients the table holds; a Register beyond it gets -ENOSPC. */
void clients_set_max(struct clients *cs, unsigned max);

void clients_get_stats(const struct clients *cs, struct clients_stats *out);

/* "[2001:db8::1]:5683" or "192.0.2.1:5683" for @c's address, in @buf. */
void clients_format_address(const struct client *c, char *buf, size_t size);

/* Milliseconds of the wall clock: the one clock of this module. */
int64_t clients_now_ms(void);

/*
 * A JSON object describing @c for `clients` and `show`: endpoint,
 * location, address, transport, binding, lwm2m, lifetime, lifetime_left
 * (seconds), objects (["/1/0", "/3/0", "/3303 (1.1)"]); with @full also
 * sms, queue, root, links, registered and updated (ISO 8601).
 */
json_t *clients_json(const struct client *c, bool full);

/* Wall-clock milliseconds as an ISO 8601 UTC string ("2026-12-06T21:49:28Z"). */
json_t *clients_iso_time(int64_t ms);

/* The reason as a word for events and logs: "deregistered", "expired", …. */
const char *clients_reason_name(enum clients_reason why);

#endif
