#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <nghttp2/nghttp2.h>

#include "http/h2mem.h"

static bool page_aligned(const void *p)
{
	return ((uintptr_t)p & 4095) == 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Small blocks from malloc, counted; page and frame-buffer sizes in zeroed page-aligned slots. */
static void test_blocks(void **state)
{
	if (sysconf(_SC_PAGESIZE) != 4096)
		skip(); /* h2mem uses malloc alone then */
	struct h2mem *m = h2mem_new(4);
	struct h2mem_owner o = { .mem = m };
	nghttp2_mem mem = h2mem_allocator(&o);
	uint8_t *small = mem.malloc(100, mem.mem_user_data);
	assert_non_null(small);
	assert_true(h2mem_bytes(m) >= 100);
	assert_int_equal(h2mem_slot_bytes(m), 0);
	uint8_t *page = mem.calloc(1, 4096, mem.mem_user_data);
	assert_true(page_aligned(page));
	assert_true(all_zero(page, 4096));
	assert_int_equal(h2mem_slot_bytes(m), 4096);
	uint8_t *big = mem.malloc(16394, mem.mem_user_data);
	assert_true(page_aligned(big));
	assert_int_equal(h2mem_slot_bytes(m), 4096 + 5 * 4096);
	assert_null(o.framebuf); /* not made while creating a session */
	memset(big, 0xab, 16394);
	memset(page, 0xcd, 4096);
	mem.free(big, mem.mem_user_data);
	mem.free(page, mem.mem_user_data);
	/* a slot comes back zeroed, so calloc needs no memset */
	page = mem.calloc(4096, 1, mem.mem_user_data);
	assert_true(all_zero(page, 4096));
	mem.free(page, mem.mem_user_data);
	mem.free(small, mem.mem_user_data);
	mem.free(NULL, mem.mem_user_data);
	assert_int_equal(h2mem_bytes(m), 0);
	assert_int_equal(h2mem_slot_bytes(m), 0);
	assert_null(mem.calloc(SIZE_MAX / 2, 4, mem.mem_user_data));
	h2mem_free(m);
}

/* realloc keeps the bytes across malloc and slots, both ways. */
static void test_resize(void **state)
{
	struct h2mem *m = h2mem_new(4);
	struct h2mem_owner o = { .mem = m };
	nghttp2_mem mem = h2mem_allocator(&o);
	uint8_t *p = mem.realloc(NULL, 64, mem.mem_user_data);
	for (int i = 0; i < 64; i++)
		p[i] = (uint8_t)i;
	p = mem.realloc(p, 4096, mem.mem_user_data); /* to a slot */
	for (int i = 0; i < 64; i++)
		assert_int_equal(p[i], i);
	p = mem.realloc(p, 4000, mem.mem_user_data);  /* fits its slot */
	p = mem.realloc(p, 10000, mem.mem_user_data); /* to a bigger slot */
	for (int i = 0; i < 64; i++)
		assert_int_equal(p[i], i);
	p = mem.realloc(p, 100000, mem.mem_user_data); /* past every slot: malloc */
	for (int i = 0; i < 64; i++)
		assert_int_equal(p[i], i);
	p = mem.realloc(p, 32, mem.mem_user_data);
	for (int i = 0; i < 32; i++)
		assert_int_equal(p[i], i);
	mem.free(p, mem.mem_user_data);
	assert_int_equal(h2mem_bytes(m), 0);
	h2mem_free(m);
}

/* The slots are bounded: past them, blocks come from malloc and still work. */
static void test_slots_bounded(void **state)
{
	if (sysconf(_SC_PAGESIZE) != 4096)
		skip();
	struct h2mem *m = h2mem_new(1); /* 17 slots of each size */
	struct h2mem_owner o = { .mem = m };
	nghttp2_mem mem = h2mem_allocator(&o);
	void *p[40];
	for (int i = 0; i < 40; i++) {
		p[i] = mem.malloc(4096, mem.mem_user_data);
		assert_non_null(p[i]);
		memset(p[i], i, 4096);
	}
	assert_int_equal(h2mem_slot_bytes(m), 17 * 4096);
	for (int i = 0; i < 40; i++)
		mem.free(p[i], mem.mem_user_data);
	assert_int_equal(h2mem_bytes(m), 0);
	h2mem_free(m);
}

static ssize_t no_send(nghttp2_session *s, const uint8_t *d, size_t n, int f, void *u)
{
	return (ssize_t)n;
}

/*
 * A real server session: its heap is counted to the byte (nothing left
 * after nghttp2_session_del), its frame buffer is the slot recorded, and
 * after a trim it frames the next SETTINGS ACK and PING answer correctly.
 */
static void test_session(void **state)
{
	if (sysconf(_SC_PAGESIZE) != 4096)
		skip();
	struct h2mem *m = h2mem_new(2);
	struct h2mem_owner o = { .mem = m, .creating = true };
	nghttp2_mem mem = h2mem_allocator(&o);
	nghttp2_session_callbacks *cb;
	nghttp2_session *s;
	assert_int_equal(nghttp2_session_callbacks_new(&cb), 0);
	nghttp2_session_callbacks_set_send_callback(cb, no_send);
	assert_int_equal(nghttp2_session_server_new3(&s, cb, NULL, NULL, &mem), 0);
	o.creating = false;
	assert_non_null(o.framebuf);
	assert_true(page_aligned(o.framebuf));
	assert_non_null(o.table); /* the stream map, calloc'd */
	assert_true(all_zero(o.table, 4096));
	assert_true(h2mem_bytes(m) > 16384);
	assert_int_equal(nghttp2_submit_settings(s, NGHTTP2_FLAG_NONE, NULL, 0), 0);
	const uint8_t *out;
	assert_int_equal(nghttp2_session_mem_send(s, &out), 9); /* empty SETTINGS */
	assert_int_equal(nghttp2_session_mem_send(s, &out), 0);
	assert_true(h2mem_trim(&o));
	assert_true(all_zero(o.framebuf, 16394)); /* given back: zero pages again */
	static const uint8_t in[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
				    "\x00\x00\x00\x04\x00\x00\x00\x00\x00" /* SETTINGS */
				    "\x00\x00\x08\x06\x00\x00\x00\x00\x00"
				    "abcdefgh"; /* PING */
	assert_int_equal(nghttp2_session_mem_recv(s, in, sizeof(in) - 1), (ssize_t)sizeof(in) - 1);
	/* SETTINGS ACK, then the PING ACK with the same 8 bytes */
	ssize_t n = nghttp2_session_mem_send(s, &out);
	assert_int_equal(n, 9);
	assert_memory_equal(out, "\x00\x00\x00\x04\x01\x00\x00\x00\x00", 9);
	n = nghttp2_session_mem_send(s, &out);
	assert_int_equal(n, 17);
	assert_memory_equal(out,
			    "\x00\x00\x08\x06\x01\x00\x00\x00\x00"
			    "abcdefgh",
			    17);
	assert_true(h2mem_trim(&o)); /* the map, still all zero, goes back too: nothing changes */
	assert_true(all_zero(o.table, 4096));
	nghttp2_session_del(s);
	nghttp2_session_callbacks_del(cb);
	assert_null(o.framebuf);
	assert_null(o.table);
	assert_int_equal(h2mem_bytes(m), 0);
	h2mem_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_resize),
		cmocka_unit_test(test_slots_bounded),
		cmocka_unit_test(test_session),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
