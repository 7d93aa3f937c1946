/*
 * linkjson speed and size: a registration of 1,000 links (rt, if, ct and
 * obs, as sensors register them) encoded and decoded as link-format, JSON
 * and CBOR, and a merge patch that changes, removes and adds a few links.
 * Prints links/s and bytes; never fails on time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coap/linkformat.h"
#include "coap/linkjson.h"

#define LINKS  1000
#define ROUNDS 200

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *what, double t0, size_t bytes)
{
	double dt = now_s() - t0;

	printf("linkjson %-24s %8.2f M links/s  %7zu bytes for %d links\n", what,
	       (double)LINKS * ROUNDS / dt / 1e6, bytes, LINKS);
}

int main(void)
{
	struct linkformat lf, out;
	char *text = NULL, *json, *patch;
	uint8_t *cbor;
	size_t len = 0, jlen, clen, tlen;
	FILE *f = open_memstream(&text, &len);
	double t0;

	for (int i = 0; i < LINKS; i++)
		fprintf(f, "%s</sensors/s%d>;rt=\"temperature-c\";if=sensor;ct=%d;obs",
			i ? "," : "", i, i % 3 ? 0 : 60);
	fclose(f);
	if (linkformat_parse((const uint8_t *)text, len, &lf) < 0)
		return 1;

	t0 = now_s();
	for (int r = 0; r < ROUNDS; r++) {
		char *buf = malloc(len + 1);

		linkformat_format(lf.links, lf.count, buf, len + 1, &tlen);
		free(buf);
	}
	report("link-format write", t0, len);
	t0 = now_s();
	for (int r = 0; r < ROUNDS; r++) {
		linkformat_parse((const uint8_t *)text, len, &out);
		linkformat_fini(&out);
	}
	report("link-format parse", t0, len);

	t0 = now_s();
	for (int r = 0; r < ROUNDS; r++) {
		linkjson_encode_json(lf.links, lf.count, &json, &jlen);
		free(json);
	}
	linkjson_encode_json(lf.links, lf.count, &json, &jlen);
	report("JSON encode", t0, jlen);
	t0 = now_s();
	for (int r = 0; r < ROUNDS; r++) {
		if (linkjson_decode_json((const uint8_t *)json, jlen, &out) < 0)
			return 1;
		linkformat_fini(&out);
	}
	report("JSON decode", t0, jlen);

	t0 = now_s();
	for (int r = 0; r < ROUNDS; r++) {
		linkjson_encode_cbor(lf.links, lf.count, &cbor, &clen);
		free(cbor);
	}
	linkjson_encode_cbor(lf.links, lf.count, &cbor, &clen);
	report("CBOR encode", t0, clen);
	t0 = now_s();
	for (int r = 0; r < ROUNDS; r++) {
		if (linkjson_decode_cbor(cbor, clen, &out) < 0)
			return 1;
		linkformat_fini(&out);
	}
	report("CBOR decode", t0, clen);

	patch = "{\"/sensors/s5\":null,\"/sensors/s7\":{\"rt\":\"humidity\",\"obs\":null},"
		"\"/sensors/new\":{\"rt\":\"light-lux\"}}";
	t0 = now_s();
	for (int r = 0; r < ROUNDS; r++) {
		if (linkjson_merge_patch(&lf, (const uint8_t *)patch, strlen(patch), &out) < 0)
			return 1;
		linkformat_fini(&out);
	}
	report("merge patch (3 members)", t0, strlen(patch));

	free(json);
	free(cbor);
	free(text);
	linkformat_fini(&lf);
	return 0;
}
