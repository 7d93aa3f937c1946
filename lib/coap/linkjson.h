/*
 * linkjson — CoRE link collections in JSON and CBOR
 * (draft-ietf-core-links-json-10: CoAP Content-Formats 504
 * application/link-format+json and 64 application/link-format+cbor), and a
 * JSON merge patch (RFC 7396) over them, as a pure codec on
 * struct linkformat (coap/linkformat.h).
 *
 * The representation: an array with one object (CBOR: map) per link; the
 * member "href" holds the target, every other member is a link attribute
 * whose value is a string, true (an attribute without a value), or an
 * array of those (an attribute that occurs more than once).  In CBOR the
 * names of the draft's table are integer keys: href 1, rel 2, anchor 3,
 * rev 4, hreflang 5, media 6, title 7, type 8, rt 9, if 10, sz 11, ct 12,
 * obs 13; other names stay text.
 *
 * The merge patch (an lwgate extension, for RFC 9176 §5.3.4, which leaves
 * the PATCH format open): the patch is a JSON object keyed by link target
 * ("href"), applied to the links as if they were that object:
 *   "target": null        removes the link with that target (absent: no-op);
 *   "target": {attrs}     changes that link: an attribute set to null is
 *                         removed, one set to a value (as above) replaces
 *                         every occurrence of that name; the link is added
 *                         at the end when no link has that target.
 * A target that more than one link has cannot be patched (ambiguous).
 * Unchanged attributes keep their order; changed ones follow them, in the
 * patch's order.
 *
 * Decoded documents go through linkformat_format() and linkformat_parse(),
 * so the result is exactly what the link-format parser would accept: every
 * target, name and value is checked first.
 */
#ifndef LWGATE_COAP_LINKJSON_H
#define LWGATE_COAP_LINKJSON_H

#include <stddef.h>
#include <stdint.h>

#include "coap/linkformat.h"

#define LINKJSON_CF_JSON        504 /* application/link-format+json */
#define LINKJSON_CF_CBOR        64  /* application/link-format+cbor */
#define LINKJSON_CF_MERGE_PATCH 52  /* application/merge-patch+json (RFC 8132) */

/* Error codes (negative), distinct from errno values. */
enum linkjson_error {
	LINKJSON_E_SYNTAX = -1201, /* not JSON, or not well-formed CBOR, or trailing bytes */
	LINKJSON_E_SHAPE = -1202,  /* not an array of objects (a patch: not an object of objects) */
	LINKJSON_E_HREF = -1203,   /* a link without href, or an href that is no URI-Reference */
	LINKJSON_E_NAME = -1204,   /* an attribute name that is no parmname, or an unknown key */
	LINKJSON_E_VALUE = -1205,  /* a value that is not a string, true or an array of those */
	LINKJSON_E_AMBIGUOUS = -1206, /* a patch names a target that several links have */
	LINKJSON_E_UTF8 = -1207,      /* (encoding) a string that is not UTF-8 */
};

/*
 * Decode @len bytes of links-json JSON (or CBOR) at @buf into @out, which
 * the call initialises.  On success returns 0 and @out must be finished
 * with linkformat_fini(); on failure returns a LINKJSON_E_* code (or
 * -ENOMEM), @out holds no memory and out->error_offset is where the input
 * went wrong as far as known (0 otherwise).
 */
int linkjson_decode_json(const uint8_t *buf, size_t len, struct linkformat *out);
int linkjson_decode_cbor(const uint8_t *buf, size_t len, struct linkformat *out);

/*
 * Encode @count links as JSON (NUL-terminated text) or CBOR into a
 * malloc'd *@out of *@len bytes, which the caller frees.  An attribute
 * called "href" is left out (it would clash with the target).  Returns 0,
 * LINKJSON_E_UTF8 when a target, name or value is not UTF-8 (link-format
 * allows any octet; JSON strings and CBOR text strings do not), or -ENOMEM.
 */
int linkjson_encode_json(const struct linkformat_link *links, size_t count, char **out,
			 size_t *len);
int linkjson_encode_cbor(const struct linkformat_link *links, size_t count, uint8_t **out,
			 size_t *len);

/*
 * Apply the merge patch of @len bytes at @patch (see above) to @cur,
 * which is not changed, giving the patched links in @out (initialised by
 * the call; finish it with linkformat_fini() on success).  Returns 0 or a
 * LINKJSON_E_* code (or -ENOMEM), @out then holding no memory.
 */
int linkjson_merge_patch(const struct linkformat *cur, const uint8_t *patch, size_t len,
			 struct linkformat *out);

/*
 * True when the NUL-terminated @str is RFC 3629 UTF-8: no overlong forms,
 * no surrogates, nothing past U+10FFFF (JSON and CBOR text need it).
 */
bool linkjson_utf8_valid(const char *str);

/* A sentence for a LINKJSON_E_* code or negative errno. */
const char *linkjson_strerror(int err);

#endif
