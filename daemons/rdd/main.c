/*
 * rdd — lwgate CoRE Resource Directory (RFC 9176) and CoAP pub/sub broker.
 *
 * The shared main() in lib/common/daemon.c does the daemon work (config,
 * database, control socket, signals, systemd); this file says what is
 * particular to rdd.
 */
#include <stddef.h>

#include "common/daemon.h"
#include "common/log.h"

struct rdd_config {
	struct daemon_config common;
};

static const struct config_key rdd_keys[] = {
	DAEMON_CONFIG_KEYS("rdd", struct rdd_config),
	CONFIG_KEY_END,
};

static const struct db_migration rdd_migrations[] = {
	{ 1, DAEMON_SCHEMA_1 },
};

static const struct daemon_def rdd_def = {
	.name = "rdd",
	.description = "lwgate CoRE Resource Directory (RFC 9176) and CoAP pub/sub broker.",
	.keys = rdd_keys,
	.config_size = sizeof(struct rdd_config),
	.migrations = rdd_migrations,
	.migration_count = sizeof(rdd_migrations) / sizeof(rdd_migrations[0]),
	.keep_net_admin = false,
};

int main(int argc, char **argv)
{
	return daemon_main(&rdd_def, argc, argv);
}
