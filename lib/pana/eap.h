/*
 * eap — the EAP packet header (RFC 3748 §4) as pure functions: what PANA's
 * EAP-Payload AVP and RADIUS's EAP-Message attributes carry.
 */
#ifndef LWGATE_PANA_EAP_H
#define LWGATE_PANA_EAP_H

#include <stddef.h>
#include <stdint.h>

enum eap_code {
	EAP_REQUEST = 1,
	EAP_RESPONSE = 2,
	EAP_SUCCESS = 3,
	EAP_FAILURE = 4,
};

#define EAP_TYPE_IDENTITY 1
#define EAP_TYPE_NAK      3
#define EAP_TYPE_PSK      47
#define EAP_HDR_LEN       4

/* A parsed EAP packet; data points into the parsed buffer. */
struct eap_pkt {
	uint8_t code;
	uint8_t id;
	uint16_t len;        /* the Length field: the whole packet */
	uint8_t type;        /* requests and responses; 0 for success and failure */
	const uint8_t *data; /* after the type (requests, responses), else NULL */
	size_t data_len;
};

/*
 * Parse @len bytes at @buf.  Returns 0, or -EBADMSG when the Length field
 * is not @len, the code is unknown, or a request or response has no type.
 */
int eap_parse(const uint8_t *buf, size_t len, struct eap_pkt *out);

/* Write a 4-byte Success or Failure with @id into @out (4 bytes); returns 4. */
size_t eap_build_result(uint8_t code, uint8_t id, uint8_t out[EAP_HDR_LEN]);

/* Write Code, Identifier and Length (= @len) at @out: the start of any packet. */
void eap_put_header(uint8_t *out, uint8_t code, uint8_t id, uint16_t len);

#endif
