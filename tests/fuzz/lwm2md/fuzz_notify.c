/*
 * lwm2md's notification handler end to end: a CoAP message as it arrives
 * (parsed by libcoap), matched against a stored observation of /3/0 of
 * endpoint "fuzz" (token 0102030405060708), decoded by lib/lwm2m with the
 * shipped object definitions, stored as last known values in SQLite.
 *
 * Properties: no crash or leak; a message on another token is not ours;
 * one that is counts as a notification exactly once, unless it is one
 * block of a Block2 notification (a 2.xx with Block2 and a number or more
 * to come: counted as a block, the body waits for the rest); a 2.xx with
 * Observe keeps the observation, anything else ends it; every stored
 * value is of a resource under /3/0.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <coap3/coap.h>

#include "common/db.h"
#include "fuzzstate.h"
#include "lwm2m/lwm2m_path.h"
#include "lwm2m/lwm2m_registry.h"
#include "observe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t token[OBSERVE_TOKEN_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static void check_values(struct db *db)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT path FROM last_values WHERE ep = 'fuzz'");
	struct lwm2m_path observed, p;

	if (lwm2m_path_parse("/3/0", 4, &observed) < 0)
		abort();
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);

		if (!s || lwm2m_path_parse(s, strlen(s), &p) < 0 ||
		    !lwm2m_path_is_prefix(&observed, &p) || p.len < LWM2M_PATH_RESOURCE)
			abort();
	}
	sqlite3_reset(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct db *db = fuzzstate_db();
	struct observe_config cfg = { .db = db, .reg = fuzzstate_registry(), .max = 10 };
	struct observe_stats before, after;
	coap_pdu_t *pdu;
	coap_bin_const_t tok;
	struct observe *ob;
	enum observe_verdict v;
	const char *ep;
	coap_opt_iterator_t it;
	coap_opt_t *b2;
	bool ours, block;

	coap_set_log_level(LOG_EMERG);
	pdu = coap_pdu_init(0, 0, 0, size + 16);
	if (!pdu)
		abort();
	/* responses only: requests go to the resources, not here */
	if (!coap_pdu_parse(COAP_PROTO_UDP, data, size, pdu) ||
	    coap_pdu_get_code(pdu) < COAP_RESPONSE_CODE(200)) {
		coap_delete_pdu(pdu);
		return 0;
	}
	/* the observation, as an earlier lwm2md process stored it */
	if (db_exec(db,
		    "INSERT OR REPLACE INTO observations (token, ep, path, accept, created) "
		    "VALUES (?, 'fuzz', '/3/0', -1, 0)",
		    "b", token, sizeof(token)) < 0)
		abort();
	ob = observe_new(&cfg);
	observe_get_stats(ob, &before);
	if (before.observations != 1)
		abort();
	v = observe_pdu(ob, pdu, &ep);
	observe_get_stats(ob, &after);
	tok = coap_pdu_get_token(pdu);
	ours = tok.length == sizeof(token) && memcmp(tok.s, token, sizeof(token)) == 0;
	if (!ours && (v != OBSERVE_NOT_OURS || after.notifications != before.notifications))
		abort();
	b2 = coap_check_option(pdu, COAP_OPTION_BLOCK2, &it);
	block = COAP_RESPONSE_CLASS(coap_pdu_get_code(pdu)) == 2 && b2 &&
		(coap_opt_block_num(b2) > 0 || COAP_OPT_BLOCK_MORE(b2));
	if (ours && (v != OBSERVE_ACCEPTED || strcmp(ep, "fuzz") != 0))
		abort();
	if (ours && !block && after.notifications != before.notifications + 1)
		abort();
	/* one block alone never makes a whole notification, nor ends the observation */
	if (ours && block &&
	    (after.notifications != before.notifications || after.blocks != before.blocks + 1 ||
	     after.observations != 1))
		abort();
	if (ours && after.observations + after.ended != 1)
		abort();
	check_values(db);
	observe_free(ob);
	coap_delete_pdu(pdu);
	return 0;
}
