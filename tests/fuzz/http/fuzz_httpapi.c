/*
 * Request routing and JSON bodies: a request framed by http1 from the
 * input, matched against every route of lwm2md's API (httpapi_routes) and,
 * where one owns the path (most literal segments, as the bridge decides),
 * turned into the control command and arguments the bridge would send —
 * the whole path from bytes to a control record.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http/http1.h"
#include "httpapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http1_limits lim = { .max_header_bytes = 4096, .max_body = 4096 };
	struct http1_parser *p = http1_parser_new(&lim);
	size_t used;
	if (http1_parser_feed(p, data, size, &used) != 1) {
		http1_parser_free(p);
		return 0;
	}
	struct http_request *req = http1_parser_take(p);
	/* as the bridge: of the routes that match, those with the most literals own the path */
	size_t best = 0;
	for (const struct httpbridge_route *r = httpapi_routes; r->method; r++) {
		struct httproute_match m;
		size_t n = httproute_literals(r->pattern);
		if (n > best && httproute_match(r->pattern, req->path, &m) == 0)
			best = n;
	}
	for (const struct httpbridge_route *r = httpapi_routes; r->method; r++) {
		struct httproute_match m;
		if (httproute_literals(r->pattern) < best ||
		    httproute_match(r->pattern, req->path, &m) != 0)
			continue;
		struct httpbridge_call call = { r->cmd, NULL };
		char why[160];
		if (r->build && r->build(&m, req, &call, why, sizeof(why)) == 0) {
			if (!call.cmd || !json_is_object(call.args))
				__builtin_trap();
			char *s = json_dumps(call.args, JSON_COMPACT);
			free(s);
		}
		json_decref(call.args);
	}
	http_request_free(req);
	http1_parser_free(p);
	return 0;
}
