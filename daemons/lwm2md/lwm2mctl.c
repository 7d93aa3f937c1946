/*
 * Control commands and status of lwm2md (see lwm2mctl.h).
 */
#include "lwm2mctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdvalue.h"
#include "coap/credctl.h"
#include "creds.h"
#include "dm.h"
#include "h2dev.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_format.h"
#include "lwm2m/lwm2m_link.h"
#include "lwm2m/lwm2m_path.h"
#include "lwm2m/lwm2m_render.h"
#include "observe.h"

/* The client named by the call's "ep", or NULL after failing the call. */
static bool registered(const char *ep, void *arg)
{
	struct lwm2md *l = arg;

	return clients_find_ep(server_clients(l->srv), ep) != NULL;
}

/*
 * The client a call names, by ep=, external_id= or app_id= (OSR-001,
 * LPW-001), or NULL after failing the call.
 */
static struct client *client_arg(struct lwm2md *l, struct ipc_call *call, json_t *args)
{
	const char *ep = json_string_value(json_object_get(args, "ep"));
	const char *ext = json_string_value(json_object_get(args, "external_id"));
	const char *app = json_string_value(json_object_get(args, "app_id"));
	struct client *c;

	if (!!ep + !!ext + !!app != 1) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS,
			      "name the client with one of ep=, external_id=, app_id=");
		return NULL;
	}
	if (ext && !(ep = idmap_ep_of_external(l->ids, ext)) &&
	    !(ep = nidd_endpoint_of(l->nidd, ext))) {
		ipc_call_fail(call, IPC_ERR_NOT_FOUND, "no endpoint has external_id '%s'", ext);
		return NULL;
	}
	if (app) {
		int rc = idmap_ep_of_app(l->ids, app, registered, l, &ep);

		if (rc < 0) {
			ipc_call_fail(call, rc == -E2BIG ? IPC_ERR_CONFLICT : IPC_ERR_NOT_FOUND,
				      rc == -E2BIG ? "several clients have app_id '%s': use ep="
						   : "no registered client has app_id '%s'",
				      app);
			return NULL;
		}
	}
	c = clients_find_ep(server_clients(l->srv), ep);
	if (!c)
		ipc_call_fail(call, IPC_ERR_NOT_FOUND, "no registered client '%s'", ep);
	return c;
}

/* clients_json() with the endpoint's other names. */
static json_t *client_json(struct lwm2md *l, const struct client *c, bool full)
{
	json_t *o = clients_json(c, full);

	const char *qs = queue_state_of(server_queue(l->srv), c);

	idmap_annotate(l->ids, c->ep, o);
	nidd_annotate(l->nidd, (const struct sockaddr *)&c->addr, c->addr_len, full, o);
	if (qs)
		json_object_set_new(o, "queue_state", json_string(qs));
	if (strcmp(c->transport, "udp") != 0)
		json_object_set_new(o, "connection",
				    json_string(dm_connected(server_dm(l->srv), c)
							? "connected"
							: "awaiting reconnect"));
	if (full)
		json_object_set_new(
			o, "reads_without_accept",
			json_boolean(dm_reads_without_accept(server_dm(l->srv), c->ep)));
	return o;
}

/* set-ids or cred-add touched a name that the ids file sets. */
static void fail_file_owned(struct lwm2md *l, struct ipc_call *call, const char *ep)
{
	const struct idmap_entry *e = idmap_find_ep(l->ids, ep);

	ipc_call_fail(call, IPC_ERR_CONFLICT,
		      "%s's IDs are set in %s line %u: change them there and reload", ep,
		      idmap_file(l->ids), e ? e->file_line : 0);
}

static void cmd_set_ids(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;
	const char *ep = json_string_value(json_object_get(args, "ep"));
	const char *app = json_string_value(json_object_get(args, "app_id"));
	const char *ext = json_string_value(json_object_get(args, "external_id"));
	int rc;

	if (!app && !ext) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS,
			      "give app_id= and/or external_id= (\"\" clears)");
		return;
	}
	rc = idmap_set(l->ids, ep, app, ext);
	if (rc == -EPERM)
		fail_file_owned(l, call, ep);
	else if (rc == -EEXIST)
		ipc_call_fail(call, IPC_ERR_CONFLICT, "another endpoint has external_id '%s'", ext);
	else if (rc == -EINVAL)
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "names are at most 255 bytes");
	else if (rc < 0)
		ipc_call_fail(call, IPC_ERR_INTERNAL, "not stored");
	else {
		json_t *o = json_pack("{s:s}", "endpoint", ep);

		idmap_annotate(l->ids, ep, o);
		ipc_call_reply(call, o);
	}
}

static void cmd_clients(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;

	/* one record per client: a list of 100,000 would not fit one reply */
	for (struct client *c = clients_first(server_clients(l->srv)); c; c = clients_next(c))
		if (ipc_call_record(call, client_json(l, c, false)) < 0)
			break;
	ipc_call_reply(call, json_array());
}

static void cmd_show(struct ipc_call *call, json_t *args, void *ctx)
{
	struct client *c = client_arg(ctx, call, args);

	if (c)
		ipc_call_reply(call, client_json(ctx, c, true));
}

static void cmd_remove(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;
	struct client *c = client_arg(l, call, args);
	json_t *gone;

	if (!c)
		return;
	gone = json_pack("{s:s, s:s}", "endpoint", c->ep, "location", c->location);
	if (server_remove(l->srv, c) < 0) {
		json_decref(gone);
		ipc_call_fail(call, IPC_ERR_INTERNAL, "removed from memory, not from the database");
		return;
	}
	ipc_call_reply(call, gone);
}

/* The path argument, parsed; false after failing the call. */
static bool path_arg(struct ipc_call *call, json_t *args, struct lwm2m_path *out)
{
	const char *path = json_string_value(json_object_get(args, "path"));

	if (path && lwm2m_path_parse(path, strlen(path), out) == 0)
		return true;
	ipc_call_fail(call, IPC_ERR_BAD_ARGS, "path: '%s' is not an LwM2M path (/3/0/1)",
		      path ? path : "");
	return false;
}

/* The format argument (@def when absent); false after failing the call. */
static bool format_arg(struct ipc_call *call, json_t *args, int def, int *out)
{
	const char *fmt = json_string_value(json_object_get(args, "format"));
	enum lwm2m_format f;

	*out = def;
	if (!fmt)
		return true;
	if (lwm2m_format_parse(fmt, &f) < 0) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS,
			      "format: '%s' is not one of text, tlv, senml-json, senml-cbor, json, "
			      "cbor, opaque",
			      fmt);
		return false;
	}
	*out = (int)f;
	return true;
}

/*
 * To the client now, or to its queue when it sleeps (queue mode) or its
 * DTLS, TCP or TLS connection is gone (it must come back: its next message
 * sends the queue).
 */
static void send_dm(struct lwm2md *l, struct ipc_call *call, json_t *args, struct dm_request *req)
{
	struct client *c = client_arg(l, call, args);

	if (c && (queue_asleep(server_queue(l->srv), c) || !dm_connected(server_dm(l->srv), c)))
		queue_add(server_queue(l->srv), call, c, req);
	else if (c)
		dm_send(server_dm(l->srv), call, c, req);
}

static void cmd_read(struct ipc_call *call, json_t *args, void *ctx)
{
	struct dm_request req = { .op = DM_READ, .format = -1 };

	if (path_arg(call, args, &req.path) && format_arg(call, args, -1, &req.accept))
		send_dm(ctx, call, args, &req);
}

static void cmd_discover(struct ipc_call *call, json_t *args, void *ctx)
{
	struct dm_request req = { .op = DM_DISCOVER, .accept = -1, .format = -1 };

	if (path_arg(call, args, &req.path))
		send_dm(ctx, call, args, &req);
}

static void cmd_delete(struct ipc_call *call, json_t *args, void *ctx)
{
	struct dm_request req = { .op = DM_DELETE, .accept = -1, .format = -1 };

	if (path_arg(call, args, &req.path))
		send_dm(ctx, call, args, &req);
}

static void cmd_exec(struct ipc_call *call, json_t *args, void *ctx)
{
	const char *argv = json_string_value(json_object_get(args, "args"));
	struct dm_request req = { .op = DM_EXECUTE, .accept = -1, .format = -1 };

	if (!path_arg(call, args, &req.path))
		return;
	if (req.path.len != LWM2M_PATH_RESOURCE) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS,
			      "path: Execute applies to a resource (/3/0/4)");
		return;
	}
	if (argv) {
		/* TS Core §5.4.5: arguments are plain text, 0='x',1 … */
		req.payload = (const uint8_t *)argv;
		req.len = strlen(argv);
		req.format = LWM2M_FORMAT_TEXT;
	}
	send_dm(ctx, call, args, &req);
}

/*
 * The document a Write or Create sends: "value" (one resource; a string is
 * typed by the object definitions, see cmdvalue.h) or "values" (the JSON
 * rendering of lib/lwm2m, typed the same way).  Returns 0, or fails @call.
 */
static int args_doc(struct lwm2md *l, struct ipc_call *call, json_t *args,
		    const struct lwm2m_path *path, struct lwm2m_doc *doc)
{
	json_t *value = json_object_get(args, "value"), *values = json_object_get(args, "values");
	struct lwm2m_error err = { 0 };
	char *text;
	int rc;

	if (!!value == !!values) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "give either value=V or values:={...}");
		return -EINVAL;
	}
	if (json_is_string(value) && cmdvalue_typed(l->registry, path)) {
		rc = cmdvalue_parse(json_string_value(value), json_string_length(value), path,
				    l->registry, doc, &err);
		if (rc < 0)
			ipc_call_fail(call, IPC_ERR_BAD_ARGS, "value %s", err.msg);
		return rc;
	}
	if (value && !json_is_object(value)) {
		/* one resource: "value" becomes the rendering {"/3/0/14": V} */
		char ps[LWM2M_PATH_STR_MAX];

		lwm2m_path_format(path, ps, sizeof(ps));
		values = json_pack("{s:O}", ps, value);
	} else {
		values = json_incref(value ? value : values);
	}
	text = json_dumps(values, JSON_COMPACT);
	json_decref(values);
	rc = text ? lwm2m_render_parse(text, strlen(text), path, l->registry, doc, &err) : -ENOMEM;
	free(text);
	if (rc < 0)
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "values: %s",
			      err.msg[0] ? err.msg : strerror(-rc));
	return rc;
}

/* Write and Create: sent as text (one value) or TLV (values) unless a format is given. */
static void write_like(struct lwm2md *l, struct ipc_call *call, json_t *args, enum dm_op op)
{
	bool one = json_object_get(args, "value") != NULL;
	struct dm_request req = { .op = op, .accept = -1 };
	struct lwm2m_error err = { 0 };
	struct lwm2m_doc doc;
	struct lwm2m_buf buf;
	int rc;

	if (!path_arg(call, args, &req.path) ||
	    !format_arg(call, args, one ? LWM2M_FORMAT_TEXT : LWM2M_FORMAT_TLV, &req.format))
		return;
	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&buf);
	if (args_doc(l, call, args, &req.path, &doc) == 0) {
		rc = lwm2m_format_encode((enum lwm2m_format)req.format, &doc, &buf, &err);
		if (rc < 0) {
			ipc_call_fail(call, IPC_ERR_BAD_ARGS, "values: %s",
				      err.msg[0] ? err.msg : strerror(-rc));
		} else {
			req.payload = buf.data;
			req.len = buf.len;
			send_dm(l, call, args, &req);
		}
	}
	lwm2m_buf_fini(&buf);
	lwm2m_doc_fini(&doc);
}

static void cmd_write(struct ipc_call *call, json_t *args, void *ctx)
{
	const char *mode = json_string_value(json_object_get(args, "mode"));

	if (mode && strcmp(mode, "replace") != 0 && strcmp(mode, "update") != 0) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "mode: replace (PUT) or update (POST)");
		return;
	}
	write_like(ctx, call, args,
		   mode && strcmp(mode, "update") == 0 ? DM_WRITE_UPDATE : DM_WRITE);
}

static void cmd_create(struct ipc_call *call, json_t *args, void *ctx)
{
	write_like(ctx, call, args, DM_CREATE);
}

static void cmd_write_attr(struct ipc_call *call, json_t *args, void *ctx)
{
	static const char *const names[] = { "pmin", "pmax", "gt", "lt", "st", "epmin", "epmax" };
	struct dm_request req = { .op = DM_WRITE_ATTR, .accept = -1, .format = -1 };
	struct lwm2m_link_attrs attrs = { 0 };
	char query[256] = "";
	size_t o = 0;

	if (!path_arg(call, args, &req.path))
		return;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		json_t *v = json_object_get(args, names[i]);
		char text[48];

		if (!v)
			continue;
		if (json_is_string(v))
			snprintf(text, sizeof(text), "%s", json_string_value(v));
		else if (json_is_integer(v))
			snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(v));
		else
			snprintf(text, sizeof(text), "%.17g", json_number_value(v));
		/* checked as lib/lwm2m checks a link attribute, sent as given */
		if (lwm2m_link_attr_set(&attrs, names[i], text) < 0) {
			ipc_call_fail(call, IPC_ERR_BAD_ARGS, "%s: '%s' is not a valid value",
				      names[i], text);
			return;
		}
		o += (size_t)snprintf(query + o, sizeof(query) - o, "%s%s=%s", o ? "&" : "",
				      names[i], text);
	}
	if (!o) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "give at least one of pmin pmax gt lt st");
		return;
	}
	req.query = query;
	send_dm(ctx, call, args, &req);
}

/*
 * Read-Composite: the paths ("/3/0/9,/1/0" or space-separated) as SenML
 * names without values (TS Core §6.3.8), SenML CBOR when the answer is
 * asked in a CBOR format, else SenML JSON.
 */
static void cmd_read_composite(struct ipc_call *call, json_t *args, void *ctx)
{
	const char *list = json_string_value(json_object_get(args, "paths"));
	struct dm_request req = { .op = DM_READ_COMPOSITE };
	struct lwm2m_value none = { .type = LWM2M_TYPE_NONE };
	struct lwm2m_error err = { 0 };
	char copy[1024], *save = NULL, *word;
	struct lwm2m_doc doc;
	struct lwm2m_buf buf;

	if (!format_arg(call, args, LWM2M_FORMAT_SENML_JSON, &req.accept))
		return;
	req.format = req.accept == LWM2M_FORMAT_SENML_CBOR || req.accept == LWM2M_FORMAT_CBOR
			     ? LWM2M_FORMAT_SENML_CBOR
			     : LWM2M_FORMAT_SENML_JSON;
	snprintf(copy, sizeof(copy), "%s", list ? list : "");
	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&buf);
	for (word = strtok_r(copy, ", ", &save); word; word = strtok_r(NULL, ", ", &save)) {
		struct lwm2m_path p;

		if (lwm2m_path_parse(word, strlen(word), &p) < 0 || p.len == 0) {
			ipc_call_fail(call, IPC_ERR_BAD_ARGS, "paths: '%s' is not an LwM2M path",
				      word);
			goto out;
		}
		if (lwm2m_doc_add(&doc, &p, &none) < 0)
			abort();
	}
	if (doc.count == 0) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "paths: give at least one (/3/0/9,/1/0)");
		goto out;
	}
	if (lwm2m_format_encode((enum lwm2m_format)req.format, &doc, &buf, &err) < 0) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "paths: %s", err.msg);
		goto out;
	}
	req.payload = buf.data;
	req.len = buf.len;
	send_dm(ctx, call, args, &req);
out:
	lwm2m_buf_fini(&buf);
	lwm2m_doc_fini(&doc);
}

/* Write-Composite: values:={"/3/0/14": "+02", "/1/0/1": 120} in SenML or LwM2M CBOR. */
static void cmd_write_composite(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;
	struct dm_request req = { .op = DM_WRITE_COMPOSITE, .accept = -1 };
	struct lwm2m_error err = { 0 };
	struct lwm2m_doc doc;
	struct lwm2m_buf buf;
	char *text;
	int rc;

	if (!format_arg(call, args, LWM2M_FORMAT_SENML_JSON, &req.format))
		return;
	if (req.format != LWM2M_FORMAT_SENML_JSON && req.format != LWM2M_FORMAT_SENML_CBOR &&
	    req.format != LWM2M_FORMAT_CBOR) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS,
			      "format: Write-Composite takes senml-json, senml-cbor or cbor");
		return;
	}
	text = json_dumps(json_object_get(args, "values"), JSON_COMPACT);
	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&buf);
	/* absolute paths from the root: lib/lwm2m's rendering, typed by the definitions */
	rc = text ? lwm2m_render_parse(text, strlen(text), &req.path, l->registry, &doc, &err)
		  : -ENOMEM;
	if (rc == 0)
		rc = lwm2m_format_encode((enum lwm2m_format)req.format, &doc, &buf, &err);
	if (rc < 0) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "values: %s",
			      err.msg[0] ? err.msg : strerror(-rc));
	} else {
		req.payload = buf.data;
		req.len = buf.len;
		send_dm(l, call, args, &req);
	}
	free(text);
	lwm2m_buf_fini(&buf);
	lwm2m_doc_fini(&doc);
}

static void cmd_observe(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;
	struct lwm2m_path path;
	struct client *c;
	int accept;

	if (!path_arg(call, args, &path) || !format_arg(call, args, -1, &accept) ||
	    !(c = client_arg(l, call, args)))
		return;
	observe_start(server_observe(l->srv), call, c, &path, accept);
}

static void cmd_cancel(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;
	const char *ep = json_string_value(json_object_get(args, "ep"));
	const char *mode = json_string_value(json_object_get(args, "mode"));
	bool passive = mode && strcmp(mode, "passive") == 0;

	if (mode && !passive && strcmp(mode, "active") != 0) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS,
			      "mode: active (GET with Observe 1) or passive (RST to the next "
			      "notification)");
		return;
	}
	/* a passive cancel needs no registered client: an unregistered one may still notify */
	observe_cancel(server_observe(l->srv), call, clients_find_ep(server_clients(l->srv), ep),
		       ep, json_string_value(json_object_get(args, "path")), passive);
}

static void cmd_observe_composite(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;
	struct client *c;
	int accept;

	if (!format_arg(call, args, LWM2M_FORMAT_SENML_JSON, &accept) ||
	    !(c = client_arg(l, call, args)))
		return;
	observe_start_composite(server_observe(l->srv), call, c,
				json_string_value(json_object_get(args, "paths")), accept);
}

static void cmd_observations(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;

	observe_list(server_observe(l->srv), call, json_string_value(json_object_get(args, "ep")));
}

static void cmd_op(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;

	queue_show(server_queue(l->srv), call, json_integer_value(json_object_get(args, "id")));
}

static void cmd_ops(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;

	queue_list(server_queue(l->srv), call, json_string_value(json_object_get(args, "ep")));
}

static void cmd_values(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;
	const char *ep = json_string_value(json_object_get(args, "ep"));
	struct lwm2m_path path;

	if (json_object_get(args, "path") && !path_arg(call, args, &path))
		return;
	observe_values(server_observe(l->srv), call, ep,
		       json_object_get(args, "path") ? &path : NULL);
}

/* ep= is the first positional argument of the commands that name a client */
#define WHO_ARGS                                                                        \
	{ "ep", IPC_ARG_STRING, false, "endpoint client name", .positional = true },    \
		{ "external_id", IPC_ARG_STRING, false, "or its external identifier" }, \
	{                                                                               \
		"app_id", IPC_ARG_STRING, false, "or its application ID"                \
	}

static const struct ipc_arg ep_args[] = {
	WHO_ARGS,
	{ .name = NULL },
};

static const struct ipc_arg ids_args[] = {
	{ "ep", IPC_ARG_STRING, true, "endpoint client name (registered or not)",
	  .positional = true },
	{ "app_id", IPC_ARG_STRING, false, "application ID (OSR-001)" },
	{ "external_id", IPC_ARG_STRING, false, "external identifier, e.g. for NIDD (LPW-001)" },
	{ .name = NULL },
};

_Static_assert(CREDS_EP_MAX == 255, "ep_binding's rule says 255");

static const struct credctl_binding ep_binding = {
	.arg = "ep",
	.what = "endpoint",
	.rule = "1 to 255 bytes",
	.identity_is_binding = true,
};

static void cmd_cred_add(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;
	const char *app = json_string_value(json_object_get(args, "app_id"));
	const char *ext = json_string_value(json_object_get(args, "external_id"));
	const char *id, *ep;
	json_t *o;
	int rc;

	if (credctl_add(call, server_creds(l->srv), args, &ep_binding, &id, &ep) < 0)
		return;
	o = json_pack("{s:s, s:s}", "identity", id, "endpoint", ep);
	rc = app || ext ? idmap_set(l->ids, ep, app, ext) : 0;
	if (rc == -EPERM) {
		json_decref(o);
		fail_file_owned(l, call, ep);
		return;
	}
	if (rc < 0) {
		json_decref(o);
		ipc_call_fail(call, IPC_ERR_CONFLICT,
			      "key stored; app_id/external_id not (external_id taken?)");
		return;
	}
	idmap_annotate(l->ids, ep, o);
	ipc_call_reply(call, o);
}

static void cmd_cred_del(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;

	credctl_del(call, server_creds(l->srv), args, &ep_binding);
}

static void cmd_cred_list(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;

	credctl_list(call, server_creds(l->srv));
}

static const struct ipc_arg cred_add_args[] = {
	{ "ep", IPC_ARG_STRING, true, "endpoint client name the key is bound to",
	  .positional = true },
	CREDCTL_KEY_ARG,
	{ "identity", IPC_ARG_STRING, false, "PSK identity (default: the endpoint name)" },
	{ "app_id", IPC_ARG_STRING, false, "application ID of the endpoint (OSR-001)" },
	{ "external_id", IPC_ARG_STRING, false, "external identifier (LPW-001)" },
	{ .name = NULL },
};

static const struct ipc_arg cred_del_args[] = {
	{ "ep", IPC_ARG_STRING, false, "endpoint client name", .positional = true },
	{ "identity", IPC_ARG_STRING, false, "PSK identity" },
	{ .name = NULL },
};

#define EP_ARG WHO_ARGS
#define PATH_ARG                                                                                 \
	{                                                                                        \
		"path", IPC_ARG_STRING, true, "LwM2M path: /3, /3/0, /3/0/0", .positional = true \
	}

static const struct ipc_arg read_args[] = {
	EP_ARG,
	PATH_ARG,
	{ "format", IPC_ARG_STRING, false, "content format to ask for (tlv, senml-json, …)",
	  .positional = true },
	{ .name = NULL },
};

static const struct ipc_arg path_args[] = {
	EP_ARG,
	PATH_ARG,
	{ .name = NULL },
};

static const struct ipc_arg exec_args[] = {
	EP_ARG,
	PATH_ARG,
	{ "args", IPC_ARG_STRING, false, "Execute arguments: 0='x',1", .positional = true },
	{ .name = NULL },
};

static const struct ipc_arg write_args[] = {
	EP_ARG,
	PATH_ARG,
	{ "value", IPC_ARG_ANY, false, "the value of one resource", .positional = true },
	{ "values", IPC_ARG_OBJECT, false, "{\"/3/0/14\": \"+02\", …} (lib/lwm2m's rendering)" },
	{ "format", IPC_ARG_STRING, false, "wire format (text for value, tlv for values)" },
	{ "mode", IPC_ARG_STRING, false, "replace (PUT, the default) or update (POST)" },
	{ .name = NULL },
};

static const struct ipc_arg create_args[] = {
	EP_ARG,
	PATH_ARG,
	{ "values", IPC_ARG_OBJECT, true, "the new instance's resources" },
	{ "format", IPC_ARG_STRING, false, "wire format (tlv by default)" },
	{ .name = NULL },
};

static const struct ipc_arg observe_args[] = {
	EP_ARG,
	PATH_ARG,
	{ "format", IPC_ARG_STRING, false, "content format of the notifications (tlv, …)",
	  .positional = true },
	{ .name = NULL },
};

static const struct ipc_arg cancel_args[] = {
	{ "ep", IPC_ARG_STRING, true, "endpoint client name", .positional = true },
	{ "path", IPC_ARG_STRING, true, "the path observed (a composite's: /3/0/9,/1/0/1)",
	  .positional = true },
	{ "mode", IPC_ARG_STRING, false, "active (the default) or passive" },
	{ .name = NULL },
};

static const struct ipc_arg observations_args[] = {
	{ "ep", IPC_ARG_STRING, false, "only this endpoint's", .positional = true },
	{ .name = NULL },
};

static const struct ipc_arg read_composite_args[] = {
	EP_ARG,
	{ "paths", IPC_ARG_STRING, true, "paths: /3/0/9,/1/0 (Read-Composite)",
	  .positional = true },
	{ "format", IPC_ARG_STRING, false, "answer in senml-json (default), senml-cbor or cbor",
	  .positional = true },
	{ .name = NULL },
};

static const struct ipc_arg write_composite_args[] = {
	EP_ARG,
	{ "values", IPC_ARG_OBJECT, true, "{\"/3/0/14\": \"+02\", \"/1/0/1\": 120}" },
	{ "format", IPC_ARG_STRING, false, "senml-json (default), senml-cbor or cbor" },
	{ .name = NULL },
};

static const struct ipc_arg op_args[] = {
	{ "id", IPC_ARG_INT, true, "the operation's id (as queued)", .positional = true },
	{ .name = NULL },
};

static const struct ipc_arg values_args[] = {
	{ "ep", IPC_ARG_STRING, true, "endpoint client name", .positional = true },
	{ "path", IPC_ARG_STRING, false, "only the values under this path", .positional = true },
	{ .name = NULL },
};

static const struct ipc_arg attr_args[] = {
	EP_ARG,
	PATH_ARG,
	{ "pmin", IPC_ARG_ANY, false, "minimum period (s)" },
	{ "pmax", IPC_ARG_ANY, false, "maximum period (s)" },
	{ "gt", IPC_ARG_ANY, false, "greater than" },
	{ "lt", IPC_ARG_ANY, false, "less than" },
	{ "st", IPC_ARG_ANY, false, "step" },
	{ "epmin", IPC_ARG_ANY, false, "minimum evaluation period (s)" },
	{ "epmax", IPC_ARG_ANY, false, "maximum evaluation period (s)" },
	{ .name = NULL },
};

const struct ipc_command lwm2mctl_commands[] = {
	{ "clients", "registered clients: endpoint, address, transport, binding, lifetime left",
	  NULL, cmd_clients, false },
	{ "show", "one client in full (ep=NAME)", ep_args, cmd_show, false },
	{ "remove", "forget a client's registration (ep=NAME)", ep_args, cmd_remove, true },
	{ "read", "Read a path from a client", read_args, cmd_read, true },
	{ "discover", "Discover the objects, instances, resources and attributes under a path",
	  path_args, cmd_discover, true },
	{ "write", "Write a resource (value=) or several (values:=)", write_args, cmd_write, true },
	{ "write-attr", "Write-Attributes: pmin pmax gt lt st epmin epmax", attr_args,
	  cmd_write_attr, true },
	{ "exec", "Execute a resource", exec_args, cmd_exec, true },
	{ "create", "Create an object instance", create_args, cmd_create, true },
	{ "delete", "Delete an object instance", path_args, cmd_delete, true },
	{ "observe", "Observe a path: notifications become last known values and events",
	  observe_args, cmd_observe, true },
	{ "cancel", "cancel an observation (mode=active|passive)", cancel_args, cmd_cancel, true },
	{ "observations", "the observations, of one endpoint or all", observations_args,
	  cmd_observations, false },
	{ "values", "an endpoint's last known values (notifications, Send)", values_args,
	  cmd_values, false },
	{ "op", "a queued operation: state and result", op_args, cmd_op, false },
	{ "read-composite", "Read-Composite: several paths in one request (FETCH)",
	  read_composite_args, cmd_read_composite, true },
	{ "observe-composite", "Observe-Composite: several paths, one observation (FETCH)",
	  read_composite_args, cmd_observe_composite, true },
	{ "write-composite", "Write-Composite: several resources in one request (iPATCH)",
	  write_composite_args, cmd_write_composite, true },
	{ "ops", "operations waiting for sleeping clients (queue mode)", observations_args, cmd_ops,
	  false },
	{ "set-ids", "set an endpoint's app_id and external_id", ids_args, cmd_set_ids, true },
	{ "cred-add", "add a DTLS pre-shared key for an endpoint", cred_add_args, cmd_cred_add,
	  true },
	{ "cred-del", "delete a DTLS pre-shared key", cred_del_args, cmd_cred_del, true },
	{ "cred-list", "DTLS credentials (keys not shown)", NULL, cmd_cred_list, false },
	{ .name = NULL },
};

void lwm2mctl_status(void *state, json_t *status)
{
	struct lwm2md *l = state;

	server_status(l->srv, status);
	if (l->nidd)
		nidd_status(l->nidd, status);
	if (l->h2)
		h2dev_status(l->h2, status);
	if (l->mirror) {
		struct rdmirror_stats st;

		rdmirror_get_stats(l->mirror, &st);
		json_object_set_new(status, "rd_mirror",
				    json_pack("{s:b, s:I, s:I, s:I, s:I}", "connected",
					      st.connected, "pending", (json_int_t)st.pending,
					      "sent", (json_int_t)st.sent, "failed",
					      (json_int_t)st.failed, "unreachable",
					      (json_int_t)st.unreachable));
	}
}
