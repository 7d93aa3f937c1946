/*
 * send — the LwM2M Send operation (TS Core §6.4.7, Transport §6.4.7): a
 * client's POST /dp with values in SenML JSON, SenML CBOR or LwM2M CBOR.
 *
 * The values become last known values (observe.c's table, source "send")
 * and one "send" event on the control socket.  Every refusal is counted
 * and logged, with the CoAP code the client gets: 4.00 with a diagnostic
 * for a body lib/lwm2m cannot decode, 4.15 for another content format,
 * 4.04 from a peer that is not registered, 4.05 when the configuration
 * refuses Send.  The CoAP side finds the endpoint; this module needs no
 * libcoap, so its fuzz target drives it end to end.
 */
#ifndef LWM2MD_SEND_H
#define LWM2MD_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/ipc_server.h"
#include "lwm2m/lwm2m_registry.h"
#include "observe.h"

struct send_config {
	bool enabled;                     /* false: every Send gets 4.05 */
	struct observe *observe;          /* stores the values (borrowed) */
	struct ipc_server *ipc;           /* events; may be NULL */
	const struct lwm2m_registry *reg; /* types and names; may be NULL */
};

struct send_stats {
	uint64_t accepted, values, malformed, unsupported_format, unregistered, refused;
};

struct send;

/* Never NULL. */
struct send *send_new(const struct send_config *cfg);

/* NULL is fine. */
void send_free(struct send *sd);

/*
 * Take a Send from endpoint @ep (NULL: the peer is not registered) of
 * @len bytes in content format @format (@has_format false: no option).
 * Returns the response code as COAP_RESPONSE_CODE() makes it (2.04 on
 * success) and, for a refusal, a diagnostic for the payload in @why.
 * @peer names the sender in the log when @ep is NULL.
 */
unsigned send_handle(struct send *sd, const char *ep, const char *peer, bool has_format,
		     unsigned format, const uint8_t *payload, size_t len, char *why,
		     size_t why_size);

void send_get_stats(const struct send *sd, struct send_stats *out);

/* Add the counters to a status reply's "counters". */
void send_counters(const struct send *sd, json_t *counters);

#endif
