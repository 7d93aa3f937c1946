#include "common/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

struct load {
	const struct config_key *keys;
	void *cfg;
	const char *file;
	unsigned line;
	bool *seen; /* one per key, to refuse a key given twice */
	struct config_error *err;
	bool failed;
	FILE *fp;
	int read_errno; /* a read error, which inih cannot tell from the end of the file */
	char *linebuf;
	size_t linecap;
};

static void *field(const struct config_key *key, void *cfg)
{
	return (uint8_t *)cfg + key->offset;
}

static const void *cfield(const struct config_key *key, const void *cfg)
{
	return (const uint8_t *)cfg + key->offset;
}

__attribute__((format(printf, 4, 5))) static void fail(struct load *ld, const char *section,
						       const char *name, const char *fmt, ...)
{
	struct config_error *err = ld->err;
	char what[384];
	char where[320];
	va_list ap;

	if (ld->failed)
		return; /* the first problem is the one to report */
	ld->failed = true;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	snprintf(err->file, sizeof(err->file), "%s", ld->file);
	err->line = ld->line;
	if (name)
		snprintf(err->key, sizeof(err->key), "%s.%s", section, name);
	else
		err->key[0] = '\0';

	if (ld->line)
		snprintf(where, sizeof(where), "%s:%u", ld->file, ld->line);
	else
		snprintf(where, sizeof(where), "%s", ld->file);
	if (name)
		snprintf(err->message, sizeof(err->message), "%s: [%s] %s: %s", where, section,
			 name, what);
	else if (section)
		snprintf(err->message, sizeof(err->message), "%s: [%s]: %s", where, section, what);
	else
		snprintf(err->message, sizeof(err->message), "%s: %s", where, what);
}

static bool section_known(const struct config_key *keys, const char *section)
{
	for (const struct config_key *k = keys; k->section; k++)
		if (strcmp(k->section, section) == 0)
			return true;
	return false;
}

const struct config_key *config_find(const struct config_key *keys, const char *section,
				     const char *name)
{
	for (const struct config_key *k = keys; k->section; k++)
		if (strcmp(k->section, section) == 0 && strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static void list_choices(const char *const *choices, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; choices[i] && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", choices[i]);
}

/* [s, s + len) as a decimal number in [1, max]: digits only, no sign or space. */
static int parse_small(const char *s, size_t len, unsigned max, unsigned *out)
{
	unsigned v = 0;

	if (len == 0 || len > 5)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v < 1 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * [s, s + len) as a numeric IPv6 or (unless IPv6 only) IPv4 address.  The
 * zone of an IPv6 address is taken as a name: whether that interface exists
 * is for the daemon to find out when it binds (it may come up later).
 */
static int parse_host(const char *s, size_t len, unsigned flags, struct config_address *out)
{
	char buf[INET6_ADDRSTRLEN];
	const char *pct = memchr(s, '%', len);

	if (pct && flags & CONFIG_ADDR_ZONE) {
		size_t zlen = len - (size_t)(pct - s) - 1;

		if (zlen == 0 || zlen >= sizeof(out->zone) || memchr(pct + 1, '/', zlen))
			return -EINVAL;
		memcpy(out->zone, pct + 1, zlen);
		len = (size_t)(pct - s);
	}
	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET6, buf, out->addr) == 1)
		out->family = AF_INET6;
	else if (!(flags & CONFIG_ADDR_IPV6) && inet_pton(AF_INET, buf, out->addr) == 1)
		out->family = AF_INET;
	else
		return -EINVAL;
	return out->zone[0] && out->family != AF_INET6 ? -EINVAL : 0;
}

/* address:port, where an IPv6 address comes in brackets since it has colons of its own. */
static int parse_host_port(const char *text, unsigned flags, struct config_address *out)
{
	const char *colon = strrchr(text, ':');

	if (!colon || parse_small(colon + 1, strlen(colon + 1), 65535, &out->port) < 0)
		return -EINVAL;
	if (text[0] == '[') {
		if (colon - text < 2 || colon[-1] != ']' ||
		    parse_host(text + 1, (size_t)(colon - text - 2), flags, out) < 0)
			return -EINVAL;
		return out->family == AF_INET6 ? 0 : -EINVAL;
	}
	if (parse_host(text, (size_t)(colon - text), flags, out) < 0)
		return -EINVAL;
	return out->family == AF_INET ? 0 : -EINVAL;
}

int config_address_parse(const char *text, unsigned flags, struct config_address *out)
{
	const char *slash;

	memset(out, 0, sizeof(*out));
	out->family = AF_UNSPEC;
	if (text[0] == '\0')
		return flags & CONFIG_ADDR_EMPTY ? 0 : -EINVAL;
	if (flags & CONFIG_ADDR_PORT)
		return parse_host_port(text, flags, out);
	if (!(flags & CONFIG_ADDR_PREFIX))
		return parse_host(text, strlen(text), flags, out);
	slash = strchr(text, '/');
	if (!slash || parse_host(text, (size_t)(slash - text), flags, out) < 0)
		return -EINVAL;
	return parse_small(slash + 1, strlen(slash + 1), out->family == AF_INET6 ? 128 : 32,
			   &out->prefix_len);
}

/* "a numeric IPv6 address/prefix length (fd00::/64), or empty" and the like. */
static void describe_address(unsigned flags, char *buf, size_t len)
{
	snprintf(buf, len, "a numeric %s address%s%s%s",
		 flags & CONFIG_ADDR_IPV6 ? "IPv6" : "IPv4 or IPv6",
		 flags & CONFIG_ADDR_ZONE ? " (IPv6 with an optional %zone)" : "",
		 flags & CONFIG_ADDR_PORT     ? " and port (192.0.2.1:5683, [2001:db8::1]:5683)"
		 : flags & CONFIG_ADDR_PREFIX ? "/prefix length (fd00::/64)"
					      : "",
		 flags & CONFIG_ADDR_EMPTY ? ", or empty" : "");
}

static void set_string(void *p, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		abort();
	free(*(char **)p);
	*(char **)p = copy;
}

/* Store @value into @cfg; on a bad value report it through @ld. */
static int set_value(struct load *ld, const struct config_key *key, const char *value)
{
	void *p = field(key, ld->cfg);

	switch (key->type) {
	case CONFIG_STRING:
		set_string(p, value);
		return 0;
	case CONFIG_ADDRESS: {
		struct config_address a;
		char what[160];

		if (config_address_parse(value, key->addr, &a) < 0) {
			describe_address(key->addr, what, sizeof(what));
			fail(ld, key->section, key->name, "\"%s\" is not %s", value, what);
			return -EINVAL;
		}
		set_string(p, value);
		return 0;
	}
	case CONFIG_INT: {
		char *end;
		long long v;

		errno = 0;
		/* decimal, or hexadecimal after 0x (PAN IDs, masks) */
		const char *digits = value;
		int base = 10;

		if (value[0] == '0' && (value[1] == 'x' || value[1] == 'X')) {
			digits = value + 2;
			base = 16;
		}
		v = strtoll(digits, &end, base);
		if (*digits == '\0' || *end != '\0' || errno == ERANGE) {
			fail(ld, key->section, key->name,
			     "\"%s\" is not a whole number (decimal, or hexadecimal after 0x)",
			     value);
			return -EINVAL;
		}
		if (v < key->min || v > key->max) {
			fail(ld, key->section, key->name, "%lld is out of range [%lld, %lld]", v,
			     key->min, key->max);
			return -EINVAL;
		}
		*(int *)p = (int)v;
		return 0;
	}
	case CONFIG_BOOL:
		if (parse_bool(value, (bool *)p) < 0) {
			fail(ld, key->section, key->name,
			     "\"%s\" is not a boolean (yes/no, true/false, on/off, 1/0)", value);
			return -EINVAL;
		}
		return 0;
	case CONFIG_ENUM:
		for (int i = 0; key->choices[i]; i++) {
			if (strcmp(value, key->choices[i]) == 0) {
				*(int *)p = i;
				return 0;
			}
		}
		char list[256];

		list_choices(key->choices, list, sizeof(list));
		fail(ld, key->section, key->name, "\"%s\" is not one of: %s", value, list);
		return -EINVAL;
	}
	return -EINVAL;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct load *ld = user;
	const struct config_key *key;

	if (ld->failed)
		return 0;
	if (!section_known(ld->keys, section)) {
		fail(ld, section, NULL, "unknown section");
		return 0;
	}
	key = config_find(ld->keys, section, name);
	if (!key) {
		fail(ld, section, name, "unknown key");
		return 0;
	}
	if (ld->seen[key - ld->keys]) {
		fail(ld, section, name, "given twice");
		return 0;
	}
	ld->seen[key - ld->keys] = true;
	return set_value(ld, key, value) == 0;
}

/*
 * inih reads through us so that we know the line number while a key is
 * handled, and so that a section header is checked even when the section
 * holds no key, and an over-long line is an error instead of two lines.
 */
static char *read_line(char *str, int num, void *stream)
{
	struct load *ld = stream;
	ssize_t n = getline(&ld->linebuf, &ld->linecap, ld->fp);
	const char *s;

	if (n < 0) {
		if (ferror(ld->fp))
			ld->read_errno = errno ? errno : EIO;
		return NULL;
	}
	ld->line++;
	if (n >= num) {
		fail(ld, NULL, NULL, "line too long (at most %d characters)", num - 2);
		snprintf(str, (size_t)num, "\n");
		return str;
	}
	memcpy(str, ld->linebuf, (size_t)n + 1);

	for (s = str; *s == ' ' || *s == '\t'; s++)
		;
	if (*s == '[') {
		const char *close = strchr(s, ']');
		char section[128];

		if (!close)
			fail(ld, NULL, NULL, "section header \"%.*s\" lacks its closing ']'",
			     (int)strcspn(s, "\r\n"), s);
		else if ((size_t)(close - s - 1) < sizeof(section)) {
			memcpy(section, s + 1, (size_t)(close - s - 1));
			section[close - s - 1] = '\0';
			if (!section_known(ld->keys, section))
				fail(ld, section, NULL, "unknown section");
		}
	}
	return str;
}

static void set_defaults(struct load *ld)
{
	for (const struct config_key *k = ld->keys; k->section; k++) {
		/* A default that does not parse is a bug in the table; say so loudly. */
		if (set_value(ld, k, k->def ? k->def : "") < 0)
			return;
	}
}

static void apply_override(struct load *ld, const char *arg)
{
	const char *dot = strchr(arg, '.');
	const char *eq = strchr(arg, '=');
	char section[128], name[128];
	const struct config_key *key;

	if (!dot || !eq || dot > eq || (size_t)(dot - arg) >= sizeof(section) ||
	    (size_t)(eq - dot - 1) >= sizeof(name)) {
		fail(ld, NULL, NULL, "\"%s\" is not section.key=value", arg);
		return;
	}
	memcpy(section, arg, (size_t)(dot - arg));
	section[dot - arg] = '\0';
	memcpy(name, dot + 1, (size_t)(eq - dot - 1));
	name[eq - dot - 1] = '\0';
	key = config_find(ld->keys, section, name);
	if (!key) {
		fail(ld, section, name,
		     section_known(ld->keys, section) ? "unknown key" : "unknown section");
		return;
	}
	set_value(ld, key, eq + 1);
}

static size_t count_keys(const struct config_key *keys)
{
	size_t n = 0;

	while (keys[n].section)
		n++;
	return n;
}

int config_load(const struct config_key *keys, void *cfg, const char *path,
		const char *const *overrides, struct config_error *err)
{
	struct load ld = { .keys = keys, .cfg = cfg, .err = err, .file = "defaults" };
	int rc = 0;

	memset(err, 0, sizeof(*err));
	ld.seen = calloc(count_keys(keys) + 1, sizeof(bool));
	if (!ld.seen)
		abort();

	set_defaults(&ld);
	if (!ld.failed && path) {
		ld.file = path;
		ld.fp = fopen(path, "r");
		if (!ld.fp) {
			rc = -errno;
			fail(&ld, NULL, NULL, "cannot open: %s", strerror(errno));
		} else {
			int line = ini_parse_stream(read_line, &ld, on_key, &ld);

			if (ld.read_errno && !ld.failed) {
				/* "-c /etc" opens; its first read fails with EISDIR */
				rc = -ld.read_errno;
				ld.line = 0;
				fail(&ld, NULL, NULL, "cannot read: %s", strerror(ld.read_errno));
			}
			if (line > 0 && !ld.failed) {
				ld.line = (unsigned)line;
				fail(&ld, NULL, NULL,
				     "syntax error (expected \"[section]\" or \"key = value\")");
			}
			fclose(ld.fp);
		}
	}
	ld.file = "command line";
	ld.line = 0;
	for (size_t i = 0; overrides && overrides[i] && !ld.failed; i++)
		apply_override(&ld, overrides[i]);

	free(ld.linebuf);
	free(ld.seen);
	if (ld.failed) {
		config_clear(keys, cfg);
		return rc ? rc : -EINVAL;
	}
	return 0;
}

void config_clear(const struct config_key *keys, void *cfg)
{
	for (const struct config_key *k = keys; k->section; k++) {
		void *p = field(k, cfg);

		switch (k->type) {
		case CONFIG_STRING:
		case CONFIG_ADDRESS:
			free(*(char **)p);
			*(char **)p = NULL;
			break;
		case CONFIG_INT:
		case CONFIG_ENUM:
			*(int *)p = 0;
			break;
		case CONFIG_BOOL:
			*(bool *)p = false;
			break;
		}
	}
}

bool config_key_equal(const struct config_key *key, const void *a, const void *b)
{
	const void *pa = cfield(key, a), *pb = cfield(key, b);

	switch (key->type) {
	case CONFIG_STRING:
	case CONFIG_ADDRESS: {
		const char *sa = *(char *const *)pa, *sb = *(char *const *)pb;

		return strcmp(sa ? sa : "", sb ? sb : "") == 0;
	}
	case CONFIG_INT:
	case CONFIG_ENUM:
		return *(const int *)pa == *(const int *)pb;
	case CONFIG_BOOL:
		return *(const bool *)pa == *(const bool *)pb;
	}
	return false;
}

void config_swap_key(const struct config_key *key, void *a, void *b)
{
	size_t size = key->type == CONFIG_STRING || key->type == CONFIG_ADDRESS ? sizeof(char *)
		      : key->type == CONFIG_BOOL                                ? sizeof(bool)
										: sizeof(int);
	uint8_t tmp[sizeof(char *) > sizeof(int) ? sizeof(char *) : sizeof(int)];

	memcpy(tmp, field(key, a), size);
	memcpy(field(key, a), field(key, b), size);
	memcpy(field(key, b), tmp, size);
}

static void print_value(const struct config_key *k, const void *cfg, FILE *out)
{
	const void *p = cfield(k, cfg);

	switch (k->type) {
	case CONFIG_STRING:
	case CONFIG_ADDRESS: {
		const char *s = *(char *const *)p;

		fprintf(out, "%s", s ? s : "");
		break;
	}
	case CONFIG_INT:
		fprintf(out, "%d", *(const int *)p);
		break;
	case CONFIG_BOOL:
		fprintf(out, "%s", *(const bool *)p ? "yes" : "no");
		break;
	case CONFIG_ENUM:
		fprintf(out, "%s", k->choices[*(const int *)p]);
		break;
	}
}

/*
 * inih takes " ;" as the start of an inline comment, so a value that begins
 * with ';' must follow the '=' directly to load back.
 */
static bool starts_with_semicolon(const struct config_key *k, const void *cfg)
{
	const char *s;

	if (k->type != CONFIG_STRING)
		return false;
	s = *(char *const *)cfield(k, cfg);
	return s && s[0] == ';';
}

static void print_comment(const struct config_key *k, FILE *out)
{
	fprintf(out, "# %s\n# default: %s", k->help, k->def && *k->def ? k->def : "(empty)");
	if (k->type == CONFIG_INT)
		fprintf(out, "; range: %lld..%lld", k->min, k->max);
	if (k->type == CONFIG_ENUM) {
		char list[256];

		list_choices(k->choices, list, sizeof(list));
		fprintf(out, "; one of: %s", list);
	}
	if (k->type == CONFIG_BOOL)
		fprintf(out, "; yes or no");
	if (k->type == CONFIG_ADDRESS) {
		char what[160];

		describe_address(k->addr, what, sizeof(what));
		fprintf(out, "; %s", what);
	}
	fprintf(out, "%s\n", k->reloadable ? "; applied on reload (SIGHUP)" : "");
}

void config_print(const struct config_key *keys, const void *cfg, const char *title, FILE *out)
{
	fprintf(out,
		"# %s\n# The effective configuration: every key, with its default and range.\n",
		title);
	for (const struct config_key *k = keys; k->section; k++) {
		bool first = true;

		/* Print each section once, at its first key, with all its keys. */
		for (const struct config_key *p = keys; p < k; p++)
			if (strcmp(p->section, k->section) == 0)
				first = false;
		if (!first)
			continue;
		fprintf(out, "\n[%s]\n", k->section);
		for (const struct config_key *m = k; m->section; m++) {
			if (strcmp(m->section, k->section) != 0)
				continue;
			print_comment(m, out);
			fprintf(out, "%s =%s", m->name, starts_with_semicolon(m, cfg) ? "" : " ");
			print_value(m, cfg, out);
			fprintf(out, "\n");
		}
	}
}
