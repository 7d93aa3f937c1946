/*
 * httpcoap — the HTTP⇄CoAP mapping of RFC 8075 (HTTP-to-CoAP proxying)
 * that lwm2md's HTTP/2 device binding (binding H) applies in both
 * directions, and the CoAP message (RFC 7252 §3, over UDP) it maps from
 * and to: methods (§5.1 and RFC 8132's FETCH/PATCH/iPATCH), response
 * codes (§7), content formats and media types (§6.1, with LwM2M's own
 * formats), Uri-Path/Uri-Query and Location-Path/Location-Query to a
 * target or a Location field (§5.3, §7.2), tokens as hex text.
 * Pure: buffers in, buffers out; no I/O, no clock.
 */
#ifndef LWGATE_HTTP_HTTPCOAP_H
#define LWGATE_HTTP_HTTPCOAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTPCOAP_MAX_OPTIONS 32   /* options a message may carry; more is -E2BIG */
#define HTTPCOAP_STORE       1280 /* bytes of option values a built message holds */
#define HTTPCOAP_TOKEN_MAX   8
#define HTTPCOAP_NO_FORMAT   (-1) /* no Content-Format / Accept / Observe option */

/* CoAP message types (RFC 7252 §3). */
enum { HTTPCOAP_CON = 0, HTTPCOAP_NON = 1, HTTPCOAP_ACK = 2, HTTPCOAP_RST = 3 };

/* The option numbers this mapping uses (RFC 7252 §5.10, RFC 7641). */
enum {
	HTTPCOAP_OPT_OBSERVE = 6,
	HTTPCOAP_OPT_LOCATION_PATH = 8,
	HTTPCOAP_OPT_URI_PATH = 11,
	HTTPCOAP_OPT_CONTENT_FORMAT = 12,
	HTTPCOAP_OPT_URI_QUERY = 15,
	HTTPCOAP_OPT_ACCEPT = 17,
	HTTPCOAP_OPT_LOCATION_QUERY = 20,
};

#define HTTPCOAP_CODE(c, d) ((uint8_t)(((c) << 5) | (d)))

struct httpcoap_option {
	uint16_t number;
	uint16_t len;
	const uint8_t *value; /* into the decoded buffer, or the message's store */
};

/*
 * One CoAP message.  Decoded, its option values and payload point into
 * the buffer decoded; built with httpcoap_add_option(), into @store.
 * Options are kept in the order added (decoded: wire order, ascending).
 */
struct httpcoap_msg {
	uint8_t type; /* HTTPCOAP_CON … */
	uint8_t code; /* class << 5 | detail; 0: empty */
	uint16_t mid;
	uint8_t token[HTTPCOAP_TOKEN_MAX];
	size_t token_len;
	struct httpcoap_option opt[HTTPCOAP_MAX_OPTIONS];
	size_t n_opt;
	const uint8_t *payload;
	size_t payload_len;
	uint8_t store[HTTPCOAP_STORE];
	size_t store_len;
};

/* Zero @m: an empty CON with no token. */
void httpcoap_msg_init(struct httpcoap_msg *m);

/*
 * Copy @src into @dst: option values held in @src's store point into
 * @dst's (a plain struct copy would leave them pointing at @src); those
 * and the payload pointing elsewhere are shared.
 */
void httpcoap_msg_copy(struct httpcoap_msg *dst, const struct httpcoap_msg *src);

/*
 * Decode one CoAP-over-UDP message of @len bytes into @m (pointing into
 * @buf).  Returns 0, or -EBADMSG (version not 1, token length over 8, an
 * option or payload marker that runs past the end, a reserved nibble 15,
 * a payload marker with no payload), -E2BIG (more than
 * HTTPCOAP_MAX_OPTIONS options).
 */
int httpcoap_decode(const uint8_t *buf, size_t len, struct httpcoap_msg *m);

/*
 * Encode @m into @out (@size bytes), options sorted by number (stable, so
 * repeated ones keep their order).  Returns the length, or -EMSGSIZE.
 */
int httpcoap_encode(const struct httpcoap_msg *m, uint8_t *out, size_t size);

/*
 * Append option @number with @len bytes of @value, copied into @m's store.
 * Returns 0, -E2BIG (no option slot), -EMSGSIZE (store full, or @len over
 * 1034 bytes).
 */
int httpcoap_add_option(struct httpcoap_msg *m, uint16_t number, const void *value, size_t len);

/* Append an unsigned-integer option (shortest encoding, 0 is empty). */
int httpcoap_add_uint(struct httpcoap_msg *m, uint16_t number, uint32_t value);

/* The first option @number of @m, or NULL. */
const struct httpcoap_option *httpcoap_find(const struct httpcoap_msg *m, uint16_t number);

/*
 * The value of unsigned-integer option @number, or HTTPCOAP_NO_FORMAT when
 * absent or longer than 4 bytes.
 */
long httpcoap_uint(const struct httpcoap_msg *m, uint16_t number);

/* Is @m a request (class 0, code 1…31)?  A response (class 2…5)? */
bool httpcoap_is_request(const struct httpcoap_msg *m);
bool httpcoap_is_response(const struct httpcoap_msg *m);

/*
 * The CoAP method code of HTTP method @name (GET 0.01, POST 0.02, PUT
 * 0.03, DELETE 0.04, FETCH 0.05, PATCH 0.06, iPATCH 0.07; case as
 * registered), or -ENOTSUP.
 */
int httpcoap_method_code(const char *name);

/* The HTTP method of CoAP method @code, or NULL. */
const char *httpcoap_method_name(uint8_t code);

/*
 * The HTTP status of CoAP response @code (RFC 8075 §7): 2.01→201,
 * 2.02/2.04→200 with a payload, 204 without, 2.03→304, 2.05→200,
 * 4.01→403 (RFC 8075: a CoAP 4.01 carries no HTTP challenge), 4.02→400,
 * 4.08→400, 5.05→502, the rest class×100+detail where HTTP has it, else
 * the class's x00.  Returns 0 for a code that is not a response.
 */
int httpcoap_http_status(uint8_t code, bool has_payload);

/*
 * The CoAP response code for HTTP @status answering a request of CoAP
 * method @method (the reverse of the above): 200→2.05 for GET/FETCH,
 * 2.02 for DELETE, 2.04 otherwise; 201→2.01; 204→2.02 for DELETE, else
 * 2.04; 304→2.03; 4xx/5xx with a CoAP twin→that, others→4.00/5.00.
 * Returns -EINVAL for 1xx, 3xx other than 304, or outside 100…599.
 */
int httpcoap_coap_code(int status, uint8_t method);

/*
 * The media type of CoAP Content-Format @cf ("application/vnd.oma.lwm2m+tlv"
 * for 11542), or NULL for one this table lacks.
 */
const char *httpcoap_media_type(int cf);

/*
 * The Content-Format of media type @type (a Content-Type or Accept value:
 * parameters, case and blanks ignored, except that text/plain must be
 * UTF-8 or US-ASCII when a charset is given), or -ENOENT.
 */
int httpcoap_content_format(const char *type);

/*
 * Add to @m the Uri-Path options of @path (origin-form: "/a/b", each
 * segment percent-decoded; "/" adds none) and the Uri-Query options of
 * @query (may be NULL; split at '&', each item percent-decoded, as RFC
 * 7252 §6.4 builds options from a URI).  Returns 0, -EBADMSG (bad escape,
 * empty segment, path not starting with '/'), or add_option's errors.
 */
int httpcoap_add_target(struct httpcoap_msg *m, const char *path, const char *query);

/*
 * Write options @path_opt (Uri-Path or Location-Path) then @query_opt
 * (Uri-Query or Location-Query) of @m as "/a/b?c=d&e" into @out (@size
 * bytes, NUL-terminated), percent-encoding what is not a pchar (RFC 3986).
 * No path option gives "/".  Returns the length or -EMSGSIZE.
 */
int httpcoap_target(const struct httpcoap_msg *m, uint16_t path_opt, uint16_t query_opt, char *out,
		    size_t size);

/* @len token bytes as lower-case hex into @out (2*@len+1 bytes). */
void httpcoap_token_hex(const uint8_t *token, size_t len, char *out);

/*
 * Parse hex text @hex (1…16 digits, even count) into @token.  Returns the
 * byte count, or -EBADMSG.
 */
int httpcoap_token_parse(const char *hex, uint8_t token[HTTPCOAP_TOKEN_MAX]);

#endif
