/* Topology files, parsed with inih; lines are counted through a reader
 * wrapper so that every error names its line. */
#include "topo.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>

struct parse {
	struct topo *t;
	FILE *f;
	int line;
	int cur; /* station of the current section, -1 before the first */
	char msg[200];
};

static const uint8_t default_root[8] = { 0x00, 0x12, 0x4b, 0x00, 0x01, 0x02, 0x03, 0x04 };

void topo_default(struct topo *t)
{
	memset(t, 0, sizeof(*t));
	t->n = 1;
	snprintf(t->st[0].name, sizeof(t->st[0].name), "root");
	memcpy(t->st[0].eui64, default_root, 8);
	t->st[0].has_eui64 = true;
}

int topo_find(const struct topo *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->st[i].name, name) == 0)
			return (int)i;
	return -1;
}

static char *reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	char *s = fgets(str, num, p->f);

	if (s)
		p->line++;
	return s;
}

static int parse_eui64(const char *v, uint8_t out[8])
{
	size_t k = 0;

	for (const char *c = v; *c; c++) {
		unsigned x;

		if (*c == ':' || *c == '-')
			continue;
		if (k == 16 || sscanf(c, "%1x", &x) != 1)
			return -1;
		out[k / 2] = (uint8_t)(k % 2 ? out[k / 2] | x : x << 4);
		k++;
	}
	return k == 16 ? 0 : -1;
}

/* The NAME of a [node NAME] or [zep NAME] section, or NULL. */
static const char *station_name(const char *sec, bool *zep)
{
	*zep = strncmp(sec, "zep ", 4) == 0;
	if (*zep)
		return sec[4] ? sec + 4 : NULL;
	return strncmp(sec, "node ", 5) == 0 && sec[5] ? sec + 5 : NULL;
}

static int section(struct parse *p, const char *sec)
{
	struct topo *t = p->t;
	const char *name;
	bool zep;

	if (strcmp(sec, "root") == 0) {
		p->cur = 0;
		t->st[0].line = p->line;
		return 1;
	}
	name = station_name(sec, &zep);
	if (!name) {
		snprintf(p->msg, sizeof(p->msg),
			 "unknown section [%s] (expected [root], [node NAME] or [zep NAME])", sec);
		return 0;
	}
	if (strlen(name) >= TOPO_NAME_MAX || strchr(name, ' ')) {
		snprintf(p->msg, sizeof(p->msg), "bad node name \"%s\"", name);
		return 0;
	}
	if (topo_find(t, name) >= 0) {
		snprintf(p->msg, sizeof(p->msg), "station \"%s\" defined twice", name);
		return 0;
	}
	if (t->n == TOPO_MAX_STATIONS) {
		snprintf(p->msg, sizeof(p->msg), "more than %d stations", TOPO_MAX_STATIONS);
		return 0;
	}
	p->cur = (int)t->n++;
	memset(&t->st[p->cur], 0, sizeof(t->st[0]));
	snprintf(t->st[p->cur].name, TOPO_NAME_MAX, "%s", name);
	t->st[p->cur].zep = zep;
	t->st[p->cur].line = p->line;
	return 1;
}

static int handler(void *user, const char *sec, const char *key, const char *value)
{
	struct parse *p = user;
	struct topo_station *s;
	const char *name;
	bool zep;

	if (!key) /* a new section (INI_CALL_HANDLER_ON_NEW_SECTION builds) */
		return section(p, sec);
	/* other inih builds announce sections only through their keys */
	name = station_name(sec, &zep);
	if (p->cur < 0 || (p->cur == 0 ? strcmp(sec, "root") != 0
				       : !name || strcmp(name, p->t->st[p->cur].name) != 0)) {
		if (!section(p, sec))
			return 0;
	}
	s = &p->t->st[p->cur];
	if (strcmp(key, "eui64") == 0) {
		if (parse_eui64(value, s->eui64) < 0) {
			snprintf(p->msg, sizeof(p->msg), "eui64 \"%s\" is not 16 hex digits",
				 value);
			return 0;
		}
		s->has_eui64 = true;
	} else if (strcmp(key, "hears") == 0) {
		if (strlen(value) >= sizeof(s->hears_text)) {
			snprintf(p->msg, sizeof(p->msg), "hears list too long");
			return 0;
		}
		snprintf(s->hears_text, sizeof(s->hears_text), "%s", value);
		s->hears_line = p->line;
	} else {
		snprintf(p->msg, sizeof(p->msg), "unknown key \"%s\" (expected eui64 or hears)",
			 key);
		return 0;
	}
	return 1;
}

static int resolve(const char *path, struct topo *t, char *err, size_t errlen)
{
	for (size_t i = 0; i < t->n; i++) {
		char buf[512], *save = NULL;

		if (!t->st[i].has_eui64) {
			snprintf(err, errlen, "%s:%d: [%s] has no eui64", path, t->st[i].line,
				 i ? t->st[i].name : "root");
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (memcmp(t->st[i].eui64, t->st[j].eui64, 8) == 0) {
				snprintf(err, errlen,
					 "%s:%d: eui64 of \"%s\" already used by \"%s\"", path,
					 t->st[i].line, t->st[i].name, t->st[j].name);
				return -1;
			}
		snprintf(buf, sizeof(buf), "%s", t->st[i].hears_text);
		for (char *w = strtok_r(buf, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
			int k = topo_find(t, w);

			if (k < 0 || (size_t)k == i) {
				snprintf(err, errlen, "%s:%d: \"%s\" hears %s \"%s\"", path,
					 t->st[i].hears_line, t->st[i].name,
					 k < 0 ? "unknown station" : "itself:", w);
				return -1;
			}
			t->hears[i][k] = t->hears[k][i] = true;
		}
	}
	return 0;
}

int topo_load(const char *path, struct topo *t, char *err, size_t errlen)
{
	struct parse p = { .t = t, .cur = -1 };
	int rc;

	topo_default(t);
	t->st[0].has_eui64 = true;
	p.f = fopen(path, "r");
	if (!p.f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(reader, &p, handler, &p);
	fclose(p.f);
	if (rc != 0) {
		snprintf(err, errlen, "%s:%d: %s", path, rc,
			 p.msg[0] ? p.msg : "syntax error (expected [section] or key = value)");
		return -1;
	}
	if (t->n < 2) {
		snprintf(err, errlen, "%s: no [node NAME] or [zep NAME] section", path);
		return -1;
	}
	return resolve(path, t, err, errlen);
}
