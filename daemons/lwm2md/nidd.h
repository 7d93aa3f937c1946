/*
 * nidd — LwM2M over 3GPP Non-IP Data Delivery (binding N, TS Transport
 * 6.x; LPW-001…009): lwm2md acts as the SCS/AS towards an SCEF's T8 NIDD
 * API (TS 29.122; scefd, or an operator's).
 *
 * Each device of [nidd] devices, named by its externalId (LPW-001), gets
 * a NIDD configuration at the SCEF (POST …/configurations, whose
 * notificationDestination is this module's callback listener; a stored one
 * is looked up again after a restart) and a virtual peer (vpeer.h): a
 * NiddUplinkDataNotification's data (one CoAP message) is sent from the
 * vpeer to lwm2md's own CoAP endpoint, so registration, device management,
 * Observe and queue mode run as over UDP; whatever libcoap sends to the
 * vpeer becomes a downlink delivery (POST …/downlink-data-deliveries,
 * base64, with maximumLatency from [nidd] max_latency: the TTL of LPW-007).
 * CoAP message IDs and tokens pass untouched both ways (LPW-003/004); each
 * downlink's Message ID and token are kept with its delivery's link and
 * status (niddlog.h; logged).  The SCEF's notifications come to a listener
 * behind a secret path (niddcb.h) and are parsed by niddmsg.h.  lwm2md's
 * own downlink limits per device (niddquota.h) hold back what is past them.  A 201 (buffered at the SCEF for a sleeping device)
 * is not loss: libcoap's retransmissions of that message are not delivered
 * again while it is held (LPW-002), and the NIDD sessions use [nidd]
 * ack_timeout / max_retransmit (dm.c).  Refusals (403 with a cause, 429,
 * 500 NiddDownlinkDataDeliveryFailure) are counted and the last one is
 * shown per device with the rate and quota figures the SCEF sent
 * (LPW-008/009).  The vpeer's port and the configuration's link are kept
 * in the database, so a stored registration stays reachable across a
 * restart of lwm2md.
 */
#ifndef LWM2MD_NIDD_H
#define LWM2MD_NIDD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "common/db.h"
#include "idmap.h"
#include "vpeer.h"

struct nidd_config {
	const char *api_root;         /* the SCEF's {apiRoot}, http:// */
	const char *scs_as_id;        /* {scsAsId} of lwm2md */
	const char *callback_address; /* where the callback listener listens */
	int callback_port;            /* 0: any free port */
	const char
		*callback_url; /* notificationDestination; "" or NULL: http://ADDRESS:PORT/nidd */
	const char *devices;   /* externalIds, blank- or comma-separated */
	int max_devices;
	int max_latency_s; /* maximumLatency of each downlink (-1: none sent) */
	/* lwm2md's own limits per device (niddquota.h: "N/hour" …; "" none) */
	const char *downlink_messages, *downlink_bytes;
	int max_inflight;  /* downlink and configuration requests on the wire at most */
	int timeout_s;     /* for each request to the SCEF */
	struct event_base *base;
	struct db *db;           /* table nidd_devices (borrowed) */
	struct vpeers *vpeers;   /* lwm2md's (borrowed) */
	const struct idmap *ids; /* the endpoint of an externalId (borrowed; may be NULL) */
};

struct nidd;

/*
 * Set up every device of @cfg (vpeers, stored ports and configurations),
 * listen for the SCEF's callbacks and start creating the configurations.
 * Returns 0 and *@out, or a negative errno (logged): -EINVAL (api root,
 * an externalId), -ENOSPC (more devices than max_devices), -EADDRINUSE.
 */
int nidd_new(const struct nidd_config *cfg, struct nidd **out);

/* Stop listening, drop requests on the wire, free the vpeers; NULL is fine. */
void nidd_free(struct nidd *n);

/*
 * One callback body from the SCEF (@len bytes of JSON): a
 * NiddUplinkDataNotification, NiddDownlinkDataDeliveryStatusNotification
 * or NiddConfigurationStatusNotification.  Returns the HTTP status to
 * answer: 204, 400 (not one of those), 404 (an unknown device or
 * configuration).  The listener calls it; so does the fuzz target.
 */
int nidd_callback(struct nidd *n, const uint8_t *body, size_t len);

/* The callback listener's port (what callback_port 0 chose). */
uint16_t nidd_callback_port(const struct nidd *n);

/*
 * The NIDD part of a client's record: {"external_id", "configuration",
 * "state", "uplinks", "downlinks", "buffered", "failed", "refusal",
 * "quota"} of the device whose vpeer is @vp; NULL when @vp is not one of ours.
 */
json_t *nidd_device_json(const struct nidd *n, const struct vpeer *vp);

/*
 * A client's record @o, when its address (@addr, @len) is one of our
 * vpeers: "external_id" (unless the ids already set one), and "nidd"
 * (nidd_device_json) when @full, else "quota" when the SCEF reported
 * one.  @n NULL (NIDD off) is fine.
 */
void nidd_annotate(const struct nidd *n, const struct sockaddr *addr, socklen_t len, bool full,
		   json_t *o);

/* The endpoint NIDD device @ext may register as, or NULL (not ours; @n NULL is fine). */
const char *nidd_endpoint_of(const struct nidd *n, const char *ext);

/* Add "nidd": {devices, counters …} to a status reply. */
void nidd_status(const struct nidd *n, json_t *status);

#endif
