/*
 * config — INI configuration described by a table of keys.
 *
 * A daemon declares its keys once (section, name, type, where the value goes
 * in its config struct, default, range, one-line help).  config_load() fills
 * a fresh struct from the defaults, the file and then "-o section.key=value"
 * overrides; the first problem stops the load with an error that names the
 * file, the line and the key.  config_print() writes the effective
 * configuration as an INI file that loads back to the same values, every
 * key present and commented with its help, so `--print-config` doubles as
 * documentation.
 */
#ifndef LWGATE_COMMON_CONFIG_H
#define LWGATE_COMMON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum config_type {
	CONFIG_STRING, /* char *, owned by the config struct, never NULL after a load */
	CONFIG_INT,    /* int, checked against [min, max] */
	CONFIG_BOOL,   /* bool: yes/no, true/false, on/off, 1/0 */
	CONFIG_ENUM,   /* int: index into choices */
};

struct config_key {
	const char *section;
	const char *name;
	enum config_type type;
	size_t offset;              /* offsetof() the field in the daemon's config struct */
	const char *def;            /* default, spelled as in the INI file */
	long long min, max;         /* CONFIG_INT only */
	const char *const *choices; /* CONFIG_ENUM only: NULL-terminated */
	bool reloadable;            /* SIGHUP applies it without a restart */
	const char *help;
};

/* A key table ends with an entry whose section is NULL. */
#define CONFIG_KEY_END          \
	{                       \
		.section = NULL \
	}

struct config_error {
	char file[256];
	unsigned line;     /* 0 when the problem is not on a line (missing file) */
	char key[96];      /* "section.name", or "" */
	char message[640]; /* the whole, ready to print: "file:line: [section] key: what" */
};

/*
 * Load @path (NULL: defaults only) and then @overrides (NULL or a
 * NULL-terminated array of "section.key=value") into @cfg, a zeroed struct
 * of the daemon's config type.  On success returns 0 and @cfg holds every
 * key.  On failure returns -EINVAL (bad content) or -ENOENT/-EACCES/... (file
 * not readable), fills @err, and leaves @cfg cleared (nothing to free).
 */
int config_load(const struct config_key *keys, void *cfg, const char *path,
		const char *const *overrides, struct config_error *err);

/* Free the strings of @cfg and zero its fields; @cfg may be reused. */
void config_clear(const struct config_key *keys, void *cfg);

/*
 * Write @cfg as an INI file: a header comment, then each section with each
 * key preceded by "# help (default …, range …)".  The output loads back to
 * an equal config.
 */
void config_print(const struct config_key *keys, const void *cfg, const char *title, FILE *out);

/* True when @key has the same value in @a and @b. */
bool config_key_equal(const struct config_key *key, const void *a, const void *b);

/*
 * Exchange the value of @key between @a and @b (a reload uses it to keep
 * the running value of a key that needs a restart).
 */
void config_swap_key(const struct config_key *key, void *a, void *b);

/* Find a key by section and name; NULL when the table has none. */
const struct config_key *config_find(const struct config_key *keys, const char *section,
				     const char *name);

#endif
