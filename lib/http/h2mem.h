/*
 * h2mem — the heap of a server's nghttp2 sessions (nghttp2_mem), counted
 * exactly, and laid out so that an idle session costs little resident
 * memory.  Internal to lib/http.
 *
 * Why: each nghttp2 session (1.52) allocates at once a 16 KiB frame buffer
 * (NGHTTP2_FRAMEBUF_CHUNKLEN, written with every frame sent) and a 4 KiB
 * stream map, beside its ~3 KiB session and two 1 KiB header-table rings.
 * From malloc, the frame buffer shares pages with its neighbours, so its
 * first and last pages stay resident for the connection's life.  Here the
 * blocks of a page or more come from page-aligned slots of one reserved
 * region instead: a page nobody wrote to is never resident (a fresh map
 * costs nothing until a stream is stored), and an idle session's frame
 * buffer, whose bytes are dead once nghttp2 has nothing left to send, is
 * given back to the kernel (h2mem_trim, MADV_DONTNEED) without freeing it,
 * and so is its stream map's page once it holds only zero bytes again (no
 * stream stored): a fresh zero page reads the same.
 * Slots are bounded (two per connection the server accepts); past them,
 * and for every smaller block, plain malloc.
 */
#ifndef LWGATE_HTTP_H2MEM_H
#define LWGATE_HTTP_H2MEM_H

#include <stdbool.h>
#include <stddef.h>

#include <nghttp2/nghttp2.h>

struct h2mem;

/* Blocks of one session, for h2mem_trim(): the allocator's user data. */
struct h2mem_owner {
	struct h2mem *mem;
	void *framebuf; /* the session's frame buffer slot, or NULL */
	void *table;    /* its page-sized block (the stream map), or NULL */
	bool creating;  /* set around nghttp2_session_*_new*(): which blocks are which */
};

/* An allocator with room for @sessions sessions' slots; never NULL (aborts). */
struct h2mem *h2mem_new(size_t sessions);

/* Release the region; every session must have gone.  NULL is fine. */
void h2mem_free(struct h2mem *m);

/* An nghttp2_mem for one session; @owner must outlive the session. */
nghttp2_mem h2mem_allocator(struct h2mem_owner *owner);

/*
 * Give the pages of @owner's frame buffer back to the kernel; only when
 * nghttp2 has nothing to send (nghttp2_session_mem_send() returned 0), as
 * they then hold nothing it reads again.  Its page-sized block goes too
 * when all its bytes are zero.  Returns true when there was a frame buffer.
 */
bool h2mem_trim(struct h2mem_owner *owner);

/* Bytes nghttp2 holds now in all (slots count whole), and how many of them are in slots. */
size_t h2mem_bytes(const struct h2mem *m);
size_t h2mem_slot_bytes(const struct h2mem *m);

#endif
