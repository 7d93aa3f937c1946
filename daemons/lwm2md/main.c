/*
 * lwm2md — lwgate OMA LwM2M 1.1 server.
 *
 * The shared main() in lib/common/daemon.c does the daemon work (config,
 * database, control socket, signals, systemd); this file says what is
 * particular to lwm2md.
 */
#include <stddef.h>

#include "common/daemon.h"
#include "common/log.h"

struct lwm2md_config {
	struct daemon_config common;
};

static const struct config_key lwm2md_keys[] = {
	DAEMON_CONFIG_KEYS("lwm2md", struct lwm2md_config),
	CONFIG_KEY_END,
};

static const struct db_migration lwm2md_migrations[] = {
	{ 1, DAEMON_SCHEMA_1 },
};

static const struct daemon_def lwm2md_def = {
	.name = "lwm2md",
	.description = "lwgate OMA LwM2M 1.1 server.",
	.keys = lwm2md_keys,
	.config_size = sizeof(struct lwm2md_config),
	.migrations = lwm2md_migrations,
	.migration_count = sizeof(lwm2md_migrations) / sizeof(lwm2md_migrations[0]),
	.keep_net_admin = false,
};

int main(int argc, char **argv)
{
	return daemon_main(&lwm2md_def, argc, argv);
}
