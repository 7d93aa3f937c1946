/*
 * The control-socket request path without the socket: parse a record,
 * find the command, check its arguments against the table, build the reply
 * and serialise it — what ipc_server does for every record it receives.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/ipc_proto.h"

static const struct ipc_arg args_a[] = {
	{ "name", IPC_ARG_STRING, true, "" },
	{ "count", IPC_ARG_INT, false, "" },
	{ "flag", IPC_ARG_BOOL, false, "" },
	{ "list", IPC_ARG_ARRAY, false, "" },
	{ "obj", IPC_ARG_OBJECT, false, "" },
	{ "any", IPC_ARG_ANY, false, "" },
	{ NULL },
};

static const struct {
	const char *name;
	const struct ipc_arg *args;
} commands[] = { { "status", NULL }, { "clients.list", args_a }, { "subscribe", args_a } };

static void send_reply(json_t *msg)
{
	size_t len;
	char *s = ipc_proto_dump(msg, &len);
	struct ipc_message back;

	json_decref(msg);
	if (!s)
		return;
	/* what we send must parse as what the client expects */
	if (ipc_proto_parse_message((const uint8_t *)s, len, &back) < 0 ||
	    back.kind != IPC_MSG_REPLY)
		abort();
	ipc_message_fini(&back);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipc_request req;
	struct ipc_message msg;
	char why[256];
	enum ipc_error rc = ipc_proto_parse_request(data, size, &req, why, sizeof(why));

	if (rc == IPC_OK) {
		const struct ipc_arg *spec = NULL;
		bool found = false;

		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
			if (strcmp(commands[i].name, req.cmd) == 0) {
				spec = commands[i].args;
				found = true;
			}
		}
		if (!found)
			send_reply(ipc_proto_reply_error(req.id, IPC_ERR_UNKNOWN_COMMAND, req.cmd));
		else if (ipc_proto_check_args(spec, req.args, why, sizeof(why)) != IPC_OK)
			send_reply(ipc_proto_reply_error(req.id, IPC_ERR_BAD_ARGS, why));
		else
			send_reply(ipc_proto_reply_ok(req.id, json_deep_copy(req.args)));
	} else {
		send_reply(ipc_proto_reply_error(req.id, rc, why));
	}
	ipc_request_fini(&req);

	/* the client side parses the same bytes without crashing */
	if (ipc_proto_parse_message(data, size, &msg) == 0 || msg.root)
		ipc_message_fini(&msg);
	return 0;
}
