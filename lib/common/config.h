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
#include <stdint.h>
#include <stdio.h>

enum config_type {
	CONFIG_STRING, /* char *, owned by the config struct, never NULL after a load */
	CONFIG_INT,    /* int, checked against [min, max] */
	CONFIG_BOOL,   /* bool: yes/no, true/false, on/off, 1/0 */
	CONFIG_ENUM,   /* int: index into choices */
	CONFIG_ADDRESS /* char *, like a string, but a numeric IP address (see addr) */
};

/*
 * What a CONFIG_ADDRESS key accepts: a numeric IPv4 or IPv6 address (never
 * a host name: a daemon must not wait on DNS), narrowed or widened by these
 * flags.  The check happens at load, so `-t` catches a bad address.
 */
enum config_addr {
	CONFIG_ADDR_IPV6 = 1u << 0,   /* IPv6 only */
	CONFIG_ADDR_PORT = 1u << 1,   /* with a port: 192.0.2.1:5683, [2001:db8::1]:5683 */
	CONFIG_ADDR_PREFIX = 1u << 2, /* with a prefix length: fd00::/64 (1 up to 32 or 128) */
	CONFIG_ADDR_EMPTY = 1u << 3,  /* or empty, meaning none */
	CONFIG_ADDR_ZONE = 1u << 4,   /* an IPv6 address may name its zone: fe80::1%eth0 */
};

/* A parsed CONFIG_ADDRESS value. */
struct config_address {
	int family;          /* AF_INET, AF_INET6, or AF_UNSPEC for an empty value */
	uint8_t addr[16];    /* network order; the first 4 bytes for AF_INET */
	unsigned port;       /* CONFIG_ADDR_PORT: 1..65535; else 0 */
	unsigned prefix_len; /* CONFIG_ADDR_PREFIX; else 0 */
	char zone[16];       /* CONFIG_ADDR_ZONE: the interface after '%', or "" */
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
	unsigned addr; /* CONFIG_ADDRESS only: CONFIG_ADDR_* flags */
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

/*
 * Parse @text as a CONFIG_ADDRESS value under @flags (CONFIG_ADDR_*).
 * Returns 0 with @out filled, or -EINVAL.
 */
int config_address_parse(const char *text, unsigned flags, struct config_address *out);

/* Find a key by section and name; NULL when the table has none. */
const struct config_key *config_find(const struct config_key *keys, const char *section,
				     const char *name);

#endif
