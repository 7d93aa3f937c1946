/*
 * clients — the registration table, its SQLite mirror and lifetime timers.
 */
#define LOG_COMPONENT "clients"
#include "clients.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/keyidx.h"
#include "common/log.h"

struct clients {
	struct event_base *base;
	struct db *db;
	struct clients_hooks hooks;
	struct client **by_ep, **by_loc;
	struct keyidx *by_addr; /* the peer address a client last spoke from */
	size_t nbuckets;        /* a power of two, for both tables */
	struct client *first, *last;
	unsigned max;
	struct clients_stats st;
};

static void *xmalloc0(size_t n)
{
	void *p = calloc(1, n);

	if (!p)
		abort();
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		abort();
	return p;
}

int64_t clients_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t hash_str(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

const char *clients_reason_name(enum clients_reason why)
{
	switch (why) {
	case CLIENTS_DEREGISTERED:
		return "deregistered";
	case CLIENTS_REPLACED:
		return "replaced";
	case CLIENTS_EXPIRED:
		return "expired";
	case CLIENTS_REMOVED:
		return "removed";
	}
	return "?";
}

struct clients *clients_new(struct event_base *base, struct db *db,
			    const struct clients_hooks *hooks)
{
	struct clients *cs = xmalloc0(sizeof(*cs));

	cs->base = base;
	cs->db = db;
	if (hooks)
		cs->hooks = *hooks;
	cs->nbuckets = 1024;
	cs->by_ep = xmalloc0(cs->nbuckets * sizeof(*cs->by_ep));
	cs->by_loc = xmalloc0(cs->nbuckets * sizeof(*cs->by_loc));
	cs->by_addr = keyidx_new();
	cs->max = 1000000;
	return cs;
}

static void client_free(struct client *c)
{
	if (c->timer)
		event_free(c->timer);
	free(c->ep);
	free(c->sms);
	free(c->root);
	free(c->links);
	free(c);
}

void clients_free(struct clients *cs)
{
	struct client *c, *next;

	if (!cs)
		return;
	for (c = cs->first; c; c = next) {
		next = c->next;
		client_free(c);
	}
	free(cs->by_ep);
	free(cs->by_loc);
	keyidx_free(cs->by_addr);
	free(cs);
}

void clients_set_max(struct clients *cs, unsigned max)
{
	cs->max = max;
}

static void link_in(struct clients *cs, struct client *c)
{
	size_t m = cs->nbuckets - 1;
	size_t e = hash_str(c->ep, strlen(c->ep)) & m;
	size_t l = hash_str(c->location, CLIENTS_LOCATION_LEN) & m;

	c->ep_next = cs->by_ep[e];
	cs->by_ep[e] = c;
	c->loc_next = cs->by_loc[l];
	cs->by_loc[l] = c;
}

static void grow(struct clients *cs)
{
	struct client *c;

	free(cs->by_ep);
	free(cs->by_loc);
	cs->nbuckets *= 2;
	cs->by_ep = xmalloc0(cs->nbuckets * sizeof(*cs->by_ep));
	cs->by_loc = xmalloc0(cs->nbuckets * sizeof(*cs->by_loc));
	for (c = cs->first; c; c = c->next)
		link_in(cs, c);
}

static void insert(struct clients *cs, struct client *c)
{
	c->owner = cs;
	c->prev = cs->last;
	c->next = NULL;
	if (cs->last)
		cs->last->next = c;
	else
		cs->first = c;
	cs->last = c;
	cs->st.count++;
	keyidx_add(cs->by_addr, (const char *)&c->addr, c->addr_len, c);
	if (cs->st.count > cs->nbuckets)
		grow(cs); /* relinks every client, this one included */
	else
		link_in(cs, c);
}

static void unlink_client(struct clients *cs, struct client *c)
{
	size_t m = cs->nbuckets - 1;
	struct client **pp = &cs->by_ep[hash_str(c->ep, strlen(c->ep)) & m];

	while (*pp != c)
		pp = &(*pp)->ep_next;
	*pp = c->ep_next;
	pp = &cs->by_loc[hash_str(c->location, CLIENTS_LOCATION_LEN) & m];
	while (*pp != c)
		pp = &(*pp)->loc_next;
	*pp = c->loc_next;
	keyidx_del(cs->by_addr, (const char *)&c->addr, c->addr_len, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		cs->first = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		cs->last = c->prev;
	cs->st.count--;
}

struct client *clients_find_ep(struct clients *cs, const char *ep)
{
	struct client *c = cs->by_ep[hash_str(ep, strlen(ep)) & (cs->nbuckets - 1)];

	while (c && strcmp(c->ep, ep) != 0)
		c = c->ep_next;
	return c;
}

struct client *clients_find_location(struct clients *cs, const char *location, size_t len)
{
	struct client *c;

	if (len != CLIENTS_LOCATION_LEN)
		return NULL;
	c = cs->by_loc[hash_str(location, len) & (cs->nbuckets - 1)];
	while (c && memcmp(c->location, location, len) != 0)
		c = c->loc_next;
	return c;
}

struct client *clients_find_addr(struct clients *cs, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage key;

	/* as set_addr() stores it: zero past the address */
	if (len > sizeof(key))
		return NULL;
	memset(&key, 0, sizeof(key));
	memcpy(&key, addr, len);
	return keyidx_get(cs->by_addr, (const char *)&key, len);
}

struct client *clients_first(struct clients *cs)
{
	return cs->first;
}

struct client *clients_next(struct client *c)
{
	return c->next;
}

void clients_get_stats(const struct clients *cs, struct clients_stats *out)
{
	*out = cs->st;
}

void clients_format_address(const struct client *c, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	if (c->addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&c->addr;

		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, size, "[%s]:%u", ip, ntohs(s6->sin6_port));
	} else if (c->addr.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&c->addr;

		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(buf, size, "%s:%u", ip, ntohs(s4->sin_port));
	} else {
		snprintf(buf, size, "?");
	}
}

/* The address as the database stores it: text and port. */
static void addr_parts(const struct client *c, char *ip, size_t size, int *port)
{
	*port = 0;
	snprintf(ip, size, "?");
	if (c->addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&c->addr;

		inet_ntop(AF_INET6, &s6->sin6_addr, ip, (socklen_t)size);
		*port = ntohs(s6->sin6_port);
	} else if (c->addr.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)&c->addr;

		inet_ntop(AF_INET, &s4->sin_addr, ip, (socklen_t)size);
		*port = ntohs(s4->sin_port);
	}
}

static int addr_from_parts(struct client *c, const char *ip, int port)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&c->addr;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&c->addr;

	memset(&c->addr, 0, sizeof(c->addr));
	if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		c->addr_len = sizeof(*s6);
		return 0;
	}
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		c->addr_len = sizeof(*s4);
		return 0;
	}
	return -EINVAL;
}

static void set_addr(struct client *c, const struct sockaddr *addr, socklen_t len)
{
	if (len > sizeof(c->addr))
		len = sizeof(c->addr);
	memset(&c->addr, 0, sizeof(c->addr));
	memcpy(&c->addr, addr, len);
	c->addr_len = len;
}

/* The transport as one of our static strings, whatever the caller's storage. */
static const char *transport_name(const char *t)
{
	static const char *const names[] = { "dtls", "tcp", "tls", "nidd", "http2" };

	for (size_t i = 0; t && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(t, names[i]) == 0)
			return names[i];
	return "udp";
}

static void on_expire(evutil_socket_t fd, short what, void *arg)
{
	struct client *c = arg;
	struct clients *cs = c->owner;

	log_info("lifetime over ep=%s lifetime=%u", c->ep, c->lifetime);
	clients_remove(cs, c, CLIENTS_EXPIRED);
}

static void arm(struct client *c, int64_t now)
{
	int64_t left = c->expires - now;
	struct timeval tv;

	if (left < 0)
		left = 0;
	tv.tv_sec = (time_t)(left / 1000);
	tv.tv_usec = (suseconds_t)(left % 1000) * 1000;
	evtimer_add(c->timer, &tv);
}

static int store(struct clients *cs, const struct client *c)
{
	char ip[INET6_ADDRSTRLEN];
	int port, rc;

	addr_parts(c, ip, sizeof(ip), &port);
	db_batch(cs->db);
	rc = db_exec(
		cs->db,
		"INSERT OR REPLACE INTO clients (ep, location, lwm2m, binding, queue, sms, "
		"lifetime, root, links, address, port, transport, registered, updated, expires) "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"ttttitIttti"
		"tIII",
		c->ep, c->location, c->version, c->binding, (int)c->queue, c->sms,
		(int64_t)c->lifetime, c->root, c->links, ip, port, c->transport, c->registered,
		c->updated, c->expires);
	if (rc < 0 || db_commit(cs->db) < 0) {
		cs->st.db_errors++;
		return -EIO;
	}
	return 0;
}

static void new_location(char *out)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t rnd[CLIENTS_LOCATION_LEN / 2];

	/* getrandom() on a 10-byte request never returns short once the pool is ready */
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		abort();
	for (size_t i = 0; i < sizeof(rnd); i++) {
		out[2 * i] = hex[rnd[i] >> 4];
		out[2 * i + 1] = hex[rnd[i] & 15];
	}
	out[CLIENTS_LOCATION_LEN] = '\0';
}

int clients_register(struct clients *cs, const struct regreq_query *q, const char *links,
		     size_t links_len, const char *root, const struct sockaddr *addr,
		     socklen_t addr_len, const char *transport, struct client **out)
{
	struct client *old = clients_find_ep(cs, q->ep), *c;
	int64_t now = clients_now_ms();

	if (!old && cs->st.count >= cs->max)
		return -ENOSPC;
	c = xmalloc0(sizeof(*c));
	c->ep = xstrndup(q->ep, strlen(q->ep));
	do
		new_location(c->location);
	while (clients_find_location(cs, c->location, CLIENTS_LOCATION_LEN));
	snprintf(c->version, sizeof(c->version), "%s", q->version);
	snprintf(c->binding, sizeof(c->binding), "%s", q->binding);
	c->queue = q->queue;
	c->sms = (q->present & REGREQ_HAS_SMS) ? xstrndup(q->sms, strlen(q->sms)) : NULL;
	c->root = xstrndup(root, strlen(root));
	c->links = xstrndup(links, links_len);
	c->lifetime = q->lifetime;
	c->registered = c->updated = c->last_seen = now;
	c->expires = now + (int64_t)q->lifetime * 1000;
	c->transport = transport_name(transport);
	set_addr(c, addr, addr_len);
	/* the row replaces the old endpoint's row in the same statement */
	if (store(cs, c) < 0) {
		client_free(c);
		return -EIO;
	}
	if (old) {
		cs->st.replaced++;
		if (cs->hooks.removed)
			cs->hooks.removed(cs->hooks.ctx, old, CLIENTS_REPLACED);
		unlink_client(cs, old);
		client_free(old);
	}
	c->timer = evtimer_new(cs->base, on_expire, c);
	if (!c->timer)
		abort();
	insert(cs, c);
	arm(c, now);
	cs->st.registered++;
	if (cs->hooks.added)
		cs->hooks.added(cs->hooks.ctx, c);
	*out = c;
	return 0;
}

int clients_update(struct clients *cs, struct client *c, const struct regreq_query *q,
		   const char *links, size_t links_len, const char *root,
		   const struct sockaddr *addr, socklen_t addr_len)
{
	struct client saved = *c;
	int64_t now = clients_now_ms();
	int rc;

	if (q->present & REGREQ_HAS_LT)
		c->lifetime = q->lifetime;
	if (q->present & REGREQ_HAS_B) {
		snprintf(c->binding, sizeof(c->binding), "%s", q->binding);
		c->queue = q->queue;
	} else if (q->present & REGREQ_HAS_Q) {
		c->queue = true;
	}
	if (q->present & REGREQ_HAS_SMS)
		c->sms = xstrndup(q->sms, strlen(q->sms));
	if (links) {
		c->links = xstrndup(links, links_len);
		c->root = xstrndup(root, strlen(root));
	}
	keyidx_del(cs->by_addr, (const char *)&c->addr, c->addr_len, c);
	set_addr(c, addr, addr_len);
	c->updated = c->last_seen = now;
	c->expires = now + (int64_t)c->lifetime * 1000;
	rc = store(cs, c);
	if (rc < 0) {
		/* keep the table equal to the database: undo */
		if (c->sms != saved.sms)
			free(c->sms);
		if (c->links != saved.links) {
			free(c->links);
			free(c->root);
		}
		*c = saved;
		keyidx_add(cs->by_addr, (const char *)&c->addr, c->addr_len, c);
		return rc;
	}
	keyidx_add(cs->by_addr, (const char *)&c->addr, c->addr_len, c);
	if (c->sms != saved.sms)
		free(saved.sms);
	if (c->links != saved.links) {
		free(saved.links);
		free(saved.root);
	}
	arm(c, now);
	cs->st.updated++;
	return 0;
}

bool clients_same_addr(const struct client *c, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage key;

	if (len > sizeof(key) || len != c->addr_len)
		return false;
	memset(&key, 0, sizeof(key));
	memcpy(&key, addr, len);
	return memcmp(&key, &c->addr, len) == 0;
}

int clients_move(struct clients *cs, struct client *c, const struct sockaddr *addr,
		 socklen_t addr_len)
{
	char ip[INET6_ADDRSTRLEN];
	int port, rc;

	keyidx_del(cs->by_addr, (const char *)&c->addr, c->addr_len, c);
	set_addr(c, addr, addr_len);
	keyidx_add(cs->by_addr, (const char *)&c->addr, c->addr_len, c);
	addr_parts(c, ip, sizeof(ip), &port);
	db_batch(cs->db);
	rc = db_exec(cs->db, "UPDATE clients SET address = ?, port = ? WHERE ep = ?", "tit", ip,
		     port, c->ep);
	if (rc < 0 || db_commit(cs->db) < 0) {
		cs->st.db_errors++;
		return -EIO;
	}
	return 0;
}

int clients_remove(struct clients *cs, struct client *c, enum clients_reason why)
{
	int rc = 0;

	db_batch(cs->db);
	if (db_exec(cs->db, "DELETE FROM clients WHERE ep = ?", "t", c->ep) < 0 ||
	    db_commit(cs->db) < 0) {
		cs->st.db_errors++;
		rc = -EIO;
	}
	switch (why) {
	case CLIENTS_DEREGISTERED:
		cs->st.deregistered++;
		break;
	case CLIENTS_EXPIRED:
		cs->st.expired++;
		break;
	case CLIENTS_REMOVED:
		cs->st.removed++;
		break;
	case CLIENTS_REPLACED:
		cs->st.replaced++;
		break;
	}
	if (cs->hooks.removed)
		cs->hooks.removed(cs->hooks.ctx, c, why);
	unlink_client(cs, c);
	client_free(c);
	return rc;
}

static char *column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? xstrndup((const char *)t, strlen((const char *)t)) : NULL;
}

int clients_load(struct clients *cs)
{
	sqlite3_stmt *st =
		db_stmt(cs->db, "SELECT ep, location, lwm2m, binding, queue, sms, "
				"lifetime, root, links, address, port, registered, "
				"updated, expires, transport FROM clients ORDER BY registered");
	int64_t now = clients_now_ms();
	struct client *expired = NULL, *c;
	int rc, n = 0;

	if (!st)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *loc = (const char *)sqlite3_column_text(st, 1);
		const char *ip = (const char *)sqlite3_column_text(st, 9);

		c = xmalloc0(sizeof(*c));
		c->ep = column_dup(st, 0);
		if (!c->ep || !loc || strlen(loc) != CLIENTS_LOCATION_LEN || !ip ||
		    addr_from_parts(c, ip, sqlite3_column_int(st, 10)) < 0) {
			log_warnx("bad row skipped ep=%s", c->ep ? c->ep : "(null)");
			client_free(c);
			continue;
		}
		memcpy(c->location, loc, CLIENTS_LOCATION_LEN + 1);
		snprintf(c->version, sizeof(c->version), "%s", sqlite3_column_text(st, 2));
		snprintf(c->binding, sizeof(c->binding), "%s", sqlite3_column_text(st, 3));
		c->queue = sqlite3_column_int(st, 4) != 0;
		c->sms = column_dup(st, 5);
		c->lifetime = (uint32_t)sqlite3_column_int64(st, 6);
		c->root = column_dup(st, 7);
		c->links = column_dup(st, 8);
		if (!c->root)
			c->root = xstrndup("/", 1);
		if (!c->links)
			c->links = xstrndup("", 0);
		c->transport = transport_name((const char *)sqlite3_column_text(st, 14));
		c->registered = sqlite3_column_int64(st, 11);
		c->updated = c->last_seen = sqlite3_column_int64(st, 12);
		c->expires = sqlite3_column_int64(st, 13);
		c->timer = evtimer_new(cs->base, on_expire, c);
		if (!c->timer)
			abort();
		insert(cs, c);
		n++;
	}
	if (rc != SQLITE_DONE) {
		log_warnx("loading clients: %s", sqlite3_errmsg(db_handle(cs->db)));
		return -EIO;
	}
	sqlite3_reset(st);
	for (c = cs->first; c; c = c->next) {
		if (cs->hooks.added)
			cs->hooks.added(cs->hooks.ctx, c);
		arm(c, now);
		if (c->expires <= now)
			expired = c; /* the timers fire at once, from the loop */
	}
	if (expired)
		log_info("some registrations ended while lwm2md was down; they expire now");
	return n;
}

static json_t *objects_json(const struct client *c)
{
	struct regreq_links l;
	json_t *a = json_array();
	char why[8], s[48];

	if (regreq_parse_links((const uint8_t *)c->links, strlen(c->links), &l, why, sizeof(why)) ==
	    0) {
		for (size_t i = 0; i < l.count; i++) {
			const struct regreq_object *o = &l.objects[i];
			int n = o->inst < 0 ? snprintf(s, sizeof(s), "/%u", o->obj)
					    : snprintf(s, sizeof(s), "/%u/%d", o->obj, o->inst);

			if (o->ver[0] && n > 0)
				snprintf(s + n, sizeof(s) - (size_t)n, " (%s)", o->ver);
			json_array_append_new(a, json_string(s));
		}
	}
	regreq_links_fini(&l);
	return a;
}

json_t *clients_iso_time(int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

json_t *clients_json(const struct client *c, bool full)
{
	char addr[INET6_ADDRSTRLEN + 10];
	int64_t left = (c->expires - clients_now_ms()) / 1000;
	json_t *o;

	clients_format_address(c, addr, sizeof(addr));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:o}", "endpoint", c->ep,
		      "location", c->location, "address", addr, "transport", c->transport,
		      "binding", c->binding, "lwm2m", c->version, "lifetime",
		      (json_int_t)c->lifetime, "lifetime_left", (json_int_t)(left < 0 ? 0 : left),
		      "objects", objects_json(c));
	if (full) {
		json_object_set_new(o, "queue", json_boolean(c->queue));
		json_object_set_new(o, "sms", c->sms ? json_string(c->sms) : json_null());
		json_object_set_new(o, "root", json_string(c->root));
		json_object_set_new(o, "links", json_string(c->links));
		json_object_set_new(o, "registered", clients_iso_time(c->registered));
		json_object_set_new(o, "updated", clients_iso_time(c->updated));
	}
	return o;
}
