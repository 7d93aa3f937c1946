/* IEEE 802.15.4 link-layer addresses and the IPv6 interface identifiers
 * derived from them (RFC 4944 section 6, RFC 6282 section 3.2.2). */
#ifndef LWGATE_LOWPAN_LLADDR_H
#define LWGATE_LOWPAN_LLADDR_H

#include <stdbool.h>
#include <stdint.h>

/* Addressing modes, as coded in the 802.15.4 frame control field. */
enum {
	LOWPAN_ADDR_NONE = 0,
	LOWPAN_ADDR_SHORT = 2,
	LOWPAN_ADDR_EXT = 3,
};

/* A link-layer address in canonical (big-endian) byte order, as written in
 * text and used for IID derivation: a short address is a[0..1], an extended
 * address (EUI-64) is a[0..7].  On the air both are little-endian; the
 * frame codec converts. */
struct lowpan_lladdr {
	uint8_t mode; /* LOWPAN_ADDR_* */
	uint8_t a[8];
};

/* Set *ll to the short address v. */
void lowpan_lladdr_set_short(struct lowpan_lladdr *ll, uint16_t v);

/* Set *ll to the extended address v (EUI-64 as a 64-bit number). */
void lowpan_lladdr_set_ext(struct lowpan_lladdr *ll, uint64_t v);

/* Length in octets of an address of this mode: 0, 2 or 8 (0 for reserved).
 * Inline, so that callers copying into a[] are seen to stay within its 8 octets
 * (gcc -O3 warns of an overflow it cannot rule out otherwise). */
static inline unsigned lowpan_lladdr_len(uint8_t mode)
{
	return mode == LOWPAN_ADDR_SHORT ? 2 : mode == LOWPAN_ADDR_EXT ? 8 : 0;
}

/* True if both addresses have the same mode and the same value. */
bool lowpan_lladdr_equal(const struct lowpan_lladdr *x, const struct lowpan_lladdr *y);

/* Write the 64-bit IPv6 interface identifier derived from *ll into iid:
 * EUI-64 with the U/L bit inverted, or 0000:00ff:fe00:XXXX for a short
 * address (RFC 6282 section 3.2.2).  Returns 0, or LOWPAN_ERR_LLADDR if the
 * address is absent. */
int lowpan_lladdr_iid(const struct lowpan_lladdr *ll, uint8_t iid[8]);

/* Parse "0x1234", "1234" (short, hex) or "00:12:4b:00:00:00:00:01" /
 * "0012:4b00:0000:0001" / "00124b0000000001" (extended) into *ll.
 * Returns 0 or -EINVAL. */
int lowpan_lladdr_parse(const char *s, struct lowpan_lladdr *ll);

#endif
