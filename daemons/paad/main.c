/*
 * paad — lwgate PANA Authentication Agent (RFC 5191) with EAP-PSK.
 *
 * The shared main() in lib/common/daemon.c does the daemon work (config,
 * database, control socket, signals, systemd); this file says what is
 * particular to paad.
 */
#include <stddef.h>

#include "common/daemon.h"
#include "common/log.h"

struct paad_config {
	struct daemon_config common;
};

static const struct config_key paad_keys[] = {
	DAEMON_CONFIG_KEYS("paad", struct paad_config),
	CONFIG_KEY_END,
};

static const struct db_migration paad_migrations[] = {
	{ 1, DAEMON_SCHEMA_1 },
};

static const struct daemon_def paad_def = {
	.name = "paad",
	.description = "lwgate PANA Authentication Agent (RFC 5191) with EAP-PSK.",
	.keys = paad_keys,
	.config_size = sizeof(struct paad_config),
	.migrations = paad_migrations,
	.migration_count = sizeof(paad_migrations) / sizeof(paad_migrations[0]),
	.keep_net_admin = false,
};

int main(int argc, char **argv)
{
	return daemon_main(&paad_def, argc, argv);
}
