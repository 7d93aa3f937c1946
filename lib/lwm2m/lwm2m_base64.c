#include "lwm2m/lwm2m_base64.h"

#include <errno.h>

static const char std_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int lwm2m_base64_encode(const uint8_t *p, size_t n, bool url, struct lwm2m_buf *out)
{
	const char *a = url ? url_alpha : std_alpha;
	size_t full = n / 3, rest = n % 3, need;
	char *o;

	need = (n + 2) / 3 * 4;
	if (lwm2m_buf_reserve(out, need) < 0)
		return -ENOMEM;
	o = (char *)out->data + out->len;
	for (size_t i = 0; i < full; i++, p += 3) {
		uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];

		*o++ = a[v >> 18];
		*o++ = a[(v >> 12) & 63];
		*o++ = a[(v >> 6) & 63];
		*o++ = a[v & 63];
	}
	if (rest) {
		uint32_t v = (uint32_t)p[0] << 16 | (rest == 2 ? (uint32_t)p[1] << 8 : 0);

		*o++ = a[v >> 18];
		*o++ = a[(v >> 12) & 63];
		if (rest == 2)
			*o++ = a[(v >> 6) & 63];
		if (!url) {
			if (rest == 1)
				*o++ = '=';
			*o++ = '=';
		}
	}
	out->len = (size_t)((uint8_t *)o - out->data);
	return 0;
}

size_t lwm2m_base64_decoded_max(size_t n)
{
	return n / 4 * 3 + 3;
}

static int value_of(char c, int *alpha)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '/') {
		if (*alpha == 2)
			return -1;
		*alpha = 1;
		return c == '+' ? 62 : 63;
	}
	if (c == '-' || c == '_') {
		if (*alpha == 1)
			return -1;
		*alpha = 2;
		return c == '-' ? 62 : 63;
	}
	return -1;
}

int lwm2m_base64_decode(const char *s, size_t n, uint8_t *out, size_t *outlen, size_t *bad_at)
{
	size_t len = n, o = 0, i;
	uint32_t acc = 0;
	int bits = 0, alpha = 0;

	/* padding, if any, must complete the last quantum */
	if (len > 0 && s[len - 1] == '=') {
		len--;
		if (len > 0 && s[len - 1] == '=')
			len--;
		if (n % 4 != 0) {
			if (bad_at)
				*bad_at = len;
			return -EBADMSG;
		}
	}
	if (len % 4 == 1) {
		if (bad_at)
			*bad_at = len - 1;
		return -EBADMSG;
	}
	for (i = 0; i < len; i++) {
		int v = value_of(s[i], &alpha);

		if (v < 0) {
			if (bad_at)
				*bad_at = i;
			return -EBADMSG;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* leftover bits must be zero (canonical encoding) */
	if (bits && (acc & ((1u << bits) - 1))) {
		if (bad_at)
			*bad_at = len - 1;
		return -EBADMSG;
	}
	*outlen = o;
	return 0;
}
