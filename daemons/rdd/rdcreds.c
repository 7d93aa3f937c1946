/*
 * rdcreds — rdd's key table and sector lists.
 */
#include "rdcreds.h"

#include <string.h>

/* several identities may share a sector list */
const struct pskstore_schema rdcreds_schema =
	PSKSTORE_SCHEMA("rd_credentials", "sectors", "sectors", RDCREDS_SECTORS_MAX, false);

bool rdcreds_sectors_valid(const char *list)
{
	size_t item = 0;

	if (strlen(list) > RDCREDS_SECTORS_MAX)
		return false;
	if (strcmp(list, "*") == 0)
		return true;
	for (const char *p = list;; p++) {
		if (*p == ',' || *p == '\0') {
			if (item == 0 || item > 63)
				return false;
			if (*p == '\0')
				return true;
			item = 0;
		} else if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '*') {
			return false;
		} else {
			item++;
		}
	}
}

bool rdcreds_sector_in(const char *list, const char *d)
{
	size_t n = strlen(d);

	if (strcmp(list, "*") == 0)
		return true;
	if (n == 0) {
		d = "-";
		n = 1;
	}
	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && memcmp(p, d, n) == 0)
			return true;
		p += len + (end ? 1 : 0);
	}
	return false;
}
