#ifndef LWM2M_LINK_H
#define LWM2M_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwm2m/lwm2m_buf.h"
#include "lwm2m/lwm2m_error.h"
#include "lwm2m/lwm2m_path.h"

/*
 * application/link-format (content format 40): RFC 6690 CoRE links as
 * LwM2M uses them in Register/Update payloads and Discover responses, with
 * the LwM2M attributes parsed and checked (TS Core 5.1.2 / 7.3): ver, dim,
 * pmin, pmax, gt, lt, st, epmin, epmax, edge, con, hqmax.  Other link
 * parameters (rt, ct, ssid, uri, ...) are kept as text.
 */

enum lwm2m_link_attr {
	LWM2M_ATTR_DIM = 1 << 0,
	LWM2M_ATTR_VER = 1 << 1,
	LWM2M_ATTR_PMIN = 1 << 2,
	LWM2M_ATTR_PMAX = 1 << 3,
	LWM2M_ATTR_GT = 1 << 4,
	LWM2M_ATTR_LT = 1 << 5,
	LWM2M_ATTR_ST = 1 << 6,
	LWM2M_ATTR_EPMIN = 1 << 7,
	LWM2M_ATTR_EPMAX = 1 << 8,
	LWM2M_ATTR_EDGE = 1 << 9,
	LWM2M_ATTR_CON = 1 << 10,
	LWM2M_ATTR_HQMAX = 1 << 11,
};

struct lwm2m_link_attrs {
	unsigned present; /* enum lwm2m_link_attr bits */
	uint32_t dim, pmin, pmax, epmin, epmax, hqmax;
	double gt, lt, st;
	bool edge, con;
	char ver[12]; /* "major.minor" */
};

/* A parameter that is not an LwM2M attribute; strings are owned by the list. */
struct lwm2m_link_param {
	const char *name;
	const char *value; /* without quotes; NULL for a parameter with no value */
	bool quoted;
};

struct lwm2m_link {
	const char *uri; /* the target between < and >, owned by the list */
	bool is_path;    /* the target is an LwM2M path (then @path is set) */
	struct lwm2m_path path;
	struct lwm2m_link_attrs attrs;
	size_t first_param; /* index into lwm2m_link_list.params */
	size_t nparams;
};

struct lwm2m_link_list {
	struct lwm2m_link *links;
	size_t count, cap;
	struct lwm2m_link_param *params;
	size_t nparams, params_cap;
	char *text;   /* the decoded input, copied and cut into strings */
	char **extra; /* strings added with lwm2m_link_add */
	size_t nextra;
};

/* lwm2m_link_list_init - an empty list. */
void lwm2m_link_list_init(struct lwm2m_link_list *l);

/* lwm2m_link_list_fini - free everything the list owns. */
void lwm2m_link_list_fini(struct lwm2m_link_list *l);

/*
 * lwm2m_link_decode - parse a link-format payload into @l (which must be
 * empty).  Strict RFC 6690 syntax, with optional whitespace after the
 * commas that separate links.
 * Returns 0, -EBADMSG (@err gives the offset and the link number: bad
 * syntax, an LwM2M attribute with an invalid value), -ENOMEM.
 */
int lwm2m_link_decode(const uint8_t *buf, size_t len, struct lwm2m_link_list *l,
		      struct lwm2m_error *err);

/*
 * lwm2m_link_add - append a link to @uri with @attrs (copied; may be NULL)
 * and no other parameters.  Returns 0, -EINVAL (@uri contains '>'), -ENOMEM.
 */
int lwm2m_link_add(struct lwm2m_link_list *l, const char *uri,
		   const struct lwm2m_link_attrs *attrs);

/*
 * lwm2m_link_add_param - add a parameter to the last link of @l.
 * @value: NULL for a bare parameter.
 * @quote: write the value as a quoted-string (it is quoted anyway when it
 *         is not a token).
 * Returns 0, -EINVAL (no link yet, or a bad name), -ENOMEM.
 */
int lwm2m_link_add_param(struct lwm2m_link_list *l, const char *name, const char *value,
			 bool quote);

/*
 * lwm2m_link_encode - append @l in link format: "<uri>" then the LwM2M
 * attributes in the order of enum lwm2m_link_attr, then the other
 * parameters as decoded.  Returns 0 or -ENOMEM.
 */
int lwm2m_link_encode(const struct lwm2m_link_list *l, struct lwm2m_buf *out);

/*
 * lwm2m_link_attr_set - set the LwM2M attribute @name from the text @value
 * (as in a link or a Write-Attributes query).
 * Returns 0, -ENOENT (@name is not an LwM2M attribute), -EINVAL (bad value).
 */
int lwm2m_link_attr_set(struct lwm2m_link_attrs *a, const char *name, const char *value);

/*
 * lwm2m_link_attr_format - append the text of attribute @bit of @a (as it
 * appears after '=' in a link).  Returns 0, -ENOENT (@bit not present or
 * not a single attribute), -ENOMEM.
 */
int lwm2m_link_attr_format(const struct lwm2m_link_attrs *a, enum lwm2m_link_attr bit,
			   struct lwm2m_buf *out);

/*
 * lwm2m_link_attr_name - the name of the single attribute bit @bit, or NULL.
 */
const char *lwm2m_link_attr_name(enum lwm2m_link_attr bit);

#endif
