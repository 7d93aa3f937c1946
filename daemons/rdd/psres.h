/*
 * psres — a topic's two resources, /ps/<id> (its configuration: GET, FETCH,
 * POST/PUT, iPATCH, DELETE) and /ps/data/<id> (its value: GET with
 * Observe, PUT to publish, DELETE), per draft-ietf-core-coap-pubsub; and
 * the configuration helpers the collection (/ps, in pubsub.c) uses too.
 * Internal to the broker (state in pubsubint.h).
 */
#ifndef LWGATE_RDD_PSRES_H
#define LWGATE_RDD_PSRES_H

#include <stdbool.h>
#include <stdint.h>

#include <coap3/coap.h>

#include "coap/psconf.h"
#include "pubsubint.h"

/* Answer with @t's configuration (the parameters in @mask), code @code. */
void psres_reply_conf(struct pubsub *ps, const struct topic *t, uint32_t mask, int code,
		      coap_pdu_t *resp);
/*
 * topic-data as the path-absolute "/ps/data/<id>" when it was given as the
 * form rdd gave before, "ps/data/<id>" (see psres.c).
 */
void psres_data_ref(struct psconf *c);
/*
 * The request's body as a configuration; false (error sent) when it is not
 * application/core-pubsub+cbor or does not decode.
 */
bool psres_request_conf(struct pubsub *ps, const coap_pdu_t *req, coap_pdu_t *resp,
			struct psconf *c);
/* Attach a loaded or created topic: resources, timer, list. */
void psres_attach(struct pubsub *ps, struct topic *t);

#endif
