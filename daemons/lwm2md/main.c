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
#include "common/daemon.h"
#include "common/log.h"
#include "lwm2m/lwm2m_format.h"
#include "server.h"

struct lwm2md_config {
	struct daemon_config common;
	bool coap_enabled;
	char *coap_address;
	int coap_port;
	int ack_timeout_ms;
	int max_retransmit;
	int max_idle_sessions;
	int max_clients;
};

/* clang-format off */
static const struct config_key lwm2md_keys[] = {
	DAEMON_CONFIG_KEYS("lwm2md", struct lwm2md_config),
	{"coap", "enabled", CONFIG_BOOL, offsetof(struct lwm2md_config, coap_enabled), "yes", 0, 0,
	 NULL, false, "serve plain CoAP over UDP (no: only the control socket)"},
	{"coap", "address", CONFIG_STRING, offsetof(struct lwm2md_config, coap_address), "::", 0, 0,
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
	{"lwm2m", "max_clients", CONFIG_INT, offsetof(struct lwm2md_config, max_clients), "200000",
	 1, 10000000, NULL, false, "registered clients at most; a Register beyond gets 5.03"},
	CONFIG_KEY_END,
};
/* clang-format on */

static const struct db_migration lwm2md_migrations[] = {
	{ 1, DAEMON_SCHEMA_1 },
	{ 2, CLIENTS_SCHEMA_2 },
};

struct lwm2md {
	struct daemon *d;
	struct server *srv;
};

/* The client named by the call's "ep", or NULL after failing the call. */
static struct client *client_arg(struct lwm2md *l, struct ipc_call *call, json_t *args)
{
	const char *ep = json_string_value(json_object_get(args, "ep"));
	struct client *c = ep ? clients_find_ep(server_clients(l->srv), ep) : NULL;

	if (!c)
		ipc_call_fail(call, IPC_ERR_NOT_FOUND, "no registered client '%s'", ep ? ep : "");
	return c;
}

static void cmd_clients(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;

	/* one record per client: a list of 100,000 would not fit one reply */
	for (struct client *c = clients_first(server_clients(l->srv)); c; c = clients_next(c))
		if (ipc_call_record(call, clients_json(c, false)) < 0)
			break;
	ipc_call_reply(call, json_array());
}

static void cmd_show(struct ipc_call *call, json_t *args, void *ctx)
{
	struct client *c = client_arg(ctx, call, args);

	if (c)
		ipc_call_reply(call, clients_json(c, true));
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

static void cmd_read(struct ipc_call *call, json_t *args, void *ctx)
{
	struct lwm2md *l = ctx;
	const char *path = json_string_value(json_object_get(args, "path"));
	const char *fmt = json_string_value(json_object_get(args, "format"));
	enum lwm2m_format f;
	struct client *c;

	if (fmt && lwm2m_format_parse(fmt, &f) < 0) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS,
			      "format: '%s' is not one of text, tlv, senml-json, senml-cbor, json, "
			      "cbor, opaque",
			      fmt);
		return;
	}
	c = client_arg(l, call, args);
	if (c)
		server_read(l->srv, call, c, path, fmt ? (int)f : -1);
}

static const struct ipc_arg ep_args[] = {
	{ "ep", IPC_ARG_STRING, true, "endpoint client name" },
	{ .name = NULL },
};

static const struct ipc_arg read_args[] = {
	{ "ep", IPC_ARG_STRING, true, "endpoint client name" },
	{ "path", IPC_ARG_STRING, true, "LwM2M path: /3, /3/0, /3/0/0" },
	{ "format", IPC_ARG_STRING, false, "content format to ask for (tlv, senml-json, …)" },
	{ .name = NULL },
};

static const struct ipc_command lwm2md_commands[] = {
	{ "clients", "registered clients: endpoint, address, transport, binding, lifetime left",
	  NULL, cmd_clients, false },
	{ "show", "one client in full (ep=NAME)", ep_args, cmd_show, false },
	{ "remove", "forget a client's registration (ep=NAME)", ep_args, cmd_remove, true },
	{ "read", "read a path from a client (ep=NAME path=/3/0 [format=F])", read_args, cmd_read,
	  true },
	{ .name = NULL },
};

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
		.max_clients = (unsigned)cfg->max_clients,
	};
	struct lwm2md *l = calloc(1, sizeof(*l));
	int rc;

	if (!l)
		return -ENOMEM;
	coap_startup();
	l->d = d;
	rc = server_new(daemon_base(d), daemon_db(d), daemon_ipc(d), &sc, &l->srv);
	if (rc < 0) {
		coap_cleanup();
		free(l);
		return rc;
	}
	/*
	 * The table is added here rather than as .commands so that handlers
	 * get this state as their context.
	 */
	rc = ipc_server_add_commands(daemon_ipc(d), lwm2md_commands, l);
	if (rc < 0) {
		server_free(l->srv);
		coap_cleanup();
		free(l);
		return rc;
	}
	*state = l;
	return 0;
}

static void lwm2md_stop(void *state)
{
	struct lwm2md *l = state;

	server_free(l->srv);
	coap_cleanup();
	free(l);
}

static void lwm2md_status(void *state, json_t *status)
{
	struct lwm2md *l = state;

	server_status(l->srv, status);
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
	.stop = lwm2md_stop,
	.status = lwm2md_status,
};

int main(int argc, char **argv)
{
	return daemon_main(&lwm2md_def, argc, argv);
}
