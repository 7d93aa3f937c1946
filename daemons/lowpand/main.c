/*
 * lowpand — lwgate border router: 802.15.4 dongle, 6LoWPAN, TUN, 6LoWPAN-ND and RPL root.
 *
 * The shared main() in lib/common/daemon.c does the daemon work (config,
 * database, control socket, signals, systemd); this file says what is
 * particular to lowpand.
 */
#include <stddef.h>

#include "common/daemon.h"
#include "common/log.h"

struct lowpand_config {
	struct daemon_config common;
};

static const struct config_key lowpand_keys[] = {
	DAEMON_CONFIG_KEYS("lowpand", struct lowpand_config),
	CONFIG_KEY_END,
};

static const struct db_migration lowpand_migrations[] = {
	{ 1, DAEMON_SCHEMA_1 },
};

static const struct daemon_def lowpand_def = {
	.name = "lowpand",
	.description =
		"lwgate border router: 802.15.4 dongle, 6LoWPAN, TUN, 6LoWPAN-ND and RPL root.",
	.keys = lowpand_keys,
	.config_size = sizeof(struct lowpand_config),
	.migrations = lowpand_migrations,
	.migration_count = sizeof(lowpand_migrations) / sizeof(lowpand_migrations[0]),
	.keep_net_admin = true,
};

int main(int argc, char **argv)
{
	return daemon_main(&lowpand_def, argc, argv);
}
