/*
 * niddmsg — the bodies an SCEF POSTs to lwm2md's T8 callback (TS 29.122
 * 3gpp-nidd/v1), parsed: NiddUplinkDataNotification (its base64 data
 * decoded), NiddDownlinkDataDeliveryStatusNotification and
 * NiddConfigurationStatusNotification.  Every string and the data are
 * bounded.  Pure: no I/O, no clock.
 */
#ifndef LWM2MD_NIDDMSG_H
#define LWM2MD_NIDDMSG_H

#include <stddef.h>
#include <stdint.h>

#define NIDDMSG_ID_MAX   256  /* an externalId */
#define NIDDMSG_LINK_MAX 512  /* a configuration's or a delivery's link */
#define NIDDMSG_DATA_MAX 4096 /* bytes of one uplink packet (NB-IoT carries 1600 at most) */

enum niddmsg_kind { NIDDMSG_UPLINK, NIDDMSG_DELIVERY_STATUS, NIDDMSG_CONFIG_STATUS };

struct niddmsg {
	enum niddmsg_kind kind;
	char external_id[NIDDMSG_ID_MAX]; /* "" when absent */
	char link[NIDDMSG_LINK_MAX];      /* niddConfiguration, or niddDownlinkDataTransfer; "" when
					     absent */
	const char *delivery_status; /* NIDDMSG_DELIVERY_STATUS: a DeliveryStatus name (static) */
	char config_status[32];      /* NIDDMSG_CONFIG_STATUS: "ACTIVE", "TERMINATED" … */
	uint8_t data[NIDDMSG_DATA_MAX]; /* NIDDMSG_UPLINK: the packet, 1 to NIDDMSG_DATA_MAX bytes */
	size_t data_len;
};

/*
 * Parse @len bytes of JSON into *@out: an object with "data" is an uplink
 * (padded base64 of 1 to NIDDMSG_DATA_MAX bytes, with externalId or
 * niddConfiguration), one with "deliveryStatus" a delivery status (with
 * niddDownlinkDataTransfer and a known DeliveryStatus), one with "status"
 * a configuration status (with niddConfiguration).  Returns 0, or -EINVAL
 * for anything else (not JSON, duplicate members, wrong types, too long).
 */
int niddmsg_parse(const uint8_t *body, size_t len, struct niddmsg *out);

#endif
