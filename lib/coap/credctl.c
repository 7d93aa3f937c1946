/*
 * credctl — the credential commands of lwm2md and rdd (see credctl.h).
 */
#include "coap/credctl.h"

#include <errno.h>
#include <string.h>

int credctl_add(struct ipc_call *call, struct pskstore *ps, json_t *args,
		const struct credctl_binding *b, const char **identity, const char **bound)
{
	const char *id = json_string_value(json_object_get(args, "identity"));
	const char *to = json_string_value(json_object_get(args, b->arg));
	const char *hex = json_string_value(json_object_get(args, "key"));
	int rc;

	if (!to || !*to)
		to = b->fallback;
	if (!id && b->identity_is_binding)
		id = to;
	/* an empty binding without a fallback is refused with the rule, as a bad one */
	if (!id || !to || (b->valid && !b->valid(to)))
		rc = -EINVAL;
	else
		rc = pskstore_add_hex(ps, id, hex ? hex : "", to);
	if (rc == -EBADMSG)
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "key: 1 to %d bytes in hex (00112233…)",
			      PSKGUARD_KEY_MAX);
	else if (rc == -EEXIST && pskstore_find(ps, (const uint8_t *)id, strlen(id)))
		ipc_call_fail(call, IPC_ERR_CONFLICT, "identity '%s' already has a key", id);
	else if (rc == -EEXIST)
		ipc_call_fail(call, IPC_ERR_CONFLICT, "%s '%s' already has a key", b->what, to);
	else if (rc == -EINVAL)
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "identity: 1 to %d bytes; %s: %s",
			      PSKGUARD_IDENTITY_MAX, b->arg, b->rule);
	else if (rc < 0)
		ipc_call_fail(call, IPC_ERR_INTERNAL, "not stored");
	if (rc < 0)
		return rc;
	*identity = id;
	*bound = to;
	return 0;
}

void credctl_del(struct ipc_call *call, struct pskstore *ps, json_t *args,
		 const struct credctl_binding *b)
{
	const char *id = json_string_value(json_object_get(args, "identity"));
	const char *to = json_string_value(json_object_get(args, b->arg));
	const struct pskstore_cred *c;

	if (!!id == !!to) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "give identity=ID or %s=", b->arg);
		return;
	}
	/* by binding only where a binding has one key: pskstore indexes those */
	c = id ? pskstore_find(ps, (const uint8_t *)id, strlen(id)) : pskstore_find_bound(ps, to);
	if (!c)
		ipc_call_fail(call, IPC_ERR_NOT_FOUND, "no such credential");
	else if (pskstore_del(ps, c) < 0)
		ipc_call_fail(call, IPC_ERR_INTERNAL, "not deleted");
	else
		ipc_call_reply(call, NULL);
}

void credctl_list(struct ipc_call *call, const struct pskstore *ps)
{
	ipc_call_reply(call, pskstore_json(ps));
}
