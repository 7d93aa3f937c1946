/*
 * HTTP/1.1 request framing: bytes split into two feeds at a point the
 * input chooses, each complete request's target, headers and query
 * parameters read back as a handler would.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/http1.h"

static void use(const struct http_request *r)
{
	char v[64];
	http_query_param(r->query, "format", v, sizeof(v));
	http_query_param(r->query, "timeout", v, sizeof(v));
	http_request_header(r, "content-type");
	if (r->body_len && r->body[r->body_len] != '\0')
		__builtin_trap(); /* handlers rely on the NUL past the body */
	if (!r->path || r->path[0] != '/')
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct http1_limits lim = { .max_header_bytes = 1024, .max_body = 256 };
	struct http1_parser *p = http1_parser_new(&lim);
	size_t split = data[0] % (size);
	const uint8_t *parts[2] = { data + 1, data + 1 + split };
	size_t lens[2] = { split, size - 1 - split };
	for (int i = 0; i < 2; i++) {
		const uint8_t *d = parts[i];
		size_t len = lens[i];
		while (len) {
			size_t used;
			int rc = http1_parser_feed(p, d, len, &used);
			if (rc < 0)
				goto out;
			if (used > len)
				__builtin_trap();
			d += used;
			len -= used;
			if (rc == 0)
				break;
			bool up = http1_parser_upgrade(p);
			struct http_request *r = http1_parser_take(p);
			use(r);
			http_request_free(r);
			if (up)
				goto out;
		}
	}
out:
	http1_parser_free(p);
	return 0;
}
