/*
 * rdreq — reading and answering the CoAP requests of the Resource
 * Directory: the query, the registration parameters, the link-format
 * payload, and the replies (a link-format body, or a 4.xx/5.xx with a
 * diagnostic payload as RFC 7252 §5.5.2 describes).  Each function that
 * rejects a request answers it and counts it in st->bad_requests.
 */
#ifndef LWGATE_RDD_RDREQ_H
#define LWGATE_RDD_RDREQ_H

#include <stdbool.h>
#include <stddef.h>

#include <coap3/coap.h>

#include "coap/linkformat.h"
#include "coap/rdquery.h"
#include "rdlimit.h"
#include "rdserver.h"
#include "rdstore.h"

/* Answer @resp with @code (e.g. 400) and a diagnostic sentence; counts a bad request. */
void rdreq_error(struct rdserver_stats *st, coap_pdu_t *resp, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Answer 2.05 with the link-format @text_take of @len bytes, which the
 * call owns (freed once sent; block-wise when large), in Content-Format
 * @cf: 40 as it is, 504 or 64 re-encoded by coap/linkjson.
 */
void rdreq_reply_links(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
		       const coap_string_t *query, coap_pdu_t *resp, char *text_take, size_t len,
		       int cf);

/*
 * Answer 5.03 Service Unavailable with Max-Age @max_age (the seconds after
 * which to try again, RFC 7252 §5.9.3.4) and the diagnostic @why.
 */
void rdreq_unavailable(coap_pdu_t *resp, uint32_t max_age, const char *why);

/*
 * May the peer of @s register or update now (its token bucket in
 * @limit)?  False with 5.03 and Max-Age sent.
 */
bool rdreq_rate(struct rdlimit *limit, const struct rdstore *store, coap_session_t *s,
		coap_pdu_t *resp);

/*
 * Is there room in @store, as @limit's caps have it, for @add_regs more
 * registrations and @add_links more links (negative: fewer)?  False with
 * 5.03 and Max-Age sent.
 */
bool rdreq_room(struct rdlimit *limit, const struct rdstore *store, long add_regs, long add_links,
		coap_pdu_t *resp);

/* The Uri-Query options of @req as items in @q; false (4.00 sent) when malformed. */
bool rdreq_query(struct rdserver_stats *st, const coap_pdu_t *req, coap_pdu_t *resp,
		 struct rdquery *q);

/*
 * The Content-Format to answer @req in (*@cf: 40 without Accept, else 40,
 * 504 or 64); false (4.06 sent) when it accepts something else.
 */
bool rdreq_accept(struct rdserver_stats *st, const coap_pdu_t *req, coap_pdu_t *resp, int *cf);

/*
 * The payload of @req as links (*@present false: no payload, nothing to
 * free): link-format (40), or links-json (504, 64).  False with 4.00
 * (syntax), 4.13 (more than @max_links) or 4.15 (another format) sent; on true with a payload,
 * @links must be finished by the caller.
 */
bool rdreq_links(struct rdserver_stats *st, unsigned max_links, const coap_pdu_t *req,
		 coap_pdu_t *resp, struct linkformat *links, bool *present);

#define RDREQ_MAX_NAME 63 /* RFC 9176 §5.3: ep and d are at most 63 bytes */

/*
 * An endpoint or sector name as RFC 9176 §5.3 allows it: UTF-8 with no
 * character in the ranges 0–31 and 127–159 (C0, DEL, C1).
 */
bool rdreq_valid_name(const char *name);

/* A base URI: scheme "://" authority [path], no query or fragment (RFC 9176 §5.3). */
bool rdreq_valid_base(const char *base);

/* "coap://[address]:port" (or coaps) of the peer of @s, the base of a registration without one. */
void rdreq_source_base(coap_session_t *s, char *buf, size_t size);

/*
 * Check the registration parameters in @q (ep, d, lt, base and the
 * others; @update: ep and d may not appear) and fill @in, with the extra
 * attributes in @attrs (RDQUERY_MAX_PARAMS entries) pointing into @q or
 * into @literal (malloc'd strings, where a trailing "*" is put back; the
 * caller frees them).  False with the reason in @why.
 */
bool rdreq_check_params(const struct rdquery *q, bool update, struct rdreg_input *in,
			struct linkformat_attr *attrs, char **literal, char *why, size_t why_len);

/* rdreq_check_params(), answering 4.00 when they are not acceptable. */
bool rdreq_params(struct rdserver_stats *st, const struct rdquery *q, bool update, coap_pdu_t *resp,
		  struct rdreg_input *in, struct linkformat_attr *attrs, char **literal);

#endif
