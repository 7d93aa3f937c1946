/*
 * rdpatch — PATCH and iPATCH (RFC 8132) on a registration resource: the
 * links of a registration changed by an application/merge-patch+json
 * (Content-Format 52) patch keyed by link target, as coap/linkjson.h
 * defines it (an lwgate extension: RFC 9176 §5.3.4 leaves the format to
 * future documents).  A merge patch is idempotent, so both methods take
 * it.  The patched links replace the registration's in one committed
 * change, like an update with a payload (the lifetime restarts); any
 * error leaves the registration as it was:
 *   4.00  no payload, a query item (but auth=), a malformed patch or links it would make
 *   4.01  no or unknown credentials where [auth] wants them (rdauth)
 *   4.03  credentials not allowed for the sector, or not the registrant's
 *   4.09  the patch names a target that several links have
 *   4.13  more links than [rd] max_links
 *   4.15  a payload that is not Content-Format 52
 *   5.00  the database refused
 */
#ifndef LWGATE_RDD_RDPATCH_H
#define LWGATE_RDD_RDPATCH_H

#include <coap3/coap.h>

#include "rdauth.h"
#include "rdserver.h"
#include "rdstore.h"

/*
 * Answer the PATCH or iPATCH @req on @reg of @store: 2.04 once the
 * patched links are committed, or an error (counted in @st).  @auth
 * decides who may (4.01, 4.03; a bearer token comes as auth=TOKEN);
 * @limit's caps whether the patched links fit (5.03 with Max-Age).
 */
void rdpatch_handle(struct rdserver_stats *st, struct rdstore *store, struct rdauth *auth,
		    struct rdlimit *limit, unsigned max_links, coap_session_t *s, struct rdreg *reg,
		    const coap_pdu_t *req, coap_pdu_t *resp);

#endif
