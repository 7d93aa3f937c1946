/*
 * cliargs — command-line words to a command's arguments (see cliargs.h).
 */
#include "cliargs.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The entry of argument @name (@len bytes) in @spec, or NULL. */
static const json_t *declared(const json_t *spec, const char *name, size_t len)
{
	size_t i;
	const json_t *a;

	json_array_foreach (spec, i, a) {
		const char *n = json_string_value(json_object_get(a, "name"));

		if (n && strlen(n) == len && memcmp(n, name, len) == 0)
			return a;
	}
	return NULL;
}

/*
 * Is @word a key=value or key:=JSON for this command?  Without a table any
 * word with a key before "=" is; with one, only a declared key.
 */
static bool named(const json_t *spec, const char *word, size_t *key_len, bool *is_json)
{
	const char *eq = strchr(word, '=');
	size_t n;

	if (!eq || eq == word)
		return false;
	n = (size_t)(eq - word);
	*is_json = n > 1 && eq[-1] == ':';
	*key_len = *is_json ? n - 1 : n;
	return !spec || declared(spec, word, *key_len);
}

static int add(json_t *args, const char *key, size_t key_len, json_t *value_take, char *why,
	       size_t why_len)
{
	char *k = strndup(key, key_len);
	int rc = 0;

	if (!k)
		abort();
	if (json_object_get(args, k)) {
		snprintf(why, why_len, "argument \"%s\" given twice", k);
		json_decref(value_take);
		rc = -EINVAL;
	} else {
		json_object_set_new(args, k, value_take);
	}
	free(k);
	return rc;
}

/* key=value or key:=JSON into @args. */
static int add_named(json_t *args, const char *word, size_t key_len, bool is_json, char *why,
		     size_t why_len)
{
	const char *text = word + key_len + (is_json ? 2 : 1);
	json_error_t jerr;
	json_t *v = is_json ? json_loads(text, JSON_DECODE_ANY, &jerr) : json_string(text);

	if (!v && is_json) {
		snprintf(why, why_len, "%.*s: bad JSON: %s", (int)key_len, word, jerr.text);
		return -EINVAL;
	}
	if (!v) {
		snprintf(why, why_len, "%.*s: not UTF-8", (int)key_len, word);
		return -EINVAL;
	}
	return add(args, word, key_len, v, why, why_len);
}

/* --key value or --key=value at @argv[*i] (advanced past what it used). */
static int add_option(const json_t *spec, json_t *args, int argc, char **argv, int *i, char *why,
		      size_t why_len)
{
	const char *key = argv[*i] + 2, *eq = strchr(key, '=');
	size_t len = eq ? (size_t)(eq - key) : strlen(key);
	const char *value = eq ? eq + 1 : NULL;
	json_t *v;

	if (spec && !declared(spec, key, len)) {
		snprintf(why, why_len, "no argument --%.*s (see help)", (int)len, key);
		return -EINVAL;
	}
	if (!value && *i + 1 >= argc) {
		snprintf(why, why_len, "--%.*s needs a value", (int)len, key);
		return -EINVAL;
	}
	if (!value)
		value = argv[++*i];
	v = json_string(value);
	if (!v) {
		snprintf(why, why_len, "--%.*s: not UTF-8", (int)len, key);
		return -EINVAL;
	}
	return add(args, key, len, v, why, why_len);
}

/* Give the positional words, in order, to the positional arguments not named. */
static int add_positional(const json_t *spec, json_t *args, json_t *words, char *why,
			  size_t why_len)
{
	size_t next = 0, i;
	json_t *w;

	json_array_foreach (words, i, w) {
		const json_t *a = NULL;

		for (; next < json_array_size(spec) && !a; next++) {
			const json_t *c = json_array_get(spec, next);
			const char *n = json_string_value(json_object_get(c, "name"));

			if (json_is_true(json_object_get(c, "positional")) && n &&
			    !json_object_get(args, n))
				a = c;
		}
		if (!a) {
			char syn[256];

			cliargs_synopsis(spec, syn, sizeof(syn));
			if (*syn)
				snprintf(why, why_len,
					 "\"%s\": one word too many (by position: %s; "
					 "the others as key=value)",
					 json_string_value(w), syn);
			else if (strchr(json_string_value(w), '='))
				snprintf(why, why_len, "\"%s\": no such argument (see help)",
					 json_string_value(w));
			else
				snprintf(why, why_len, "\"%s\" is not key=value or key:=JSON",
					 json_string_value(w));
			return -EINVAL;
		}
		json_object_set(args, json_string_value(json_object_get(a, "name")), w);
	}
	return 0;
}

int cliargs_parse(const json_t *spec, int argc, char **argv, json_t **out, char *why,
		  size_t why_len)
{
	json_t *args = json_object(), *words = json_array();
	bool options = true;
	int rc = 0;

	for (int i = 0; i < argc && rc == 0; i++) {
		size_t key_len;
		bool is_json;

		if (options && strcmp(argv[i], "--") == 0) {
			options = false;
		} else if (options && strncmp(argv[i], "--", 2) == 0) {
			rc = add_option(spec, args, argc, argv, &i, why, why_len);
		} else if (options && named(spec, argv[i], &key_len, &is_json)) {
			rc = add_named(args, argv[i], key_len, is_json, why, why_len);
		} else {
			json_t *v = json_string(argv[i]);

			if (!v) {
				snprintf(why, why_len, "\"%s\" is not UTF-8", argv[i]);
				rc = -EINVAL;
			} else {
				json_array_append_new(words, v);
			}
		}
	}
	/* after every named one, so that `read /3/0 ep=dev7` gives the path its place */
	if (rc == 0)
		rc = add_positional(spec, args, words, why, why_len);
	json_decref(words);
	if (rc < 0) {
		json_decref(args);
		return rc;
	}
	*out = args;
	return 0;
}

void cliargs_synopsis(const json_t *spec, char *buf, size_t len)
{
	size_t o = 0, i;
	const json_t *a;

	json_array_foreach (spec, i, a) {
		const char *n = json_string_value(json_object_get(a, "name"));
		bool req = json_is_true(json_object_get(a, "required"));
		size_t need = n ? strlen(n) + 3 : 0; /* a space and the brackets */

		if (!n || !json_is_true(json_object_get(a, "positional")))
			continue;
		if (o + need >= len)
			break; /* a synopsis is for people: a long one is cut short */
		if (o)
			buf[o++] = ' ';
		if (!req)
			buf[o++] = '[';
		for (const char *p = n; *p; p++)
			buf[o++] = (char)toupper((unsigned char)*p);
		if (!req)
			buf[o++] = ']';
	}
	if (len)
		buf[o < len ? o : len - 1] = '\0';
}

json_t *cliargs_command(const json_t *help, const char *cmd)
{
	size_t i;
	json_t *c;

	json_array_foreach (help, i, c) {
		const char *n = json_string_value(json_object_get(c, "command"));

		if (n && strcmp(n, cmd) == 0 && json_is_object(c))
			return c;
	}
	return NULL;
}

bool cliargs_declares(const json_t *spec, const char *name)
{
	return declared(spec, name, strlen(name)) != NULL;
}
