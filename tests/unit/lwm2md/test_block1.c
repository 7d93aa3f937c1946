/*
 * block1: block-wise bodies put together by offset, whatever the block
 * size (RFC 7959 §2.2, and §2.5's smaller blocks on the way), with gaps
 * (4.08), the size limit (4.13, announced or reached), the bound on bodies
 * at once and their expiry.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "block1.h"

static const struct block1_config cfg = { .max_body = 1024, .max_bodies = 2, .lifetime_ms = 1000 };

static uint8_t text[1100];

/* Send @len bytes of text as blocks of 2^(szx+4): the last result. */
static int send_all(struct block1 *b, const char *key, size_t len, unsigned szx,
		    const uint8_t **body, size_t *blen)
{
	size_t size = (size_t)1 << (szx + 4);
	int rc = -1;

	for (uint32_t n = 0; n * size < len; n++) {
		size_t part = len - n * size < size ? len - n * size : size;

		rc = block1_add(b, key, strlen(key), n, (n + 1) * size < len, szx, text + n * size,
				part, 0, 0, body, blen);
		if (rc != BLOCK1_CONTINUE)
			return rc;
	}
	return rc;
}

static void test_every_block_size(void **state)
{
	struct block1 *b = block1_new(&cfg);
	const uint8_t *body;
	size_t len;

	(void)state;
	for (unsigned szx = 0; szx <= 6; szx++) {
		assert_int_equal(send_all(b, "peer/rd", 999, szx, &body, &len), BLOCK1_DONE);
		assert_int_equal(len, 999);
		assert_memory_equal(body, text, 999);
		block1_release(b, "peer/rd", 7);
	}
	/* a last block that is exactly full */
	assert_int_equal(send_all(b, "peer/rd", 1024, 4, &body, &len), BLOCK1_DONE);
	assert_int_equal(len, 1024);
	block1_free(b);
}

static void test_smaller_blocks_on_the_way(void **state)
{
	struct block1 *b = block1_new(&cfg);
	const uint8_t *body;
	size_t len;

	(void)state;
	/* 0..127 in one 128-byte block, then 16-byte blocks from number 8 */
	assert_int_equal(block1_add(b, "k", 1, 0, true, 3, text, 128, 0, 0, &body, &len),
			 BLOCK1_CONTINUE);
	assert_int_equal(block1_add(b, "k", 1, 8, true, 0, text + 128, 16, 0, 0, &body, &len),
			 BLOCK1_CONTINUE);
	assert_int_equal(block1_add(b, "k", 1, 9, false, 0, text + 144, 5, 0, 0, &body, &len),
			 BLOCK1_DONE);
	assert_int_equal(len, 149);
	assert_memory_equal(body, text, 149);
	block1_free(b);
}

static void test_retransmitted_block_and_gap(void **state)
{
	struct block1 *b = block1_new(&cfg);
	struct block1_stats st;
	const uint8_t *body;
	size_t len;

	(void)state;
	assert_int_equal(block1_add(b, "k", 1, 0, true, 2, text, 64, 0, 0, &body, &len),
			 BLOCK1_CONTINUE);
	assert_int_equal(block1_add(b, "k", 1, 1, true, 2, text + 64, 64, 0, 0, &body, &len),
			 BLOCK1_CONTINUE);
	/* block 1 again (a new message ID): the same bytes, nothing lost */
	assert_int_equal(block1_add(b, "k", 1, 1, true, 2, text + 64, 64, 0, 0, &body, &len),
			 BLOCK1_CONTINUE);
	assert_int_equal(block1_add(b, "k", 1, 2, false, 2, text + 128, 1, 0, 0, &body, &len),
			 BLOCK1_DONE);
	assert_int_equal(len, 129);
	block1_release(b, "k", 1);
	/* block 2 right after block 0: 4.08, and the body is gone */
	assert_int_equal(block1_add(b, "k", 1, 0, true, 2, text, 64, 0, 0, &body, &len),
			 BLOCK1_CONTINUE);
	assert_int_equal(block1_add(b, "k", 1, 2, true, 2, text + 128, 64, 0, 0, &body, &len),
			 -EPROTO);
	assert_int_equal(block1_add(b, "k", 1, 1, true, 2, text + 64, 64, 0, 0, &body, &len),
			 -EPROTO);
	/* a later block with no first one */
	assert_int_equal(block1_add(b, "x", 1, 3, false, 2, text, 10, 0, 0, &body, &len), -EPROTO);
	/* a block shorter than its size with more to come, or longer */
	assert_int_equal(block1_add(b, "y", 1, 0, true, 2, text, 63, 0, 0, &body, &len), -EINVAL);
	assert_int_equal(block1_add(b, "y", 1, 0, false, 0, text, 17, 0, 0, &body, &len), -EINVAL);
	assert_int_equal(block1_add(b, "y", 1, 0, false, 7, text, 1, 0, 0, &body, &len), -EINVAL);
	block1_get_stats(b, &st);
	assert_int_equal(st.incomplete, 3);
	assert_int_equal(st.bodies, 0);
	block1_free(b);
}

static void test_too_large(void **state)
{
	struct block1 *b = block1_new(&cfg);
	const uint8_t *body;
	size_t len;

	(void)state;
	/* announced */
	assert_int_equal(block1_add(b, "k", 1, 0, true, 6, text, 1024, 1025, 0, &body, &len),
			 -EMSGSIZE);
	/* reached */
	assert_int_equal(send_all(b, "k", 1100, 4, &body, &len), -EMSGSIZE);
	/* a block number that would overflow the offset */
	assert_int_equal(block1_add(b, "k", 1, 0xfffff, false, 6, text, 1, 0, 0, &body, &len),
			 -EMSGSIZE);
	block1_free(b);
}

static void test_bounded_and_expired(void **state)
{
	struct block1 *b = block1_new(&cfg);
	struct block1_stats st;
	const uint8_t *body;
	size_t len;

	(void)state;
	assert_int_equal(block1_add(b, "a", 1, 0, true, 0, text, 16, 0, 0, &body, &len), 1);
	assert_int_equal(block1_add(b, "b", 1, 0, true, 0, text, 16, 0, 500, &body, &len), 1);
	/* a third body at once: the oldest ("a") gives way */
	assert_int_equal(block1_add(b, "c", 1, 0, true, 0, text, 16, 0, 600, &body, &len), 1);
	assert_int_equal(block1_add(b, "a", 1, 1, false, 0, text, 1, 0, 700, &body, &len), -EPROTO);
	block1_expire(b, 1500); /* "b" started at 500: gone; "c" at 600 stays */
	block1_get_stats(b, &st);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.expired, 1);
	assert_int_equal(st.bodies, 1);
	assert_int_equal(block1_add(b, "c", 1, 1, false, 0, text + 16, 1, 0, 1500, &body, &len),
			 BLOCK1_DONE);
	assert_int_equal(len, 17);
	block1_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_block_size),
		cmocka_unit_test(test_smaller_blocks_on_the_way),
		cmocka_unit_test(test_retransmitted_block_and_gap),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_bounded_and_expired),
	};

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (uint8_t)(i * 7 + 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
