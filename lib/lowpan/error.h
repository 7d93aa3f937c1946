/* Error codes shared by the lib/lowpan codecs.
 *
 * Every decoder in lib/lowpan returns 0 on success or a negative value:
 * either one of the codes below (malformed or unsupported input, each
 * reason with its own code so that callers can count them separately) or
 * a negative errno (-ENOMEM, -EINVAL for a caller's mistake, -ENOSPC for an
 * output buffer that is too small). */
#ifndef LWGATE_LOWPAN_ERROR_H
#define LWGATE_LOWPAN_ERROR_H

enum lowpan_error {
	LOWPAN_ERR_TRUNCATED = -1000, /* input ends inside a field it announces */
	LOWPAN_ERR_FCS,               /* 802.15.4 FCS does not match */
	LOWPAN_ERR_FRAME_TYPE,        /* reserved or unsupported MAC frame type */
	LOWPAN_ERR_FRAME_VERSION,     /* reserved MAC frame version (3) */
	LOWPAN_ERR_ADDR_MODE,         /* reserved addressing mode (1) */
	LOWPAN_ERR_PANID,             /* PAN ID compression with a missing address */
	LOWPAN_ERR_IE,                /* malformed header/payload IE list */
	LOWPAN_ERR_SECURITY,          /* malformed auxiliary security header */
	LOWPAN_ERR_SECURED,           /* payload is secured and was not decrypted */
	LOWPAN_ERR_NALP,              /* 00xxxxxx: not a LoWPAN frame */
	LOWPAN_ERR_HC1,               /* RFC 4944 HC1 compression (obsolete) */
	LOWPAN_ERR_DISPATCH,          /* reserved or unknown dispatch */
	LOWPAN_ERR_MESH,              /* malformed mesh header */
	LOWPAN_ERR_FRAG,              /* malformed fragment header or fragment */
	LOWPAN_ERR_IPHC,              /* reserved IPHC mode combination */
	LOWPAN_ERR_CONTEXT,           /* IPHC refers to an unconfigured context */
	LOWPAN_ERR_LLADDR,            /* address derivation needs an absent link address */
	LOWPAN_ERR_NHC,               /* unknown or malformed NHC encoding */
	LOWPAN_ERR_LENGTH,            /* inconsistent length fields */
	LOWPAN_ERR_NOT_IPV6,          /* packet to compress is not a valid IPv6 packet */
	LOWPAN_ERR_TOO_BIG,           /* datagram larger than 6LoWPAN can carry */
	LOWPAN_ERR_PCAP,              /* malformed pcap file */
	LOWPAN_ERR_NOT_DATA,          /* beacon, ACK or MAC command: no 6LoWPAN payload */
	LOWPAN_ERR_ZEP,               /* not a ZEP packet (preamble, version) */
	LOWPAN_ERR_MAX_               /* not an error: one past the last code */
};

/* Describe an error returned by a lib/lowpan function: one of the codes
 * above or a negative errno.  Returns a static, constant string. */
const char *lowpan_error_str(int err);

/* Short identifier of a lib/lowpan code ("truncated", "fcs", ...) for
 * counters and machine-readable output; for a negative errno it returns
 * "errno".  Returns a static, constant string. */
const char *lowpan_error_name(int err);

#endif
