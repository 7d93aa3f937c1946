#include "lwm2m/lwm2m_buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lwm2m_buf_init(struct lwm2m_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void lwm2m_buf_fini(struct lwm2m_buf *b)
{
	free(b->data);
	lwm2m_buf_init(b);
}

void lwm2m_buf_reset(struct lwm2m_buf *b)
{
	b->len = 0;
}

int lwm2m_buf_grow(struct lwm2m_buf *b, size_t extra)
{
	size_t need, cap;
	uint8_t *p;

	if (extra > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	/* one spare byte so lwm2m_buf_cstr never has to grow */
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int lwm2m_buf_append(struct lwm2m_buf *b, const void *p, size_t n)
{
	int rc;

	if (n == 0)
		return 0;
	rc = lwm2m_buf_reserve(b, n);
	if (rc < 0)
		return rc;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int lwm2m_buf_append_str(struct lwm2m_buf *b, const char *s)
{
	return lwm2m_buf_append(b, s, strlen(s));
}

int lwm2m_buf_append_byte(struct lwm2m_buf *b, uint8_t c)
{
	if (b->len + 1 >= b->cap) {
		int rc = lwm2m_buf_reserve(b, 1);

		if (rc < 0)
			return rc;
	}
	b->data[b->len++] = c;
	return 0;
}

int lwm2m_buf_printf(struct lwm2m_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	rc = lwm2m_buf_reserve(b, (size_t)n);
	if (rc < 0)
		return rc;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

const char *lwm2m_buf_cstr(struct lwm2m_buf *b)
{
	if (lwm2m_buf_reserve(b, 0) < 0)
		return NULL;
	b->data[b->len] = '\0';
	return (const char *)b->data;
}
