/*
 * radius — the RADIUS packets of EAP pass-through (RFC 2865, RFC 3579) as
 * pure functions: Access-Request with EAP-Message and Message-Authenticator
 * out; Access-Challenge, -Accept and -Reject in, with their Response
 * Authenticator and Message-Authenticator checked; the MSK from the
 * MS-MPPE-Recv-Key and MS-MPPE-Send-Key attributes (RFC 2548 §2.4, as RFC
 * 3580 and hostapd use them: MSK = Recv-Key | Send-Key).
 */
#ifndef LWGATE_PANA_RADIUS_H
#define LWGATE_PANA_RADIUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RADIUS_HDR_LEN   20
#define RADIUS_MAX_LEN   4096
#define RADIUS_MAX_ATTRS 128
#define RADIUS_AUTH_LEN  16
#define RADIUS_MSK_LEN   64

enum radius_code {
	RADIUS_ACCESS_REQUEST = 1,
	RADIUS_ACCESS_ACCEPT = 2,
	RADIUS_ACCESS_REJECT = 3,
	RADIUS_ACCESS_CHALLENGE = 11,
};

enum radius_attr_type {
	RADIUS_USER_NAME = 1,
	RADIUS_FRAMED_MTU = 12,
	RADIUS_STATE = 24,
	RADIUS_VENDOR_SPECIFIC = 26,
	RADIUS_CALLING_STATION_ID = 31,
	RADIUS_NAS_IDENTIFIER = 32,
	RADIUS_EAP_MESSAGE = 79,
	RADIUS_MESSAGE_AUTHENTICATOR = 80,
};

struct radius_attr {
	uint8_t type;
	uint8_t len; /* of the value */
	const uint8_t *value;
};

/* A parsed packet; pointers point into the parsed buffer. */
struct radius_pkt {
	uint8_t code, id;
	uint16_t len;        /* the Length field; octets after it are padding (RFC 2865 §3) */
	const uint8_t *auth; /* the 16-byte authenticator */
	size_t nattrs;
	struct radius_attr attrs[RADIUS_MAX_ATTRS];
};

/*
 * Parse @len bytes at @buf.  Returns 0, or -EBADMSG when the Length field
 * is under 20, over 4096 or over @len, or an attribute does not fit;
 * -E2BIG past RADIUS_MAX_ATTRS attributes.
 */
int radius_parse(const uint8_t *buf, size_t len, struct radius_pkt *out);

/* The first attribute of @type, or NULL. */
const struct radius_attr *radius_find(const struct radius_pkt *p, uint8_t type);

/*
 * The EAP packet carried in the EAP-Message attributes of @p, concatenated
 * in order, into @out.  Returns its length, -ENOENT when there is none,
 * -EMSGSIZE over @size.
 */
int radius_eap(const struct radius_pkt *p, uint8_t *out, size_t size);

/* An Access-Request being built. */
struct radius_builder {
	uint8_t buf[RADIUS_MAX_LEN];
	size_t len;
	size_t ma_off; /* where the Message-Authenticator's value is */
	int error;
};

/* Start an Access-Request with identifier @id and Request Authenticator @auth (16 random bytes). */
void radius_begin(struct radius_builder *b, uint8_t id, const uint8_t auth[RADIUS_AUTH_LEN]);

/* Append an attribute (value 1 to 253 bytes); an error sticks in b->error. */
void radius_add(struct radius_builder *b, uint8_t type, const void *value, size_t len);

/* Append @eap as EAP-Message attributes of up to 253 bytes each. */
void radius_add_eap(struct radius_builder *b, const uint8_t *eap, size_t len);

/*
 * Add the Message-Authenticator (HMAC-MD5 under @secret over the whole
 * packet, RFC 3579 §3.2) and set the Length.  Returns the length, or
 * -EMSGSIZE / -EIO.
 */
int radius_end(struct radius_builder *b, const char *secret);

/*
 * True when @buf (@len bytes, a response to a request with authenticator
 * @req_auth) carries a correct Response Authenticator and a correct
 * Message-Authenticator; the latter is required, as RFC 3579 §3.2 asks of
 * every packet with an EAP-Message.
 */
bool radius_verify_response(const uint8_t *buf, size_t len, const uint8_t req_auth[RADIUS_AUTH_LEN],
			    const char *secret);

/*
 * The MSK of an Access-Accept: MS-MPPE-Recv-Key | MS-MPPE-Send-Key, each
 * decrypted with @secret and the request's authenticator (RFC 2548 §2.4.2)
 * and 32 bytes long.  Returns 0, -ENOENT when a key is missing, -EBADMSG
 * when one does not decrypt to 32 bytes.
 */
int radius_msk(const struct radius_pkt *p, const char *secret,
	       const uint8_t req_auth[RADIUS_AUTH_LEN], uint8_t msk[RADIUS_MSK_LEN]);

#endif
