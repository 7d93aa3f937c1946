/*
 * wsnotify — notifications over a WebSocket (TS 29.122 5.2.5.4,
 * websockNotifConfig): a configuration created with requestWebsocketUri
 * true is answered with websocketUri {apiRoot}/3gpp-nidd/v1/{scsAsId}/
 * configurations/{id}/websocket (ws:// or wss:// like the API); once its
 * SCS/AS has opened it (lib/http's WebSocket upgrade), the
 * configuration's notifications go over it as text messages, each the
 * JSON a POST would carry.  While none is open they go to
 * notificationDestination through the outbox (notify).  One WebSocket
 * per configuration (a new one replaces the old), at most WSNOTIFY_MAX.
 */
#ifndef LWGATE_SCEFD_WSNOTIFY_H
#define LWGATE_SCEFD_WSNOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/db.h"
#include "http/httpsrv.h"

#define WSNOTIFY_MAX 64

struct wsnotify_stats {
	uint64_t opened, sent;
	size_t open;
};

struct wsnotify;

/* Returns 0 and *@out, or -ENOMEM. */
int wsnotify_new(struct db *db, struct wsnotify **out);

/* Close every WebSocket still open and free @w. */
void wsnotify_free(struct wsnotify *w);

/* The http_ws_accept_fn to give http_server_set_websocket (@arg: the wsnotify). */
bool wsnotify_accept(struct http_ws *ws, const struct http_request *req, void *arg);

/* Send @body over configuration @config's WebSocket: true if one was open and took it. */
bool wsnotify_send(struct wsnotify *w, int64_t config, const char *body);

/* Configuration @config is gone: close its WebSocket (1000), if open, after what was sent. */
void wsnotify_drop(struct wsnotify *w, int64_t config);

/* The websocketUri of configuration @id of @scs_as under @api_root ("http://…"). */
void wsnotify_uri(const char *api_root, const char *scs_as, int64_t id, char *out, size_t size);

void wsnotify_get_stats(const struct wsnotify *w, struct wsnotify_stats *out);

#endif
