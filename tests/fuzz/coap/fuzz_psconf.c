/*
 * psconf on arbitrary bytes: decoding never reads past the input, and what
 * decodes re-encodes to bytes that decode to the same configuration (an
 * initial value to the same bytes, a text expiration-date to tag 1; a bool
 * initialize, -18's form, is not written).  The
 * input split in two (at its first byte) is also a configuration and an
 * update of it: a merge keeps the fixed parameters and encodes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coap/psconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void merge(const uint8_t *data, size_t size)
{
	static const uint32_t fixed = PSCONF_BIT(PSCONF_TOPIC_NAME) |
				      PSCONF_BIT(PSCONF_TOPIC_DATA) |
				      PSCONF_BIT(PSCONF_RESOURCE_TYPE);
	struct psconf cur, in, out;
	uint8_t buf[PSCONF_MAX_LEN * 2];
	const char *why;
	size_t cut;

	if (size < 2)
		return;
	cut = 1 + data[0] % (size - 1);
	if (psconf_parse(data + 1, cut - 1, &cur, NULL, NULL) < 0 ||
	    psconf_parse(data + cut, size - cut, &in, NULL, NULL) < 0)
		return;
	for (int replace = 0; replace < 2; replace++) {
		if (psconf_merge(&cur, &in, replace, &out, &why) < 0)
			continue;
		if ((out.present & fixed) != (cur.present & fixed) ||
		    (in.present & ~fixed & PSCONF_ALL & ~out.present) ||
		    psconf_encode(&out, PSCONF_ALL, buf, sizeof(buf)) < 0)
			abort();
	}
}

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
	if (!a.initial)
		a.present &= ~PSCONF_BIT(PSCONF_INITIALIZE);
	if (b.present != (a.present & PSCONF_ALL) || !psconf_match(&a, &b) || !psconf_match(&b, &a))
		abort();
	if (!a.initial != !b.initial || a.initial_len != b.initial_len ||
	    (a.initial_len && memcmp(a.initial, b.initial, a.initial_len) != 0))
		abort();
	merge(data, size);
	return 0;
}
