/* Helpers shared by the lib/lowpan unit tests. */
#ifndef LWGATE_TEST_LOWPAN_UTIL_H
#define LWGATE_TEST_LOWPAN_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Decode the hex string h into out; returns the number of bytes. */
static inline size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;
	for (; h[0] && h[1]; h += 2) {
		unsigned v;
		if (sscanf(h, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
	}
	return n;
}

#endif
