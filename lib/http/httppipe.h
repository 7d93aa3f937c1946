/*
 * httppipe — the application/http media type (RFC 9112 §10.2): a
 * pipeline of HTTP/1.1 messages in one body.  lwm2md's HTTP/2 device
 * binding carries the server's requests to a device as such a pipeline
 * of requests on one long-lived response stream, and takes a device's
 * answers (several in one POST) as a pipeline of responses.  Every
 * message of a pipeline states its length (Content-Length; 204 and 304
 * have none), so one message never swallows the next.  Pure: no I/O.
 */
#ifndef LWGATE_HTTP_HTTPPIPE_H
#define LWGATE_HTTP_HTTPPIPE_H

#include <stddef.h>
#include <stdint.h>

#define HTTPPIPE_MAX_FIELDS 16  /* header fields a message may carry */
#define HTTPPIPE_NAME_MAX   32  /* bytes of a field name, NUL included */
#define HTTPPIPE_VALUE_MAX  256 /* bytes of a field value, NUL included */

struct httppipe_field {
	char name[HTTPPIPE_NAME_MAX]; /* lower case */
	char value[HTTPPIPE_VALUE_MAX];
};

/* One response of a pipeline; body points into the parsed buffer. */
struct httppipe_response {
	int status;
	struct httppipe_field field[HTTPPIPE_MAX_FIELDS];
	size_t n_fields;
	const uint8_t *body;
	size_t body_len;
};

/*
 * Parse @len bytes of application/http responses into @out (at most @max
 * of them); *@n tells how many.  Returns 0, -EBADMSG (not HTTP/1.x
 * responses, a message without Content-Length other than 204/304, chunked
 * bodies, a truncated last message, an empty pipeline), -E2BIG (more than
 * @max responses, or a message with more than HTTPPIPE_MAX_FIELDS fields),
 * -EMSGSIZE (a name or value too long).
 */
int httppipe_parse_responses(const uint8_t *buf, size_t len, struct httppipe_response *out,
			     size_t max, size_t *n);

/* The value of field @name (lower case) of @r, or NULL. */
const char *httppipe_field(const struct httppipe_response *r, const char *name);

/*
 * Write one request message "METHOD TARGET HTTP/1.1" with the @n fields
 * of @fields, a Content-Length and @len bytes of @body into @out (@size
 * bytes).  Names and values must hold no CR, LF or NUL.  Returns the
 * length, -EINVAL (a CR/LF/NUL, or a space in @method or @target), or
 * -EMSGSIZE.
 */
int httppipe_write_request(const char *method, const char *target,
			   const struct httppipe_field *fields, size_t n, const uint8_t *body,
			   size_t len, uint8_t *out, size_t size);

#endif
