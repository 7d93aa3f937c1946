/* IEEE 802.15.4 MAC frames (versions 2003, 2006 and 2015): parse and build
 * beacon, data, ACK and MAC command frames, with every addressing mode, PAN
 * ID compression (including the 802.15.4-2015 table), sequence number
 * suppression, header/payload IEs (skipped and exposed), the auxiliary
 * security header (parsed, payload left opaque) and the FCS
 * (CRC-16/ITU-T, LSB first, as 802.15.4 transmits it). */
#ifndef LWGATE_LOWPAN_FRAME_H
#define LWGATE_LOWPAN_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lowpan/lladdr.h"

enum lowpan_frame_type {
	LOWPAN_FRAME_BEACON = 0,
	LOWPAN_FRAME_DATA = 1,
	LOWPAN_FRAME_ACK = 2,
	LOWPAN_FRAME_CMD = 3,
};

enum lowpan_frame_version {
	LOWPAN_FRAME_V2003 = 0,
	LOWPAN_FRAME_V2006 = 1,
	LOWPAN_FRAME_V2015 = 2,
};

/* Flags for lowpan_frame_parse() and lowpan_frame_build(). */
enum {
	/* The buffer ends with the 2-byte FCS: parse verifies and strips it,
	 * build appends it.  Without it the radio has stripped (or will add)
	 * the FCS. */
	LOWPAN_FRAME_FCS = 1u << 0,
	/* With LOWPAN_FRAME_FCS: do not verify, only strip (some sniffers
	 * store a status byte pair instead of the FCS). */
	LOWPAN_FRAME_FCS_NOCHECK = 1u << 1,
};

/* Maximum PHY payload (aMaxPhyPacketSize) of the 2.4 GHz O-QPSK PHY. */
#define LOWPAN_FRAME_MAX 127

/* Auxiliary security header (802.15.4-2006/2015 section 9.4). */
struct lowpan_frame_sec {
	uint8_t level;           /* 0..7; bit 2 = encrypted */
	uint8_t key_id_mode;     /* 0..3 */
	bool counter_suppressed; /* 2015 only */
	bool asn_in_nonce;       /* 2015 only */
	uint32_t frame_counter;
	uint8_t key_source[8]; /* key_id_mode 2: 4 bytes, 3: 8 bytes, wire order */
	uint8_t key_index;
	uint8_t mic_len; /* 0, 4, 8 or 16 bytes at the end of the payload */
};

/* A parsed (or to-be-built) MAC frame.  Pointers point into the buffer
 * given to lowpan_frame_parse() and are valid as long as it is. */
struct lowpan_frame {
	uint8_t type;    /* enum lowpan_frame_type */
	uint8_t version; /* enum lowpan_frame_version */
	bool security;   /* security enabled bit: payload secured, not decrypted */
	bool pending;
	bool ack_req;
	bool panid_comp;
	bool seq_suppressed; /* 2015: no sequence number */
	bool ie_present;     /* 2015: IEs follow the header */
	uint8_t seq;
	bool dst_pan_present, src_pan_present; /* set by parse; computed by build */
	uint16_t dst_pan, src_pan;             /* src_pan = dst_pan when compressed */
	struct lowpan_lladdr dst, src;
	struct lowpan_frame_sec sec; /* valid if security && version >= 2006 */
	/* Header IEs (including any termination IE) and payload IEs, raw. */
	const uint8_t *hdr_ies;
	size_t hdr_ies_len;
	const uint8_t *pl_ies; /* NULL when secured: payload IEs are encrypted */
	size_t pl_ies_len;
	/* MAC payload after header, IEs and (for beacons) superframe fields,
	 * excluding MIC and FCS.  For a secured frame: the still-encrypted
	 * payload (payload IEs included when present). */
	const uint8_t *payload;
	size_t payload_len;
	/* Beacon (versions 2003/2006) superframe specification, and command id
	 * for MAC command frames (the first payload byte, kept in payload). */
	uint16_t superframe;
	uint8_t cmd_id;
	size_t hdr_len; /* octets from the start of the frame to payload/IEs */
};

/* Parse the frame buf[0..len).  flags: LOWPAN_FRAME_FCS if the FCS is
 * present.  Every length is checked before it is read.  Returns 0, or
 * LOWPAN_ERR_TRUNCATED, _FCS, _FRAME_TYPE (reserved types 4..7),
 * _FRAME_VERSION, _ADDR_MODE, _PANID, _IE or _SECURITY.  A secured frame
 * parses successfully with f->security set; its payload must not be
 * interpreted as plaintext. */
int lowpan_frame_parse(const uint8_t *buf, size_t len, unsigned flags, struct lowpan_frame *f);

/* Octets of the MAC header lowpan_frame_build() would write for *f,
 * excluding IEs (f->hdr_ies_len is added) and the FCS; or a negative error
 * (LOWPAN_ERR_ADDR_MODE, LOWPAN_ERR_PANID) for an impossible combination. */
int lowpan_frame_header_len(const struct lowpan_frame *f);

/* Build a frame from *f (type, version, flags, seq, PAN ids, addresses,
 * security header, raw header IEs in hdr_ies) followed by payload[0..plen)
 * into out (outsize bytes), appending the FCS if flags has
 * LOWPAN_FRAME_FCS.  PAN ID presence follows from version, addressing
 * modes and panid_comp (the 2015 table for version 2015).  *outlen is set
 * to the frame length.  Returns 0, -ENOSPC, LOWPAN_ERR_ADDR_MODE or
 * LOWPAN_ERR_PANID. */
int lowpan_frame_build(const struct lowpan_frame *f, const uint8_t *payload, size_t plen,
		       unsigned flags, uint8_t *out, size_t outsize, size_t *outlen);

/* CRC-16/ITU-T as used by 802.15.4 (reflected 0x1021, init 0) of
 * buf[0..len).  The FCS is sent low byte first. */
uint16_t lowpan_frame_crc16(const uint8_t *buf, size_t len);

#endif
