/*
 * groups — the external groups of the emulated devices, for group message
 * delivery (TS 29.122 4.4.5.3.2, externalGroupId): "[devices] groups"
 * holds blank-separated "GROUPID=MEMBER,MEMBER…" items, a GROUPID in the
 * externalGroupId form (local@domain) and each MEMBER a device's
 * externalId or MSISDN.  Pure.
 */
#ifndef LWGATE_SCEFD_GROUPS_H
#define LWGATE_SCEFD_GROUPS_H

#include <stddef.h>

#include "t8/t8.h"

#define GROUPS_MAX 64

struct device;

struct group {
	char id[T8_MAX_ID];
	size_t n;
	size_t *members; /* indices in the device array */
};

/*
 * Parse @spec against the @ndev devices @devs into a malloc'd array *@out
 * of *@n groups (at most GROUPS_MAX; unknown or repeated members, repeated
 * groups, empty groups refused).  Returns 0, or -EINVAL with @why.
 */
int groups_parse(const char *spec, const struct device *devs, size_t ndev, struct group **out,
		 size_t *n, char *why, size_t size);

/* Free what groups_parse() made; NULL is fine. */
void groups_free(struct group *g, size_t n);

#endif
