/*
 * lib/http httpws: the RFC 6455 examples — the handshake of 1.3 (key
 * "dGhlIHNhbXBsZSBub25jZQ==" answers "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") and
 * the frames of 5.7 (unmasked and masked "Hello", a fragmented text, ping
 * and pong, 256-byte and 64-KiB binary lengths), then the frames a server
 * must refuse.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/httpws.h"

static void test_accept_key_rfc6455(void **state)
{
	char out[HTTPWS_ACCEPT_LEN + 1];
	assert_int_equal(httpws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out), 0);
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	/* Not 16 bytes of base64. */
	assert_int_equal(httpws_accept_key("dGhlIHNhbXBsZSBub25jZQ=", out), -EINVAL);
	assert_int_equal(httpws_accept_key("dGhlIHNhbXBsZSBub25jZQ", out), -EINVAL);
	assert_int_equal(httpws_accept_key("dGhlIHNhbXBsZSBub25j!Q==", out), -EINVAL);
	assert_int_equal(httpws_accept_key("", out), -EINVAL);
	assert_int_equal(httpws_accept_key(NULL, out), -EINVAL);
}

/* Parse a whole frame @b (@n bytes) and return its unmasked payload in @out. */
static size_t whole(const uint8_t *b, size_t n, bool from_client, struct httpws_frame *f,
		    uint8_t *out)
{
	int h = httpws_frame_parse(b, n, from_client, 1 << 20, f);
	assert_true(h > 0);
	assert_int_equal((size_t)h + f->payload_len, n);
	memcpy(out, b + h, f->payload_len);
	if (f->masked)
		httpws_unmask(out, f->payload_len, f->mask, 0);
	return f->payload_len;
}

static void test_frames_rfc6455_5_7(void **state)
{
	struct httpws_frame f;
	uint8_t p[128];
	/* A single-frame unmasked text message. */
	static const uint8_t hello[] = { 0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f };
	assert_int_equal(whole(hello, sizeof(hello), false, &f, p), 5);
	assert_true(f.fin);
	assert_int_equal(f.opcode, HTTPWS_TEXT);
	assert_memory_equal(p, "Hello", 5);
	/* A server refuses it: a client's frames are masked. */
	assert_int_equal(httpws_frame_parse(hello, sizeof(hello), true, 1024, &f), -EPROTO);
	/* A single-frame masked text message. */
	static const uint8_t masked[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d,
					  0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	assert_int_equal(whole(masked, sizeof(masked), true, &f, p), 5);
	assert_true(f.masked);
	assert_memory_equal(p, "Hello", 5);
	/* Unmasking in pieces gives the same bytes. */
	memcpy(p, masked + 6, 5);
	httpws_unmask(p, 2, f.mask, 0);
	httpws_unmask(p + 2, 3, f.mask, 2);
	assert_memory_equal(p, "Hello", 5);
	/* A fragmented unmasked text message: "Hel", then "lo". */
	static const uint8_t frag1[] = { 0x01, 0x03, 0x48, 0x65, 0x6c };
	static const uint8_t frag2[] = { 0x80, 0x02, 0x6c, 0x6f };
	assert_int_equal(whole(frag1, sizeof(frag1), false, &f, p), 3);
	assert_false(f.fin);
	assert_int_equal(f.opcode, HTTPWS_TEXT);
	assert_int_equal(whole(frag2, sizeof(frag2), false, &f, p), 2);
	assert_true(f.fin);
	assert_int_equal(f.opcode, HTTPWS_CONTINUATION);
	/* Unmasked ping, masked pong. */
	static const uint8_t ping[] = { 0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f };
	assert_int_equal(whole(ping, sizeof(ping), false, &f, p), 5);
	assert_int_equal(f.opcode, HTTPWS_PING);
	static const uint8_t pong[] = { 0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d,
					0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	assert_int_equal(whole(pong, sizeof(pong), true, &f, p), 5);
	assert_int_equal(f.opcode, HTTPWS_PONG);
	assert_memory_equal(p, "Hello", 5);
	/* 256 bytes binary in a single unmasked frame: 0x82 0x7E 0x0100. */
	static const uint8_t b256[] = { 0x82, 0x7e, 0x01, 0x00 };
	assert_int_equal(httpws_frame_parse(b256, sizeof(b256), false, 1 << 20, &f), 4);
	assert_int_equal(f.opcode, HTTPWS_BINARY);
	assert_int_equal(f.payload_len, 256);
	/* 64 KiB binary: 0x82 0x7F 0x0000000000010000. */
	static const uint8_t b64k[] = { 0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00 };
	assert_int_equal(httpws_frame_parse(b64k, sizeof(b64k), false, 1 << 20, &f), 10);
	assert_int_equal(f.payload_len, 65536);
	assert_int_equal(httpws_frame_parse(b64k, sizeof(b64k), false, 65535, &f), -EMSGSIZE);
}

static void test_frame_header_writer(void **state)
{
	uint8_t h[HTTPWS_MAX_HEADER];
	/* The writer gives back the RFC's unmasked headers. */
	assert_int_equal(httpws_frame_header(h, HTTPWS_TEXT, 5), 2);
	assert_memory_equal(h, "\x81\x05", 2);
	assert_int_equal(httpws_frame_header(h, HTTPWS_BINARY, 256), 4);
	assert_memory_equal(h, "\x82\x7e\x01\x00", 4);
	assert_int_equal(httpws_frame_header(h, HTTPWS_BINARY, 65536), 10);
	assert_memory_equal(h, "\x82\x7f\0\0\0\0\0\x01\0\0", 10);
	assert_int_equal(httpws_frame_header(h, HTTPWS_TEXT, 125), 2);
	assert_int_equal(httpws_frame_header(h, HTTPWS_TEXT, 126), 4);
	assert_int_equal(httpws_frame_header(h, HTTPWS_TEXT, 65535), 4);
}

static void test_refusals_and_short_input(void **state)
{
	struct httpws_frame f;
	/* Too short to say: ask for more. */
	static const uint8_t m[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d };
	for (size_t n = 0; n < sizeof(m); n++)
		assert_int_equal(httpws_frame_parse(m, n, true, 1024, &f), 0);
	assert_int_equal(httpws_frame_parse((const uint8_t *)"\x82\x7e\x01", 3, false, 1024, &f),
			 0);
	static const struct {
		uint8_t b[10];
		size_t n;
	} bad[] = {
		{ { 0xc1, 0x80 }, 2 },             /* RSV1 without an extension */
		{ { 0x83, 0x80 }, 2 },             /* reserved opcode 3 */
		{ { 0x8b, 0x80 }, 2 },             /* reserved control opcode B */
		{ { 0x09, 0x80 }, 2 },             /* a fragmented ping */
		{ { 0x89, 0xfe, 0x00, 0x7e }, 4 }, /* a 126-byte ping */
		{ { 0x82, 0xfe, 0x00, 0x7d }, 4 }, /* 125 in 16 bits: not minimal */
		{ { 0x82, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0xff }, 10 }, /* 65535 in 64 bits */
		{ { 0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0 }, 10 },    /* the top bit set */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(httpws_frame_parse(bad[i].b, bad[i].n, true, 1 << 20, &f),
				 -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_key_rfc6455),
		cmocka_unit_test(test_frames_rfc6455_5_7),
		cmocka_unit_test(test_frame_header_writer),
		cmocka_unit_test(test_refusals_and_short_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
