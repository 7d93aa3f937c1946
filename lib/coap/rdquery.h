/*
 * rdquery — the URI queries of a CoRE Resource Directory (RFC 9176):
 * registration parameters (ep=…&lt=…) and lookup filters (rt=temp*&page=2).
 *
 * A query is a list of "name[=value]" items.  On CoAP each item is one
 * Uri-Query option (rdquery_add()); as text they are joined by "&"
 * (rdquery_parse(), for tools and tests).  Values are taken as they are:
 * CoAP options are not percent-encoded.  Names must be RFC 8288 tokens,
 * values must be free of control characters, and at most RDQUERY_MAX_PARAMS
 * items are accepted, so a request cannot make the parser allocate much.
 *
 * Matching follows RFC 6690 §4.1 and RFC 9176 §6: a value ending in "*"
 * matches any value that starts with what precedes the "*"; the values of
 * relation-type attributes (rt, if, rel) are lists separated by spaces and
 * match when one of their elements does; a filter without "=" matches when
 * the attribute is present at all.
 */
#ifndef LWGATE_COAP_RDQUERY_H
#define LWGATE_COAP_RDQUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RDQUERY_MAX_PARAMS 32
#define RDQUERY_MAX_ITEM   1024 /* bytes of one "name=value" */

/* Error codes (negative), distinct from errno values. */
enum rdquery_error {
	RDQUERY_E_NAME = -1101,     /* empty name or a character outside the token set */
	RDQUERY_E_VALUE = -1102,    /* a control character in a value */
	RDQUERY_E_TOO_MANY = -1103, /* more than RDQUERY_MAX_PARAMS items */
	RDQUERY_E_TOO_LONG = -1104, /* an item longer than RDQUERY_MAX_ITEM */
	RDQUERY_E_NUMBER = -1105,   /* not a decimal number in the allowed range */
	RDQUERY_E_PAGE = -1106,     /* page without count (RFC 9176 §6) */
};

struct rdquery_param {
	char *name;
	char *value;      /* NULL for an item without "="; the "*" of a prefix is removed */
	size_t value_len; /* strlen(value), 0 without a value */
	bool prefix;      /* the value ended in "*" */
};

struct rdquery {
	struct rdquery_param params[RDQUERY_MAX_PARAMS];
	size_t count;
};

/* Start an empty query (nothing to free until items are added). */
void rdquery_init(struct rdquery *q);

/*
 * Add one item ("name", "name=", "name=value", "name=val*") of @len bytes.
 * Returns 0 or an RDQUERY_E_* code (or -ENOMEM); @q is unchanged on error.
 */
int rdquery_add(struct rdquery *q, const uint8_t *item, size_t len);

/*
 * Initialise @q and parse @len bytes of "&"-separated items into it (empty
 * items are skipped).  Returns 0 or an RDQUERY_E_* code; on error @q is
 * left empty.  Call rdquery_fini() in both cases.
 */
int rdquery_parse(const uint8_t *buf, size_t len, struct rdquery *q);

/* Free the items; @q is empty again afterwards. */
void rdquery_fini(struct rdquery *q);

/* The first item called @name, or NULL. */
const struct rdquery_param *rdquery_find(const struct rdquery *q, const char *name);

/* How many items are called @name. */
size_t rdquery_count(const struct rdquery *q, const char *name);

/*
 * Read @p's value as a decimal number in [@min, @max] into *@out.  Returns
 * 0 or RDQUERY_E_NUMBER (no value, a prefix, a sign, junk, out of range).
 */
int rdquery_uint(const struct rdquery_param *p, uint64_t min, uint64_t max, uint64_t *out);

/*
 * The window that the lookup items page and count of @q select: how many
 * results to skip (*@skip) and then pass on (*@count; UINT64_MAX without
 * count).  page counts in pages of count results, so page alone means
 * nothing and is refused (RFC 9176 §6).  Returns 0, RDQUERY_E_NUMBER (not
 * a number up to 2^32-1) or RDQUERY_E_PAGE.
 */
int rdquery_page(const struct rdquery *q, uint64_t *skip, uint64_t *count);

/* True for the attributes whose values are space-separated lists (rt, if, rel). */
bool rdquery_is_multivalue(const char *name);

/*
 * True when the filter @p matches an attribute value @value (NULL: the
 * attribute is present without a value).  @multi: treat @value as a list
 * separated by spaces (see rdquery_is_multivalue()).
 */
bool rdquery_match(const struct rdquery_param *p, const char *value, bool multi);

/* A sentence for an RDQUERY_E_* code or negative errno. */
const char *rdquery_strerror(int err);

#endif
