#ifndef LWM2M_ERROR_H
#define LWM2M_ERROR_H

#include <stddef.h>

/*
 * Where and why a codec or the registry rejected its input.  Every decoder
 * fills one of these on failure so a user can be told exactly what is wrong
 * ("offset 12: TLV length 300 runs past the end of the payload").
 */
struct lwm2m_error {
	int code;      /* the negative errno also returned by the failing call */
	size_t offset; /* byte offset in the input, or SIZE_MAX when not meaningful */
	char msg[256]; /* human-readable, already includes the location */
};

/*
 * lwm2m_error_set - record an error and return its code.
 * @err: where to write; may be NULL (the code is still returned).
 * @code: a negative errno (-EBADMSG for malformed input, -EINVAL for bad
 *        arguments, -ENOMEM, -ERANGE, -ENOTSUP, -ENOENT).
 * @offset: byte offset in the input, or SIZE_MAX if the error has no offset.
 * @fmt: printf format of the message; when @offset is not SIZE_MAX the
 *       message is prefixed with "offset N: ".
 * Returns @code, so callers can write `return lwm2m_error_set(...)`.
 */
int lwm2m_error_set(struct lwm2m_error *err, int code, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * lwm2m_error_clear - reset @err (may be NULL) to "no error".
 */
void lwm2m_error_clear(struct lwm2m_error *err);

#endif
