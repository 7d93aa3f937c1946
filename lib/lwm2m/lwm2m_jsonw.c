#include "lwm2m/lwm2m_jsonw.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lwm2m_jsonw_string(struct lwm2m_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t run = 0;

	/* worst case every byte becomes \u00XX */
	if (n > (SIZE_MAX - 2) / 6 || lwm2m_buf_reserve(b, n + 2) < 0)
		return -ENOMEM;
	b->data[b->len++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];
		size_t elen = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		if (lwm2m_buf_append(b, s + run, i - run) < 0)
			return -ENOMEM;
		run = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			elen = 6;
		}
		if (lwm2m_buf_append(b, esc, elen) < 0)
			return -ENOMEM;
	}
	if (lwm2m_buf_append(b, s + run, n - run) < 0)
		return -ENOMEM;
	return lwm2m_buf_append_byte(b, '"');
}

int lwm2m_jsonw_double(struct lwm2m_buf *b, double d, int keep_float)
{
	char tmp[40];
	int n = 0;

	if (!isfinite(d))
		return -EDOM;
	/* most values need 15-17 significant digits at most; stop at the first that reads back */
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	if (keep_float && !strpbrk(tmp, ".eEn")) {
		if ((size_t)n + 2 < sizeof(tmp)) {
			memcpy(tmp + n, ".0", 3);
			n += 2;
		}
	}
	return lwm2m_buf_append(b, tmp, (size_t)n);
}

int lwm2m_jsonw_int(struct lwm2m_buf *b, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)v);

	return lwm2m_buf_append(b, tmp, (size_t)n);
}

int lwm2m_jsonw_uint(struct lwm2m_buf *b, uint64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);

	return lwm2m_buf_append(b, tmp, (size_t)n);
}
