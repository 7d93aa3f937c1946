/*
 * WebSocket framing as a server reads it: the input is a stream of client
 * frames, parsed and unmasked one after the other until one is incomplete
 * or refused; every header length and payload must lie inside the input,
 * and a key taken from the first bytes must give an accept value or a
 * refusal, never a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/httpws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char key[25], accept[HTTPWS_ACCEPT_LEN + 1];
	size_t k = size < 24 ? size : 24;
	memcpy(key, data, k);
	key[k] = '\0';
	if (httpws_accept_key(key, accept) == 0 && strlen(accept) != HTTPWS_ACCEPT_LEN)
		__builtin_trap();
	static uint8_t payload[4096];
	size_t at = 0;
	while (at < size) {
		struct httpws_frame f;
		int h = httpws_frame_parse(data + at, size - at, true, sizeof(payload), &f);
		if (h <= 0)
			break;
		if ((size_t)h > size - at || f.payload_len > sizeof(payload))
			__builtin_trap();
		if (f.payload_len > size - at - (size_t)h)
			break; /* the payload has not all arrived */
		memcpy(payload, data + at + h, (size_t)f.payload_len);
		httpws_unmask(payload, (size_t)f.payload_len, f.mask, 0);
		uint8_t hdr[HTTPWS_MAX_HEADER];
		if (httpws_frame_header(hdr, f.opcode, f.payload_len) > HTTPWS_MAX_HEADER)
			__builtin_trap();
		at += (size_t)h + (size_t)f.payload_len;
	}
	return 0;
}
