/*
 * linkformat — CoRE Link Format (RFC 6690): parse, serialise, resolve.
 *
 * The generic codec the Resource Directory needs: any link-extension is
 * kept (name, value, whether the value was quoted), in order, duplicates
 * included, so a registration read back looks like what was registered.
 * (lib/lwm2m/lwm2m_link parses the LwM2M subset with its typed attributes;
 * this module knows nothing about LwM2M.)
 *
 * Grammar (RFC 6690 §2, RFC 8288 §3 for the optional white space):
 *   Link       = link-value *( "," link-value )
 *   link-value = "<" URI-Reference ">" *( ";" link-param )
 *   link-param = parmname [ "=" ( ptoken / quoted-string ) ]
 * White space (SP, HTAB, CR, LF) is accepted around "," and ";"; an empty
 * input is a valid document of zero links.  Quoted-strings are unescaped
 * ("\x" stands for x).  parmname accepts RFC 8288's token characters and a
 * trailing "*" (title*).
 *
 * Memory: a parsed document is one allocation whose size is bounded by the
 * input length (links, attributes and all strings live in it), so a hostile
 * payload cannot make it allocate more than a small multiple of its size.
 */
#ifndef LWGATE_COAP_LINKFORMAT_H
#define LWGATE_COAP_LINKFORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes (negative), distinct from errno values. */
enum linkformat_error {
	LINKFORMAT_E_TARGET = -1001,    /* expected "<", or a bad or unterminated URI-Reference */
	LINKFORMAT_E_PARAM = -1002,     /* bad or empty parameter name */
	LINKFORMAT_E_VALUE = -1003,     /* bad token value or unterminated quoted-string */
	LINKFORMAT_E_SEPARATOR = -1004, /* expected ";" or "," */
};

struct linkformat_attr {
	const char *name;
	const char *value; /* unescaped; NULL when the parameter had no "=" */
	bool quoted;       /* the value was written as a quoted-string */
};

struct linkformat_link {
	const char *target; /* the URI-Reference between "<" and ">", as written */
	struct linkformat_attr *attrs;
	size_t attr_count;
};

struct linkformat {
	struct linkformat_link *links;
	size_t count;
	size_t attr_total;   /* attributes over all links */
	size_t error_offset; /* after a failed parse: the byte where it stopped */
	void *mem;           /* the one allocation behind all of the above */
};

/*
 * Parse @len bytes at @buf (not NUL-terminated) into @out, which the call
 * initialises.  On success returns 0 and @out owns its memory: release it
 * with linkformat_fini().  On failure returns a LINKFORMAT_E_* code (or
 * -ENOMEM), @out holds no memory and out->error_offset tells where the
 * input went wrong.
 */
int linkformat_parse(const uint8_t *buf, size_t len, struct linkformat *out);

/* Free what linkformat_parse() allocated; @lf may be zeroed or already finished. */
void linkformat_fini(struct linkformat *lf);

/* The first attribute called @name of @link, or NULL. */
const struct linkformat_attr *linkformat_find(const struct linkformat_link *link, const char *name);

/*
 * Serialise @count links into @buf (@size bytes, NUL-terminated when @size
 * > 0), snprintf-like: *@len receives the length the whole document needs,
 * without the NUL.  Values keep their quoting when they were quoted and
 * are quoted (with "\" escapes) when they are not valid tokens.  Returns 0,
 * or -ENOSPC when @buf was too small (it then holds a truncated prefix;
 * call again with *@len + 1 bytes).
 */
int linkformat_format(const struct linkformat_link *links, size_t count, char *buf, size_t size,
		      size_t *len);

/* True when @value can be written without quotes (a non-empty ptoken). */
bool linkformat_is_ptoken(const char *value);

/* True when @name is a valid parmname. */
bool linkformat_is_parmname(const char *name);

/*
 * True when @target can stand between "<" and ">" (no white space,
 * controls, quotes or angle brackets; "" is fine).
 */
bool linkformat_is_target(const char *target);

/*
 * Resolve the URI-Reference @ref against the absolute URI @base (RFC 3986
 * §5.2, dot segments removed) into @buf of @size bytes.  Returns 0,
 * -EINVAL when @base has no scheme, or -ENOSPC when @buf is too small.
 */
int linkformat_resolve(const char *base, const char *ref, char *buf, size_t size);

/* A sentence for a LINKFORMAT_E_* code or negative errno. */
const char *linkformat_strerror(int err);

#endif
