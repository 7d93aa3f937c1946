#include "output.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cliargs.h"

#define MAX_COLUMNS 16
#define MAX_CELL    60

void output_duration(long long s, char *buf, size_t len)
{
	if (s >= 86400)
		snprintf(buf, len, "%lldd%02lldh%02lldm", s / 86400, s % 86400 / 3600,
			 s % 3600 / 60);
	else if (s >= 3600)
		snprintf(buf, len, "%lldh%02lldm%02llds", s / 3600, s % 3600 / 60, s % 60);
	else if (s >= 60)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else
		snprintf(buf, len, "%llds", s);
}

/* One value as a short text cell; the caller frees. */
static char *cell(json_t *v)
{
	char *s = NULL;

	switch (json_typeof(v)) {
	case JSON_STRING:
		s = strdup(json_string_value(v));
		break;
	case JSON_INTEGER:
		if (asprintf(&s, "%" JSON_INTEGER_FORMAT, json_integer_value(v)) < 0)
			s = NULL;
		break;
	case JSON_REAL:
		if (asprintf(&s, "%g", json_real_value(v)) < 0)
			s = NULL;
		break;
	case JSON_TRUE:
		s = strdup("yes");
		break;
	case JSON_FALSE:
		s = strdup("no");
		break;
	case JSON_NULL:
		s = strdup("-");
		break;
	default:
		s = json_dumps(v, JSON_COMPACT);
		break;
	}
	if (!s)
		abort();
	return s;
}

/* Columns a UTF-8 string takes: its bytes that start a character (tree lines use └─). */
static size_t display_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void print_json(json_t *v, FILE *out)
{
	json_dumpf(v, out, JSON_INDENT(2) | JSON_ENCODE_ANY);
	fputc('\n', out);
}

static void print_table(json_t *rows, FILE *out)
{
	const char *cols[MAX_COLUMNS];
	size_t width[MAX_COLUMNS];
	size_t ncols = 0, i;
	json_t *row;

	json_array_foreach (rows, i, row) {
		const char *key;
		json_t *v;

		json_object_foreach (row, key, v) {
			size_t c;

			for (c = 0; c < ncols && strcmp(cols[c], key) != 0; c++)
				;
			if (c == ncols && ncols < MAX_COLUMNS) {
				cols[ncols] = key;
				width[ncols++] = strlen(key);
			}
		}
	}
	json_array_foreach (rows, i, row) {
		for (size_t c = 0; c < ncols; c++) {
			json_t *v = json_object_get(row, cols[c]);
			char *s = cell(v ? v : json_null());
			size_t w = display_width(s) > MAX_CELL ? MAX_CELL : display_width(s);

			if (w > width[c])
				width[c] = w;
			free(s);
		}
	}
	for (size_t c = 0; c < ncols; c++) {
		for (const char *p = cols[c]; *p; p++)
			fputc(*p >= 'a' && *p <= 'z' ? *p - 32 : *p, out);
		fprintf(out, "%*s", c + 1 < ncols ? (int)(width[c] - strlen(cols[c]) + 2) : 0, "");
	}
	fputc('\n', out);
	json_array_foreach (rows, i, row) {
		for (size_t c = 0; c < ncols; c++) {
			json_t *v = json_object_get(row, cols[c]);
			char *s = cell(v ? v : json_null());

			if (strlen(s) > MAX_CELL)
				strcpy(s + MAX_CELL - 3, "...");
			if (c + 1 < ncols)
				fprintf(out, "%s%*s  ", s, (int)(width[c] - display_width(s)), "");
			else
				fprintf(out, "%s", s);
			free(s);
		}
		fputc('\n', out);
	}
}

static bool is_table(json_t *v)
{
	size_t i;
	json_t *row;

	if (!json_is_array(v) || json_array_size(v) == 0)
		return false;
	json_array_foreach (v, i, row)
		if (!json_is_object(row))
			return false;
	return true;
}

static void print_object(json_t *obj, int indent, FILE *out)
{
	size_t width = 0;
	const char *key;
	json_t *v;

	json_object_foreach (obj, key, v)
		if (strlen(key) > width)
			width = strlen(key);
	json_object_foreach (obj, key, v) {
		if (json_is_object(v) && json_object_size(v) > 0) {
			fprintf(out, "%*s%s:\n", indent, "", key);
			print_object(v, indent + 2, out);
		} else {
			char *s = cell(v);

			fprintf(out, "%*s%-*s  %s\n", indent, "", (int)width + 1, key, s);
			free(s);
		}
	}
}

static void print_value(json_t *v, FILE *out)
{
	if (!v || json_is_null(v))
		return;
	if (is_table(v))
		print_table(v, out);
	else if (json_is_object(v))
		print_object(v, 0, out);
	else if (json_is_array(v)) {
		size_t i;
		json_t *e;

		json_array_foreach (v, i, e) {
			char *s = cell(e);

			fprintf(out, "%s\n", s);
			free(s);
		}
	} else {
		char *s = cell(v);

		fprintf(out, "%s\n", s);
		free(s);
	}
}

/* One command: its help line, its positional synopsis, then each argument. */
static void print_command(const char *name, json_t *c, int width, FILE *out)
{
	bool priv = json_is_true(json_object_get(c, "privileged"));
	json_t *args = json_object_get(c, "args"), *a;
	char syn[256];
	size_t j;

	fprintf(out, "  %-*s %s %s\n", width, name, priv ? "*" : " ",
		json_string_value(json_object_get(c, "help")) ?: "");
	cliargs_synopsis(args, syn, sizeof(syn));
	if (*syn)
		fprintf(out, "  %-*s     %s %s\n", width, "", name, syn);
	json_array_foreach (args, j, a) {
		bool req = json_is_true(json_object_get(a, "required"));

		fprintf(out, "  %-*s     %s%s=<%s>%s  %s\n", width, "", req ? "" : "[",
			json_string_value(json_object_get(a, "name")),
			json_string_value(json_object_get(a, "type")), req ? "" : "]",
			json_string_value(json_object_get(a, "help")));
	}
}

static void print_help(const char *daemon, json_t *cmds, FILE *out)
{
	size_t i, width = 0;
	json_t *c;
	bool any_privileged = false;

	fprintf(out,
		"%s commands (lwgatectl %s COMMAND [ARG]... [key=value | key:=JSON | --key "
		"value]...):\n",
		daemon, daemon);
	json_array_foreach (cmds, i, c) {
		size_t n = strlen(json_string_value(json_object_get(c, "command")));

		if (n > width)
			width = n;
	}
	json_array_foreach (cmds, i, c) {
		any_privileged |= json_is_true(json_object_get(c, "privileged"));
		print_command(json_string_value(json_object_get(c, "command")), c, (int)width, out);
	}
	if (any_privileged)
		fprintf(out, "(* changes state: root or the daemon's own user only)\n");
}

void output_command_help(const char *daemon, const char *cmd, json_t *entry, FILE *out)
{
	fprintf(out, "lwgatectl %s %s [ARG]... [key=value | key:=JSON | --key value]...\n", daemon,
		cmd);
	print_command(cmd, entry, (int)strlen(cmd), out);
}

void output_reply(enum output_mode mode, const char *daemon, const char *cmd, json_t *result,
		  json_t *records, FILE *out)
{
	if (mode == OUTPUT_JSON) {
		print_json(records ? records : result, out);
		return;
	}
	if (strcmp(cmd, "help") == 0 && json_is_array(result)) {
		print_help(daemon, result, out);
		return;
	}
	if (records) {
		if (json_array_size(records) == 0)
			fprintf(out, "(none)\n");
		print_value(records, out);
		return;
	}
	print_value(result, out);
}

void output_status(enum output_mode mode, json_t *statuses, FILE *out)
{
	const char *name;
	json_t *st;

	if (mode == OUTPUT_JSON) {
		print_json(statuses, out);
		return;
	}
	fprintf(out, "%-9s %-5s %-8s %-10s %-8s %s\n", "DAEMON", "STATE", "VERSION", "UPTIME",
		"PID", "SOCKET");
	json_object_foreach (statuses, name, st) {
		json_t *err = json_object_get(st, "error");
		char up[32];

		if (err) {
			fprintf(out, "%-9s %-5s %-8s %-10s %-8s %s\n", name, "down", "-", "-", "-",
				json_string_value(err));
			continue;
		}
		output_duration(json_integer_value(json_object_get(st, "uptime_s")), up,
				sizeof(up));
		fprintf(out, "%-9s %-5s %-8s %-10s %-8lld %s\n", name, "up",
			json_string_value(json_object_get(st, "version")), up,
			(long long)json_integer_value(json_object_get(st, "pid")),
			json_string_value(json_object_get(st, "socket")));
	}
}

/*
 * lwm2md's value events (observe.notify, send) for people: one line per
 * value, "DAEMON TOPIC TIME ENDPOINT PATH VALUE", so that grep and awk
 * pick out a resource.
 */
static bool print_values(const char *daemon, const char *topic, json_t *data, FILE *out)
{
	json_t *values = json_object_get(data, "values"), *v;
	const char *ep = json_string_value(json_object_get(data, "endpoint"));
	const char *time = json_string_value(json_object_get(data, "time"));
	const char *path;

	if (!json_is_object(values) || !ep)
		return false;
	json_object_foreach (values, path, v) {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		fprintf(out, "%s %s %s %s %s %s\n", daemon, topic, time ? time : "-", ep, path,
			s ? s : "");
		free(s);
	}
	return true;
}

void output_event(enum output_mode mode, const char *daemon, const char *topic, json_t *data,
		  FILE *out)
{
	if (mode == OUTPUT_JSON) {
		json_t *ev = json_pack("{s:s, s:s, s:O}", "daemon", daemon, "event", topic, "data",
				       data ? data : json_null());

		json_dumpf(ev, out, JSON_COMPACT);
		fputc('\n', out);
		json_decref(ev);
	} else if (!print_values(daemon, topic, data, out)) {
		char *s = json_dumps(data ? data : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);

		fprintf(out, "%s %s %s\n", daemon, topic, s ? s : "");
		free(s);
	}
	fflush(out);
}
