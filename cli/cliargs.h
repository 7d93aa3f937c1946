/*
 * cliargs — the words after `lwgatectl DAEMON CMD` as the command's
 * arguments object.  A word is
 *   key=value      a string (the daemon converts it to the argument's type)
 *   key:=JSON      any JSON value
 *   --key value    the same as key=value (also --key=value)
 *   anything else  a positional value: the positional words fill the
 *                  command's positional arguments in the order of the
 *                  daemon's own table ("help" reports it), skipping those
 *                  given by name; after "--" every word is positional.
 * A word is taken as key=value only when the command declares "key", so
 * that a value with an "=" in it (base64, Execute arguments) can be given
 * by position.  The table is the "args" array of the command's entry in
 * the daemon's "help" reply; without one (a daemon that does not describe
 * the command) only key=value and key:=JSON words are accepted.
 */
#ifndef LWGATE_CLI_CLIARGS_H
#define LWGATE_CLI_CLIARGS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * Parse @argc words of @argv for a command whose arguments are @spec (an
 * array of {"name","type","required","help","positional"}, or NULL).
 * Returns 0 and *out (owned by the caller), or -EINVAL with a sentence in
 * @why (a usage error: nothing was sent).
 */
int cliargs_parse(const json_t *spec, int argc, char **argv, json_t **out, char *why,
		  size_t why_len);

/*
 * The positional arguments of @spec as a synopsis, "EP PATH [FORMAT]"
 * (optional ones in brackets), in @buf; "" when there are none.
 */
void cliargs_synopsis(const json_t *spec, char *buf, size_t len);

/* The entry of command @cmd in a "help" reply @help ({command, help, args…}), or NULL. */
json_t *cliargs_command(const json_t *help, const char *cmd);

/* Does @spec declare an argument @name? */
bool cliargs_declares(const json_t *spec, const char *name);

#endif
