/*
 * ipc_peer — the asynchronous side of the control socket, for one daemon
 * calling another from its libevent loop (lwm2md asking rdd, paad telling
 * lowpand).  Calls never block: each completes through its callback, from
 * the loop, exactly once — with the reply, or with IPC_ERR_UNAVAILABLE when
 * the other daemon cannot be reached, or IPC_ERR_TIMEOUT.
 *
 * The peer connects on first use and again after the other daemon
 * restarts; when subscribed to events it reconnects by itself every second
 * and subscribes again.
 *
 * Calls that wait for a reply are bounded (IPC_PEER_MAX_PENDING: more
 * complete at once with IPC_ERR_BUSY), and so are the records one reply may
 * stream (IPC_PEER_MAX_RECORDS: past that the call completes with
 * IPC_ERR_TOO_LARGE), because the calls are often made on behalf of
 * devices on the network, at their pace.
 */
#ifndef LWGATE_COMMON_IPC_PEER_H
#define LWGATE_COMMON_IPC_PEER_H

#include <event2/event.h>
#include <jansson.h>

#include "common/ipc_client.h"

#define IPC_PEER_MAX_PENDING 1024
#define IPC_PEER_MAX_RECORDS 65536

struct ipc_peer;

/* @resp is valid during the callback only. */
typedef void (*ipc_peer_reply_fn)(const struct ipc_response *resp, void *arg);
typedef void (*ipc_peer_event_fn)(const char *topic, json_t *data, void *arg);

/* A peer for the daemon socket at @path; nothing is connected yet. */
struct ipc_peer *ipc_peer_new(struct event_base *base, const char *path);

/* Disconnect and free; pending callbacks are NOT called.  NULL is fine. */
void ipc_peer_free(struct ipc_peer *peer);

/*
 * Call @cmd with @args_take (NULL: none).  @cb runs later from the loop,
 * never from inside this function.  Returns 0, or -EMSGSIZE when the
 * request is over 64 KiB (no callback then).
 */
int ipc_peer_call(struct ipc_peer *peer, const char *cmd, json_t *args_take, int timeout_ms,
		  ipc_peer_reply_fn cb, void *arg);

/*
 * Receive events on @topics (a JSON array of strings, borrowed) through @cb,
 * now and after every reconnect.
 */
void ipc_peer_subscribe(struct ipc_peer *peer, json_t *topics, ipc_peer_event_fn cb, void *arg);

/* True while connected. */
bool ipc_peer_connected(const struct ipc_peer *peer);

#endif
