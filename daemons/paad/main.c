/*
 * paad — lwgate PANA Authentication Agent (RFC 5191) with EAP-PSK.
 *
 * The shared main() in lib/common/daemon.c does the daemon work (config,
 * database, control socket, signals, systemd); this file says what is
 * particular to paad: its keys, its schema, and the modules it starts —
 * paaserver (PANA on UDP 716, sessions, EAP-PSK), paastore (devices and
 * sessions in SQLite) and paactl (commands, status, events).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/daemon.h"
#include "common/log.h"
#include "paactl.h"
#include "paaserver.h"
#include "paastore.h"

struct paad_config {
	struct daemon_config common;
	char *address;
	int port;
	char *server_id;
	int lifetime_s;
	int max_sessions;
	int irt_ms, mrt_ms, mrc;
	char *relays;
	char *lowpand_socket;
	int resync_s;
	int eap_mode;
	char *radius_server;
	int radius_port;
	char *radius_secret;
	char *nas_id;
	int radius_timeout_ms, radius_retries;
};

static const char *const eap_modes[] = { "local", "radius", NULL };
enum { EAP_MODE_LOCAL, EAP_MODE_RADIUS };

/* clang-format off */
static const struct config_key paad_keys[] = {
	DAEMON_CONFIG_KEYS("paad", struct paad_config),
	{ "pana", "address", CONFIG_ADDRESS, offsetof(struct paad_config, address), "::", 0, 0, NULL,
	  false, "numeric address to serve PANA on (\"::\": every IPv6 and IPv4 address)" },
	{ "pana", "port", CONFIG_INT, offsetof(struct paad_config, port), "716", 1, 65535, NULL,
	  false, "UDP port of the PAA (RFC 5191: 716)" },
	{ "pana", "server_id", CONFIG_STRING, offsetof(struct paad_config, server_id),
	  "paad.lwgate", 0, 0, NULL, true, "EAP-PSK server identity (ID_S), 1 to 128 bytes" },
	{ "pana", "session_lifetime", CONFIG_INT, offsetof(struct paad_config, lifetime_s), "3600",
	  1, 2147483647, NULL, true,
	  "seconds of access granted by an authentication (Session-Lifetime); the PaC "
	  "re-authenticates before it ends" },
	{ "pana", "max_sessions", CONFIG_INT, offsetof(struct paad_config, max_sessions), "10000",
	  1, 1000000, NULL, true, "sessions held at once, in any phase (more PCIs are dropped)" },
	{ "retransmission", "initial_ms", CONFIG_INT, offsetof(struct paad_config, irt_ms), "1000",
	  10, 60000, NULL, true, "first retransmission timeout of a request (RFC 5191 REQ_IRT)" },
	{ "retransmission", "max_ms", CONFIG_INT, offsetof(struct paad_config, mrt_ms), "30000",
	  10, 3600000, NULL, true, "longest retransmission timeout (REQ_MRT)" },
	{ "retransmission", "max_count", CONFIG_INT, offsetof(struct paad_config, mrc), "10", 0,
	  100, NULL, true, "retransmissions before the PaC is given up (REQ_MRC)" },
	{ "relay", "allow", CONFIG_STRING, offsetof(struct paad_config, relays), "", 0, 0, NULL,
	  true,
	  "RFC 6345 relays (PREs) whose PRY messages are accepted, numeric addresses, "
	  "space-separated; a router that is itself authenticated is accepted too" },
	{ "admission", "lowpand_socket", CONFIG_STRING,
	  offsetof(struct paad_config, lowpand_socket), "/run/lwgate/lowpand.sock", 0, 0, NULL,
	  false,
	  "lowpand's control socket, told which nodes are authenticated for its [admission] "
	  "(empty: lowpand is not told)" },
	{ "admission", "resync", CONFIG_INT, offsetof(struct paad_config, resync_s), "30", 1,
	  3600, NULL, false, "seconds between two full lists sent to lowpand (after its restart)" },
	{ "eap", "mode", CONFIG_ENUM, offsetof(struct paad_config, eap_mode), "local", 0, 0,
	  eap_modes, false,
	  "local: paad's own EAP-PSK server with the keys of lwgatectl paad device-add; radius: "
	  "EAP pass-through to [radius] server" },
	{ "radius", "server", CONFIG_ADDRESS, offsetof(struct paad_config, radius_server), "", 0, 0,
	  NULL, false, "numeric address of the RADIUS server ([eap] mode = radius)",
	  CONFIG_ADDR_EMPTY },
	{ "radius", "port", CONFIG_INT, offsetof(struct paad_config, radius_port), "1812", 1,
	  65535, NULL, false, "its authentication port" },
	{ "radius", "secret", CONFIG_STRING, offsetof(struct paad_config, radius_secret), "", 0, 0,
	  NULL, false, "the shared secret (keep this file unreadable to others)" },
	{ "radius", "nas_identifier", CONFIG_STRING, offsetof(struct paad_config, nas_id),
	  "lwgate-paad", 0, 0, NULL, false, "NAS-Identifier sent in each Access-Request" },
	{ "radius", "timeout_ms", CONFIG_INT, offsetof(struct paad_config, radius_timeout_ms),
	  "1000", 10, 60000, NULL, false, "time to wait for an answer before resending a request" },
	{ "radius", "retries", CONFIG_INT, offsetof(struct paad_config, radius_retries), "3", 0, 10,
	  NULL, false, "resends before the server is given up (the authentication fails)" },
	CONFIG_KEY_END,
};
/* clang-format on */

static const struct db_migration paad_migrations[] = {
	{ 1, DAEMON_SCHEMA_1 },
	{ 2, PAASTORE_SCHEMA },
};

static void server_config(const struct paad_config *cfg, struct paaserver_config *out)
{
	*out = (struct paaserver_config){ .address = cfg->address,
					  .port = cfg->port,
					  .server_id = cfg->server_id,
					  .lifetime_s = (unsigned)cfg->lifetime_s,
					  .max_sessions = (unsigned)cfg->max_sessions,
					  .irt_ms = (unsigned)cfg->irt_ms,
					  .mrt_ms = (unsigned)cfg->mrt_ms,
					  .mrc = (unsigned)cfg->mrc,
					  .relays = cfg->relays };
}

/* As root: the PANA socket (716 is a privileged port). */
static int paad_prepare(struct daemon *d, void **state)
{
	struct paad *p = calloc(1, sizeof(*p));
	struct paaserver_config scfg;

	if (!p)
		return -ENOMEM;
	*state = p;
	p->daemon = d;
	server_config(daemon_config(d), &scfg);
	p->fd = paaserver_open(&scfg);
	return p->fd < 0 ? p->fd : 0;
}

static int paad_start(struct daemon *d, void **state)
{
	struct paad *p = *state;
	struct paaserver_config scfg;
	struct paaserver_hooks hooks = { paactl_session_up, paactl_session_down, p };
	int fd = p->fd;
	const struct paad_config *cfg = daemon_config(d);
	int rc;

	server_config(cfg, &scfg);
	p->fd = -1;
	if (cfg->eap_mode == EAP_MODE_RADIUS) {
		struct paaradius_config rcfg = { cfg->radius_server,
						 cfg->radius_port,
						 cfg->radius_secret,
						 cfg->nas_id,
						 (unsigned)cfg->radius_timeout_ms,
						 (unsigned)cfg->radius_retries };

		rc = paaradius_new(daemon_base(d), &rcfg, &p->radius);
		if (rc < 0) {
			close(fd);
			return rc;
		}
	}
	if (*cfg->lowpand_socket)
		p->admit =
			paaadmit_new(daemon_base(d), cfg->lowpand_socket, (unsigned)cfg->resync_s);
	rc = paaserver_new(daemon_base(d), daemon_db(d), fd, &scfg, p->radius, &hooks, &p->server);
	if (rc == 0 && p->admit)
		paaadmit_set_server(p->admit, p->server);
	return rc;
}

static void paad_stop(void *state)
{
	struct paad *p = state;

	paaserver_free(p->server);
	paaadmit_free(p->admit);
	paaradius_free(p->radius);
	if (p->fd >= 0)
		close(p->fd);
	free(p);
}

static void paad_reload(void *state)
{
	struct paad *p = state;
	struct paaserver_config scfg;

	server_config(daemon_config(p->daemon), &scfg);
	paaserver_reload(p->server, &scfg);
}

static bool paad_config_check(const void *c, char *why, size_t size)
{
	const struct paad_config *cfg = c;
	size_t n = strlen(cfg->server_id);

	if (n == 0 || n > EAP_PSK_MAX_ID) {
		snprintf(why, size, "[pana] server_id: 1 to %d bytes", EAP_PSK_MAX_ID);
		return false;
	}
	if (cfg->eap_mode == EAP_MODE_RADIUS && (!*cfg->radius_server || !*cfg->radius_secret)) {
		snprintf(why, size, "[radius] server, secret: needed with [eap] mode = radius");
		return false;
	}
	if (!paaserver_relays_valid(cfg->relays)) {
		snprintf(why, size, "[relay] allow: not a list of at most %d numeric addresses",
			 PAASERVER_MAX_RELAYS);
		return false;
	}
	if (cfg->mrt_ms < cfg->irt_ms) {
		snprintf(why, size, "[retransmission] max_ms: less than initial_ms");
		return false;
	}
	return true;
}

static const struct daemon_def paad_def = {
	.name = "paad",
	.description = "lwgate PANA Authentication Agent (RFC 5191) with EAP-PSK.",
	.keys = paad_keys,
	.config_size = sizeof(struct paad_config),
	.migrations = paad_migrations,
	.migration_count = sizeof(paad_migrations) / sizeof(paad_migrations[0]),
	.keep_net_admin = false,
	.prepare = paad_prepare,
	.start = paad_start,
	.stop = paad_stop,
	.reload = paad_reload,
	.config_check = paad_config_check,
	.status = paactl_status,
	.commands = paactl_commands,
};

int main(int argc, char **argv)
{
	return daemon_main(&paad_def, argc, argv);
}
