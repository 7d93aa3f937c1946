/*
 * linkformat_parse() on arbitrary bytes.  Properties checked: a failed
 * parse holds no memory and points inside the input; a parsed document
 * serialises, parses back to the same links, attributes, values and
 * quoting, and serialises again to the same bytes; every target resolves
 * against a base into base + target + 2 bytes (the bound rdd sizes its
 * buffers with).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coap/linkformat.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

static const char base[] = "coap://[2001:db8::1]:61616/dev/sub/x?q";

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linkformat a, b;
	size_t len, len2;
	char *text, *again;

	if (linkformat_parse(data, size, &a) < 0) {
		CHECK(a.mem == NULL && a.count == 0);
		CHECK(a.error_offset <= size);
		return 0;
	}
	linkformat_format(a.links, a.count, NULL, 0, &len);
	text = malloc(len + 1);
	CHECK(text);
	CHECK(linkformat_format(a.links, a.count, text, len + 1, &len2) == 0 && len2 == len);
	CHECK(strlen(text) == len);
	CHECK(linkformat_parse((const uint8_t *)text, len, &b) == 0);
	CHECK(a.count == b.count && a.attr_total == b.attr_total);
	for (size_t i = 0; i < a.count; i++) {
		const struct linkformat_link *x = &a.links[i], *y = &b.links[i];
		size_t size_r = sizeof(base) + strlen(x->target) + 1;
		char *resolved = malloc(size_r);

		CHECK(strcmp(x->target, y->target) == 0 && x->attr_count == y->attr_count);
		for (size_t k = 0; k < x->attr_count; k++) {
			CHECK(strcmp(x->attrs[k].name, y->attrs[k].name) == 0);
			CHECK(same_str(x->attrs[k].value, y->attrs[k].value));
			CHECK(x->attrs[k].quoted == y->attrs[k].quoted);
			CHECK(linkformat_is_parmname(x->attrs[k].name));
		}
		CHECK(resolved);
		CHECK(linkformat_resolve(base, x->target, resolved, size_r) == 0);
		free(resolved);
	}
	again = malloc(len + 1);
	CHECK(again);
	CHECK(linkformat_format(b.links, b.count, again, len + 1, &len2) == 0 && len2 == len);
	CHECK(memcmp(text, again, len) == 0);
	free(again);
	free(text);
	linkformat_fini(&a);
	linkformat_fini(&b);
	return 0;
}
