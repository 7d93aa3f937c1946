#include "lowpan/ipv6.h"

#include <string.h>

#include "lowpan/be.h"

void lowpan_ipv6_put_header(uint8_t *p, size_t payload_len, uint8_t nh, uint8_t hlim,
			    const uint8_t src[16], const uint8_t dst[16])
{
	memset(p, 0, 4);
	p[0] = 0x60;
	lowpan_put16(p + 4, (uint16_t)payload_len);
	p[6] = nh;
	p[7] = hlim;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
}
