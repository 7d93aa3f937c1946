/*
 * httpws — the WebSocket protocol's pieces (RFC 6455) a server needs, as a
 * pure codec: the opening handshake's Sec-WebSocket-Accept (4.2.2) and the
 * framing (5.2): parsing a frame header with every rule a server must
 * enforce (RSV bits clear without extensions, known opcodes, control frames
 * short and unfragmented, client frames masked, minimal 64-bit lengths),
 * unmasking, and writing an unmasked server frame header.  No I/O.
 */
#ifndef LWGATE_HTTP_HTTPWS_H
#define LWGATE_HTTP_HTTPWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTPWS_ACCEPT_LEN 28 /* base64 of a SHA-1 digest */
#define HTTPWS_MAX_HEADER 14 /* 2 + 8 (length) + 4 (mask) */

enum httpws_opcode {
	HTTPWS_CONTINUATION = 0x0,
	HTTPWS_TEXT = 0x1,
	HTTPWS_BINARY = 0x2,
	HTTPWS_CLOSE = 0x8,
	HTTPWS_PING = 0x9,
	HTTPWS_PONG = 0xA,
};

/* Close status codes (RFC 6455 7.4.1) a server sends. */
enum httpws_status {
	HTTPWS_NORMAL = 1000,
	HTTPWS_GOING_AWAY = 1001,
	HTTPWS_PROTOCOL_ERROR = 1002,
	HTTPWS_TOO_BIG = 1009,
};

/* One frame's header, as parsed. */
struct httpws_frame {
	bool fin;
	enum httpws_opcode opcode;
	bool masked;
	uint8_t mask[4];
	size_t header_len; /* bytes before the payload */
	uint64_t payload_len;
};

/*
 * The Sec-WebSocket-Accept value for the client's Sec-WebSocket-Key @key:
 * base64(SHA-1(key + the RFC's GUID)), NUL-terminated in @out.  The key
 * must be the base64 of 16 bytes (24 characters, RFC 6455 4.1).  Returns
 * 0, or -EINVAL for a malformed key.
 */
int httpws_accept_key(const char *key, char out[HTTPWS_ACCEPT_LEN + 1]);

/*
 * Parse the frame header at the start of @buf (@len bytes available).
 * With @from_client, the frame must be masked (RFC 6455 5.1).  Returns the
 * header length (> 0) with *@f filled, 0 when more bytes are needed, or
 * -EPROTO for a frame the server must fail the connection on (status 1002),
 * -EMSGSIZE for a payload over @max_payload (1009).
 */
int httpws_frame_parse(const uint8_t *buf, size_t len, bool from_client, uint64_t max_payload,
		       struct httpws_frame *f);

/* XOR @n bytes of @p with @mask, @p starting at payload offset @offset. */
void httpws_unmask(uint8_t *p, size_t n, const uint8_t mask[4], uint64_t offset);

/*
 * Write the header of an unmasked frame (a server's, RFC 6455 5.1) with
 * @opcode, FIN set and a @payload_len-byte payload into @out.  Returns the
 * header length (2, 4 or 10).
 */
size_t httpws_frame_header(uint8_t out[HTTPWS_MAX_HEADER], enum httpws_opcode opcode,
			   uint64_t payload_len);

#endif
