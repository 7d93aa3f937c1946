/*
 * ipc_client — the blocking side of the control socket, for lwgatectl and
 * tests: connect, call a command, wait (with a timeout) for its records and
 * its reply; optionally wait for events after a "subscribe".
 */
#ifndef LWGATE_COMMON_IPC_CLIENT_H
#define LWGATE_COMMON_IPC_CLIENT_H

#include <stdbool.h>

#include <jansson.h>

#include "common/ipc_proto.h"

struct ipc_client;

/* The outcome of one call. */
struct ipc_response {
	bool ok;
	json_t *result;      /* ok: the reply's result (owned; may be JSON null) */
	json_t *records;     /* an array of the records streamed before the reply, or NULL */
	enum ipc_error code; /* !ok */
	char *message;       /* !ok: the daemon's explanation (owned) */
	json_t *error;       /* !ok: the whole error object, with any detail (owned) */
};

/* Release what a call put in @resp. */
void ipc_response_fini(struct ipc_response *resp);

/*
 * Connect to the daemon socket at @path.  Returns 0 and *out, or -errno
 * (-ENOENT: no socket file, -ECONNREFUSED: nobody listening, -EACCES).
 */
int ipc_client_open(const char *path, struct ipc_client **out);

/* Close and free; NULL is fine. */
void ipc_client_free(struct ipc_client *cl);

/*
 * Call @cmd with @args_take (NULL: no arguments) and wait up to @timeout_ms
 * for the reply.  Returns 0 when the daemon answered, whether ok or not
 * (see resp->ok), or -ETIMEDOUT, -ECONNRESET (daemon went away), -EMSGSIZE
 * (request over 64 KiB), -EBADMSG (not our protocol).  Events that arrive
 * meanwhile are kept for ipc_client_next_event().
 */
int ipc_client_call(struct ipc_client *cl, const char *cmd, json_t *args_take, int timeout_ms,
		    struct ipc_response *resp);

/*
 * Wait up to @timeout_ms (-1: forever) for an event.  Returns 0 with
 * *topic_out (malloc'd) and *data_out (owned), or -ETIMEDOUT, -ECONNRESET,
 * or -EINTR when a signal arrived (installed without SA_RESTART).
 */
int ipc_client_next_event(struct ipc_client *cl, int timeout_ms, char **topic_out,
			  json_t **data_out);

/* The socket, for poll() by callers that watch other things too. */
int ipc_client_fd(const struct ipc_client *cl);

#endif
