#include "lowpan/zep.h"

#include <errno.h>
#include <string.h>

#include "lowpan/be.h"
#include "lowpan/error.h"
#include "lowpan/frame.h"

#define V1_HDR  16
#define V2_ACK  8
#define FCS_LEN 2

/* The PSDU after a header of @hdr octets whose last octet is its length. */
static int psdu(const uint8_t *buf, size_t len, size_t hdr, struct lowpan_zep *z)
{
	size_t n;

	if (len < hdr)
		return LOWPAN_ERR_TRUNCATED;
	n = buf[hdr - 1] & 0x7f; /* the top bit is reserved (aMaxPhyPacketSize 127) */
	if (len - hdr < n)
		return LOWPAN_ERR_TRUNCATED;
	/* a datagram is one packet: octets beyond the PSDU mean the length lies */
	if (len - hdr > n || n < FCS_LEN)
		return LOWPAN_ERR_LENGTH;
	z->frame = buf + hdr;
	z->frame_len = n - FCS_LEN;
	if (z->crc_mode) {
		uint16_t fcs = (uint16_t)(buf[hdr + n - 2] | buf[hdr + n - 1] << 8);

		if (lowpan_frame_crc16(z->frame, z->frame_len) != fcs)
			return LOWPAN_ERR_FCS;
	}
	return 0;
}

int lowpan_zep_parse(const uint8_t *buf, size_t len, struct lowpan_zep *z)
{
	memset(z, 0, sizeof(*z));
	if (len < 4)
		return LOWPAN_ERR_TRUNCATED;
	if (buf[0] != 'E' || buf[1] != 'X' || (buf[2] != 1 && buf[2] != 2))
		return LOWPAN_ERR_ZEP;
	z->version = buf[2];
	if (z->version == 1) {
		if (len < V1_HDR)
			return LOWPAN_ERR_TRUNCATED;
		z->type = LOWPAN_ZEP_TYPE_DATA;
		z->channel = buf[3];
		z->device = lowpan_get16(buf + 4);
		z->crc_mode = buf[6] == 1;
		z->lqi = buf[7];
		return psdu(buf, len, V1_HDR, z);
	}
	z->type = buf[3];
	if (z->type == LOWPAN_ZEP_TYPE_ACK) {
		if (len < V2_ACK)
			return LOWPAN_ERR_TRUNCATED;
		z->seq = lowpan_get32(buf + 4);
		return 0;
	}
	if (z->type != LOWPAN_ZEP_TYPE_DATA)
		return 0;
	if (len < LOWPAN_ZEP_V2_HDR)
		return LOWPAN_ERR_TRUNCATED;
	z->channel = buf[4];
	z->device = lowpan_get16(buf + 5);
	z->crc_mode = buf[7] == 1;
	z->lqi = buf[8];
	z->seq = lowpan_get32(buf + 17);
	return psdu(buf, len, LOWPAN_ZEP_V2_HDR, z);
}

int lowpan_zep_build_data(const uint8_t *frame, size_t flen, uint8_t channel, uint32_t seq,
			  uint8_t *out, size_t outsize)
{
	uint16_t fcs;

	if (flen > LOWPAN_FRAME_MAX - FCS_LEN)
		return -EMSGSIZE;
	if (outsize < LOWPAN_ZEP_V2_HDR + flen + FCS_LEN)
		return -ENOSPC;
	memset(out, 0, LOWPAN_ZEP_V2_HDR);
	out[0] = 'E';
	out[1] = 'X';
	out[2] = 2;
	out[3] = LOWPAN_ZEP_TYPE_DATA;
	out[4] = channel;
	out[7] = 1; /* CRC mode: the FCS follows the frame */
	out[8] = 0xff;
	lowpan_put32(out + 17, seq);
	out[31] = (uint8_t)(flen + FCS_LEN);
	memcpy(out + LOWPAN_ZEP_V2_HDR, frame, flen);
	fcs = lowpan_frame_crc16(frame, flen);
	out[LOWPAN_ZEP_V2_HDR + flen] = (uint8_t)fcs;
	out[LOWPAN_ZEP_V2_HDR + flen + 1] = (uint8_t)(fcs >> 8);
	return (int)(LOWPAN_ZEP_V2_HDR + flen + FCS_LEN);
}
