#ifndef LWM2M_BUF_H
#define LWM2M_BUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * A growable byte buffer, the output of every encoder.  Plain data: embed it
 * and use lwm2m_buf_init()/lwm2m_buf_fini().  Encoders append; they never
 * reset, so a caller can reuse one buffer (lwm2m_buf_reset) without freeing.
 */
struct lwm2m_buf {
	uint8_t *data; /* owned; NULL until the first append */
	size_t len;
	size_t cap;
};

/* lwm2m_buf_init - make @b empty, owning nothing. */
void lwm2m_buf_init(struct lwm2m_buf *b);

/* lwm2m_buf_fini - free what @b owns and make it empty. */
void lwm2m_buf_fini(struct lwm2m_buf *b);

/* lwm2m_buf_reset - set the length to zero, keeping the allocation. */
void lwm2m_buf_reset(struct lwm2m_buf *b);

/*
 * lwm2m_buf_grow - the slow path of lwm2m_buf_reserve: reallocate so that
 * @extra more bytes (and a spare NUL) fit.  Returns 0 or -ENOMEM.
 */
int lwm2m_buf_grow(struct lwm2m_buf *b, size_t extra);

/*
 * lwm2m_buf_reserve - make room for @extra more bytes after the current end
 * (inline: encoders call it for every item they write).
 * Returns 0, or -ENOMEM (also when the size would overflow).
 */
static inline int lwm2m_buf_reserve(struct lwm2m_buf *b, size_t extra)
{
	if (extra < b->cap - b->len)
		return 0;
	return lwm2m_buf_grow(b, extra);
}

/* lwm2m_buf_append - append @n bytes from @p.  Returns 0 or -ENOMEM. */
int lwm2m_buf_append(struct lwm2m_buf *b, const void *p, size_t n);

/* lwm2m_buf_append_str - append the NUL-terminated @s (without the NUL). */
int lwm2m_buf_append_str(struct lwm2m_buf *b, const char *s);

/* lwm2m_buf_append_byte - append one byte.  Returns 0 or -ENOMEM. */
int lwm2m_buf_append_byte(struct lwm2m_buf *b, uint8_t c);

/*
 * lwm2m_buf_printf - append printf output (without a NUL).
 * Returns 0, -ENOMEM or -EINVAL for a bad format.
 */
int lwm2m_buf_printf(struct lwm2m_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * lwm2m_buf_cstr - NUL-terminate the content (the NUL is not counted in len)
 * and return it as a string, or NULL on allocation failure.  The pointer is
 * owned by @b and valid until the next append.
 */
const char *lwm2m_buf_cstr(struct lwm2m_buf *b);

#endif
