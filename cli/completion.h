/*
 * completion — `lwgatectl completion bash`: a bash completion script for
 * lwgatectl whose daemon commands and argument names are those of the
 * daemons' own command tables (the "help" entries), so that it never
 * drifts from what the daemons accept.  Meson installs the script made
 * from the tables lwgatectl was built with as
 * share/bash-completion/completions/lwgatectl.
 */
#ifndef LWGATE_CLI_COMPLETION_H
#define LWGATE_CLI_COMPLETION_H

#include <stdio.h>

#include <jansson.h>

/*
 * Write the script to @out.  @tables maps a daemon name to its "help"
 * array; @daemons (NULL-terminated) are the daemon names lwgatectl takes,
 * whether or not @tables has them; @words (NULL-terminated) the other
 * first words (status, completion, local tools).  Names that are not
 * plain words ([A-Za-z0-9_.-]) are left out, so the script needs no
 * quoting.  Returns 0 or -EIO.
 */
int completion_bash(const json_t *tables, const char *const *daemons, const char *const *words,
		    FILE *out);

#endif
