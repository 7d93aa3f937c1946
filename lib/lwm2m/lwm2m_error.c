#include "lwm2m/lwm2m_error.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int lwm2m_error_set(struct lwm2m_error *err, int code, size_t offset, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!err)
		return code;
	err->code = code;
	err->offset = offset;
	if (offset != SIZE_MAX)
		n = snprintf(err->msg, sizeof(err->msg), "offset %zu: ", offset);
	if (n < 0 || (size_t)n >= sizeof(err->msg))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

void lwm2m_error_clear(struct lwm2m_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->offset = SIZE_MAX;
	err->msg[0] = '\0';
}
