/*
 * ipv6 — the fixed IPv6 header (RFC 8200 §3) of the packets lib/lowpan
 * builds itself (ND and RPL messages, RPL's IPv6-in-IPv6 encapsulation).
 */
#ifndef LWGATE_LOWPAN_IPV6_H
#define LWGATE_LOWPAN_IPV6_H

#include <stddef.h>
#include <stdint.h>

#define LOWPAN_IPV6_HDR_LEN 40

/*
 * Write a 40-octet IPv6 header at @p: version 6, traffic class and flow
 * label 0, payload length @payload_len (at most 0xffff; the caller checks),
 * next header @nh, hop limit @hlim, addresses @src and @dst.
 */
void lowpan_ipv6_put_header(uint8_t *p, size_t payload_len, uint8_t nh, uint8_t hlim,
			    const uint8_t src[16], const uint8_t dst[16]);

#endif
