/*
 * ctlcommands — the daemons' command tables as lwgatectl was built with
 * them: {"DAEMON": [help entries], …}, made at build time by running each
 * daemon with --commands (cli/embed_commands.py), so that what the CLI
 * knows offline comes from the daemons' own tables, not a copy.
 */
#ifndef LWGATE_CLI_CTLCOMMANDS_H
#define LWGATE_CLI_CTLCOMMANDS_H

/* The JSON text, NUL-terminated; "{}" when the build could not run the daemons. */
extern const char ctlcommands_json[];

#endif
