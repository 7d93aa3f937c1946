/*
 * pana_msg — PANA messages (RFC 5191 §6, §8) and the RFC 6345 relay
 * message, as pure functions on buffers.
 *
 * Wire format: a 16-byte header (Reserved, Message Length, Flags, Message
 * Type, Session Identifier, Sequence Number) and AVPs.  An AVP is Code,
 * Flags, Length, Reserved, an optional Vendor-Id (V flag) and the value;
 * Length counts the value only (RFC 5191 erratum 1584) and each value is
 * padded to a multiple of 4 bytes.  pana_msg_parse() checks every length
 * before anyone reads a field; pana_msg_begin()/pana_msg_add_*() build a
 * message into a caller's fixed buffer and never write past it.
 */
#ifndef LWGATE_PANA_MSG_H
#define LWGATE_PANA_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PANA_PORT        716
#define PANA_HEADER_LEN  16
#define PANA_AVP_HDR_LEN 8
#define PANA_MAX_AVPS    32   /* more in one message: refused (the profile needs 7) */
#define PANA_MAX_MSG     1280 /* a PANA message that fits the IPv6 minimum MTU */

/* Message flags (RFC 5191 §6.2). */
enum {
	PANA_FLAG_R = 0x8000, /* request */
	PANA_FLAG_S = 0x4000, /* start */
	PANA_FLAG_C = 0x2000, /* complete */
	PANA_FLAG_A = 0x1000, /* re-authentication */
	PANA_FLAG_P = 0x0800, /* ping */
	PANA_FLAG_I = 0x0400, /* IP reconfiguration */
};

/* Message types (RFC 5191 §7, RFC 6345 §4). */
enum pana_msg_type {
	PANA_CLIENT_INITIATION = 1,
	PANA_AUTH = 2,
	PANA_TERMINATION = 3,
	PANA_NOTIFICATION = 4,
	PANA_RELAY = 5,
};

/* AVP codes (RFC 5191 §8, RFC 6345 §5). */
enum pana_avp_code {
	PANA_AVP_AUTH = 1,
	PANA_AVP_EAP_PAYLOAD = 2,
	PANA_AVP_INTEGRITY_ALG = 3,
	PANA_AVP_KEY_ID = 4,
	PANA_AVP_NONCE = 5,
	PANA_AVP_PRF_ALG = 6,
	PANA_AVP_RESULT_CODE = 7,
	PANA_AVP_SESSION_LIFETIME = 8,
	PANA_AVP_TERMINATION_CAUSE = 9,
	PANA_AVP_PAC_INFORMATION = 10,
	PANA_AVP_RELAYED_MESSAGE = 11,
};

#define PANA_AVP_FLAG_V 0x8000 /* a Vendor-Id follows the header */

/* Result-Code values (RFC 5191 §8.7). */
enum {
	PANA_SUCCESS = 0,
	PANA_AUTHENTICATION_REJECTED = 1,
	PANA_AUTHORIZATION_REJECTED = 2,
};

/* Termination-Cause values (RFC 5191 §8.9, from Diameter). */
enum {
	PANA_TERM_LOGOUT = 1,
	PANA_TERM_ADMINISTRATIVE = 4,
	PANA_TERM_SESSION_TIMEOUT = 8,
};

/* Algorithm numbers (IKEv2 transform IDs, RFC 5191 §8.3 and §8.6). */
#define PANA_PRF_HMAC_SHA1      2
#define PANA_AUTH_HMAC_SHA1_160 7
#define PANA_AUTH_LEN           20
#define PANA_NONCE_LEN          20

struct pana_avp {
	uint16_t code;
	uint16_t flags;
	uint32_t vendor; /* 0 unless PANA_AVP_FLAG_V */
	const uint8_t *value;
	uint16_t len;
};

/* A parsed message; the AVP values point into the parsed buffer. */
struct pana_msg {
	uint16_t flags;
	uint16_t type;
	uint32_t session_id;
	uint32_t seq;
	size_t navps;
	struct pana_avp avps[PANA_MAX_AVPS];
};

/*
 * Parse @len bytes at @buf into @out.  Returns 0, or -EBADMSG when the
 * header or an AVP does not fit, Message Length is not @len, or an AVP's
 * padding runs past the end; -E2BIG past PANA_MAX_AVPS AVPs.  Reserved
 * fields and flags are ignored, as §6.2 says.
 */
int pana_msg_parse(const uint8_t *buf, size_t len, struct pana_msg *out);

/* The first AVP with @code and no vendor, or NULL. */
const struct pana_avp *pana_msg_find(const struct pana_msg *msg, uint16_t code);

/*
 * The 32-bit value of AVP @code when it is present and exactly 4 bytes
 * long: 0 and *out, -ENOENT when absent, -EBADMSG when of another length.
 */
int pana_msg_get_u32(const struct pana_msg *msg, uint16_t code, uint32_t *out);

/* A message being built in a fixed buffer (PANA_MAX_MSG bytes). */
struct pana_builder {
	uint8_t buf[PANA_MAX_MSG];
	size_t len;
	int error; /* the first error of an add; pana_msg_end() returns it */
};

/* Start a message: writes the header (length fixed by pana_msg_end()). */
void pana_msg_begin(struct pana_builder *b, uint16_t flags, uint16_t type, uint32_t session_id,
		    uint32_t seq);

/* Append an AVP with @len bytes of @value (padded); an error sticks in b->error. */
void pana_msg_add(struct pana_builder *b, uint16_t code, const void *value, size_t len);

/* Append an AVP whose value is the 32-bit @value, network order. */
void pana_msg_add_u32(struct pana_builder *b, uint16_t code, uint32_t value);

/*
 * Append an AUTH AVP with a zero value, to be signed by pana_auth_sign()
 * once the message is ended; returns the offset of the value in b->buf.
 */
size_t pana_msg_add_auth(struct pana_builder *b);

/*
 * Fix the Message Length.  Returns the length of the message, or -EMSGSIZE
 * when an AVP did not fit (the message must not be sent).
 */
int pana_msg_end(struct pana_builder *b);

/* "PCI", "PAR", "PAN", "PTR", … from the type and the R flag. */
const char *pana_msg_name(uint16_t type, uint16_t flags);

#endif
