/* h2mem — nghttp2's heap for a server: counted, page-aligned slots for the big blocks. */
#include "http/h2mem.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The slots assume 4 KiB pages; with larger ones a slot would cost more than it saves. */
#define PAGE 4096
/* the frame buffer: 16,394 bytes, five pages */
#define BIG_SLOT (5 * PAGE)
/*
 * a block of 3/4 page to a page gets a page of its own: the 4,096-byte one
 * that session creation callocs, untouched until used; not the ~2.9 KiB
 * session, which is written at once and would only waste the page's rest
 */
#define SMALL_MIN (PAGE * 3 / 4 + 1)

struct pool {
	uint8_t *base;
	size_t slot;    /* bytes per slot */
	size_t n;       /* slots */
	size_t top;     /* slots ever handed out; those past it are fresh */
	uint32_t *free; /* freed slots, a stack */
	size_t n_free;
};

struct h2mem {
	uint8_t *region; /* both pools, one mapping */
	size_t region_len;
	struct pool pool[2]; /* [0] BIG_SLOT, [1] one page */
	size_t bytes, slot_bytes;
};

struct h2mem *h2mem_new(size_t sessions)
{
	struct h2mem *m = calloc(1, sizeof(*m));
	if (!m)
		abort();
	if (sysconf(_SC_PAGESIZE) != PAGE || sessions == 0)
		return m;         /* malloc only */
	size_t n = sessions + 16; /* one of each per session, and a few blocks more */
	m->region_len = n * (BIG_SLOT + PAGE);
	/* reserved, not committed: a page costs memory only once written */
	void *r = mmap(NULL, m->region_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED) {
		m->region_len = 0;
		return m;
	}
	m->region = r;
	m->pool[0] = (struct pool){ .base = m->region, .slot = BIG_SLOT, .n = n };
	m->pool[1] = (struct pool){ .base = m->region + n * BIG_SLOT, .slot = PAGE, .n = n };
	for (int i = 0; i < 2; i++) {
		m->pool[i].free = malloc(n * sizeof(uint32_t));
		if (!m->pool[i].free)
			abort();
	}
	return m;
}

void h2mem_free(struct h2mem *m)
{
	if (!m)
		return;
	if (m->region)
		munmap(m->region, m->region_len);
	free(m->pool[0].free);
	free(m->pool[1].free);
	free(m);
}

static struct pool *pool_for_size(struct h2mem *m, size_t n)
{
	if (!m->region || n < SMALL_MIN || n > BIG_SLOT)
		return NULL;
	return &m->pool[n > PAGE ? 0 : 1];
}

static struct pool *pool_of(struct h2mem *m, const void *p)
{
	const uint8_t *b = p;
	if (!m->region || b < m->region || b >= m->region + m->region_len)
		return NULL;
	return &m->pool[b < m->pool[1].base ? 0 : 1];
}

/* A zeroed slot (fresh, or given back to the kernel when freed), or NULL when none is left. */
static void *slot_take(struct h2mem *m, struct pool *pl)
{
	size_t i;
	if (pl->n_free)
		i = pl->free[--pl->n_free];
	else if (pl->top < pl->n)
		i = pl->top++;
	else
		return NULL;
	m->bytes += pl->slot;
	m->slot_bytes += pl->slot;
	return pl->base + i * pl->slot;
}

static void slot_give(struct h2mem *m, struct pool *pl, void *p)
{
	/* zero pages again, and not resident: the next owner gets calloc's promise for free */
	madvise(p, pl->slot, MADV_DONTNEED);
	pl->free[pl->n_free++] = (uint32_t)(((uint8_t *)p - pl->base) / pl->slot);
	m->bytes -= pl->slot;
	m->slot_bytes -= pl->slot;
}

static void *heap_take(struct h2mem *m, void *p)
{
	if (p)
		m->bytes += malloc_usable_size(p);
	return p;
}

static void *alloc(struct h2mem_owner *o, size_t n, bool zero)
{
	struct h2mem *m = o->mem;
	struct pool *pl = pool_for_size(m, n);
	void *p = pl ? slot_take(m, pl) : NULL;
	if (p) {
		/* the one big block of a session's creation is its frame buffer; any other
		 * (a long header kept in the HPACK table …) holds live bytes, never trimmed */
		if (pl == &m->pool[0] && o->creating && !o->framebuf)
			o->framebuf = p;
		if (pl == &m->pool[1] && o->creating && !o->table)
			o->table = p;
		return p;
	}
	return heap_take(m, zero ? calloc(1, n) : malloc(n));
}

static void *mem_malloc(size_t n, void *arg)
{
	return alloc(arg, n, false);
}

static void *mem_calloc(size_t count, size_t size, void *arg)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	return alloc(arg, count * size, true);
}

static void mem_free(void *p, void *arg)
{
	struct h2mem_owner *o = arg;
	struct h2mem *m = o->mem;
	if (!p)
		return;
	struct pool *pl = pool_of(m, p);
	if (pl) {
		if (p == o->framebuf)
			o->framebuf = NULL;
		if (p == o->table)
			o->table = NULL;
		slot_give(m, pl, p);
		return;
	}
	m->bytes -= malloc_usable_size(p);
	free(p);
}

static void *mem_realloc(void *p, size_t n, void *arg)
{
	struct h2mem_owner *o = arg;
	struct h2mem *m = o->mem;
	if (!p)
		return alloc(o, n, false);
	struct pool *from = pool_of(m, p);
	if (from && n <= from->slot)
		return p;
	if (!from && !pool_for_size(m, n)) {
		size_t was = malloc_usable_size(p);
		void *q = realloc(p, n);
		if (!q)
			return NULL;
		m->bytes -= was;
		return heap_take(m, q);
	}
	/* across kinds: a new block, the bytes that fit, the old one freed */
	size_t old = from ? from->slot : malloc_usable_size(p);
	void *q = alloc(o, n, false);
	if (!q)
		return NULL;
	memcpy(q, p, old < n ? old : n);
	mem_free(p, o);
	return q;
}

nghttp2_mem h2mem_allocator(struct h2mem_owner *owner)
{
	return (nghttp2_mem){ owner, mem_malloc, mem_free, mem_calloc, mem_realloc };
}

bool h2mem_trim(struct h2mem_owner *owner)
{
	static const uint8_t zero[PAGE];
	/* live bytes, but zero ones: whatever nghttp2 keeps there, a zero page holds the same
	 * (a page never written reads as the shared zero page, costing nothing here) */
	if (owner->table && memcmp(owner->table, zero, PAGE) == 0)
		madvise(owner->table, PAGE, MADV_DONTNEED);
	if (!owner->framebuf)
		return false;
	madvise(owner->framebuf, BIG_SLOT, MADV_DONTNEED);
	return true;
}

size_t h2mem_bytes(const struct h2mem *m)
{
	return m->bytes;
}

size_t h2mem_slot_bytes(const struct h2mem *m)
{
	return m->slot_bytes;
}
