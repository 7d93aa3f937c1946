#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "h2block.h"

static void get(struct httpcoap_msg *m, const char *path, uint8_t type, long block2)
{
	httpcoap_msg_init(m);
	m->code = 1;
	m->type = type;
	m->mid = 500;
	m->token_len = 1;
	m->token[0] = 9;
	assert_int_equal(httpcoap_add_target(m, path, NULL), 0);
	if (block2 >= 0)
		assert_int_equal(httpcoap_add_uint(m, H2BLOCK_OPT_BLOCK2, (uint32_t)block2), 0);
}

static void test_serve_blocks(void **state)
{
	struct h2block_body b = { 0 };
	struct httpcoap_msg req, out;
	uint8_t body[2500];
	bool last;
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)i;
	get(&req, "/3/0/0", HTTPCOAP_CON, -1);
	h2block_keep(&b, h2block_target_hash(&req), 1, 0, body, sizeof(body));
	/* no Block2, or block 0: the device's (h2dev sent block 0 itself) */
	assert_false(h2block_serve(&b, &req, 7, &out, &last));
	get(&req, "/3/0/0", HTTPCOAP_CON, 0 << 4 | H2BLOCK_SZX);
	assert_false(h2block_serve(&b, &req, 7, &out, &last));
	/* another resource, another method */
	get(&req, "/3/0/1", HTTPCOAP_CON, 1 << 4 | H2BLOCK_SZX);
	assert_false(h2block_serve(&b, &req, 7, &out, &last));
	get(&req, "/3/0/0", HTTPCOAP_CON, 1 << 4 | H2BLOCK_SZX);
	req.code = 5;
	assert_false(h2block_serve(&b, &req, 7, &out, &last));
	/* block 1 of 1024, piggybacked */
	get(&req, "/3/0/0", HTTPCOAP_CON, 1 << 4 | H2BLOCK_SZX);
	assert_true(h2block_serve(&b, &req, 7, &out, &last));
	assert_false(last);
	assert_int_equal(out.type, HTTPCOAP_ACK);
	assert_int_equal(out.mid, 500);
	assert_int_equal(out.code, HTTPCOAP_CODE(2, 5));
	assert_int_equal(httpcoap_uint(&out, H2BLOCK_OPT_BLOCK2), 1 << 4 | 1 << 3 | H2BLOCK_SZX);
	assert_int_equal(httpcoap_uint(&out, HTTPCOAP_OPT_CONTENT_FORMAT), 0);
	assert_int_equal(out.payload_len, 1024);
	assert_memory_equal(out.payload, body + 1024, 1024);
	/* the last, as NON; a larger SZX asked for is answered with ours */
	get(&req, "/3/0/0", HTTPCOAP_NON, 2 << 4 | 6);
	assert_true(h2block_serve(&b, &req, 7, &out, &last));
	assert_true(last);
	assert_int_equal(out.type, HTTPCOAP_NON);
	assert_int_equal(out.mid, 7);
	assert_int_equal(out.payload_len, 2500 - 2048);
	assert_int_equal(httpcoap_uint(&out, H2BLOCK_OPT_BLOCK2), 2 << 4 | H2BLOCK_SZX);
	/* smaller blocks: 256 bytes, block 5 */
	get(&req, "/3/0/0", HTTPCOAP_CON, 5 << 4 | 4);
	assert_true(h2block_serve(&b, &req, 7, &out, &last));
	assert_int_equal(out.payload_len, 256);
	assert_memory_equal(out.payload, body + 1280, 256);
	/* past the end */
	get(&req, "/3/0/0", HTTPCOAP_CON, 9 << 4 | H2BLOCK_SZX);
	assert_true(h2block_serve(&b, &req, 7, &out, &last));
	assert_int_equal(out.code, HTTPCOAP_CODE(4, 2));
	h2block_fini(&b);
	assert_null(b.body);
	get(&req, "/3/0/0", HTTPCOAP_CON, 1 << 4 | H2BLOCK_SZX);
	assert_false(h2block_serve(&b, &req, 7, &out, &last));
}

static void test_request_blocks(void **state)
{
	struct httpcoap_msg tmpl, out;
	uint8_t body[2100];
	size_t sent = 0;
	httpcoap_msg_init(&tmpl);
	tmpl.code = 2;
	assert_int_equal(httpcoap_add_target(&tmpl, "/dp", NULL), 0);
	assert_int_equal(httpcoap_add_uint(&tmpl, HTTPCOAP_OPT_CONTENT_FORMAT, 110), 0);
	memset(body, 'x', sizeof(body));
	assert_int_equal(h2block_request(&tmpl, body, sizeof(body), &sent, 1, &out), 0);
	assert_int_equal(sent, 1024);
	assert_int_equal(httpcoap_uint(&out, H2BLOCK_OPT_BLOCK1), 0 << 4 | 1 << 3 | H2BLOCK_SZX);
	assert_int_equal(httpcoap_uint(&out, H2BLOCK_OPT_SIZE1), 2100);
	assert_int_equal(httpcoap_uint(&out, HTTPCOAP_OPT_CONTENT_FORMAT), 110);
	assert_int_equal(out.mid, 1);
	assert_int_equal(h2block_request(&tmpl, body, sizeof(body), &sent, 2, &out), 0);
	assert_int_equal(httpcoap_uint(&out, H2BLOCK_OPT_BLOCK1), 1 << 4 | 1 << 3 | H2BLOCK_SZX);
	assert_int_equal(httpcoap_uint(&out, H2BLOCK_OPT_SIZE1), HTTPCOAP_NO_FORMAT);
	assert_int_equal(h2block_request(&tmpl, body, sizeof(body), &sent, 3, &out), 0);
	assert_int_equal(httpcoap_uint(&out, H2BLOCK_OPT_BLOCK1), 2 << 4 | H2BLOCK_SZX);
	assert_int_equal(out.payload_len, 52);
	assert_int_equal(sent, sizeof(body));
	uint8_t dgram[1500];
	assert_true(httpcoap_encode(&out, dgram, sizeof(dgram)) > 52);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_blocks),
		cmocka_unit_test(test_request_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
