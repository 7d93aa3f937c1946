/*
 * daemon — the main() every lwgate daemon shares.
 *
 *   args → log → config → event base → prepare() (as root) → drop privileges
 *   → database → control socket → the daemon's start() → signals
 *   → READY=1 → loop → STOPPING=1 → stop() and free in reverse.
 *
 * Command line: -c FILE, -o section.key=value (repeatable), -t (check the
 * config and exit 0, or 2 with the file:line message), -f (foreground, log
 * to stderr), --print-config, -h, -V.  SIGTERM/SIGINT stop gracefully,
 * SIGHUP reloads the configuration (keys marked reloadable; others are
 * reported as needing a restart), and the systemd watchdog is fed from the
 * loop, so a stuck loop gets the daemon restarted.  Started as root with
 * [daemon] user set, the daemon drops to that user, keeping CAP_NET_ADMIN
 * only when its definition asks for it.
 *
 * Every daemon's control socket answers "status", "reload", "help",
 * "subscribe" and "unsubscribe" besides its own commands, and publishes
 * "config.reloaded" / "config.rejected" events after each reload.
 */
#ifndef LWGATE_COMMON_DAEMON_H
#define LWGATE_COMMON_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <jansson.h>

#include "common/config.h"
#include "common/db.h"
#include "common/ipc_server.h"

/* The [daemon] section, the first member of every daemon's config struct. */
struct daemon_config {
	char *socket;
	char *database;
	int log_level; /* index into log_level_names */
	char *user;
};

/*
 * The [daemon] keys for daemon NAME whose config struct is TYPE (which
 * must start with `struct daemon_config common`); put them first in the
 * daemon's key table.
 */
/* clang-format off */
#define DAEMON_CONFIG_KEYS(NAME, TYPE)                                                             \
	{"daemon", "socket", CONFIG_STRING, offsetof(TYPE, common.socket),                      \
	 "/run/lwgate/" NAME ".sock", 0, 0, NULL, false,                                           \
	 "control socket that lwgatectl talks to"},                                                \
	{"daemon", "database", CONFIG_STRING, offsetof(TYPE, common.database),                  \
	 "/var/lib/lwgate/" NAME ".db", 0, 0, NULL, false, "SQLite file holding the state"},      \
	{"daemon", "log_level", CONFIG_ENUM, offsetof(TYPE, common.log_level), "info", 0, 0,    \
	 log_level_names, true, "lines above this level are not logged"},                          \
	{"daemon", "user", CONFIG_STRING, offsetof(TYPE, common.user), "lwgate", 0, 0, NULL,     \
	 false, "user to run as when started as root (empty: stay root)"}
/* clang-format on */

/*
 * Schema 1 of every daemon's database: a key/value table in which the
 * shared main() counts starts and remembers the first one.  A daemon's own
 * tables come in its migrations 2, 3, ….
 */
#define DAEMON_SCHEMA_1 "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"

struct daemon;

struct daemon_def {
	const char *name;        /* "lwm2md" */
	const char *description; /* one line for --help */
	const struct config_key *keys;
	size_t config_size; /* sizeof the daemon's config struct */
	const struct db_migration *migrations;
	size_t migration_count;
	bool keep_net_admin; /* keep CAP_NET_ADMIN after dropping root */

	/*
	 * Optional: what needs root, run before privileges are dropped (open
	 * a TUN device, bind a low port).  *state starts NULL; what is put
	 * there is handed to start().  Returns 0 or a negative errno (logged).
	 */
	int (*prepare)(struct daemon *d, void **state);
	/* Create the daemon's modules; returns 0 or a negative errno (logged). */
	int (*start)(struct daemon *d, void **state);
	/* Free what prepare() and start() made; runs after the loop ends, or after a
	 * failed start(), whenever the state is not NULL. */
	void (*stop)(void *state);
	/* Apply the reloadable keys of the new config, now daemon_config(). */
	void (*reload)(void *state);
	/*
	 * Optional: what the key table cannot check of a parsed config (a
	 * list's syntax, keys that go together).  False with a reason in @why
	 * ("[section] key: what"): the config is refused at start, by --check
	 * and by a reload, which keeps the running one.
	 */
	bool (*config_check)(const void *cfg, char *why, size_t size);
	/* Add the daemon's own fields and counters to a status reply. */
	void (*status)(void *state, json_t *status);
	/* The daemon's commands (NULL: none); handlers get the start() state. */
	const struct ipc_command *commands;
};

/* Run the daemon; returns the process exit code. */
int daemon_main(const struct daemon_def *def, int argc, char **argv);

struct event_base *daemon_base(struct daemon *d);
/*
 * The current config, cast to the daemon's type.  A reload replaces it:
 * read it when needed, never keep the pointer across loop iterations.
 */
const void *daemon_config(const struct daemon *d);
struct db *daemon_db(struct daemon *d);
struct ipc_server *daemon_ipc(struct daemon *d);

/* Stop the loop; the daemon exits with @code after cleaning up. */
void daemon_stop(struct daemon *d, int code);

#endif
