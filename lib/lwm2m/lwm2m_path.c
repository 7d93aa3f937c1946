#include "lwm2m/lwm2m_path.h"

#include <errno.h>
#include <string.h>

int lwm2m_path_parse(const char *s, size_t n, struct lwm2m_path *out)
{
	struct lwm2m_path p = { .len = 0 };
	size_t i = 0;

	if (n == 0) {
		*out = p;
		return 0;
	}
	if (s[0] != '/')
		return -EINVAL;
	i = 1;
	while (i < n) {
		uint32_t v = 0;
		size_t start = i;

		while (i < n && s[i] >= '0' && s[i] <= '9') {
			v = v * 10 + (uint32_t)(s[i] - '0');
			if (v > LWM2M_ID_MAX)
				return -EINVAL;
			i++;
		}
		if (i == start)
			return -EINVAL;
		if (i - start > 1 && s[start] == '0')
			return -EINVAL;
		if (p.len == LWM2M_PATH_MAX_DEPTH)
			return -EINVAL;
		p.id[p.len++] = (uint16_t)v;
		if (i == n)
			break;
		if (s[i] != '/')
			return -EINVAL;
		i++;
	}
	*out = p;
	return 0;
}

int lwm2m_path_format(const struct lwm2m_path *p, char *buf, size_t size)
{
	char tmp[LWM2M_PATH_STR_MAX];
	size_t pos = 0;

	/* by hand rather than snprintf: decoders and encoders format paths per value */
	if (p->len == 0)
		tmp[pos++] = '/';
	for (unsigned i = 0; i < p->len && i < LWM2M_PATH_MAX_DEPTH; i++) {
		char digits[5];
		unsigned v = p->id[i], n = 0;

		do {
			digits[n++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		tmp[pos++] = '/';
		while (n)
			tmp[pos++] = digits[--n];
	}
	if (pos + 1 > size)
		return -ENOSPC;
	memcpy(buf, tmp, pos);
	buf[pos] = '\0';
	return (int)pos;
}

int lwm2m_path_cmp(const struct lwm2m_path *a, const struct lwm2m_path *b)
{
	unsigned n = a->len < b->len ? a->len : b->len;

	for (unsigned i = 0; i < n; i++) {
		if (a->id[i] != b->id[i])
			return a->id[i] < b->id[i] ? -1 : 1;
	}
	return (int)a->len - (int)b->len;
}

bool lwm2m_path_is_prefix(const struct lwm2m_path *prefix, const struct lwm2m_path *p)
{
	if (prefix->len > p->len)
		return false;
	for (unsigned i = 0; i < prefix->len; i++) {
		if (prefix->id[i] != p->id[i])
			return false;
	}
	return true;
}

bool lwm2m_path_equal(const struct lwm2m_path *a, const struct lwm2m_path *b)
{
	return a->len == b->len && lwm2m_path_is_prefix(a, b);
}

struct lwm2m_path lwm2m_path_make(unsigned len, const uint16_t *ids)
{
	struct lwm2m_path p;

	memset(&p, 0, sizeof(p));
	if (len > LWM2M_PATH_MAX_DEPTH)
		len = LWM2M_PATH_MAX_DEPTH;
	for (unsigned i = 0; i < len; i++)
		p.id[i] = ids[i];
	p.len = (uint8_t)len;
	return p;
}

int lwm2m_path_append(struct lwm2m_path *p, uint32_t id)
{
	if (p->len >= LWM2M_PATH_MAX_DEPTH)
		return -ENOSPC;
	if (id > LWM2M_ID_MAX)
		return -EINVAL;
	p->id[p->len++] = (uint16_t)id;
	return 0;
}
