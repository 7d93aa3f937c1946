#include "lowpan/checksum.h"

#include <string.h>

static inline uint32_t fold(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

/* Sum native-order 16-bit words in a 64-bit accumulator, 32 bits at a time
 * (RFC 1071 section 2 (B) and (C): the one's-complement sum is independent
 * of byte order up to a final swap, and carries can be deferred). */
uint32_t lowpan_checksum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t acc = 0;
	uint32_t w;

	while (len >= 32) {
		uint32_t v[8];
		memcpy(v, p, sizeof(v));
		acc += (uint64_t)v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
		p += 32;
		len -= 32;
	}
	while (len >= 4) {
		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t h;
		memcpy(&h, p, 2);
		acc += h;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { p[0], 0 };
		uint16_t h;
		memcpy(&h, last, 2);
		acc += h;
	}
	uint32_t s = fold(acc);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = ((s & 0xff) << 8) | (s >> 8);
#endif
	return fold((uint64_t)sum + s);
}

uint16_t lowpan_checksum_finish(uint32_t sum)
{
	return (uint16_t)~fold(sum);
}

uint16_t lowpan_checksum(const void *data, size_t len)
{
	return lowpan_checksum_finish(lowpan_checksum_add(0, data, len));
}

uint16_t lowpan_checksum_update16(uint16_t hc, uint16_t old, uint16_t new_)
{
	uint32_t s = (uint16_t)~hc + (uint32_t)(uint16_t)~old + new_;
	return (uint16_t)~fold(s);
}

uint32_t lowpan_checksum_pseudo6(const uint8_t *src, const uint8_t *dst, uint32_t len, uint8_t nh)
{
	uint32_t s = lowpan_checksum_add(0, src, 16);
	s = lowpan_checksum_add(s, dst, 16);
	return fold((uint64_t)s + (len >> 16) + (len & 0xffff) + nh);
}

void lowpan_checksum_set_udp6(uint8_t *pkt, size_t len, size_t ip_off, size_t udp_off)
{
	uint8_t *udp = pkt + udp_off;
	udp[6] = udp[7] = 0;
	uint32_t s = lowpan_checksum_pseudo6(pkt + ip_off + 8, pkt + ip_off + 24,
					     (uint32_t)(len - udp_off), 17);
	uint16_t c = lowpan_checksum_finish(lowpan_checksum_add(s, udp, len - udp_off));
	if (c == 0)
		c = 0xffff;
	udp[6] = c >> 8;
	udp[7] = c & 0xff;
}

uint16_t lowpan_checksum_icmp6(const uint8_t *pkt, size_t icmp_len)
{
	uint32_t s = lowpan_checksum_pseudo6(pkt + 8, pkt + 24, (uint32_t)icmp_len, 58);
	return lowpan_checksum_finish(lowpan_checksum_add(s, pkt + 40, icmp_len));
}
