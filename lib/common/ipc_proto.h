/*
 * ipc_proto — the control-socket protocol, as pure functions on buffers.
 *
 * One JSON object per SOCK_SEQPACKET record, at most IPC_MAX_MESSAGE bytes:
 *   request  {"id":N,"cmd":"clients.list","args":{…}}
 *   reply    {"id":N,"ok":true,"result":…}
 *            {"id":N,"ok":false,"error":{"code":"not_found","message":"…"}}
 *            the error object may carry more, e.g. "coap_code":"4.04" with "coap"
 *   record   {"id":N,"record":…}      zero or more before the reply, for long lists
 *   event    {"event":"topic","data":…}   after a "subscribe"
 * The reply is always the last message for an id, so it doubles as the end
 * record of a list.  Every server answers "hello" with
 * {"protocol":IPC_PROTOCOL_VERSION} (and "status" carries it too), so that
 * a client can tell a daemon that speaks another version of this protocol.  The server and both
 * clients (ipc_client, ipc_peer) use these functions, and the fuzz target drives them directly.
 */
#ifndef LWGATE_COMMON_IPC_PROTO_H
#define LWGATE_COMMON_IPC_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define IPC_MAX_MESSAGE 65536

/*
 * Bumped when a message changes shape incompatibly (a field removed or
 * retyped, an error code renumbered); new fields and commands keep it.
 */
#define IPC_PROTOCOL_VERSION 1

/* Stable error codes; their names are the public "code" strings. */
enum ipc_error {
	IPC_OK = 0,
	IPC_ERR_BAD_REQUEST,     /* not JSON, not an object, no "cmd" */
	IPC_ERR_TOO_LARGE,       /* record over IPC_MAX_MESSAGE */
	IPC_ERR_UNKNOWN_COMMAND, /* no such command */
	IPC_ERR_BAD_ARGS,        /* arguments do not match the command's table */
	IPC_ERR_NOT_FOUND,       /* the object named does not exist */
	IPC_ERR_DENIED,          /* caller may not do this (SO_PEERCRED) */
	IPC_ERR_CONFLICT,        /* the object exists / state forbids it */
	IPC_ERR_BUSY,            /* try again later */
	IPC_ERR_UNAVAILABLE,     /* a peer (device, daemon) cannot be reached */
	IPC_ERR_TIMEOUT,         /* no answer in time */
	IPC_ERR_INTERNAL,        /* our bug or a database error; logged */
	IPC_ERR_COAP,            /* a device answered with a CoAP error: "coap_code" says which */
	IPC_ERR_COUNT
};

/* "bad_request", "not_found", …; "unknown" for an out-of-range value. */
const char *ipc_error_name(enum ipc_error code);

/* Inverse of ipc_error_name(); IPC_ERR_INTERNAL for an unknown name. */
enum ipc_error ipc_error_from_name(const char *name);

enum ipc_arg_type {
	IPC_ARG_STRING,
	IPC_ARG_INT,
	IPC_ARG_BOOL,
	IPC_ARG_ARRAY,
	IPC_ARG_OBJECT,
	IPC_ARG_ANY,
};

/*
 * One argument of a command; a table ends with {.name = NULL}.  The
 * positional ones may also be given by position on the command line, in
 * the order of the table (`lwgatectl lwm2md read dev7 /3/0`): "help"
 * reports it, so that lwgatectl learns the order from the daemon.
 */
struct ipc_arg {
	const char *name;
	enum ipc_arg_type type;
	bool required;
	const char *help;
	bool positional;
};

/* "string", "integer", … for help output. */
const char *ipc_arg_type_name(enum ipc_arg_type type);

/* A parsed request.  cmd and args point into root, which the request owns. */
struct ipc_request {
	json_t *root;
	json_t *id; /* the request's id, or JSON null */
	const char *cmd;
	json_t *args; /* an object, never NULL after a successful parse */
};

/*
 * Parse one record into @req.  Returns IPC_OK, or an error code with a
 * human sentence in @why; on error @req->id still holds the id when one
 * could be read (so the error reply can carry it).  Call
 * ipc_request_fini() in both cases.
 */
enum ipc_error ipc_proto_parse_request(const uint8_t *buf, size_t len, struct ipc_request *req,
				       char *why, size_t why_len);

/* Release what ipc_proto_parse_request() filled in. */
void ipc_request_fini(struct ipc_request *req);

/*
 * Check @args against @spec: every required argument present, no unknown
 * one, each of its type.  A string given for an integer or boolean argument
 * (as `lwgatectl cmd key=value` sends) is converted in place when it reads
 * as one exactly.  Returns IPC_OK or IPC_ERR_BAD_ARGS with @why filled.
 */
enum ipc_error ipc_proto_check_args(const struct ipc_arg *spec, json_t *args, char *why,
				    size_t why_len);

/* Message builders; each takes ownership of its json_t argument(s). */
json_t *ipc_proto_reply_ok(json_t *id, json_t *result_take);
json_t *ipc_proto_reply_error(json_t *id, enum ipc_error code, const char *message);
json_t *ipc_proto_record(json_t *id, json_t *record_take);
json_t *ipc_proto_event(const char *topic, json_t *data_take);

/*
 * Serialise @msg compactly.  Returns a malloc'd buffer (caller frees) and
 * its length, or NULL with errno EMSGSIZE when it would exceed
 * IPC_MAX_MESSAGE.
 */
char *ipc_proto_dump(const json_t *msg, size_t *len);

/* What a message seen by a client is. */
enum ipc_msg_kind {
	IPC_MSG_INVALID,
	IPC_MSG_REPLY,
	IPC_MSG_RECORD,
	IPC_MSG_EVENT,
};

/* A parsed server message; the pointers borrow from root, which it owns. */
struct ipc_message {
	enum ipc_msg_kind kind;
	json_t *root;
	json_int_t id;       /* REPLY, RECORD; -1 when null */
	bool ok;             /* REPLY */
	json_t *payload;     /* REPLY: result or error object; RECORD: record; EVENT: data */
	const char *topic;   /* EVENT */
	enum ipc_error code; /* REPLY with ok false */
	const char *message; /* REPLY with ok false */
};

/* Classify one record from a server.  Returns 0 or -EBADMSG. */
int ipc_proto_parse_message(const uint8_t *buf, size_t len, struct ipc_message *msg);

/* Release what ipc_proto_parse_message() filled in. */
void ipc_message_fini(struct ipc_message *msg);

#endif
