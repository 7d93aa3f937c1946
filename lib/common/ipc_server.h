/*
 * ipc_server — a daemon's control socket: Unix SOCK_SEQPACKET, one JSON
 * object per record (see ipc_proto.h), served from the daemon's libevent
 * loop.
 *
 * Commands come from tables of {name, help, args, handler, privileged}.
 * Before a handler runs, the request is parsed and its arguments checked
 * against the table, so a handler only sees well-formed input.  A handler
 * answers with ipc_call_reply() or ipc_call_fail(), at once or later (after
 * talking to a device or another daemon): until then the call stays open.
 * A handler may stream a long list with ipc_call_record() before its reply.
 *
 * Built in: "hello" (the protocol version), "help" (the command list, from
 * the tables), "subscribe" and "unsubscribe" (topics for
 * ipc_server_publish()).  Bad JSON, an unknown command, bad arguments or a
 * record over 64 KiB get an error reply and the connection goes on.
 *
 * Everything a client can make the server hold is bounded, because the
 * socket is open to every member of the daemon's group: at most
 * IPC_SERVER_MAX_CLIENTS connections, each with IPC_SERVER_MAX_TOPICS
 * distinct topics of IPC_SERVER_MAX_TOPIC_LEN bytes, IPC_SERVER_MAX_CALLS
 * calls awaiting their reply (more get "busy"), and IPC_SERVER_MAX_QUEUE
 * bytes of replies it has not read (past that, or once every connection
 * together holds IPC_SERVER_MAX_QUEUE_TOTAL, it is dropped).  A client that
 * disconnects mid-reply costs nothing but a log line.  A connection whose
 * peer credentials (SO_PEERCRED) cannot be read is refused, since the
 * privileged commands are decided on them.
 */
#ifndef LWGATE_COMMON_IPC_SERVER_H
#define LWGATE_COMMON_IPC_SERVER_H

#include <stdint.h>
#include <sys/types.h>

#include <event2/event.h>
#include <jansson.h>

#include "common/ipc_proto.h"

#define IPC_SERVER_MAX_CLIENTS     256
#define IPC_SERVER_MAX_QUEUE       (4u * 1024 * 1024)
#define IPC_SERVER_MAX_QUEUE_TOTAL (16u * 1024 * 1024)
/* The daemons publish a few dozen topics; 64 patterns cover any mix of them. */
#define IPC_SERVER_MAX_TOPICS    64
#define IPC_SERVER_MAX_TOPIC_LEN 128
#define IPC_SERVER_MAX_CALLS     64

struct ipc_server;
struct ipc_call;

/*
 * Handle one call.  @args has been checked against the command's table; it
 * is borrowed for the duration of the handler (json_incref to keep it).
 * @ctx is the pointer given to ipc_server_add_commands().
 */
typedef void (*ipc_handler_fn)(struct ipc_call *call, json_t *args, void *ctx);

struct ipc_command {
	const char *name;
	const char *help;           /* one line */
	const struct ipc_arg *args; /* NULL or a table ending with {.name = NULL} */
	ipc_handler_fn handler;
	bool privileged; /* changes state: only root or the daemon's own user */
};

struct ipc_server_stats {
	uint64_t clients_total;
	uint64_t requests;
	uint64_t errors;  /* error replies sent */
	uint64_t events;  /* event records sent */
	uint64_t dropped; /* clients dropped for not reading their replies */
	uint64_t refused; /* connections refused: too many, or no peer credentials */
	unsigned clients; /* connected now */
};

/*
 * Create the socket at @path (mode 0660, group @gid unless (gid_t)-1) and
 * serve it on @base.  A stale socket file is replaced; a live one (another
 * instance answers) is an error.  Returns NULL with errno set.
 */
struct ipc_server *ipc_server_new(struct event_base *base, const char *path, gid_t gid);

/* Close every connection, remove the socket file, free.  NULL is fine. */
void ipc_server_free(struct ipc_server *srv);

/*
 * Add a table of commands (ending with {.name = NULL}); @table must outlive
 * the server.  Handlers get @ctx.  Returns 0, -EEXIST when a name is taken,
 * or -ENOSPC past 8 tables.
 */
int ipc_server_add_commands(struct ipc_server *srv, const struct ipc_command *table, void *ctx);

/*
 * What "help" answers on a server that serves @tables (@n tables, each
 * ending with {.name = NULL}; NULL ones are skipped) after its built-in
 * commands, without a server: a daemon's --commands prints it, so that
 * lwgatectl's completion knows the commands at build time.
 */
json_t *ipc_server_describe(const struct ipc_command *const *tables, size_t n);

/* Send {"event":@topic,"data":@data_take} to every client subscribed to it. */
void ipc_server_publish(struct ipc_server *srv, const char *topic, json_t *data_take);

/* Counters for the daemon's status. */
void ipc_server_get_stats(const struct ipc_server *srv, struct ipc_server_stats *out);

/* Answer @call with @result_take (NULL: null) and free the call. */
void ipc_call_reply(struct ipc_call *call, json_t *result_take);

/* Answer @call with an error and free the call. */
void ipc_call_fail(struct ipc_call *call, enum ipc_error code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * ipc_call_fail() with more fields in the error object: @detail_take's
 * members (e.g. {"coap_code":"4.04"} for IPC_ERR_COAP), never overriding
 * "code" or "message".
 */
void ipc_call_fail_detail(struct ipc_call *call, enum ipc_error code, json_t *detail_take,
			  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Send one record of a list before the reply.  Returns 0, or -EPIPE when
 * the client has gone (the caller may stop producing; it must still reply).
 * Records that the client has not read yet count against
 * IPC_SERVER_MAX_QUEUE: a handler with more than that to send produces it
 * in slices from the loop rather than in one call.
 */
int ipc_call_record(struct ipc_call *call, json_t *record_take);

/* The command being answered. */
const char *ipc_call_command(const struct ipc_call *call);

/* The calling process's uid (SO_PEERCRED), or (uid_t)-1 once it has gone. */
uid_t ipc_call_uid(const struct ipc_call *call);

#endif
