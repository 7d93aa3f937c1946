/*
 * Reading and answering Resource Directory requests (see rdreq.h).
 */
#include "rdreq.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "coap/linkjson.h"

#define CF_LINK_FORMAT 40

/* A 4.xx/5.xx with a diagnostic payload (RFC 7252 §5.5.2). */
void rdreq_error(struct rdserver_stats *st, coap_pdu_t *resp, int code, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	st->bad_requests++;
	coap_pdu_set_code(resp, COAP_RESPONSE_CODE(code));
	coap_add_data(resp, (size_t)n, (const uint8_t *)msg);
}

void rdreq_unavailable(coap_pdu_t *resp, uint32_t max_age, const char *why)
{
	uint8_t buf[4];

	coap_pdu_set_code(resp, COAP_RESPONSE_CODE(503));
	coap_add_option(resp, COAP_OPTION_MAXAGE, coap_encode_var_safe(buf, sizeof(buf), max_age),
			buf);
	coap_add_data(resp, strlen(why), (const uint8_t *)why);
}

bool rdreq_rate(struct rdlimit *limit, const struct rdstore *store, coap_session_t *s,
		coap_pdu_t *resp)
{
	uint32_t wait =
		rdlimit_take(limit, &coap_session_get_addr_remote(s)->addr.sa, rdstore_now(store));

	if (!wait)
		return true;
	rdreq_unavailable(resp, wait, "too many registrations and updates from this address");
	return false;
}

bool rdreq_room(struct rdlimit *limit, const struct rdstore *store, long add_regs, long add_links,
		coap_pdu_t *resp)
{
	struct rdstore_stats st;
	uint32_t wait;

	rdstore_get_stats(store, &st);
	wait = rdlimit_room(limit, st.registrations, st.links, add_regs, add_links,
			    rdstore_now(store));
	if (!wait)
		return true;
	rdreq_unavailable(resp, wait, "the directory holds all the registrations or links it may");
	return false;
}

static void release_buffer(coap_session_t *s, void *buf)
{
	free(buf);
}

/*
 * @text_take (link-format we wrote, @len bytes) re-encoded as @cf (JSON or
 * CBOR), in place of the text.  Returns 0 or a LINKJSON_E_* code / -ENOMEM
 * (the text is left as it was).
 */
static int convert(char **text_take, size_t *len, int cf)
{
	struct linkformat lf;
	uint8_t *cbor;
	char *json;
	int rc = linkformat_parse((const uint8_t *)*text_take, *len, &lf);

	if (rc < 0)
		return rc;
	if (cf == LINKJSON_CF_JSON) {
		rc = linkjson_encode_json(lf.links, lf.count, &json, len);
		cbor = (uint8_t *)json;
	} else {
		rc = linkjson_encode_cbor(lf.links, lf.count, &cbor, len);
	}
	linkformat_fini(&lf);
	if (rc < 0)
		return rc;
	free(*text_take);
	*text_take = (char *)cbor;
	return 0;
}

/* 2.05 with a body we own (@text_take, link-format, freed when sent), in @cf. */
void rdreq_reply_links(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
		       const coap_string_t *query, coap_pdu_t *resp, char *text_take, size_t len,
		       int cf)
{
	int rc = cf == CF_LINK_FORMAT ? 0 : convert(&text_take, &len, cf);

	if (rc < 0) {
		/* links registered with octets that are not UTF-8 exist only as link-format */
		const char *why = rc == LINKJSON_E_UTF8 ? linkjson_strerror(rc)
							: "the answer could not be encoded";

		free(text_take);
		coap_pdu_set_code(resp, COAP_RESPONSE_CODE(rc == LINKJSON_E_UTF8 ? 406 : 500));
		coap_add_data(resp, strlen(why), (const uint8_t *)why);
		return;
	}
	coap_pdu_set_code(resp, COAP_RESPONSE_CODE(205));
	if (len == 0) {
		uint8_t buf[4];

		free(text_take);
		coap_add_option(resp, COAP_OPTION_CONTENT_FORMAT,
				coap_encode_var_safe(buf, sizeof(buf), (unsigned)cf), buf);
		return;
	}
	if (!coap_add_data_large_response(r, s, req, resp, query, (uint16_t)cf, -1, 0, len,
					  (const uint8_t *)text_take, release_buffer, text_take))
		free(text_take);
}

/* The query as items; false (and a 4.00 sent) when it is malformed. */
bool rdreq_query(struct rdserver_stats *st, const coap_pdu_t *req, coap_pdu_t *resp,
		 struct rdquery *q)
{
	coap_opt_iterator_t it;
	coap_opt_filter_t filter;
	coap_opt_t *o;

	rdquery_init(q);
	coap_option_filter_clear(&filter);
	coap_option_filter_set(&filter, COAP_OPTION_URI_QUERY);
	coap_option_iterator_init(req, &it, &filter);
	while ((o = coap_option_next(&it))) {
		int rc = rdquery_add(q, coap_opt_value(o), coap_opt_length(o));

		if (rc < 0) {
			rdreq_error(st, resp, 400, "bad query \"%.*s\": %s",
				    (int)coap_opt_length(o), (const char *)coap_opt_value(o),
				    rdquery_strerror(rc));
			rdquery_fini(q);
			return false;
		}
	}
	return true;
}

/* -1 when the option is absent. */
static int uint_option(const coap_pdu_t *req, coap_option_num_t num)
{
	coap_opt_iterator_t it;
	coap_opt_t *o = coap_check_option(req, num, &it);

	return o ? (int)coap_decode_var_bytes(coap_opt_value(o), coap_opt_length(o)) : -1;
}

/* Link-format (40), or links-json in JSON (504) or CBOR (64). */
static bool links_format(int cf)
{
	return cf == CF_LINK_FORMAT || cf == LINKJSON_CF_JSON || cf == LINKJSON_CF_CBOR;
}

/* Answers go out as link-format, or as the JSON or CBOR the Accept asks for. */
bool rdreq_accept(struct rdserver_stats *st, const coap_pdu_t *req, coap_pdu_t *resp, int *cf)
{
	int accept = uint_option(req, COAP_OPTION_ACCEPT);

	if (accept >= 0 && !links_format(accept)) {
		rdreq_error(st, resp, 406,
			    "served as application/link-format (40), link-format+json (504) or "
			    "link-format+cbor (64)");
		return false;
	}
	*cf = accept >= 0 ? accept : CF_LINK_FORMAT;
	return true;
}

/* The payload as links; false (and a 4.xx sent) when it is not acceptable. */
bool rdreq_links(struct rdserver_stats *st, unsigned max_links, const coap_pdu_t *req,
		 coap_pdu_t *resp, struct linkformat *links, bool *present)
{
	const uint8_t *data = NULL;
	size_t len = 0, offset = 0, total = 0;
	int cf = uint_option(req, COAP_OPTION_CONTENT_FORMAT), rc;

	memset(links, 0, sizeof(*links));
	*present = coap_get_data_large(req, &len, &data, &offset, &total) && total > 0;
	if (!*present)
		return true;
	if (offset != 0 || len != total) {
		rdreq_error(st, resp, 408, "incomplete body");
		return false;
	}
	if (!links_format(cf)) {
		rdreq_error(st, resp, 415,
			    "the payload must be application/link-format (40), link-format+json "
			    "(504) or link-format+cbor (64)");
		return false;
	}
	if (cf == LINKJSON_CF_JSON)
		rc = linkjson_decode_json(data, len, links);
	else if (cf == LINKJSON_CF_CBOR)
		rc = linkjson_decode_cbor(data, len, links);
	else
		rc = linkformat_parse(data, len, links);
	if (rc < 0) {
		rdreq_error(st, resp, 400, "%s error at byte %zu: %s",
			    cf == CF_LINK_FORMAT ? "link-format" : "links-json",
			    links->error_offset,
			    cf == CF_LINK_FORMAT ? linkformat_strerror(rc) : linkjson_strerror(rc));
		return false;
	}
	if (links->count > max_links) {
		rdreq_error(st, resp, 413, "%zu links, at most %u are accepted", links->count,
			    max_links);
		linkformat_fini(links);
		return false;
	}
	return true;
}

/* "coap://[addr]:port" of the registrant, the base of a registration without one. */
void rdreq_source_base(coap_session_t *s, char *buf, size_t size)
{
	unsigned char addr[INET6_ADDRSTRLEN + 16];
	size_t n = coap_print_addr(coap_session_get_addr_remote(s), addr, sizeof(addr) - 1);

	addr[n] = '\0';
	snprintf(buf, size, "%s://%s",
		 coap_session_get_proto(s) == COAP_PROTO_DTLS ? "coaps" : "coap", addr);
}

bool rdreq_valid_base(const char *b)
{
	const char *p = b;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return false;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	       *p == '+' || *p == '-' || *p == '.')
		p++;
	if (strncmp(p, "://", 3) != 0 || !p[3] || p[3] == '/')
		return false;
	for (p += 3; *p; p++)
		if (*p == '?' || *p == '#' || (unsigned char)*p <= ' ' || *p == '"' || *p == '<' ||
		    *p == '>')
			return false;
	return true;
}

bool rdreq_valid_name(const char *name)
{
	const uint8_t *p = (const uint8_t *)name;

	if (!linkjson_utf8_valid(name))
		return false;
	for (; *p; p++)
		/* C0 and DEL as bytes; C1 (U+0080–U+009F) is 0xc2 0x80–0x9f in UTF-8 */
		if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return false;
	return true;
}

/*
 * Check the registration parameters of @q and collect the extra attributes
 * into @attrs (pointing into @q; "*" put back, since a registration value
 * is literal).  @update: ep and d may not appear.  Returns false with
 * the reason in @why.
 */
bool rdreq_check_params(const struct rdquery *q, bool update, struct rdreg_input *in,
			struct linkformat_attr *attrs, char **literal, char *why, size_t why_len)
{
	const struct rdquery_param *p;
	uint64_t lt;

	for (size_t i = 0; i < q->count; i++) {
		const char *n = q->params[i].name;

		if (rdquery_count(q, n) > 1 && (strcmp(n, "ep") == 0 || strcmp(n, "d") == 0 ||
						strcmp(n, "lt") == 0 || strcmp(n, "base") == 0)) {
			snprintf(why, why_len, "%s given twice", n);
			return false;
		}
		if (strcmp(n, "page") == 0 || strcmp(n, "count") == 0 || strcmp(n, "href") == 0 ||
		    strcmp(n, "anchor") == 0) {
			snprintf(why, why_len, "%s is not a registration parameter", n);
			return false;
		}
	}
	if (update && (rdquery_find(q, "ep") || rdquery_find(q, "d"))) {
		snprintf(why, why_len, "ep and d cannot change in an update");
		return false;
	}
	if (!update) {
		p = rdquery_find(q, "ep");
		if (!p || !p->value || !p->value[0] || p->prefix) {
			snprintf(why, why_len, "ep (the endpoint name) is required");
			return false;
		}
		if (strlen(p->value) > RDREQ_MAX_NAME) {
			snprintf(why, why_len, "ep is longer than %d bytes", RDREQ_MAX_NAME);
			return false;
		}
		if (!rdreq_valid_name(p->value)) {
			snprintf(why, why_len, "ep must be UTF-8 without control characters");
			return false;
		}
		in->ep = p->value;
		p = rdquery_find(q, "d");
		if (p && (!p->value || p->prefix || strlen(p->value) > RDREQ_MAX_NAME ||
			  !rdreq_valid_name(p->value))) {
			snprintf(why, why_len,
				 "d must be a sector name of at most %d bytes of UTF-8 without "
				 "control characters",
				 RDREQ_MAX_NAME);
			return false;
		}
		in->d = p ? p->value : NULL;
	}
	p = rdquery_find(q, "lt");
	if (p) {
		if (rdquery_uint(p, 1, UINT32_MAX, &lt) < 0) {
			snprintf(why, why_len, "lt must be a number of seconds, 1 to 4294967295");
			return false;
		}
		in->lt = (uint32_t)lt;
	}
	p = rdquery_find(q, "base");
	if (p) {
		if (!p->value || p->prefix || !rdreq_valid_base(p->value)) {
			snprintf(why, why_len,
				 "base must be an absolute URI without query or fragment");
			return false;
		}
		in->base = p->value;
	}
	in->attrs = attrs;
	in->attr_count = 0;
	for (size_t i = 0; i < q->count; i++) {
		const struct rdquery_param *x = &q->params[i];
		const char *value = x->value;

		if (strcmp(x->name, "ep") == 0 || strcmp(x->name, "d") == 0 ||
		    strcmp(x->name, "lt") == 0 || strcmp(x->name, "base") == 0)
			continue;
		if (x->prefix) {
			if (asprintf(&literal[i], "%s*", x->value) < 0)
				abort();
			value = literal[i];
		}
		attrs[in->attr_count++] = (struct linkformat_attr){ x->name, value, false };
	}
	return true;
}

/* rdreq_check_params(), answering 4.00 when they are not acceptable. */
bool rdreq_params(struct rdserver_stats *st, const struct rdquery *q, bool update, coap_pdu_t *resp,
		  struct rdreg_input *in, struct linkformat_attr *attrs, char **literal)
{
	char why[128];

	if (rdreq_check_params(q, update, in, attrs, literal, why, sizeof(why)))
		return true;
	rdreq_error(st, resp, 400, "%s", why);
	return false;
}
