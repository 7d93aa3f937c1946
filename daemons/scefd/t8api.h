/*
 * t8api — scefd's northbound T8 NIDD API (TS 29.122 clause 5.6) on
 * lib/http:
 *
 *   {apiRoot}/3gpp-nidd/v1/{scsAsId}/configurations                 GET POST
 *   …/configurations/{configurationId}                              GET PATCH DELETE
 *   …/configurations/{configurationId}/downlink-data-deliveries     GET POST
 *   …/downlink-data-deliveries/{downlinkDataDeliveryId}             GET PUT PATCH DELETE
 *
 * Every error is application/problem+json with the TS 29.122 "cause"
 * where one is defined; a failed delivery is a 500 with a
 * NiddDownlinkDataDeliveryFailure.
 */
#ifndef LWGATE_SCEFD_T8API_H
#define LWGATE_SCEFD_T8API_H

#include "common/db.h"
#include "devices.h"
#include "http/httpsrv.h"
#include "nidd.h"
#include "notify.h"

struct t8api;

/* The API over @db, @devs and @nidd.  Returns 0 or -ENOMEM. */
int t8api_new(struct db *db, struct devices *devs, struct nidd *nidd, struct t8api **out);

/* Set the {apiRoot} ("http://127.0.0.1:8090") of the self links and Location headers. */
void t8api_set_root(struct t8api *a, const char *api_root);

/* Where the API queues the TestNotification a configuration asks for (NULL: none sent). */
void t8api_set_notify(struct t8api *a, struct notify *n);

/* The WebSockets to close when their configuration is deleted (NULL: none). */
struct wsnotify;
void t8api_set_websockets(struct t8api *a, struct wsnotify *w);
void t8api_free(struct t8api *a);

/* The http_server handler; @arg is the struct t8api. */
void t8api_handle(struct http_exchange *ex, void *arg);

/* The self link of delivery @id of configuration @config of @scs_as into @out. */
void t8api_delivery_link(const struct t8api *a, const char *scs_as, int64_t config, int64_t id,
			 char *out, size_t size);

/* The self link of configuration @id of @scs_as into @out. */
void t8api_config_link(const struct t8api *a, const char *scs_as, int64_t id, char *out,
		       size_t size);

#endif
