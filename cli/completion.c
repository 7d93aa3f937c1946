/*
 * completion — the bash completion script of lwgatectl (see completion.h).
 */
#include "completion.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* Safe in the script unquoted: a command or argument name, never shell syntax. */
static bool plain(const char *s)
{
	if (!s || !*s)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") ==
	       strlen(s);
}

/* "help subscribe … watch": the daemon's commands, and lwgatectl's own watch. */
static void daemon_arm(const char *daemon, const json_t *help, FILE *out)
{
	size_t i;
	const json_t *c;

	fprintf(out, "\t%s) echo \"", daemon);
	json_array_foreach (help, i, c) {
		const char *name = json_string_value(json_object_get(c, "command"));

		if (plain(name))
			fprintf(out, "%s ", name);
	}
	fprintf(out, "watch\" ;;\n");
}

/* One arm per command with arguments: "DAEMON CMD") echo "name …" ;; */
static void args_arms(const char *daemon, const json_t *help, FILE *out)
{
	size_t i, j;
	const json_t *c, *a;

	json_array_foreach (help, i, c) {
		const char *name = json_string_value(json_object_get(c, "command"));
		const json_t *args = json_object_get(c, "args");
		const char *sep = "";

		if (!plain(name) || json_array_size(args) == 0)
			continue;
		fprintf(out, "\t\"%s %s\") echo \"", daemon, name);
		json_array_foreach (args, j, a) {
			const char *arg = json_string_value(json_object_get(a, "name"));

			if (plain(arg)) {
				fprintf(out, "%s%s", sep, arg);
				sep = " ";
			}
		}
		fprintf(out, "\" ;;\n");
	}
}

/* The completion function itself: fixed text, the data is in the two above. */
static const char script[] =
	"_lwgatectl()\n"
	"{\n"
	"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= i=1 w daemon= cmd= given= names= n\n"
	"\t[ \"$COMP_CWORD\" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
	"\tCOMPREPLY=()\n"
	"\t# a value after key= (bash splits at = unless COMP_WORDBREAKS lacks it)\n"
	"\tcase $cur in *=*) return 0 ;; esac\n"
	"\t[ \"$prev\" = \"=\" ] && return 0\n"
	"\twhile [ \"$i\" -lt \"$COMP_CWORD\" ]; do\n"
	"\t\tw=${COMP_WORDS[i]}\n"
	"\t\tif [ -z \"$daemon\" ]; then\n"
	"\t\t\tcase $w in\n"
	"\t\t\t-s | --socket-dir | -t | --timeout) i=$((i + 1)) ;;\n"
	"\t\t\t-*) ;;\n"
	"\t\t\t*) daemon=$w ;;\n"
	"\t\t\tesac\n"
	"\t\telif [ -z \"$cmd\" ]; then\n"
	"\t\t\tcmd=$w\n"
	"\t\telse\n"
	"\t\t\tw=${w#--}\n"
	"\t\t\tgiven=\"$given ${w%%[:=]*} \"\n"
	"\t\tfi\n"
	"\t\ti=$((i + 1))\n"
	"\tdone\n"
	"\tcase $prev in -s | --socket-dir | -t | --timeout) [ -z \"$daemon\" ] && return 0 ;; "
	"esac\n"
	"\tif [ -z \"$daemon\" ]; then\n"
	"\t\tcase $cur in\n"
	"\t\t-*) names=\"--json --socket-dir --timeout --version --help\" ;;\n"
	"\t\t*) names=\"$(_lwgatectl_words)\" ;;\n"
	"\t\tesac\n"
	"\telif [ -z \"$cmd\" ]; then\n"
	"\t\tcase $daemon in\n"
	"\t\tcompletion) names=bash ;;\n"
	"\t\t*) names=\"$(_lwgatectl_commands \"$daemon\")\" ;;\n"
	"\t\tesac\n"
	"\telse\n"
	"\t\t# the arguments not given yet: key= by default, --key after a dash\n"
	"\t\tfor n in $(_lwgatectl_args \"$daemon\" \"$cmd\"); do\n"
	"\t\t\tcase $given in *\" $n \"*) continue ;; esac\n"
	"\t\t\tcase $cur in -*) names=\"$names --$n\" ;; *) names=\"$names $n=\" ;; esac\n"
	"\t\tdone\n"
	"\t\tcase $cur in -*) ;; *) compopt -o nospace 2>/dev/null ;; esac\n"
	"\tfi\n"
	"\tCOMPREPLY=($(compgen -W \"$names\" -- \"$cur\"))\n"
	"}\n"
	"complete -F _lwgatectl lwgatectl\n";

int completion_bash(const json_t *tables, const char *const *daemons, const char *const *words,
		    FILE *out)
{
	fprintf(out,
		"# bash completion for lwgatectl (lwgate %s), made by `lwgatectl completion "
		"bash`\n# from the daemons' own command tables.\n\n",
		LWGATE_VERSION);
	fprintf(out, "_lwgatectl_words()\n{\n\techo \"");
	for (const char *const *d = daemons; *d; d++)
		fprintf(out, "%s ", *d);
	for (const char *const *w = words; *w; w++)
		fprintf(out, "%s%s", *w, w[1] ? " " : "");
	fprintf(out, "\"\n}\n\n_lwgatectl_commands()\n{\n\tcase $1 in\n");
	for (const char *const *d = daemons; *d; d++)
		if (plain(*d))
			daemon_arm(*d, json_object_get(tables, *d), out);
	fprintf(out, "\tesac\n}\n\n_lwgatectl_args()\n{\n\tcase \"$1 $2\" in\n");
	for (const char *const *d = daemons; *d; d++)
		if (plain(*d))
			args_arms(*d, json_object_get(tables, *d), out);
	fprintf(out, "\tesac\n}\n\n%s", script);
	return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}
