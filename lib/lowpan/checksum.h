/* The Internet checksum: RFC 1071 computation with wide accumulation and
 * RFC 1624 incremental update (LWIG guidance section 3.3). */
#ifndef LWGATE_LOWPAN_CHECKSUM_H
#define LWGATE_LOWPAN_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add the 16-bit big-endian words of data[0..len) to the one's-complement
 * running sum `sum` (start with 0) and return the new folded sum (0..0xffff).
 * An odd final byte is padded with a zero byte, so only the last chunk of a
 * checksummed range may have odd length. */
uint32_t lowpan_checksum_add(uint32_t sum, const void *data, size_t len);

/* The checksum field value for a folded sum: its one's complement. */
uint16_t lowpan_checksum_finish(uint32_t sum);

/* RFC 1071 checksum of data[0..len): lowpan_checksum_finish(add(0, ...)). */
uint16_t lowpan_checksum(const void *data, size_t len);

/* RFC 1624 equation 3: the checksum field `hc` after one 16-bit word of the
 * covered data changes from `old` to `new_`:  HC' = ~(~HC + ~m + m'). */
uint16_t lowpan_checksum_update16(uint16_t hc, uint16_t old, uint16_t new_);

/* Sum of the IPv6 pseudo-header (RFC 8200 section 8.1) for an upper-layer
 * packet of `len` bytes with next header `nh` between src and dst (16 bytes
 * each).  Returns a folded sum to pass to lowpan_checksum_add(). */
uint32_t lowpan_checksum_pseudo6(const uint8_t *src, const uint8_t *dst, uint32_t len, uint8_t nh);

/* Compute and store the UDP checksum of the UDP datagram at pkt[udp_off..len)
 * carried in the IPv6 header at pkt[ip_off..] (addresses from that header).
 * A computed 0 is sent as 0xffff (RFC 768).  The caller guarantees
 * ip_off + 40 <= udp_off and udp_off + 8 <= len. */
void lowpan_checksum_set_udp6(uint8_t *pkt, size_t len, size_t ip_off, size_t udp_off);

/* The ICMPv6 checksum (RFC 4443 section 2.3) over the icmp_len bytes that
 * follow the 40-byte IPv6 header at pkt (addresses from that header):
 * with the checksum field zeroed, the value to store in it; over a
 * received message, 0 when the checksum is right.  The caller guarantees
 * 40 + icmp_len bytes at pkt. */
uint16_t lowpan_checksum_icmp6(const uint8_t *pkt, size_t icmp_len);

#endif
