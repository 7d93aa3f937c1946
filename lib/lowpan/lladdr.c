#include "lowpan/lladdr.h"
#include "lowpan/error.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

void lowpan_lladdr_set_short(struct lowpan_lladdr *ll, uint16_t v)
{
	memset(ll, 0, sizeof(*ll));
	ll->mode = LOWPAN_ADDR_SHORT;
	ll->a[0] = v >> 8;
	ll->a[1] = v & 0xff;
}

void lowpan_lladdr_set_ext(struct lowpan_lladdr *ll, uint64_t v)
{
	ll->mode = LOWPAN_ADDR_EXT;
	for (int i = 7; i >= 0; i--, v >>= 8)
		ll->a[i] = v & 0xff;
}

bool lowpan_lladdr_equal(const struct lowpan_lladdr *x, const struct lowpan_lladdr *y)
{
	return x->mode == y->mode && memcmp(x->a, y->a, lowpan_lladdr_len(x->mode)) == 0;
}

int lowpan_lladdr_iid(const struct lowpan_lladdr *ll, uint8_t iid[8])
{
	switch (ll->mode) {
	case LOWPAN_ADDR_EXT:
		memcpy(iid, ll->a, 8);
		iid[0] ^= 0x02;
		return 0;
	case LOWPAN_ADDR_SHORT:
		memcpy(iid, "\x00\x00\x00\xff\xfe\x00", 6);
		iid[6] = ll->a[0];
		iid[7] = ll->a[1];
		return 0;
	default:
		return LOWPAN_ERR_LLADDR;
	}
}

int lowpan_lladdr_parse(const char *s, struct lowpan_lladdr *ll)
{
	uint8_t b[8];
	unsigned n = 0, nib = 0, cur = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++) {
		if (*s == ':' || *s == '-')
			continue;
		if (!isxdigit((unsigned char)*s) || n == 8)
			return -EINVAL;
		cur = cur << 4 | (unsigned)(isdigit((unsigned char)*s)
						    ? *s - '0'
						    : (tolower((unsigned char)*s) - 'a' + 10));
		if (++nib == 2) {
			b[n++] = cur;
			nib = cur = 0;
		}
	}
	if (nib != 0 || (n != 2 && n != 8))
		return -EINVAL;
	memset(ll, 0, sizeof(*ll));
	ll->mode = n == 2 ? LOWPAN_ADDR_SHORT : LOWPAN_ADDR_EXT;
	memcpy(ll->a, b, n);
	return 0;
}
