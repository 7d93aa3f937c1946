/*
 * groups — external groups of devices (see groups.h).
 */
#include "groups.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"

static long member_index(const char *name, const struct device *devs, size_t ndev)
{
	for (size_t i = 0; i < ndev; i++)
		if (strcmp(devs[i].external_id, name) == 0 || strcmp(devs[i].msisdn, name) == 0)
			return (long)i;
	return -1;
}

/* One "GROUPID=MEMBER,…" item into @g. */
static int parse_group(char *item, const struct device *devs, size_t ndev, struct group *g,
		       char *why, size_t size)
{
	char *eq = strchr(item, '=');
	const char *at = eq ? memchr(item, '@', (size_t)(eq - item)) : NULL;
	if (!eq || !at || at == item || at + 1 == eq || (size_t)(eq - item) >= sizeof(g->id)) {
		snprintf(why, size, "[devices] groups: \"%s\" is not GROUPID=MEMBER,...", item);
		return -EINVAL;
	}
	memcpy(g->id, item, (size_t)(eq - item));
	g->id[eq - item] = '\0';
	g->members = calloc(ndev ? ndev : 1, sizeof(*g->members));
	if (!g->members)
		return -ENOMEM;
	for (char *save = NULL, *t = strtok_r(eq + 1, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		long k = member_index(t, devs, ndev);
		bool again = false;
		for (size_t i = 0; k >= 0 && i < g->n; i++)
			again |= g->members[i] == (size_t)k;
		if (k < 0 || again) {
			snprintf(why, size, "[devices] groups: %s: %s is %s", g->id, t,
				 k < 0 ? "no device of [devices] list" : "named twice");
			return -EINVAL;
		}
		g->members[g->n++] = (size_t)k;
	}
	if (g->n == 0) {
		snprintf(why, size, "[devices] groups: %s has no member", g->id);
		return -EINVAL;
	}
	return 0;
}

int groups_parse(const char *spec, const struct device *devs, size_t ndev, struct group **out,
		 size_t *n, char *why, size_t size)
{
	char *copy = strdup(spec);
	struct group *v = calloc(GROUPS_MAX, sizeof(*v));
	size_t count = 0;
	int rc = copy && v ? 0 : -ENOMEM;
	for (char *save = NULL, *t = rc ? NULL : strtok_r(copy, " \t", &save); t && rc == 0;
	     t = strtok_r(NULL, " \t", &save)) {
		if (count == GROUPS_MAX) {
			snprintf(why, size, "[devices] groups: more than %d groups", GROUPS_MAX);
			rc = -EINVAL;
			break;
		}
		rc = parse_group(t, devs, ndev, &v[count], why, size);
		for (size_t i = 0; rc == 0 && i < count; i++)
			if (strcmp(v[i].id, v[count].id) == 0) {
				snprintf(why, size, "[devices] groups: %s twice", v[i].id);
				rc = -EINVAL;
			}
		count++;
	}
	free(copy);
	if (rc < 0) {
		groups_free(v, count);
		return rc;
	}
	*out = v;
	*n = count;
	return 0;
}

void groups_free(struct group *g, size_t n)
{
	for (size_t i = 0; g && i < n; i++)
		free(g[i].members);
	free(g);
}
