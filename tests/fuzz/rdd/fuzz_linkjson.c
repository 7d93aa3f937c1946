/*
 * linkjson on arbitrary bytes: the first byte picks JSON, CBOR or a merge
 * patch over a fixed registration.  Properties checked: a failed decode
 * holds no memory; a decoded document encodes to JSON and to CBOR, and
 * each decodes back to the same links and attributes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coap/linkformat.h"
#include "coap/linkjson.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

static const char current[] = "</a>;rt=x;ct=0,</b>;rt=y;obs,</c>;if=sensor;rt=p;rt=q";

static bool same(const struct linkformat *a, const struct linkformat *b)
{
	if (a->count != b->count || a->attr_total != b->attr_total)
		return false;
	for (size_t i = 0; i < a->count; i++) {
		if (strcmp(a->links[i].target, b->links[i].target) != 0 ||
		    a->links[i].attr_count != b->links[i].attr_count)
			return false;
	}
	return true;
}

static bool has_href_attr(const struct linkformat *lf)
{
	for (size_t i = 0; i < lf->count; i++)
		if (linkformat_find(&lf->links[i], "href"))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linkformat lf, cur, back;
	uint8_t *cbor;
	char *json;
	size_t len;
	int rc;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		rc = linkjson_decode_json(data + 1, size - 1, &lf);
		break;
	case 1:
		rc = linkjson_decode_cbor(data + 1, size - 1, &lf);
		break;
	default:
		CHECK(linkformat_parse((const uint8_t *)current, strlen(current), &cur) == 0);
		rc = linkjson_merge_patch(&cur, data + 1, size - 1, &lf);
		linkformat_fini(&cur);
		break;
	}
	if (rc < 0) {
		CHECK(lf.mem == NULL && lf.count == 0);
		return 0;
	}
	CHECK(linkjson_encode_json(lf.links, lf.count, &json, &len) == 0);
	CHECK(linkjson_decode_json((const uint8_t *)json, len, &back) == 0);
	/* an attribute called href is left out of both encodings */
	if (!has_href_attr(&lf))
		CHECK(same(&lf, &back));
	linkformat_fini(&back);
	free(json);
	CHECK(linkjson_encode_cbor(lf.links, lf.count, &cbor, &len) == 0);
	CHECK(linkjson_decode_cbor(cbor, len, &back) == 0);
	linkformat_fini(&back);
	free(cbor);
	linkformat_fini(&lf);
	return 0;
}
