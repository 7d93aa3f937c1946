/*
 * store — scefd's state in SQLite: the NIDD configurations of each SCS/AS
 * and their downlink data deliveries (buffered ones survive a restart).
 * Resource ids are the tables' integer keys, written in decimal in URIs.
 */
#ifndef LWGATE_SCEFD_STORE_H
#define LWGATE_SCEFD_STORE_H

#include <stdint.h>
#include <time.h>

#include "common/db.h"
#include "t8/t8.h"

/* The migration that creates the tables (schema 2 of scefd's database). */
extern const char store_schema_2[];

/* Schema 5: the reserved RDS ports of a configuration, a delivery's rdsPort. */
extern const char store_schema_5[];

/* Schema 4: a delivery's group delivery (group message delivery), its retransmission time. */
extern const char store_schema_4[];

/* Schema 6: did the configuration ask for websocket notifications? */
extern const char store_schema_6[];

#define STORE_MAX_SCS_AS 64

struct store_config {
	int64_t id;
	char scs_as[STORE_MAX_SCS_AS];
	struct t8_config cfg;
};

struct store_delivery {
	int64_t id;
	int64_t config;
	struct t8_downlink dl;
	enum t8_delivery_status status;
	time_t created;
	time_t expires;    /* 0: never (no maximumLatency) */
	time_t retransmit; /* requestedRetransmissionTime reported with it; 0: none */
	int64_t group;     /* the group delivery this is one UE's part of; 0: none */
};

/* Add @c (its id is set).  Returns 0 or -errno. */
int store_config_add(struct db *db, struct store_config *c);

/* The configuration @id of @scs_as (NULL: of any) into *@out.  Returns 0, -ENOENT or -EIO. */
int store_config_get(struct db *db, const char *scs_as, int64_t id, struct store_config *out);

/* Write back @c's writable members.  Returns 0, -ENOENT or -EIO. */
int store_config_update(struct db *db, const struct store_config *c);

/* Delete configuration @id of @scs_as and its deliveries.  Returns 0, -ENOENT or -EIO. */
int store_config_delete(struct db *db, const char *scs_as, int64_t id);

/* Called per row; a non-zero return stops the walk and is returned. */
typedef int (*store_config_fn)(const struct store_config *c, void *arg);
typedef int (*store_delivery_fn)(const struct store_delivery *d, void *arg);

/* Walk the configurations of @scs_as (NULL: all) in id order. */
int store_config_each(struct db *db, const char *scs_as, store_config_fn fn, void *arg);

/* The same, limited (@expired_at not 0) to those whose duration ended by then. */
int store_config_walk(struct db *db, const char *scs_as, time_t expired_at, store_config_fn fn,
		      void *arg);

/* Add @d (its id is set).  Returns 0 or -errno. */
int store_delivery_add(struct db *db, struct store_delivery *d);

/* Delivery @id of configuration @config into *@out.  Returns 0, -ENOENT or -EIO. */
int store_delivery_get(struct db *db, int64_t config, int64_t id, struct store_delivery *out);

/* Write back @d (data, options, status, expiry).  Returns 0, -ENOENT or -EIO. */
int store_delivery_update(struct db *db, const struct store_delivery *d);

/* Walk the UE deliveries of group delivery @group in id order. */
int store_delivery_members(struct db *db, int64_t group, store_delivery_fn fn, void *arg);

/* Delete delivery @id of @config.  Returns 0, -ENOENT or -EIO. */
int store_delivery_delete(struct db *db, int64_t config, int64_t id);

/*
 * Walk the deliveries of @config (0: of every configuration) in id order;
 * with @pending_only, those still held (buffered or triggered) only.
 */
int store_delivery_each(struct db *db, int64_t config, bool pending_only, store_delivery_fn fn,
			void *arg);

/* Reserve (or replace) RDS port ue@ue-ef@ef of @config for @p.  Returns 0 or -EIO. */
int store_port_put(struct db *db, int64_t config, int ue, int ef, const struct t8_manage_port *p);

/* The reservation of port ue@ue-ef@ef of @config.  Returns 0, -ENOENT or -EIO. */
int store_port_get(struct db *db, int64_t config, int ue, int ef, struct t8_manage_port *out);

/* Release it.  Returns 0, -ENOENT or -EIO. */
int store_port_delete(struct db *db, int64_t config, int ue, int ef);

typedef int (*store_port_fn)(int ue, int ef, const struct t8_manage_port *p, void *arg);

/* Walk the reserved ports of @config in port order. */
int store_port_each(struct db *db, int64_t config, store_port_fn fn, void *arg);

#endif
