#include "common/daemon.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/systemd.h"

#ifndef LWGATE_SYSCONFDIR
#define LWGATE_SYSCONFDIR "/etc/lwgate"
#endif

#define EXIT_CONFIG 2

struct daemon {
	const struct daemon_def *def;
	char *config_path;      /* NULL: built-in defaults */
	const char **overrides; /* -o arguments, NULL-terminated */
	void *cfg;
	struct event_base *base;
	struct db *db;
	struct ipc_server *ipc;
	void *state;
	struct event *sig_term, *sig_int, *sig_hup, *watchdog;
	struct timespec started;
	unsigned long reloads;
	int exit_code;
};

struct options {
	const char *config;
	bool check;
	bool foreground;
	bool print;
	size_t noverrides;
};

static void usage(const struct daemon_def *def, FILE *out)
{
	fprintf(out,
		"Usage: %s [OPTION]...\n"
		"%s\n\n"
		"  -c, --config FILE     configuration file (default %s/%s.ini)\n"
		"  -o SECTION.KEY=VALUE  override one configuration key (repeatable)\n"
		"  -t, --test            check the configuration and exit (0 good, 2 bad)\n"
		"  -f, --foreground      log to stderr instead of the journal\n"
		"      --print-config    print the effective configuration as INI and exit\n"
		"      --commands        print the control commands as JSON (as `help` answers) "
		"and exit\n"
		"  -V, --version         print the version and exit\n"
		"  -h, --help            print this help and exit\n\n"
		"Signals: TERM/INT stop, HUP reloads the configuration.\n"
		"Control: lwgatectl %s help\n",
		def->name, def->description, LWGATE_SYSCONFDIR, def->name, def->name);
}

static void print_commands(const struct daemon_def *def);

/* Returns -1 to go on, or an exit code. */
static int parse_args(struct daemon *d, int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "test", no_argument, NULL, 't' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "print-config", no_argument, NULL, 'P' },
		{ "commands", no_argument, NULL, 'C' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	d->overrides = calloc((size_t)argc + 1, sizeof(char *));
	if (!d->overrides)
		abort();
	while ((c = getopt_long(argc, argv, "c:o:tfVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config = optarg;
			break;
		case 'o':
			d->overrides[o->noverrides++] = optarg;
			break;
		case 't':
			o->check = true;
			break;
		case 'f':
			o->foreground = true;
			break;
		case 'P':
			o->print = true;
			break;
		case 'C':
			print_commands(d->def);
			return 0;
		case 'V':
			printf("%s (lwgate) %s\n", d->def->name, LWGATE_VERSION);
			return 0;
		case 'h':
			usage(d->def, stdout);
			return 0;
		default:
			usage(d->def, stderr);
			return EXIT_CONFIG;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument \"%s\"\n", d->def->name, argv[optind]);
		usage(d->def, stderr);
		return EXIT_CONFIG;
	}
	return -1;
}

static void *load_config(struct daemon *d, struct config_error *err)
{
	void *cfg = calloc(1, d->def->config_size);
	char why[sizeof(err->message) - sizeof(err->file) - 2];

	if (!cfg)
		abort();
	if (config_load(d->def->keys, cfg, d->config_path, d->overrides, err) < 0) {
		free(cfg);
		return NULL;
	}
	if (d->def->config_check && !d->def->config_check(cfg, why, sizeof(why))) {
		memset(err, 0, sizeof(*err));
		snprintf(err->file, sizeof(err->file), "%s",
			 d->config_path ? d->config_path : "(defaults)");
		snprintf(err->message, sizeof(err->message), "%s: %s", err->file, why);
		config_clear(d->def->keys, cfg);
		free(cfg);
		return NULL;
	}
	return cfg;
}

static void free_config(const struct daemon_def *def, void *cfg)
{
	if (!cfg)
		return;
	config_clear(def->keys, cfg);
	free(cfg);
}

static const struct daemon_config *common(const struct daemon *d)
{
	return d->cfg; /* every config struct starts with struct daemon_config */
}

static enum log_level level_of(const struct daemon *d)
{
	return (enum log_level)(LOG_LEVEL_ERROR + common(d)->log_level);
}

/* Make the folder of @path if missing, owned by the user we are about to become. */
static int ensure_parent_dir(const char *path, const struct passwd *pw)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0750) < 0)
		return errno == EEXIST ? 0 : -errno;
	if (pw && chown(dir, pw->pw_uid, pw->pw_gid) < 0)
		return -errno;
	return 0;
}

static int set_capabilities(bool keep_net_admin)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { { 0 } };

	if (keep_net_admin) {
		data[0].effective = data[0].permitted = 1u << CAP_NET_ADMIN;
	}
	return syscall(SYS_capset, &hdr, data) < 0 ? -errno : 0;
}

static int drop_privileges(const struct passwd *pw, bool keep_net_admin)
{
	if (keep_net_admin && prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) < 0)
		return -errno;
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
		return -errno;
	if (set_capabilities(keep_net_admin) < 0)
		return -errno;
	if (keep_net_admin)
		prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L);
	if (setuid(0) == 0)
		return -EPERM; /* we could get root back: refuse to run like that */
	return 0;
}

/* Root with a [daemon] user: prepare the folders, then become that user. */
static int privileged_setup(struct daemon *d, gid_t *socket_gid)
{
	const struct daemon_config *c = common(d);
	const struct passwd *pw;
	int rc;

	*socket_gid = (gid_t)-1;
	if (geteuid() != 0 || c->user[0] == '\0')
		return 0;
	errno = 0;
	pw = getpwnam(c->user);
	if (!pw) {
		log_error("user \"%s\" does not exist: create it (systemd-sysusers lwgate.conf) or "
			  "set "
			  "[daemon] user = to stay root",
			  c->user);
		return -ENOENT;
	}
	if ((rc = ensure_parent_dir(c->socket, pw)) < 0 ||
	    (rc = ensure_parent_dir(c->database, pw)) < 0) {
		errno = -rc;
		log_warn("cannot prepare the runtime folders");
		return rc;
	}
	*socket_gid = pw->pw_gid;
	rc = drop_privileges(pw, d->def->keep_net_admin);
	if (rc < 0) {
		errno = -rc;
		log_warn("cannot drop privileges to user %s", c->user);
		return rc;
	}
	log_info("running as user=%s uid=%d net_admin=%s", pw->pw_name, (int)pw->pw_uid,
		 d->def->keep_net_admin ? "kept" : "no");
	return 0;
}

static double uptime_seconds(const struct daemon *d)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - d->started.tv_sec) +
	       (double)(now.tv_nsec - d->started.tv_nsec) / 1e9;
}

static json_t *meta_value(struct daemon *d, const char *key)
{
	sqlite3_stmt *st = db_stmt(d->db, "SELECT value FROM meta WHERE key = ?");
	json_t *v = json_null();

	if (st && sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = json_string((const char *)sqlite3_column_text(st, 0));
	if (st)
		sqlite3_reset(st);
	return v;
}

static void cmd_status(struct ipc_call *call, json_t *args, void *ctx)
{
	struct daemon *d = ctx;
	struct ipc_server_stats st;
	json_t *status, *counters;

	ipc_server_get_stats(d->ipc, &st);
	counters = json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:I, s:I, s:I}", "ipc_requests",
		(json_int_t)st.requests, "ipc_errors", (json_int_t)st.errors, "ipc_events",
		(json_int_t)st.events, "ipc_clients_total", (json_int_t)st.clients_total,
		"ipc_clients_dropped", (json_int_t)st.dropped, "ipc_clients_refused",
		(json_int_t)st.refused, "ipc_clients", (int)st.clients, "db_commits",
		(json_int_t)db_commits(d->db), "db_synced_commits",
		(json_int_t)db_synced_commits(d->db), "reloads", (json_int_t)d->reloads);
	status =
		json_pack("{s:s, s:s, s:i, s:i, s:I, s:s?, s:s, s:s, s:i, s:s, s:o}", "daemon",
			  d->def->name, "version", LWGATE_VERSION, "protocol", IPC_PROTOCOL_VERSION,
			  "pid", (int)getpid(), "uptime_s", (json_int_t)uptime_seconds(d), "config",
			  d->config_path, "database", db_path(d->db), "socket", common(d)->socket,
			  "schema_version", db_schema_version(d->db), "log_level",
			  log_level_names[common(d)->log_level], "counters", counters);
	json_object_set_new(status, "starts", meta_value(d, "starts"));
	json_object_set_new(status, "first_start", meta_value(d, "first_start"));
	if (d->def->status)
		d->def->status(d->state, status);
	ipc_call_reply(call, status);
}

/*
 * Re-read the config; keep the running value of keys that need a restart.
 * Returns how many such keys changed, or -EINVAL with @err filled.
 */
static int reload(struct daemon *d, struct config_error *err)
{
	void *fresh = load_config(d, err);
	int restart_needed = 0;

	if (!fresh) {
		log_error("reload failed, keeping the running configuration: %s", err->message);
		ipc_server_publish(d->ipc, "config.rejected",
				   json_pack("{s:s}", "error", err->message));
		return -EINVAL;
	}
	for (const struct config_key *k = d->def->keys; k->section; k++) {
		if (k->reloadable || config_key_equal(k, d->cfg, fresh))
			continue;
		log_warnx("[%s] %s changed; it takes effect after a restart", k->section, k->name);
		config_swap_key(k, d->cfg, fresh);
		restart_needed++;
	}
	free_config(d->def, d->cfg);
	d->cfg = fresh;
	log_set_level(level_of(d));
	if (d->def->reload)
		d->def->reload(d->state);
	d->reloads++;
	log_info("configuration reloaded file=%s restart_needed=%d",
		 d->config_path ? d->config_path : "(defaults)", restart_needed);
	ipc_server_publish(d->ipc, "config.reloaded",
			   json_pack("{s:s?, s:i}", "config", d->config_path, "restart_needed",
				     restart_needed));
	return restart_needed;
}

static void cmd_reload(struct ipc_call *call, json_t *args, void *ctx)
{
	struct config_error err;
	int restart_needed = reload(ctx, &err);

	if (restart_needed < 0)
		ipc_call_fail(call, IPC_ERR_BAD_ARGS, "%s", err.message);
	else
		ipc_call_reply(call, json_pack("{s:b, s:i}", "reloaded", 1, "restart_needed",
					       restart_needed));
}

static const struct ipc_command daemon_commands[] = {
	{ "status", "version, uptime, pid, files and counters", NULL, cmd_status, false },
	{ "reload", "re-read the configuration file (like SIGHUP)", NULL, cmd_reload, true },
	{ NULL },
};

/* --commands: the tables in the order run() serves them, as `help` lists them. */
static void print_commands(const struct daemon_def *def)
{
	const struct ipc_command *tables[] = { daemon_commands, def->commands };
	json_t *list = ipc_server_describe(tables, 2);

	json_dumpf(list, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(list);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	struct config_error err;

	if (sig == SIGHUP) {
		reload(d, &err); /* logged and published either way */
		return;
	}
	log_info("stopping on signal %s", strsignal((int)sig));
	event_base_loopexit(d->base, NULL);
}

static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	systemd_notify("WATCHDOG=1");
}

static void arm_signals_and_watchdog(struct daemon *d)
{
	uint64_t usec = systemd_watchdog_usec();

	signal(SIGPIPE, SIG_IGN);
	d->sig_term = evsignal_new(d->base, SIGTERM, on_signal, d);
	d->sig_int = evsignal_new(d->base, SIGINT, on_signal, d);
	d->sig_hup = evsignal_new(d->base, SIGHUP, on_signal, d);
	if (!d->sig_term || !d->sig_int || !d->sig_hup)
		fatalx("cannot install signal handlers");
	evsignal_add(d->sig_term, NULL);
	evsignal_add(d->sig_int, NULL);
	evsignal_add(d->sig_hup, NULL);

	/* Pinged from the loop itself: if the loop hangs, systemd restarts us. */
	if (usec > 0) {
		struct timeval half = { (time_t)(usec / 2 / 1000000),
					(suseconds_t)(usec / 2 % 1000000) };

		d->watchdog = event_new(d->base, -1, EV_PERSIST, on_watchdog, d);
		if (!d->watchdog)
			abort();
		event_add(d->watchdog, &half);
		log_debug("watchdog armed interval_us=%llu", (unsigned long long)usec / 2);
	}
}

static int open_state(struct daemon *d, gid_t socket_gid)
{
	const struct daemon_config *c = common(d);
	char err[512];
	int rc;

	rc = db_open(c->database, d->def->migrations, d->def->migration_count, &d->db, err,
		     sizeof(err));
	if (rc < 0) {
		log_error("%s", err);
		return rc;
	}
	db_attach_loop(d->db, d->base);
	if (db_exec(d->db,
		    "INSERT INTO meta (key, value) VALUES ('starts', 1), ('first_start', "
		    "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) ON CONFLICT (key) DO UPDATE SET "
		    "value = CASE key WHEN 'starts' THEN value + 1 ELSE value END",
		    NULL) < 0) {
		log_error("%s: cannot record this start in table meta", c->database);
		return -EIO;
	}
	d->ipc = ipc_server_new(d->base, c->socket, socket_gid);
	if (!d->ipc) {
		if (errno == EADDRINUSE)
			log_error("another %s is already serving %s", d->def->name, c->socket);
		else
			log_warn("cannot create control socket %s", c->socket);
		return -errno;
	}
	ipc_server_add_commands(d->ipc, daemon_commands, d);
	return 0;
}

static void cleanup(struct daemon *d)
{
	if (d->def->stop && d->state)
		d->def->stop(d->state);
	ipc_server_free(d->ipc);
	db_close(d->db);
	if (d->watchdog)
		event_free(d->watchdog);
	if (d->sig_term)
		event_free(d->sig_term);
	if (d->sig_int)
		event_free(d->sig_int);
	if (d->sig_hup)
		event_free(d->sig_hup);
	if (d->base)
		event_base_free(d->base);
	free_config(d->def, d->cfg);
	free(d->config_path);
	free(d->overrides);
}

/* Which file to read: -c, else the installed one, else (for --print-config only) none. */
static void choose_config_path(struct daemon *d, const struct options *o)
{
	char path[4096];

	if (o->config) {
		d->config_path = strdup(o->config);
		return;
	}
	snprintf(path, sizeof(path), "%s/%s.ini", LWGATE_SYSCONFDIR, d->def->name);
	if (o->print && access(path, F_OK) < 0)
		d->config_path = NULL;
	else
		d->config_path = strdup(path);
}

static int run(struct daemon *d)
{
	char state[300];
	gid_t socket_gid;
	int rc;

	d->base = event_base_new();
	if (!d->base || event_base_priority_init(d->base, 2) < 0)
		fatalx("cannot create the event loop");
	rc = d->def->prepare ? d->def->prepare(d, &d->state) : 0;
	if (rc < 0) {
		errno = -rc;
		log_warn("cannot prepare");
		return EXIT_FAILURE;
	}
	if (privileged_setup(d, &socket_gid) < 0 || open_state(d, socket_gid) < 0)
		return EXIT_FAILURE;
	rc = d->def->start ? d->def->start(d, &d->state) : 0;
	if (rc < 0) {
		errno = -rc;
		log_warn("cannot start");
		return EXIT_FAILURE;
	}
	/* the daemon's own commands get its state, which exists from here on */
	if (d->def->commands && ipc_server_add_commands(d->ipc, d->def->commands, d->state) < 0) {
		log_error("command table clashes with a built-in command");
		return EXIT_FAILURE;
	}
	arm_signals_and_watchdog(d);
	clock_gettime(CLOCK_MONOTONIC, &d->started);
	log_info("started version=%s pid=%d config=%s socket=%s database=%s", LWGATE_VERSION,
		 (int)getpid(), d->config_path ? d->config_path : "(defaults)", common(d)->socket,
		 common(d)->database);
	snprintf(state, sizeof(state), "READY=1\nSTATUS=serving %s", common(d)->socket);
	systemd_notify(state);

	event_base_dispatch(d->base);

	systemd_notify("STOPPING=1");
	log_info("stopped");
	return d->exit_code;
}

int daemon_main(const struct daemon_def *def, int argc, char **argv)
{
	struct daemon d = { .def = def };
	struct options o = { 0 };
	struct config_error err;
	int rc;

	rc = parse_args(&d, argc, argv, &o);
	if (rc >= 0) {
		free(d.overrides);
		return rc;
	}
	log_init(def->name, o.foreground ? LOG_TARGET_STDERR : LOG_TARGET_AUTO, LOG_LEVEL_INFO);
	choose_config_path(&d, &o);
	d.cfg = load_config(&d, &err);
	if (!d.cfg) {
		/* stderr reaches the journal too when systemd started us */
		fprintf(stderr, "%s: %s\n", def->name, err.message);
		cleanup(&d);
		return EXIT_CONFIG;
	}
	if (o.check || o.print) {
		if (o.print) {
			char title[128];

			snprintf(title, sizeof(title), "%s %s configuration", def->name,
				 LWGATE_VERSION);
			config_print(def->keys, d.cfg, title, stdout);
		} else {
			printf("%s: configuration %s is good\n", def->name,
			       d.config_path ? d.config_path : "(defaults)");
		}
		cleanup(&d);
		return 0;
	}
	log_set_level(level_of(&d));
	rc = run(&d);
	cleanup(&d);
	return rc;
}

struct event_base *daemon_base(struct daemon *d)
{
	return d->base;
}

const void *daemon_config(const struct daemon *d)
{
	return d->cfg;
}

struct db *daemon_db(struct daemon *d)
{
	return d->db;
}

struct ipc_server *daemon_ipc(struct daemon *d)
{
	return d->ipc;
}

void daemon_stop(struct daemon *d, int code)
{
	d->exit_code = code;
	event_base_loopexit(d->base, NULL);
}
