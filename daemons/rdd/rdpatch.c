/*
 * PATCH and iPATCH on a registration (see rdpatch.h).
 */
#define LOG_COMPONENT "coap"

#include "rdpatch.h"

#include <stdio.h>
#include <string.h>

#include "coap/linkjson.h"
#include "coap/rdquery.h"
#include "common/log.h"
#include "rdreq.h"

/*
 * May this client patch the registration of @ep in sector @d (CRD-004/005)?
 * rdauth decides; auth= leaves @q.  Returns 0, or the CoAP code to answer
 * with (4.00, 4.01, 4.03) and the reason in @why.
 */
static int authorized(struct rdauth *auth, coap_session_t *s, struct rdquery *q, const char *d,
		      const char *ep, char *why, size_t why_len)
{
	struct rdauth_who who;

	if (rdauth_identify(auth, s, q, &who) != 0) {
		snprintf(why, why_len, "give one bearer token: auth=TOKEN");
		return 400;
	}
	return rdauth_check(auth, &who, RDAUTH_PATCH, d, ep, why, why_len);
}

static int content_format(const coap_pdu_t *req)
{
	coap_opt_iterator_t it;
	coap_opt_t *o = coap_check_option(req, COAP_OPTION_CONTENT_FORMAT, &it);

	return o ? (int)coap_decode_var_bytes(coap_opt_value(o), coap_opt_length(o)) : -1;
}

void rdpatch_handle(struct rdserver_stats *st, struct rdstore *store, struct rdauth *auth,
		    struct rdlimit *limit, unsigned max_links, coap_session_t *s, struct rdreg *reg,
		    const coap_pdu_t *req, coap_pdu_t *resp)
{
	struct rdreg_input in = { 0 };
	struct linkformat links;
	const uint8_t *data = NULL;
	size_t len = 0, offset = 0, total = 0;
	struct rdquery q;
	char why[160];
	int rc;

	if (!rdreq_query(st, req, resp, &q))
		return;
	rc = authorized(auth, s, &q, reg->d, reg->ep, why, sizeof(why));
	if (rc) {
		rdquery_fini(&q);
		rdreq_error(st, resp, rc, "%s", why);
		return;
	}
	if (q.count) {
		rdquery_fini(&q);
		rdreq_error(st, resp, 400, "a PATCH takes no query");
		return;
	}
	rdquery_fini(&q);
	if (!coap_get_data_large(req, &len, &data, &offset, &total) || total == 0) {
		rdreq_error(st, resp, 400, "a PATCH needs a merge patch as its payload");
		return;
	}
	if (offset != 0 || len != total) {
		rdreq_error(st, resp, 408, "incomplete body");
		return;
	}
	if (content_format(req) != LINKJSON_CF_MERGE_PATCH) {
		rdreq_error(st, resp, 415, "the patch must be application/merge-patch+json (52)");
		return;
	}
	rc = linkjson_merge_patch(&reg->links, data, len, &links);
	if (rc < 0) {
		rdreq_error(st, resp, rc == LINKJSON_E_AMBIGUOUS ? 409 : 400, "merge patch: %s",
			    linkjson_strerror(rc));
		return;
	}
	if (links.count > max_links) {
		rdreq_error(st, resp, 413, "%zu links, at most %u are accepted", links.count,
			    max_links);
		linkformat_fini(&links);
		return;
	}
	if (!rdreq_room(limit, store, 0, (long)links.count - (long)reg->links.count, resp)) {
		linkformat_fini(&links);
		return;
	}
	in.links = &links;
	if (rdstore_update(store, reg, &in) < 0) {
		rdreq_error(st, resp, 500, "the patch could not be stored");
	} else {
		st->updates++;
		log_debug("patched loc=/%s links=%zu", reg->loc, reg->links.count);
		coap_pdu_set_code(resp, COAP_RESPONSE_CODE(204));
	}
	linkformat_fini(&links);
}
