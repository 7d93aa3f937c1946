/*
 * httpws — RFC 6455 handshake key and framing (see httpws.h).
 */
#include "http/httpws.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

/* RFC 6455 1.3: the GUID appended to the client's key. */
static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

int httpws_accept_key(const char *key, char out[HTTPWS_ACCEPT_LEN + 1])
{
	/* 16 random bytes in base64: 22 characters and "==". */
	uint8_t raw[18];
	if (!key || strlen(key) != 24 || key[22] != '=' || key[23] != '=' ||
	    EVP_DecodeBlock(raw, (const unsigned char *)key, 24) != 18)
		return -EINVAL;
	char buf[24 + sizeof(ws_guid)];
	memcpy(buf, key, 24);
	memcpy(buf + 24, ws_guid, sizeof(ws_guid) - 1);
	uint8_t digest[SHA_DIGEST_LENGTH];
	SHA1((const unsigned char *)buf, 24 + sizeof(ws_guid) - 1, digest);
	EVP_EncodeBlock((unsigned char *)out, digest, SHA_DIGEST_LENGTH);
	return 0;
}

static bool opcode_known(unsigned op)
{
	return op <= HTTPWS_BINARY || (op >= HTTPWS_CLOSE && op <= HTTPWS_PONG);
}

int httpws_frame_parse(const uint8_t *buf, size_t len, bool from_client, uint64_t max_payload,
		       struct httpws_frame *f)
{
	if (len < 2)
		return 0;
	*f = (struct httpws_frame){ .fin = buf[0] & 0x80,
				    .opcode = (enum httpws_opcode)(buf[0] & 0x0f),
				    .masked = buf[1] & 0x80 };
	/* No extension was negotiated, so no RSV bit may be set (5.2). */
	if ((buf[0] & 0x70) || !opcode_known(f->opcode) || (from_client && !f->masked))
		return -EPROTO;
	uint64_t n = buf[1] & 0x7f;
	size_t at = 2;
	if (n == 126) {
		if (len < 4)
			return 0;
		n = (uint64_t)buf[2] << 8 | buf[3];
		at = 4;
		if (n < 126) /* the minimal number of bytes must be used (5.2) */
			return -EPROTO;
	} else if (n == 127) {
		if (len < 10)
			return 0;
		n = 0;
		for (int i = 0; i < 8; i++)
			n = n << 8 | buf[2 + i];
		at = 10;
		if (n >> 63 || n <= 0xffff)
			return -EPROTO;
	}
	/* Control frames: at most 125 bytes, never fragmented (5.5). */
	if (f->opcode >= HTTPWS_CLOSE && (n > 125 || !f->fin))
		return -EPROTO;
	if (n > max_payload)
		return -EMSGSIZE;
	if (f->masked) {
		if (len < at + 4)
			return 0;
		memcpy(f->mask, buf + at, 4);
		at += 4;
	}
	f->payload_len = n;
	f->header_len = at;
	return (int)at;
}

void httpws_unmask(uint8_t *p, size_t n, const uint8_t mask[4], uint64_t offset)
{
	for (size_t i = 0; i < n; i++)
		p[i] ^= mask[(offset + i) & 3];
}

size_t httpws_frame_header(uint8_t out[HTTPWS_MAX_HEADER], enum httpws_opcode opcode,
			   uint64_t payload_len)
{
	out[0] = 0x80 | (uint8_t)opcode;
	if (payload_len < 126) {
		out[1] = (uint8_t)payload_len;
		return 2;
	}
	if (payload_len <= 0xffff) {
		out[1] = 126;
		out[2] = (uint8_t)(payload_len >> 8);
		out[3] = (uint8_t)payload_len;
		return 4;
	}
	out[1] = 127;
	for (int i = 0; i < 8; i++)
		out[2 + i] = (uint8_t)(payload_len >> (56 - 8 * i));
	return 10;
}
