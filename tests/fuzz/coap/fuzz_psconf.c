/*
 * psconf on arbitrary bytes: decoding never reads past the input, and what
 * decodes re-encodes to bytes that decode to the same configuration.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coap/psconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct psconf a, b;
	uint8_t out[PSCONF_MAX_LEN * 2];
	const char *why;
	size_t where;
	long n;

	if (psconf_parse(data, size, &a, &why, &where) < 0) {
		if (!why || where > size)
			abort();
		return 0;
	}
	n = psconf_encode(&a, PSCONF_ALL, out, sizeof(out));
	if (n < 0 || psconf_parse(out, (size_t)n, &b, &why, &where) < 0)
		abort();
	if (b.present != (a.present & PSCONF_ALL) || !psconf_match(&a, &b) || !psconf_match(&b, &a))
		abort();
	return 0;
}
