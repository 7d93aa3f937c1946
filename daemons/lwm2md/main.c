/*
 * lwm2md — lwgate OMA LwM2M 1.1 server.
 *
 * The shared main() in lib/common/daemon.c does the daemon work (config,
 * database, control socket, signals, systemd); this file says what is
 * particular to lwm2md: its keys, its schema, its commands, and the CoAP
 * server (server.c) it starts.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <coap3/coap.h>

#include "clients.h"
#include "coap/certs.h"
#include "coap/pskguard.h"
#include "common/daemon.h"
#include "common/log.h"
#include "creds.h"
#include "dm.h"
#include "idmap.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_format.h"
#include "lwm2m/lwm2m_link.h"
#include "lwm2m/lwm2m_path.h"
#include "lwm2m/lwm2m_registry.h"
#include "lwm2m/lwm2m_render.h"
#include "rdmirror.h"
#include "server.h"

struct lwm2md_config {
	struct daemon_config common;
	bool coap_enabled;
	char *coap_address;
	int coap_port;
	int ack_timeout_ms;
	int max_retransmit;
	int max_idle_sessions;
	bool coaps_enabled;
	char *coaps_address;
	int coaps_port;
	int handshake_timeout_s;
	char *ca_file, *cert_file, *key_file;
	bool tcp_enabled;
	char *tcp_address;
	int tcp_port;
	bool tls_enabled;
	char *tls_address;
	int tls_port;
	int max_clients;
	char *objects;
	bool rd_mirror;
	char *rd_socket;
	char *rd_sector;
	char *ids_file;
};

/* clang-format off */
static const struct config_key lwm2md_keys[] = {
	DAEMON_CONFIG_KEYS("lwm2md", struct lwm2md_config),
	{"coap", "enabled", CONFIG_BOOL, offsetof(struct lwm2md_config, coap_enabled), "yes", 0, 0,
	 NULL, false, "serve plain CoAP over UDP (no: only the control socket)"},
	{"coap", "address", CONFIG_ADDRESS, offsetof(struct lwm2md_config, coap_address), "::", 0, 0,
	 NULL, false, "IP address to serve CoAP on (:: is every IPv6 and IPv4 address)"},
	{"coap", "port", CONFIG_INT, offsetof(struct lwm2md_config, coap_port), "5683", 1, 65535,
	 NULL, false, "UDP port of the LwM2M server"},
	{"coap", "ack_timeout_ms", CONFIG_INT, offsetof(struct lwm2md_config, ack_timeout_ms),
	 "2000", 1000, 60000, NULL, false,
	 "first retransmission timeout of requests sent to clients (RFC 7252 ACK_TIMEOUT)"},
	{"coap", "max_retransmit", CONFIG_INT, offsetof(struct lwm2md_config, max_retransmit), "4",
	 1, 10, NULL, false, "retransmissions before a client is declared not answering"},
	{"coap", "max_idle_sessions", CONFIG_INT, offsetof(struct lwm2md_config, max_idle_sessions),
	 "1024", 16, 1000000, NULL, false,
	 "CoAP peer sessions kept while idle (libcoap walks them all on every packet)"},
	{"coaps", "enabled", CONFIG_BOOL, offsetof(struct lwm2md_config, coaps_enabled), "yes", 0,
	 0, NULL, false, "serve CoAP over DTLS: pre-shared keys (lwgatectl lwm2md cred-add), certificates"},
	{"coaps", "address", CONFIG_ADDRESS, offsetof(struct lwm2md_config, coaps_address), "::",
	 0, 0, NULL, false, "IP address to serve CoAP over DTLS on"},
	{"coaps", "port", CONFIG_INT, offsetof(struct lwm2md_config, coaps_port), "5684", 1, 65535,
	 NULL, false, "UDP port of the LwM2M server over DTLS"},
	{"coaps", "handshake_timeout", CONFIG_INT, offsetof(struct lwm2md_config, handshake_timeout_s),
	 "10", 1, 300, NULL, false,
	 "seconds a DTLS or TLS handshake may take; one not done by then is logged as failed"},
	{"coaps", "ca_file", CONFIG_STRING, offsetof(struct lwm2md_config, ca_file), "", 0, 0,
	 NULL, false, "PEM CAs that client certificates must chain to, each one trusted (certificate "
	 "mode; with cert_file and key_file, for DTLS and TLS)"},
	{"coaps", "cert_file", CONFIG_STRING, offsetof(struct lwm2md_config, cert_file), "", 0, 0,
	 NULL, false, "PEM certificate of the server (certificate mode)"},
	{"coaps", "key_file", CONFIG_STRING, offsetof(struct lwm2md_config, key_file), "", 0, 0,
	 NULL, false, "PEM private key of the server (certificate mode)"},
	{"coap+tcp", "enabled", CONFIG_BOOL, offsetof(struct lwm2md_config, tcp_enabled), "yes", 0,
	 0, NULL, false, "serve CoAP over TCP (RFC 8323)"},
	{"coap+tcp", "address", CONFIG_ADDRESS, offsetof(struct lwm2md_config, tcp_address), "::",
	 0, 0, NULL, false, "IP address to serve CoAP over TCP on"},
	{"coap+tcp", "port", CONFIG_INT, offsetof(struct lwm2md_config, tcp_port), "5683", 1,
	 65535, NULL, false, "TCP port of the LwM2M server"},
	{"coaps+tcp", "enabled", CONFIG_BOOL, offsetof(struct lwm2md_config, tls_enabled), "yes",
	 0, 0, NULL, false, "serve CoAP over TLS (RFC 8323) with the [coaps] PSKs and certificates"},
	{"coaps+tcp", "address", CONFIG_ADDRESS, offsetof(struct lwm2md_config, tls_address), "::",
	 0, 0, NULL, false, "IP address to serve CoAP over TLS on"},
	{"coaps+tcp", "port", CONFIG_INT, offsetof(struct lwm2md_config, tls_port), "5684", 1,
	 65535, NULL, false, "TCP port of the LwM2M server over TLS"},
	{"lwm2m", "max_clients", CONFIG_INT, offsetof(struct lwm2md_config, max_clients), "200000",
	 1, 10000000, NULL, false, "registered clients at most; a Register beyond gets 5.03"},
	{"lwm2m", "objects", CONFIG_STRING, offsetof(struct lwm2md_config, objects),
	 LWGATE_OBJECTS_DIR, 0, 0, NULL, false,
	 "folder of object definitions (DDF XML): value types and names"},
	{"lwm2m", "ids_file", CONFIG_STRING, offsetof(struct lwm2md_config, ids_file), "", 0, 0,
	 NULL, true,
	 "endpoint ID mapping, lines 'EP = app_id=ID, external_id=ID' (empty: none); "
	 "its names win over set-ids"},
	{"rd", "mirror", CONFIG_BOOL, offsetof(struct lwm2md_config, rd_mirror), "yes", 0, 0, NULL,
	 false, "list every registered client in rdd as an endpoint with et=oma.lwm2m"},
	{"rd", "socket", CONFIG_STRING, offsetof(struct lwm2md_config, rd_socket),
	 "/run/lwgate/rdd.sock", 0, 0, NULL, false, "rdd's control socket"},
	{"rd", "sector", CONFIG_STRING, offsetof(struct lwm2md_config, rd_sector), "", 0, 0, NULL,
	 false, "rdd sector (d) of the mirrored clients (empty: none)"},
	CONFIG_KEY_END,
};
/* clang-format on */

static const struct db_migration lwm2md_migrations[] = {
	{ 1, DAEMON_SCHEMA_1 }, { 2, CLIENTS_SCHEMA_2 }, { 3, CREDS_SCHEMA_3 },
	{ 4, IDMAP_SCHEMA_4 },  { 5, DM_SCHEMA_5 },
};

struct lwm2md {
	struct daemon *d;
	struct server *srv;
	struct lwm2m_registry *registry;
	struct idmap *ids;
	struct rdmirror *mirror; /* NULL when [rd] mirror = no */
};

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
	if (ext && !(ep = idmap_ep_of_external(l->ids, ext))) {
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

	idmap_annotate(l->ids, c->ep, o);
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

static void send_dm(struct lwm2md *l, struct ipc_call *call, json_t *args, struct dm_request *req)
{
	struct client *c = client_arg(l, call, args);

	if (c)
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
 * Write and Create: "value" (one resource, sent as text unless a format is
 * given) or "values" (the JSON rendering of lib/lwm2m, typed from the
 * object definitions, sent as TLV unless a format is given).
 */
static void write_like(struct lwm2md *l, struct ipc_call *call, json_t *args, enum dm_op op)
{
	json_t *value = json_object_get(args, "value"), *values = json_object_get(args, "values");
	struct dm_request req = { .op = op, .accept = -1 };
	struct lwm2m_doc doc;
	struct lwm2m_buf buf;
	struct lwm2m_error err = { 0 };
	char *text = NULL;
	int rc;

	if (!path_arg(call, args, &req.path))
		return;
	if (!!value == !!values) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "give either value=V or values:={...}");
		return;
	}
	if (value && !json_is_object(value)) {
		/* one resource: "value" becomes the rendering {"/3/0/14": V} */
		char path[LWM2M_PATH_STR_MAX];

		lwm2m_path_format(&req.path, path, sizeof(path));
		values = json_pack("{s:O}", path, value);
	} else {
		values = json_incref(value ? value : values);
	}
	if (!format_arg(call, args, value ? LWM2M_FORMAT_TEXT : LWM2M_FORMAT_TLV, &req.format)) {
		json_decref(values);
		return;
	}
	text = json_dumps(values, JSON_COMPACT);
	json_decref(values);
	lwm2m_doc_init(&doc);
	lwm2m_buf_init(&buf);
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

#define WHO_ARGS                                                                        \
	{ "ep", IPC_ARG_STRING, false, "endpoint client name" },                        \
		{ "external_id", IPC_ARG_STRING, false, "or its external identifier" }, \
	{                                                                               \
		"app_id", IPC_ARG_STRING, false, "or its application ID"                \
	}

static const struct ipc_arg ep_args[] = {
	WHO_ARGS,
	{ .name = NULL },
};

static const struct ipc_arg ids_args[] = {
	{ "ep", IPC_ARG_STRING, true, "endpoint client name (registered or not)" },
	{ "app_id", IPC_ARG_STRING, false, "application ID (OSR-001)" },
	{ "external_id", IPC_ARG_STRING, false, "external identifier, e.g. for NIDD (LPW-001)" },
	{ .name = NULL },
};

static void cmd_cred_add(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;
	const char *ep = json_string_value(json_object_get(args, "ep"));
	const char *id = json_string_value(json_object_get(args, "identity"));
	int rc = pskstore_add_hex(server_creds(l->srv), id ? id : ep,
				  json_string_value(json_object_get(args, "key")), ep);

	if (rc == -EBADMSG)
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "key: 1 to %d bytes in hex (00112233…)",
			      PSKGUARD_KEY_MAX);
	else if (rc == -EEXIST)
		ipc_call_fail(call, IPC_ERR_CONFLICT, "identity or endpoint already has a key");
	else if (rc == -EINVAL)
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "identity: 1 to %d bytes; ep: 1 to %d bytes",
			      PSKGUARD_IDENTITY_MAX, CREDS_EP_MAX);
	else if (rc < 0)
		ipc_call_fail(call, IPC_ERR_INTERNAL, "not stored");
	else {
		const char *app = json_string_value(json_object_get(args, "app_id"));
		const char *ext = json_string_value(json_object_get(args, "external_id"));
		json_t *o = json_pack("{s:s, s:s}", "identity", id ? id : ep, "endpoint", ep);

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
}

static void cmd_cred_del(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;
	const char *ep = json_string_value(json_object_get(args, "ep"));
	const char *id = json_string_value(json_object_get(args, "identity"));
	struct pskstore *ps = server_creds(l->srv);
	const struct pskstore_cred *c;

	if (!!ep == !!id) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "give ep=NAME or identity=ID");
		return;
	}
	c = id ? pskstore_find(ps, (const uint8_t *)id, strlen(id)) : pskstore_find_bound(ps, ep);
	if (!c)
		ipc_call_fail(call, IPC_ERR_NOT_FOUND, "no such credential");
	else if (pskstore_del(ps, c) < 0)
		ipc_call_fail(call, IPC_ERR_INTERNAL, "not deleted");
	else
		ipc_call_reply(call, NULL);
}

static void cmd_cred_list(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;

	ipc_call_reply(call, pskstore_json(server_creds(l->srv)));
}

static const struct ipc_arg cred_add_args[] = {
	{ "ep", IPC_ARG_STRING, true, "endpoint client name the key is bound to" },
	{ "key", IPC_ARG_STRING, true, "pre-shared key in hex" },
	{ "identity", IPC_ARG_STRING, false, "PSK identity (default: the endpoint name)" },
	{ "app_id", IPC_ARG_STRING, false, "application ID of the endpoint (OSR-001)" },
	{ "external_id", IPC_ARG_STRING, false, "external identifier (LPW-001)" },
	{ .name = NULL },
};

static const struct ipc_arg cred_del_args[] = {
	{ "ep", IPC_ARG_STRING, false, "endpoint client name" },
	{ "identity", IPC_ARG_STRING, false, "PSK identity" },
	{ .name = NULL },
};

#define EP_ARG WHO_ARGS
#define PATH_ARG                                                             \
	{                                                                    \
		"path", IPC_ARG_STRING, true, "LwM2M path: /3, /3/0, /3/0/0" \
	}

static const struct ipc_arg read_args[] = {
	EP_ARG,
	PATH_ARG,
	{ "format", IPC_ARG_STRING, false, "content format to ask for (tlv, senml-json, …)" },
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
	{ "args", IPC_ARG_STRING, false, "Execute arguments: 0='x',1" },
	{ .name = NULL },
};

static const struct ipc_arg write_args[] = {
	EP_ARG,
	PATH_ARG,
	{ "value", IPC_ARG_ANY, false, "the value of one resource" },
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

static const struct ipc_command lwm2md_commands[] = {
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
	{ "set-ids", "set an endpoint's app_id and external_id", ids_args, cmd_set_ids, true },
	{ "cred-add", "add a DTLS pre-shared key for an endpoint", cred_add_args, cmd_cred_add,
	  true },
	{ "cred-del", "delete a DTLS pre-shared key", cred_del_args, cmd_cred_del, true },
	{ "cred-list", "DTLS credentials (keys not shown)", NULL, cmd_cred_list, false },
	{ .name = NULL },
};

static void on_ddf_error(void *arg, const char *path, const struct lwm2m_error *err)
{
	log_warnx("object definition skipped file=%s: %s", path, err->msg);
}

static void mirror_changed(void *ctx, const char *ep)
{
	rdmirror_changed(ctx, ep);
}

/* Put the ids file in force; logged either way.  Returns 0 or its error. */
static int load_ids_file(struct idmap *ids, const char *path)
{
	char why[512];
	int rc = idmap_load_file(ids, path, why, sizeof(why));

	if (rc < 0) {
		log_error("ids_file not applied: %s", why);
		return rc;
	}
	if (path && *path)
		log_info("endpoint IDs loaded file=%s count=%d", path, rc);
	return 0;
}

static int lwm2md_start(struct daemon *d, void **state)
{
	const struct lwm2md_config *cfg = daemon_config(d);
	struct server_config sc = {
		.coap_enabled = cfg->coap_enabled,
		.address = cfg->coap_address,
		.port = cfg->coap_port,
		.ack_timeout_ms = cfg->ack_timeout_ms,
		.max_retransmit = cfg->max_retransmit,
		.max_idle_sessions = cfg->max_idle_sessions,
		.coaps_enabled = cfg->coaps_enabled,
		.coaps_address = cfg->coaps_address,
		.coaps_port = cfg->coaps_port,
		.handshake_timeout_s = cfg->handshake_timeout_s,
		.tcp_enabled = cfg->tcp_enabled,
		.tcp_address = cfg->tcp_address,
		.tcp_port = cfg->tcp_port,
		.tls_enabled = cfg->tls_enabled,
		.tls_address = cfg->tls_address,
		.tls_port = cfg->tls_port,
		.ca_file = cfg->ca_file,
		.cert_file = cfg->cert_file,
		.key_file = cfg->key_file,
		.max_clients = (unsigned)cfg->max_clients,
	};
	struct lwm2md *l = calloc(1, sizeof(*l));
	int rc;

	if (!l)
		return -ENOMEM;
	l->registry = lwm2m_registry_new();
	if (!l->registry)
		abort();
	rc = lwm2m_registry_load_dir(l->registry, cfg->objects, on_ddf_error, NULL);
	if (rc < 0)
		log_warnx("object definitions not read from %s: %s; values are untyped",
			  cfg->objects, strerror(-rc));
	else
		log_info("object definitions loaded count=%d dir=%s", rc, cfg->objects);
	sc.registry = l->registry;
	l->ids = idmap_new(daemon_db(d));
	rc = idmap_load(l->ids);
	if (rc >= 0)
		rc = load_ids_file(l->ids, cfg->ids_file);
	if (rc < 0) {
		idmap_free(l->ids);
		lwm2m_registry_free(l->registry);
		free(l);
		return rc;
	}
	coap_startup();
	l->d = d;
	if (cfg->rd_mirror) {
		struct rdmirror_config mc = { .socket = cfg->rd_socket,
					      .sector = cfg->rd_sector,
					      .timeout_ms = 5000,
					      .in_flight = 32 };

		l->mirror = rdmirror_new(daemon_base(d), &mc);
		sc.changed = mirror_changed;
		sc.changed_ctx = l->mirror;
	}
	rc = server_new(daemon_base(d), daemon_db(d), daemon_ipc(d), &sc, &l->srv);
	if (rc < 0) {
		rdmirror_free(l->mirror);
		coap_cleanup();
		lwm2m_registry_free(l->registry);
		idmap_free(l->ids);
		free(l);
		return rc;
	}
	if (l->mirror)
		rdmirror_attach(l->mirror, server_clients(l->srv));
	*state = l;
	return 0;
}

static void lwm2md_stop(void *state)
{
	struct lwm2md *l = state;

	server_free(l->srv);
	rdmirror_free(l->mirror);
	coap_cleanup();
	lwm2m_registry_free(l->registry);
	idmap_free(l->ids);
	free(l);
}

/* SIGHUP: the ids file again (a bad one keeps the names in force). */
static void lwm2md_reload(void *state)
{
	struct lwm2md *l = state;
	const struct lwm2md_config *cfg = daemon_config(l->d);

	load_ids_file(l->ids, cfg->ids_file);
}

static void lwm2md_status(void *state, json_t *status)
{
	struct lwm2md *l = state;

	server_status(l->srv, status);
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

/* What the key table cannot check: the certificate files come as three or not at all. */
static bool lwm2md_config_check(const void *c, char *why, size_t size)
{
	const struct lwm2md_config *cfg = c;
	const struct certs_config certs = { cfg->ca_file, cfg->cert_file, cfg->key_file };

	return certs_config_valid(&certs, why, size);
}

static const struct daemon_def lwm2md_def = {
	.name = "lwm2md",
	.description = "lwgate OMA LwM2M 1.1 server.",
	.keys = lwm2md_keys,
	.config_size = sizeof(struct lwm2md_config),
	.migrations = lwm2md_migrations,
	.migration_count = sizeof(lwm2md_migrations) / sizeof(lwm2md_migrations[0]),
	.keep_net_admin = false,
	.start = lwm2md_start,
	.commands = lwm2md_commands, /* handlers get the state start() made */
	.stop = lwm2md_stop,
	.reload = lwm2md_reload,
	.config_check = lwm2md_config_check,
	.status = lwm2md_status,
};

int main(int argc, char **argv)
{
	return daemon_main(&lwm2md_def, argc, argv);
}
