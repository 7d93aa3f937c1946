/*
 * regreq — the LwM2M 1.1 registration interface's request parameters
 * (TS Core §6.2, Transport §6.2): the Uri-Query of a Register or Update and
 * the object-link payload, checked and turned into plain data.
 *
 * Pure code: no I/O, no CoAP library.  Every rejection comes with a
 * sentence naming the parameter or link at fault, which lwm2md sends back
 * as the diagnostic payload of its 4.00.
 */
#ifndef LWM2MD_REGREQ_H
#define LWM2MD_REGREQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REGREQ_EP_MAX       255 /* bytes of an endpoint name */
#define REGREQ_SMS_MAX      20  /* an MSISDN: '+' and up to 15 digits, with room */
#define REGREQ_BINDING_MAX  5   /* each of U, Q, S, T, N at most once */
#define REGREQ_ROOT_MAX     64  /* the alternate root path ("/lwm2m") */
#define REGREQ_LIFETIME_DEF 86400

enum regreq_kind {
	REGREQ_REGISTER, /* POST /rd?ep=…: ep mandatory, payload mandatory */
	REGREQ_UPDATE,   /* POST /rd/{location}: lt, b, sms, Q, payload, all optional */
};

/* Which optional parameters the query carried (enum regreq_has bits). */
enum regreq_has {
	REGREQ_HAS_EP = 1 << 0,
	REGREQ_HAS_LT = 1 << 1,
	REGREQ_HAS_LWM2M = 1 << 2,
	REGREQ_HAS_B = 1 << 3,
	REGREQ_HAS_SMS = 1 << 4,
	REGREQ_HAS_Q = 1 << 5,
};

/* One Uri-Query option, as bytes (not NUL-terminated). */
struct regreq_item {
	const char *s;
	size_t len;
};

/* The query of a Register or Update, with defaults filled in for a Register. */
struct regreq_query {
	unsigned present; /* enum regreq_has bits */
	char ep[REGREQ_EP_MAX + 1];
	uint32_t lifetime;                    /* seconds, >= 1 */
	char version[8];                      /* "1.0" or "1.1" */
	char binding[REGREQ_BINDING_MAX + 1]; /* "U" by default */
	bool queue;                           /* Q parameter, or 'Q' in a 1.0 binding */
	char sms[REGREQ_SMS_MAX + 1];
};

/* One Object or Object Instance the client announced. */
struct regreq_object {
	uint16_t obj;
	int32_t inst; /* -1 for an Object link without instance */
	char ver[12]; /* the ver attribute, "" when absent */
};

/* The object-link payload of a Register or Update, checked. */
struct regreq_links {
	char root[REGREQ_ROOT_MAX + 1]; /* "/" unless a link has rt="oma.lwm2m" */
	struct regreq_object *objects;  /* owned; count entries in payload order */
	size_t count;
};

/* Error codes besides -ENOMEM. */
enum regreq_error {
	REGREQ_EBAD = -1000,     /* malformed or missing: answer 4.00 */
	REGREQ_EVERSION = -1001, /* well-formed lwm2m version we do not serve: 4.12 */
};

/*
 * regreq_parse_query - check the Uri-Query options @items (@n of them) of a
 * request of kind @kind and fill @out.  For a Register, absent lt, lwm2m
 * and b take their defaults (86400, "1.0", "U"); for an Update, @out holds
 * only what is present (see @out->present).  Unknown parameters are
 * ignored, as the TS asks of a server; a known one given twice is an error.
 * @why: a sentence for the peer (at most @why_len bytes with the NUL).
 * Returns 0, REGREQ_EBAD, or REGREQ_EVERSION.
 */
int regreq_parse_query(enum regreq_kind kind, const struct regreq_item *items, size_t n,
		       struct regreq_query *out, char *why, size_t why_len);

/*
 * regreq_parse_links - check an object-link payload (content format 40)
 * and fill @out (which regreq_links_fini() must free afterwards, whatever
 * the result).  A link with rt="oma.lwm2m" names the root path; every
 * other link must be /O or /O/I under that root.  An empty payload is
 * refused (a Register must list its objects; callers skip this for an
 * Update without payload).
 * Returns 0, REGREQ_EBAD (@why says which link and why), or -ENOMEM.
 */
int regreq_parse_links(const uint8_t *buf, size_t len, struct regreq_links *out, char *why,
		       size_t why_len);

/* regreq_links_fini - free what @l holds and empty it; a zeroed struct is fine. */
void regreq_links_fini(struct regreq_links *l);

#endif
