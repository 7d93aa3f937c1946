/*
 * notifyblk: a Block2 notification put together with its first block's
 * Observe, type and format (RFC 7959 §2.6); a block of another
 * representation (another ETag, §2.4), a later block without a first one,
 * and a gap drop the body; a newer notification's block 0 starts over;
 * the bound on bodies at once.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "notifyblk.h"

static const uint8_t tok_a[OBSERVE_TOKEN_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t tok_b[OBSERVE_TOKEN_LEN] = { 8, 7, 6, 5, 4, 3, 2, 1 };
static uint8_t text[200];

/* Block @num (16 bytes, szx 0) of a 40-byte body on @token with @etag. */
static struct observe_msg blk(const uint8_t *token, uint32_t num, uint8_t etag)
{
	struct observe_msg m = { .token = token, .token_len = OBSERVE_TOKEN_LEN, .code = 69,
				 .has_block2 = true, .block_num = num, .block_more = num < 2,
				 .block_szx = 0, .etag = { etag }, .etag_len = 1 };

	m.payload = text + 16 * num;
	m.len = num < 2 ? 16 : 8;
	if (num == 0) {
		m.has_observe = true;
		m.seq = 42;
		m.confirmable = true;
		m.has_format = true;
		m.format = 0;
	}
	return m;
}

static void test_put_together(void **state)
{
	struct notifyblk *nb = notifyblk_new(1024, 4);
	struct observe_msg m, whole;
	struct notifyblk_stats st;

	(void)state;
	for (uint32_t n = 0; n < 2; n++) {
		m = blk(tok_a, n, 9);
		assert_int_equal(notifyblk_add(nb, &m, 0, &whole), NOTIFYBLK_PART);
	}
	m = blk(tok_a, 2, 9);
	assert_int_equal(notifyblk_add(nb, &m, 0, &whole), NOTIFYBLK_DONE);
	assert_int_equal(whole.len, 40);
	assert_memory_equal(whole.payload, text, 40);
	/* the first block's Observe and type, not the last block's (none, NON) */
	assert_true(whole.has_observe && whole.confirmable && whole.has_format);
	assert_int_equal(whole.seq, 42);
	assert_false(whole.has_block2);
	notifyblk_release(nb, tok_a, OBSERVE_TOKEN_LEN);
	notifyblk_get_stats(nb, &st);
	assert_int_equal(st.bodies, 0);
	assert_int_equal(st.completed, 1);
	assert_int_equal(st.blocks, 3);
	notifyblk_free(nb);
}

static void test_dropped(void **state)
{
	struct notifyblk *nb = notifyblk_new(1024, 4);
	struct observe_msg m, whole;
	struct notifyblk_stats st;

	(void)state;
	/* another ETag: another representation */
	m = blk(tok_a, 0, 1);
	assert_int_equal(notifyblk_add(nb, &m, 0, &whole), NOTIFYBLK_PART);
	m = blk(tok_a, 1, 2);
	assert_int_equal(notifyblk_add(nb, &m, 0, &whole), -EPROTO);
	/* no first block (it was dropped, or came before a restart) */
	m = blk(tok_a, 2, 2);
	assert_int_equal(notifyblk_add(nb, &m, 0, &whole), -EPROTO);
	/* a gap */
	m = blk(tok_b, 0, 1);
	assert_int_equal(notifyblk_add(nb, &m, 0, &whole), NOTIFYBLK_PART);
	m = blk(tok_b, 2, 1);
	assert_int_equal(notifyblk_add(nb, &m, 0, &whole), -EPROTO);
	notifyblk_get_stats(nb, &st);
	assert_int_equal(st.dropped, 3);
	assert_int_equal(st.bodies, 0);
	/* a newer notification's block 0 starts the body over */
	m = blk(tok_a, 0, 1);
	assert_int_equal(notifyblk_add(nb, &m, 0, &whole), NOTIFYBLK_PART);
	m = blk(tok_a, 0, 5);
	m.seq = 43;
	assert_int_equal(notifyblk_add(nb, &m, 0, &whole), NOTIFYBLK_PART);
	for (uint32_t n = 1; n <= 2; n++) {
		m = blk(tok_a, n, 5);
		assert_int_equal(notifyblk_add(nb, &m, 0, &whole),
				 n == 2 ? NOTIFYBLK_DONE : NOTIFYBLK_PART);
	}
	assert_int_equal(whole.seq, 43);
	notifyblk_free(nb);
}

static void test_bounded(void **state)
{
	struct notifyblk *nb = notifyblk_new(1024, 2);
	uint8_t tokens[5][OBSERVE_TOKEN_LEN];
	struct observe_msg m, whole;
	struct notifyblk_stats st;

	(void)state;
	for (int i = 0; i < 5; i++) {
		memset(tokens[i], i + 1, OBSERVE_TOKEN_LEN);
		m = blk(tokens[i], 0, 1);
		assert_int_equal(notifyblk_add(nb, &m, 0, &whole), NOTIFYBLK_PART);
	}
	notifyblk_get_stats(nb, &st);
	assert_int_equal(st.bodies, 2);
	/* the oldest gave way: its next block has no first block any more */
	m = blk(tokens[0], 1, 1);
	assert_int_equal(notifyblk_add(nb, &m, 0, &whole), -EPROTO);
	/* bodies past EXCHANGE_LIFETIME are dropped */
	notifyblk_expire(nb, 248000);
	notifyblk_get_stats(nb, &st);
	assert_int_equal(st.bodies, 0);
	notifyblk_free(nb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_together),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_bounded),
	};

	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (uint8_t)i;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
