/*
 * ipc_local — a daemon's control commands called from inside the daemon
 * itself (its HTTP API, lib/http's bridge), without the control socket.
 *
 * A call goes through the same command tables, argument checks
 * (ipc_proto_check_args, which converts "5" to 5 in place as for a socket
 * caller), privilege rule and handler as one from `lwgatectl`, and
 * completes with the same struct ipc_response that ipc_peer gives: the
 * handler's result object itself, its streamed records gathered in an
 * array, or its error with every detail member (coap_code …).  The caller
 * is the daemon's own user, so a privileged command is allowed, as it is
 * for the daemon connecting to its own socket.  What the socket would cost
 * (a request and a reply serialised, sent through the kernel and parsed
 * again) is saved; what a caller sees is not changed.
 *
 * Unlike ipc_peer_call(), the callback may run before ipc_local_call()
 * returns: at once when the handler answers at once (a cached value, an
 * argument error), else later from the loop (the handler waits on a
 * device), or with IPC_ERR_TIMEOUT after @timeout_ms.  Calls awaiting
 * their handler are bounded (IPC_LOCAL_MAX_CALLS: more fail with
 * IPC_ERR_BUSY), and so are the records one may stream.
 */
#ifndef LWGATE_COMMON_IPC_LOCAL_H
#define LWGATE_COMMON_IPC_LOCAL_H

#include <jansson.h>

#include "common/ipc_client.h"

#define IPC_LOCAL_MAX_CALLS   1024
#define IPC_LOCAL_MAX_RECORDS 65536

struct ipc_server;

/* @resp is valid during the callback only. */
typedef void (*ipc_local_reply_fn)(const struct ipc_response *resp, void *arg);
typedef void (*ipc_local_event_fn)(const char *topic, json_t *data, void *arg);

/* The server this process runs on the socket at @path, or NULL. */
struct ipc_server *ipc_local_find(const char *path);

/* Call @cmd with @args_take (NULL: none) on @srv; @cb runs exactly once. */
void ipc_local_call(struct ipc_server *srv, const char *cmd, json_t *args_take, int timeout_ms,
		    ipc_local_reply_fn cb, void *arg);

/*
 * Receive every event ipc_server_publish() sends (@data borrowed for the
 * callback), synchronously from the publisher; one listener per server,
 * NULL @cb removes it.
 */
void ipc_local_subscribe(struct ipc_server *srv, ipc_local_event_fn cb, void *arg);

#endif
