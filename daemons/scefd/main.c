/*
 * scefd — lwgate SCEF emulator: 3GPP T8 NIDD API (TS 29.122).
 *
 * The shared main() in lib/common/daemon.c does the daemon work (config,
 * database, control socket, signals, systemd); this file says what is
 * particular to scefd.
 */
#include <stddef.h>

#include "common/daemon.h"
#include "common/log.h"

struct scefd_config {
	struct daemon_config common;
};

static const struct config_key scefd_keys[] = {
	DAEMON_CONFIG_KEYS("scefd", struct scefd_config),
	CONFIG_KEY_END,
};

static const struct db_migration scefd_migrations[] = {
	{ 1, DAEMON_SCHEMA_1 },
};

static const struct daemon_def scefd_def = {
	.name = "scefd",
	.description = "lwgate SCEF emulator: 3GPP T8 NIDD API (TS 29.122).",
	.keys = scefd_keys,
	.config_size = sizeof(struct scefd_config),
	.migrations = scefd_migrations,
	.migration_count = sizeof(scefd_migrations) / sizeof(scefd_migrations[0]),
	.keep_net_admin = false,
};

int main(int argc, char **argv)
{
	return daemon_main(&scefd_def, argc, argv);
}
