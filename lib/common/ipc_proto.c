#include "common/ipc_proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const error_names[IPC_ERR_COUNT] = {
	[IPC_OK] = "ok",
	[IPC_ERR_BAD_REQUEST] = "bad_request",
	[IPC_ERR_TOO_LARGE] = "too_large",
	[IPC_ERR_UNKNOWN_COMMAND] = "unknown_command",
	[IPC_ERR_BAD_ARGS] = "bad_args",
	[IPC_ERR_NOT_FOUND] = "not_found",
	[IPC_ERR_DENIED] = "denied",
	[IPC_ERR_CONFLICT] = "conflict",
	[IPC_ERR_BUSY] = "busy",
	[IPC_ERR_UNAVAILABLE] = "unavailable",
	[IPC_ERR_TIMEOUT] = "timeout",
	[IPC_ERR_INTERNAL] = "internal",
	[IPC_ERR_COAP] = "coap",
};

const char *ipc_error_name(enum ipc_error code)
{
	if ((unsigned)code >= IPC_ERR_COUNT)
		return "unknown";
	return error_names[code];
}

enum ipc_error ipc_error_from_name(const char *name)
{
	for (int i = 0; i < IPC_ERR_COUNT; i++)
		if (strcmp(error_names[i], name) == 0)
			return (enum ipc_error)i;
	return IPC_ERR_INTERNAL;
}

const char *ipc_arg_type_name(enum ipc_arg_type type)
{
	switch (type) {
	case IPC_ARG_STRING:
		return "string";
	case IPC_ARG_INT:
		return "integer";
	case IPC_ARG_BOOL:
		return "boolean";
	case IPC_ARG_ARRAY:
		return "array";
	case IPC_ARG_OBJECT:
		return "object";
	case IPC_ARG_ANY:
		return "any";
	}
	return "?";
}

enum ipc_error ipc_proto_parse_request(const uint8_t *buf, size_t len, struct ipc_request *req,
				       char *why, size_t why_len)
{
	json_error_t jerr;
	json_t *cmd, *args;

	memset(req, 0, sizeof(*req));
	req->id = json_null();
	if (len > IPC_MAX_MESSAGE) {
		snprintf(why, why_len, "message of %zu bytes is over the %d-byte limit", len,
			 IPC_MAX_MESSAGE);
		return IPC_ERR_TOO_LARGE;
	}
	req->root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req->root) {
		snprintf(why, why_len, "invalid JSON at byte %d: %s", jerr.position, jerr.text);
		return IPC_ERR_BAD_REQUEST;
	}
	if (!json_is_object(req->root)) {
		snprintf(why, why_len, "a request must be a JSON object");
		return IPC_ERR_BAD_REQUEST;
	}
	json_t *id = json_object_get(req->root, "id");
	if (id && (json_is_integer(id) || json_is_string(id)))
		req->id = id;
	else if (id && !json_is_null(id)) {
		snprintf(why, why_len, "\"id\" must be an integer or a string");
		return IPC_ERR_BAD_REQUEST;
	}
	cmd = json_object_get(req->root, "cmd");
	if (!json_is_string(cmd) || json_string_length(cmd) == 0) {
		snprintf(why, why_len, "\"cmd\" must be a non-empty string");
		return IPC_ERR_BAD_REQUEST;
	}
	req->cmd = json_string_value(cmd);
	args = json_object_get(req->root, "args");
	if (!args || json_is_null(args)) {
		args = json_object();
		json_object_set_new(req->root, "args", args);
	} else if (!json_is_object(args)) {
		snprintf(why, why_len, "\"args\" must be an object");
		return IPC_ERR_BAD_REQUEST;
	}
	req->args = args;
	return IPC_OK;
}

void ipc_request_fini(struct ipc_request *req)
{
	json_decref(req->root);
	memset(req, 0, sizeof(*req));
}

static bool coerce_int(json_t *args, const char *name, json_t *value)
{
	const char *s = json_string_value(value);
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno == ERANGE)
		return false;
	json_object_set_new(args, name, json_integer(v));
	return true;
}

static bool coerce_bool(json_t *args, const char *name, json_t *value)
{
	const char *s = json_string_value(value);

	if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "1"))
		json_object_set_new(args, name, json_true());
	else if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "0"))
		json_object_set_new(args, name, json_false());
	else
		return false;
	return true;
}

static bool type_ok(json_t *args, const struct ipc_arg *a, json_t *value)
{
	switch (a->type) {
	case IPC_ARG_STRING:
		return json_is_string(value);
	case IPC_ARG_INT:
		return json_is_integer(value) ||
		       (json_is_string(value) && coerce_int(args, a->name, value));
	case IPC_ARG_BOOL:
		return json_is_boolean(value) ||
		       (json_is_string(value) && coerce_bool(args, a->name, value));
	case IPC_ARG_ARRAY:
		return json_is_array(value);
	case IPC_ARG_OBJECT:
		return json_is_object(value);
	case IPC_ARG_ANY:
		return true;
	}
	return false;
}

static const struct ipc_arg *find_arg(const struct ipc_arg *spec, const char *name)
{
	for (; spec && spec->name; spec++)
		if (strcmp(spec->name, name) == 0)
			return spec;
	return NULL;
}

enum ipc_error ipc_proto_check_args(const struct ipc_arg *spec, json_t *args, char *why,
				    size_t why_len)
{
	const char *name;
	json_t *value;
	void *tmp;

	json_object_foreach_safe (args, tmp, name, value) {
		const struct ipc_arg *a = find_arg(spec, name);

		if (!a) {
			snprintf(why, why_len, "unknown argument \"%s\"", name);
			return IPC_ERR_BAD_ARGS;
		}
		if (!type_ok(args, a, value)) {
			snprintf(why, why_len, "argument \"%s\" must be %s %s", name,
				 a->type == IPC_ARG_INT || a->type == IPC_ARG_ARRAY ||
						 a->type == IPC_ARG_OBJECT
					 ? "an"
					 : "a",
				 ipc_arg_type_name(a->type));
			return IPC_ERR_BAD_ARGS;
		}
	}
	for (; spec && spec->name; spec++) {
		if (spec->required && !json_object_get(args, spec->name)) {
			snprintf(why, why_len, "missing argument \"%s\" (%s)", spec->name,
				 spec->help ? spec->help : ipc_arg_type_name(spec->type));
			return IPC_ERR_BAD_ARGS;
		}
	}
	return IPC_OK;
}

json_t *ipc_proto_reply_ok(json_t *id, json_t *result_take)
{
	return json_pack("{s:O, s:b, s:o}", "id", id ? id : json_null(), "ok", 1, "result",
			 result_take ? result_take : json_null());
}

json_t *ipc_proto_reply_error(json_t *id, enum ipc_error code, const char *message)
{
	return json_pack("{s:O, s:b, s:{s:s, s:s}}", "id", id ? id : json_null(), "ok", 0, "error",
			 "code", ipc_error_name(code), "message", message ? message : "");
}

json_t *ipc_proto_record(json_t *id, json_t *record_take)
{
	return json_pack("{s:O, s:o}", "id", id ? id : json_null(), "record",
			 record_take ? record_take : json_null());
}

json_t *ipc_proto_event(const char *topic, json_t *data_take)
{
	return json_pack("{s:s, s:o}", "event", topic, "data", data_take ? data_take : json_null());
}

char *ipc_proto_dump(const json_t *msg, size_t *len)
{
	char *s = json_dumps(msg, JSON_COMPACT | JSON_ENCODE_ANY);

	if (!s) {
		errno = ENOMEM;
		return NULL;
	}
	*len = strlen(s);
	if (*len > IPC_MAX_MESSAGE) {
		free(s);
		errno = EMSGSIZE;
		return NULL;
	}
	return s;
}

static json_int_t message_id(json_t *root)
{
	json_t *id = json_object_get(root, "id");

	return json_is_integer(id) ? json_integer_value(id) : -1;
}

int ipc_proto_parse_message(const uint8_t *buf, size_t len, struct ipc_message *msg)
{
	json_t *v;

	memset(msg, 0, sizeof(*msg));
	msg->root = json_loadb((const char *)buf, len, 0, NULL);
	if (!json_is_object(msg->root))
		return -EBADMSG;

	if ((v = json_object_get(msg->root, "event"))) {
		if (!json_is_string(v))
			return -EBADMSG;
		msg->kind = IPC_MSG_EVENT;
		msg->topic = json_string_value(v);
		msg->payload = json_object_get(msg->root, "data");
		return 0;
	}
	msg->id = message_id(msg->root);
	if ((v = json_object_get(msg->root, "record"))) {
		msg->kind = IPC_MSG_RECORD;
		msg->payload = v;
		return 0;
	}
	v = json_object_get(msg->root, "ok");
	if (!json_is_boolean(v))
		return -EBADMSG;
	msg->kind = IPC_MSG_REPLY;
	msg->ok = json_is_true(v);
	if (msg->ok) {
		msg->payload = json_object_get(msg->root, "result");
		return 0;
	}
	msg->payload = json_object_get(msg->root, "error");
	if (!json_is_object(msg->payload))
		return -EBADMSG;
	v = json_object_get(msg->payload, "code");
	msg->code =
		json_is_string(v) ? ipc_error_from_name(json_string_value(v)) : IPC_ERR_INTERNAL;
	v = json_object_get(msg->payload, "message");
	msg->message = json_is_string(v) ? json_string_value(v) : "";
	return 0;
}

void ipc_message_fini(struct ipc_message *msg)
{
	json_decref(msg->root);
	memset(msg, 0, sizeof(*msg));
}
