/* zep — the ZigBee Encapsulation Protocol (ZEP) that carries 802.15.4
 * frames over UDP between simulated radios: Wireshark's dissector and
 * RIOT's socket_zep define it (there is no RFC).
 *
 *   v2 data  "EX" 2 1 channel device(2) lqi_mode lqi ntp_time(8) seq(4)
 *            reserved(10) length | PSDU (length octets)
 *   v2 ack   "EX" 2 2 seq(4)
 *   v1       "EX" 1 channel device(2) lqi_mode lqi reserved(7) length | PSDU
 *
 * With lqi_mode 1 ("CRC mode", what RIOT sends) the PSDU ends with the
 * frame's FCS (CRC-16/KERMIT, low byte first); with 0 its last two octets
 * are not an FCS but carry no frame data either.  Both are stripped from
 * what the parser hands back, and a bad FCS is an error.  Other v2 types
 * (RIOT's 255 "HELLO") parse with no frame. */
#ifndef LWGATE_LOWPAN_ZEP_H
#define LWGATE_LOWPAN_ZEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOWPAN_ZEP_PORT      17754
#define LOWPAN_ZEP_V2_HDR    32 /* a v2 data header, length octet included */
#define LOWPAN_ZEP_TYPE_DATA 1
#define LOWPAN_ZEP_TYPE_ACK  2

/* A decoded ZEP packet; frame points into the parsed buffer. */
struct lowpan_zep {
	uint8_t version; /* 1 or 2 */
	uint8_t type;    /* LOWPAN_ZEP_TYPE_*, or another v2 type (no frame) */
	uint8_t channel;
	uint16_t device;
	bool crc_mode; /* lqi_mode 1: the PSDU ended with an FCS, now checked */
	uint8_t lqi;
	uint32_t seq;         /* v2 data and ack */
	const uint8_t *frame; /* the MAC frame without FCS; NULL if none */
	size_t frame_len;
};

/* Decode the UDP payload buf[0..len).  Every length is checked: the
 * length octet must match the datagram and leave room for the FCS.
 * Returns 0, LOWPAN_ERR_TRUNCATED, LOWPAN_ERR_LENGTH, LOWPAN_ERR_FCS
 * (CRC mode, FCS wrong) or LOWPAN_ERR_ZEP (no "EX" preamble, version not 1
 * or 2). */
int lowpan_zep_parse(const uint8_t *buf, size_t len, struct lowpan_zep *z);

/* Encode a v2 data packet in CRC mode carrying frame[0..flen) (no FCS:
 * this appends it) with @channel, @seq and LQI 255 into @out (@outsize
 * octets); the timestamp and device ID are zero.  Returns the packet's
 * length, -EMSGSIZE for a frame longer than 125 octets or -ENOSPC. */
int lowpan_zep_build_data(const uint8_t *frame, size_t flen, uint8_t channel, uint32_t seq,
			  uint8_t *out, size_t outsize);

#endif
