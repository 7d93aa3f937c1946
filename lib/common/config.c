#include "common/config.h"

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

/* Store @value into @cfg; on a bad value report it through @ld. */
static int set_value(struct load *ld, const struct config_key *key, const char *value)
{
	void *p = field(key, ld->cfg);

	switch (key->type) {
	case CONFIG_STRING: {
		char *copy = strdup(value);

		if (!copy)
			abort();
		free(*(char **)p);
		*(char **)p = copy;
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

	if (n < 0)
		return NULL;
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

		if (close && (size_t)(close - s - 1) < sizeof(section)) {
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
	case CONFIG_STRING: {
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
	size_t size = key->type == CONFIG_STRING ? sizeof(char *)
		      : key->type == CONFIG_BOOL ? sizeof(bool)
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
	case CONFIG_STRING: {
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
