/*
 * output — how lwgatectl prints what daemons send: tables and aligned
 * key/value blocks for people, or the daemon's JSON unchanged with --json
 * (so the daemons' JSON is the public, scriptable contract).
 */
#ifndef LWGATE_CLI_OUTPUT_H
#define LWGATE_CLI_OUTPUT_H

#include <stdio.h>

#include <jansson.h>

enum output_mode {
	OUTPUT_TEXT,
	OUTPUT_JSON,
};

/*
 * Print the answer to `lwgatectl DAEMON CMD`: @records (an array, or NULL)
 * streamed before the reply, then @result.  With --json: @result, or the
 * records array when the daemon streamed a list.
 */
void output_reply(enum output_mode mode, const char *daemon, const char *cmd, json_t *result,
		  json_t *records, FILE *out);

/*
 * Print `lwgatectl status`: @statuses maps daemon name to its status
 * object, or to {"up":false,"error":"…"} when it could not be reached.
 */
void output_status(enum output_mode mode, json_t *statuses, FILE *out);

/*
 * Print `lwgatectl DAEMON CMD --help`: @entry is the command's object in
 * the daemon's "help" reply (help, privileged, args).
 */
void output_command_help(const char *daemon, const char *cmd, json_t *entry, FILE *out);

/* Print one event received after a subscribe. */
void output_event(enum output_mode mode, const char *daemon, const char *topic, json_t *data,
		  FILE *out);

/* "3d04h05m", "4m07s", "12s" for a number of seconds. */
void output_duration(long long seconds, char *buf, size_t len);

#endif
