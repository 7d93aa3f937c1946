/*
 * rdquery_parse() on arbitrary bytes.  Properties checked: a failed parse
 * leaves an empty query; a parsed query written back as "&"-joined items
 * parses to the same names, values and prefixes; a filter matches the value
 * it was made from (with and without list semantics), and a prefix filter
 * matches any extension of it; numbers read back as written; a page window
 * is refused or fits in 64 bits without wrapping.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coap/rdquery.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rdquery q, r;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (rdquery_parse(data, size, &q) < 0) {
		CHECK(q.count == 0);
		return 0;
	}
	{
		uint64_t skip, count;
		int rc = rdquery_page(&q, &skip, &count);

		CHECK(rc == 0 || rc == RDQUERY_E_PAGE || rc == RDQUERY_E_NUMBER);
		CHECK(rc != 0 || count == UINT64_MAX || skip / (count ? count : 1) <= UINT32_MAX);
	}
	f = open_memstream(&text, &len);
	CHECK(f);
	for (size_t i = 0; i < q.count; i++) {
		const struct rdquery_param *p = &q.params[i];
		uint64_t n;

		CHECK(p->name[0] && rdquery_find(&q, p->name) && rdquery_count(&q, p->name) >= 1);
		fprintf(f, "%s%s", i ? "&" : "", p->name);
		if (p->value) {
			char longer[RDQUERY_MAX_ITEM + 8];

			fprintf(f, "=%s%s", p->value, p->prefix ? "*" : "");
			CHECK(rdquery_match(p, p->value, false));
			if (!strchr(p->value, ' '))
				CHECK(rdquery_match(p, p->value, true));
			snprintf(longer, sizeof(longer), "%sx", p->value);
			CHECK(rdquery_match(p, longer, false) == p->prefix);
			if (rdquery_uint(p, 0, UINT64_MAX, &n) == 0) {
				char back[24];

				snprintf(back, sizeof(back), "%" PRIu64, n);
				CHECK(strcmp(back, p->value) == 0 || p->value[0] == '0');
			}
		} else {
			CHECK(rdquery_match(p, NULL, false) && rdquery_uint(p, 0, 1, &n) < 0);
		}
	}
	fclose(f);
	CHECK(rdquery_parse((const uint8_t *)text, len, &r) == 0);
	CHECK(r.count == q.count);
	for (size_t i = 0; i < q.count; i++) {
		CHECK(strcmp(q.params[i].name, r.params[i].name) == 0);
		CHECK(q.params[i].prefix == r.params[i].prefix);
		CHECK((!q.params[i].value && !r.params[i].value) ||
		      (q.params[i].value && r.params[i].value &&
		       strcmp(q.params[i].value, r.params[i].value) == 0));
	}
	rdquery_fini(&r);
	rdquery_fini(&q);
	free(text);
	return 0;
}
