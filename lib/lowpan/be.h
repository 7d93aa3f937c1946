/*
 * be — big-endian (network order) fields in packet buffers, for the
 * ICMPv6 codecs (rpl, nd) and ipv6.  The caller has checked the length.
 */
#ifndef LWGATE_LOWPAN_BE_H
#define LWGATE_LOWPAN_BE_H

#include <stdint.h>

static inline uint16_t lowpan_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t lowpan_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void lowpan_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void lowpan_put32(uint8_t *p, uint32_t v)
{
	lowpan_put16(p, (uint16_t)(v >> 16));
	lowpan_put16(p + 2, (uint16_t)v);
}

#endif
