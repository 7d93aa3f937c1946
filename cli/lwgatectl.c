/*
 * lwgatectl — the command line for every lwgate daemon.
 *
 * It knows the daemons' names and nothing of their commands: `lwgatectl
 * DAEMON help` asks the daemon, and `lwgatectl DAEMON CMD key=value…` sends
 * any command, its positional words placed by the table that the daemon's
 * "help" gives (cliargs.c), so a new daemon command reaches users without
 * a CLI change.
 * Local tools that need no daemon (pcap, lwm2m payload codecs) are
 * dispatched from the same table.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cliargs.h"
#include "common/ipc_client.h"
#include "completion.h"
#include "ctlcommands.h"
#include "output.h"
#include "reach.h"
#ifdef LWGATECTL_PCAP
#include "pcap.h"
#endif
#ifdef LWGATECTL_LWM2M
#include "lwm2m.h"
#endif

enum exit_code {
	EXIT_OK = 0,
	EXIT_REFUSED = 1, /* the daemon refused, or the device did (CoAP 4.xx, 5.xx) */
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 3, /* no daemon on the socket */
};

static const char *const daemons[] = { "lowpand", "lwm2md", "rdd", "paad", "scefd", NULL };

struct local_tool {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *help;
};

static const struct local_tool local_tools[] = {
#ifdef LWGATECTL_PCAP
	{ "pcap", pcap_cli_main, "decode/encode 802.15.4 + 6LoWPAN captures (no daemon needed)" },
#endif
#ifdef LWGATECTL_LWM2M
	{ "lwm2m", lwm2m_cli_main, "decode/encode LwM2M payloads (no daemon needed)" },
#endif
	{ NULL, NULL, NULL },
};

struct ctl {
	enum output_mode mode;
	const char *socket_dir;
	int timeout_ms;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: lwgatectl [--json] [--socket-dir DIR] [--timeout MS] COMMAND...\n\n"
		"Commands:\n"
		"  status                              each daemon: up or down, version, uptime\n"
		"  DAEMON help                         the daemon's commands, from the daemon\n"
		"  DAEMON CMD [ARG|key=value|key:=JSON|--key value]...\n"
		"                                      call a command; values are strings, or JSON "
		"after :=;\n"
		"                                      ARGs by position, in the order DAEMON help "
		"shows\n"
		"  DAEMON CMD --help                   the command's arguments\n"
		"  DAEMON watch [TOPIC]... [ep=NAME]   print the daemon's events until "
		"interrupted (default: all),\n"
		"                                      only NAME's with ep=NAME\n"
		"  lwm2md watch [EP] [TOPIC]...        lwm2md's events, only EP's when given\n"
		"  completion bash                     a bash completion script, from the daemons' "
		"command tables\n");
	for (const struct local_tool *t = local_tools; t->name; t++)
		fprintf(out, "  %-35s %s\n", t->name, t->help);
	fprintf(out,
		"\nDaemons: lowpand lwm2md rdd paad scefd\n\n"
		"Options:\n"
		"  -j, --json             print the daemons' JSON instead of tables\n"
		"  -s, --socket-dir DIR   where the control sockets are (default: "
		"$LWGATE_SOCKET_DIR "
		"or /run/lwgate)\n"
		"  -t, --timeout MS       how long to wait for an answer (default 5000)\n"
		"  -V, --version          print the version\n"
		"  -h, --help             print this help\n\n"
		"Exit status: 0 ok, 1 the daemon or the device refused, 2 usage error, 3 daemon "
		"unreachable.\n");
}

static bool is_daemon(const char *name)
{
	for (int i = 0; daemons[i]; i++)
		if (strcmp(daemons[i], name) == 0)
			return true;
	return false;
}

static void socket_path(const struct ctl *ctl, const char *daemon, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s.sock", ctl->socket_dir, daemon);
}

/*
 * Ask the daemon which control protocol it speaks, so that a mismatch is
 * one clear sentence rather than a misread reply.  Returns 0 or -EPROTO
 * (@why filled), or the transport's error.
 */
static int check_protocol(const struct ctl *ctl, const char *daemon, struct ipc_client *cl,
			  char *why, size_t why_len)
{
	struct ipc_response resp;
	json_int_t theirs = -1;
	int rc = ipc_client_call(cl, "hello", NULL, ctl->timeout_ms, &resp);

	if (rc < 0) {
		snprintf(why, why_len, "%s did not answer \"hello\": %s", daemon,
			 rc == -ETIMEDOUT ? "no reply in time (see --timeout)" : strerror(-rc));
		return rc;
	}
	if (resp.ok)
		theirs = json_integer_value(json_object_get(resp.result, "protocol"));
	if (!resp.ok && resp.code != IPC_ERR_UNKNOWN_COMMAND)
		rc = 0; /* it speaks our errors, so our protocol; the call will tell more */
	else if (theirs != IPC_PROTOCOL_VERSION) {
		char version[32] = "older than 1";

		if (theirs >= 1)
			snprintf(version, sizeof(version), "%lld", (long long)theirs);
		snprintf(why, why_len,
			 "%s speaks control protocol version %s, this lwgatectl speaks version "
			 "%d: use the lwgatectl installed with the daemon",
			 daemon, version, IPC_PROTOCOL_VERSION);
		rc = -EPROTO;
	}
	ipc_response_fini(&resp);
	return rc;
}

static int connect_daemon(const struct ctl *ctl, const char *daemon, struct ipc_client **cl,
			  char *why, size_t why_len)
{
	char path[512];
	int rc;

	socket_path(ctl, daemon, path, sizeof(path));
	rc = ipc_client_open(path, cl);
	if (rc < 0) {
		reach_explain(daemon, path, -rc, why, why_len);
		return rc;
	}
	rc = check_protocol(ctl, daemon, *cl, why, why_len);
	if (rc < 0)
		ipc_client_free(*cl);
	return rc;
}

static int report_transport_error(const char *daemon, int rc)
{
	if (rc == -ETIMEDOUT)
		fprintf(stderr, "lwgatectl: %s did not answer in time (see --timeout)\n", daemon);
	else if (rc == -EMSGSIZE)
		fprintf(stderr, "lwgatectl: request over 64 KiB\n");
	else
		fprintf(stderr, "lwgatectl: %s: %s\n", daemon, strerror(-rc));
	return rc == -EMSGSIZE ? EXIT_USAGE : EXIT_UNREACHABLE;
}

/*
 * The daemon's "help" entry for @cmd ({command, help, args…}), or NULL when
 * the daemon does not describe @cmd (the words are then key=value only,
 * and the daemon says what it thinks of the command).  *help_out keeps it.
 */
static json_t *command_entry(const struct ctl *ctl, struct ipc_client *cl, const char *cmd,
			     struct ipc_response *help_out)
{
	if (ipc_client_call(cl, "help", NULL, ctl->timeout_ms, help_out) < 0) {
		memset(help_out, 0, sizeof(*help_out));
		return NULL;
	}
	return help_out->ok ? cliargs_command(help_out->result, cmd) : NULL;
}

/*
 * --json among a command's words (before any "--"), when the command has
 * no argument of that name: the global option typed at the end of the
 * line, as people do.  It is taken out of the words.
 */
static void take_json_option(const json_t *spec, int *argc, char **argv, enum output_mode *mode)
{
	bool options = true;
	int n = 0;

	for (int i = 0; i < *argc; i++) {
		options = options && strcmp(argv[i], "--") != 0;
		if (options && strcmp(argv[i], "--json") == 0 && !cliargs_declares(spec, "json"))
			*mode = OUTPUT_JSON;
		else
			argv[n++] = argv[i];
	}
	*argc = n;
}

static int print_error(const struct ctl *ctl, const char *daemon, const char *cmd,
		       const struct ipc_response *resp)
{
	if (ctl->mode == OUTPUT_JSON) {
		/* the daemon's error object as sent: code, message and any detail */
		json_t *err = json_pack("{s:O}", "error", resp->error);

		json_dumpf(err, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(err);
	}
	fprintf(stderr, "lwgatectl: %s %s: %s (%s)\n", daemon, cmd, resp->message,
		ipc_error_name(resp->code));
	return EXIT_REFUSED;
}

/*
 * `lwgatectl DAEMON CMD WORDS…`: the words become arguments by the
 * command's table, which the daemon's "help" gives on the same connection.
 */
static int call_daemon(const struct ctl *global, const char *daemon, const char *cmd, int argc,
		       char **argv)
{
	struct ctl local = *global, *ctl = &local;
	struct ipc_client *cl;
	struct ipc_response help = { 0 }, resp;
	json_t *entry = NULL, *spec, *args;
	char why[768];
	int rc;

	if (connect_daemon(ctl, daemon, &cl, why, sizeof(why)) < 0) {
		fprintf(stderr, "lwgatectl: %s\n", why);
		return EXIT_UNREACHABLE;
	}
	if (argc > 0)
		entry = command_entry(ctl, cl, cmd, &help);
	spec = entry ? json_object_get(entry, "args") : NULL;
	take_json_option(spec, &argc, argv, &local.mode);
	if (argc == 1 && strcmp(argv[0], "--help") == 0 && entry &&
	    !cliargs_declares(spec, "help")) {
		output_command_help(daemon, cmd, entry, stdout);
		ipc_response_fini(&help);
		ipc_client_free(cl);
		return EXIT_OK;
	}
	rc = cliargs_parse(spec, argc, argv, &args, why, sizeof(why));
	ipc_response_fini(&help);
	if (rc < 0) {
		fprintf(stderr, "lwgatectl: %s %s: %s\n", daemon, cmd, why);
		ipc_client_free(cl);
		return EXIT_USAGE;
	}
	rc = ipc_client_call(cl, cmd, args, ctl->timeout_ms, &resp);
	ipc_client_free(cl);
	if (rc < 0)
		return report_transport_error(daemon, rc);
	rc = resp.ok ? EXIT_OK : print_error(ctl, daemon, cmd, &resp);
	if (resp.ok)
		output_reply(ctl->mode, daemon, cmd, resp.result, resp.records, stdout);
	ipc_response_fini(&resp);
	return rc;
}

static int cmd_status(const struct ctl *ctl)
{
	json_t *all = json_object();
	int rc = EXIT_OK;

	for (int i = 0; daemons[i]; i++) {
		struct ipc_client *cl;
		struct ipc_response resp;
		char why[768];
		int err;

		if (connect_daemon(ctl, daemons[i], &cl, why, sizeof(why)) < 0) {
			json_object_set_new(all, daemons[i],
					    json_pack("{s:b, s:s}", "up", 0, "error", why));
			rc = EXIT_UNREACHABLE;
			continue;
		}
		err = ipc_client_call(cl, "status", NULL, ctl->timeout_ms, &resp);
		ipc_client_free(cl);
		if (err < 0 || !resp.ok) {
			snprintf(why, sizeof(why), "%s", err < 0 ? strerror(-err) : resp.message);
			json_object_set_new(all, daemons[i],
					    json_pack("{s:b, s:s}", "up", 0, "error", why));
			rc = EXIT_UNREACHABLE;
		} else {
			json_object_set_new(resp.result, "up", json_true());
			json_object_set(all, daemons[i], resp.result);
		}
		if (err == 0)
			ipc_response_fini(&resp);
	}
	output_status(ctl->mode, all, stdout);
	json_decref(all);
	return rc;
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	interrupted = 1;
}

/*
 * Whether a word of lwm2md's `watch` names a topic, not an endpoint: its
 * topics have a dot ("observe.notify", "op.*") or are "send" or "*"; an
 * endpoint that looks like one is given as ep=NAME.
 */
static bool lwm2md_topic_word(const char *w)
{
	return strchr(w, '.') || strcmp(w, "send") == 0 || strcmp(w, "*") == 0;
}

/*
 * The topics of `DAEMON watch ARG...` into @list, and the endpoint whose
 * events alone are printed into *@ep (NULL: all): ep=NAME for any daemon,
 * and for lwm2md a bare word that is not a topic (`lwm2md watch EP`).
 * Returns 0, or -EINVAL (two endpoints).
 */
static int watch_args(const char *daemon, int argc, char **argv, json_t *list, const char **ep)
{
	bool lwm2md = strcmp(daemon, "lwm2md") == 0;

	*ep = NULL;
	for (int i = 0; i < argc; i++) {
		const char *name = NULL;

		if (strncmp(argv[i], "ep=", 3) == 0)
			name = argv[i] + 3;
		else if (lwm2md && !lwm2md_topic_word(argv[i]))
			name = argv[i];
		if (!name) {
			json_array_append_new(list, json_string(argv[i]));
			continue;
		}
		if (*ep || !*name)
			return -EINVAL;
		*ep = name;
	}
	if (json_array_size(list) == 0)
		json_array_append_new(list, json_string("*"));
	return 0;
}

/* Whether an event is one of endpoint @ep's (all are when @ep is NULL). */
static bool watch_wanted(const char *ep, json_t *data)
{
	const char *of = json_string_value(json_object_get(data, "endpoint"));

	return !ep || (of && strcmp(of, ep) == 0);
}

static int cmd_watch(const struct ctl *ctl, const char *daemon, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_interrupt };
	struct ipc_client *cl;
	struct ipc_response resp;
	json_t *list = json_array();
	const char *ep;
	char why[768];
	int rc;

	if (watch_args(daemon, argc, argv, list, &ep) < 0) {
		fprintf(stderr, "lwgatectl: %s watch: one endpoint at most, as EP or ep=NAME\n",
			daemon);
		json_decref(list);
		return EXIT_USAGE;
	}
	if (connect_daemon(ctl, daemon, &cl, why, sizeof(why)) < 0) {
		fprintf(stderr, "lwgatectl: %s\n", why);
		json_decref(list);
		return EXIT_UNREACHABLE;
	}
	rc = ipc_client_call(cl, "subscribe", json_pack("{s:o}", "topics", list), ctl->timeout_ms,
			     &resp);
	if (rc < 0) {
		ipc_client_free(cl);
		return report_transport_error(daemon, rc);
	}
	ipc_response_fini(&resp);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!interrupted) {
		char *topic;
		json_t *data;

		rc = ipc_client_next_event(cl, -1, &topic, &data);
		if (rc == -EINTR || interrupted)
			break;
		if (rc < 0) {
			fprintf(stderr, "lwgatectl: %s went away: %s\n", daemon, strerror(-rc));
			ipc_client_free(cl);
			return EXIT_UNREACHABLE;
		}
		if (watch_wanted(ep, data))
			output_event(ctl->mode, daemon, topic, data, stdout);
		free(topic);
		json_decref(data);
	}
	ipc_client_free(cl);
	return EXIT_OK;
}

/*
 * `lwgatectl completion bash`: the script from the command tables
 * lwgatectl was built with (ctlcommands.h); a daemon missing from them (a
 * cross build could not run the daemons) is asked for its "help".
 */
static int cmd_completion(const struct ctl *ctl, int argc, char **argv)
{
	const char *words[sizeof(local_tools) / sizeof(local_tools[0]) + 2] = { "status",
										"completion" };
	json_t *tables = json_loads(ctlcommands_json, 0, NULL);
	size_t n = 2;
	int rc;

	if (argc != 2 || strcmp(argv[1], "bash") != 0) {
		fprintf(stderr, "lwgatectl: completion bash (the only shell it knows)\n");
		json_decref(tables);
		return EXIT_USAGE;
	}
	if (!tables)
		abort(); /* made by the build: a bug, not an input */
	for (const struct local_tool *t = local_tools; t->name; t++)
		words[n++] = t->name;
	words[n] = NULL;
	for (int i = 0; daemons[i]; i++) {
		struct ipc_client *cl;
		struct ipc_response help;
		char why[768];

		if (json_object_get(tables, daemons[i]) ||
		    connect_daemon(ctl, daemons[i], &cl, why, sizeof(why)) < 0)
			continue;
		if (ipc_client_call(cl, "help", NULL, ctl->timeout_ms, &help) == 0) {
			if (help.ok)
				json_object_set(tables, daemons[i], help.result);
			ipc_response_fini(&help);
		}
		ipc_client_free(cl);
	}
	rc = completion_bash(tables, daemons, words, stdout);
	json_decref(tables);
	return rc < 0 ? EXIT_UNREACHABLE : EXIT_OK;
}

static int run_daemon_command(const struct ctl *ctl, int argc, char **argv)
{
	const char *daemon = argv[0];

	if (argc < 2) {
		fprintf(stderr, "lwgatectl: %s needs a command (try: lwgatectl %s help)\n", daemon,
			daemon);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "watch") == 0)
		return cmd_watch(ctl, daemon, argc - 2, argv + 2);
	return call_daemon(ctl, daemon, argv[1], argc - 2, argv + 2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket-dir", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl ctl = { .mode = OUTPUT_TEXT,
			   .socket_dir = getenv("LWGATE_SOCKET_DIR"),
			   .timeout_ms = 5000 };
	int c;

	if (!ctl.socket_dir || !*ctl.socket_dir)
		ctl.socket_dir = "/run/lwgate";
	/* '+': stop at the first word, so a command's own options pass through */
	while ((c = getopt_long(argc, argv, "+js:t:Vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctl.mode = OUTPUT_JSON;
			break;
		case 's':
			ctl.socket_dir = optarg;
			break;
		case 't': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v <= 0 || v > 3600000) {
				fprintf(stderr,
					"lwgatectl: --timeout wants milliseconds, 1..3600000\n");
				return EXIT_USAGE;
			}
			ctl.timeout_ms = (int)v;
			break;
		}
		case 'V':
			printf("lwgatectl (lwgate) %s\n", LWGATE_VERSION);
			return EXIT_OK;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "status") == 0 && argc == 1)
		return cmd_status(&ctl);
	if (strcmp(argv[0], "completion") == 0)
		return cmd_completion(&ctl, argc, argv);
	if (is_daemon(argv[0]))
		return run_daemon_command(&ctl, argc, argv);
	for (const struct local_tool *t = local_tools; t->name; t++) {
		if (strcmp(argv[0], t->name) == 0) {
			optind = 1; /* the tool parses its own options with getopt */
			return t->main(argc, argv);
		}
	}
	fprintf(stderr, "lwgatectl: unknown command \"%s\" (try lwgatectl --help)\n", argv[0]);
	return EXIT_USAGE;
}
