/*
 * t8 — the JSON bodies of the 3GPP T8 NIDD API (TS 29.122 Rel-17,
 * 3gpp-nidd/v1): NiddConfiguration and its merge patch,
 * NiddDownlinkDataTransfer and its patch, the DeliveryStatus values, and
 * ProblemDetails with the TS 29.122 "cause" member.  Parsing checks what
 * the OpenAPI schema says (types, exactly one target identity, base64
 * data, non-negative durations) and bounds every string; a refusal comes
 * back as the 400 problem (status, cause, detail) the SCEF must answer.
 * Pure: no I/O, no clock.
 */
#ifndef LWGATE_T8_T8_H
#define LWGATE_T8_T8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define T8_MAX_ID   128  /* externalId, msisdn, externalGroupId, mtcProviderId */
#define T8_MAX_URI  512  /* notificationDestination */
#define T8_MAX_TIME 40   /* an RFC 3339 date-time */
#define T8_MAX_DATA 1600 /* non-IP payload bytes (the largest NB-IoT PDU) */

/* Which identity a configuration or a delivery targets (oneOf in the schema). */
enum t8_target_kind { T8_EXTERNAL_ID, T8_MSISDN, T8_EXTERNAL_GROUP_ID };

struct t8_target {
	enum t8_target_kind kind;
	char id[T8_MAX_ID];
};

/* PdnEstablishmentOptions; T8_PDN_UNSET when absent. */
enum t8_pdn_option { T8_PDN_UNSET, T8_PDN_WAIT_FOR_UE, T8_PDN_INDICATE_ERROR, T8_PDN_SEND_TRIGGER };

/* The writable members of a NiddConfiguration. */
struct t8_config {
	struct t8_target target;
	char notification_destination[T8_MAX_URI];
	char mtc_provider_id[T8_MAX_ID]; /* "" when absent */
	char duration[T8_MAX_TIME];      /* "" when absent: no expiry */
	bool reliable_data_service;
	enum t8_pdn_option pdn_option;
	bool request_test_notification;
	bool request_websocket_uri; /* websockNotifConfig.requestWebsocketUri */
};

/* The writable members of a NiddDownlinkDataTransfer. */
struct t8_downlink {
	struct t8_target target;
	uint8_t data[T8_MAX_DATA];
	size_t data_len;
	bool reliable_data_service;
	int64_t maximum_latency; /* seconds; -1 when absent */
	int64_t priority;        /* 0 when absent */
	enum t8_pdn_option pdn_option;
	int32_t rds_port_ue, rds_port_scef; /* rdsPort; -1 when absent */
};

/* SerializationFormat bits of a ManagePort. */
enum t8_format { T8_FORMAT_CBOR = 1, T8_FORMAT_JSON = 2, T8_FORMAT_XML = 4 };

/* The writable members of a ManagePort (RDS dynamic port management). */
struct t8_manage_port {
	char app_id[T8_MAX_ID];
	bool skip_ue_inquiry;
	unsigned formats;    /* supportedFormats, T8_FORMAT_* bits; 0 when absent */
	unsigned configured; /* configuredFormat, one T8_FORMAT_* bit; 0 when absent */
};

/* DeliveryStatus of TS 29.122 clause 5.6.3.x, in the schema's order. */
enum t8_delivery_status {
	T8_SUCCESS,
	T8_SUCCESS_NEXT_HOP_ACKNOWLEDGED,
	T8_SUCCESS_NEXT_HOP_UNACKNOWLEDGED,
	T8_SUCCESS_ACKNOWLEDGED,
	T8_SUCCESS_UNACKNOWLEDGED,
	T8_TRIGGERED,
	T8_BUFFERING,
	T8_BUFFERING_TEMPORARILY_NOT_REACHABLE,
	T8_SENDING,
	T8_FAILURE,
	T8_FAILURE_RDS_DISABLED,
	T8_FAILURE_NEXT_HOP,
	T8_FAILURE_TIMEOUT,
	T8_FAILURE_TEMPORARILY_NOT_REACHABLE,
	T8_DELIVERY_STATUS_COUNT,
};

/* Why a body was refused: the HTTP status, the TS 29.122 cause, a detail. */
struct t8_error {
	int status;
	const char *cause; /* static: "MANDATORY_IE_MISSING", … */
	char detail[160];
};

/* The schema name of @s ("BUFFERING"), or "FAILURE" out of range. */
const char *t8_delivery_status_name(enum t8_delivery_status s);

/*
 * The DeliveryStatus named @name (case-sensitive, as in the schema) into
 * *@out.  Returns 0, or -EINVAL for NULL or an unknown name.
 */
int t8_delivery_status_parse(const char *name, enum t8_delivery_status *out);

/*
 * Decode the @n characters at @s, padded standard base64 with no blanks
 * (OpenAPI format "byte"), into @out, which holds @max bytes: never more
 * is written.  Returns the decoded length (>= 1), -EINVAL when empty or
 * not padded base64, -EMSGSIZE when it decodes to more than @max bytes.
 */
int t8_base64_decode(const char *s, size_t n, uint8_t *out, size_t max);

/* Is @s a final status (the delivery is over: no PUT/PATCH/DELETE any more)? */
bool t8_delivery_status_final(enum t8_delivery_status s);

/* "externalId", "msisdn" or "externalGroupId". */
const char *t8_target_member(enum t8_target_kind k);

/* The schema name of @o ("WAIT_FOR_UE"), or NULL for T8_PDN_UNSET. */
const char *t8_pdn_option_name(enum t8_pdn_option o);

/*
 * Parse a NiddConfiguration request body (@len bytes of JSON) into *@out.
 * Read-only members (self, status, maximumPacketSize, …) are ignored as
 * the SCEF must.  Returns 0, or -EINVAL with *@err filled.
 */
int t8_config_parse(const char *json, size_t len, struct t8_config *out, struct t8_error *err);

/*
 * Apply a NiddConfigurationPatch (RFC 7396 merge patch: null removes a
 * member) to *@cfg; on failure *@cfg is left as it was.  Returns 0 or
 * -EINVAL with *@err.
 */
int t8_config_patch(const char *json, size_t len, struct t8_config *cfg, struct t8_error *err);

/*
 * A NiddConfiguration response document: @cfg plus self (@self), status
 * (@status, "ACTIVE") and maximumPacketSize (@max_packet_bits).  Returns a
 * malloc'd string or NULL on allocation failure.
 */
char *t8_config_json(const struct t8_config *cfg, const char *self, const char *status,
		     unsigned max_packet_bits);

/*
 * The same with websockNotifConfig {websocketUri: @websocket_uri,
 * requestWebsocketUri: true} when @cfg asked for a websocket and
 * @websocket_uri is not NULL.
 */
char *t8_config_json_ws(const struct t8_config *cfg, const char *self, const char *status,
			unsigned max_packet_bits, const char *websocket_uri);

/*
 * Parse a NiddDownlinkDataTransfer request body into *@out (data
 * base64-decoded; at most T8_MAX_DATA bytes, larger is a 403 with cause
 * "DATA_TOO_LARGE" as TS 29.122 4.4.5.3 says for an oversize packet).  Returns 0 or -EINVAL with
 * *@err.
 */
int t8_downlink_parse(const char *json, size_t len, struct t8_downlink *out, struct t8_error *err);

/*
 * Apply a NiddDownlinkDataTransferPatch to *@dl; on failure *@dl is left
 * as it was.  Returns 0 or -EINVAL with *@err.
 */
int t8_downlink_patch(const char *json, size_t len, struct t8_downlink *dl, struct t8_error *err);

/*
 * A NiddDownlinkDataTransfer response document with self (@self, NULL:
 * none), deliveryStatus and requestedRetransmissionTime (@retrans, NULL
 * or "": none).  Returns a malloc'd string or NULL.
 */
char *t8_downlink_json(const struct t8_downlink *dl, const char *self,
		       enum t8_delivery_status status, const char *retrans);

/*
 * A TS 29.122 ProblemDetails document {"title","status","detail","cause"}
 * (@detail and @cause may be NULL); with @failure true it is wrapped as a
 * NiddDownlinkDataDeliveryFailure {"problemDetail": …} with
 * requestedRetransmissionTime @retrans (NULL: none).  Returns a malloc'd
 * string or NULL.
 */
char *t8_problem_json(int status, const char *title, const char *detail, const char *cause,
		      bool failure, const char *retrans);

/*
 * Parse an RFC 3339 date-time ("2030-01-01T00:00:00Z", fraction and
 * offset allowed) into seconds since the epoch.  Returns 0 or -EINVAL.
 */
int t8_time_parse(const char *s, time_t *out);

/*
 * A NiddConfigurationStatusNotification: configuration @config_link of the
 * UE @target is now in NiddStatus @status ("TERMINATED").  Returns a
 * malloc'd string or NULL.
 */
char *t8_config_status_json(const char *config_link, const struct t8_target *target,
			    const char *status);

/*
 * A TestNotification (TS 29.122 5.2.5.3, CommonData): the check that the
 * notification path works, naming the resource @link it was asked for
 * ("subscription").  Returns a malloc'd string or NULL.
 */
char *t8_test_notification_json(const char *link);

/*
 * A NiddUplinkDataNotification: @len bytes of @data from the UE @target
 * under configuration @config_link.  Returns a malloc'd string or NULL.
 */
char *t8_uplink_json(const char *config_link, const struct t8_target *target, const uint8_t *data,
		     size_t len);

/*
 * A NiddDownlinkDataDeliveryStatusNotification for the delivery
 * @delivery_link now in @status.  Returns a malloc'd string or NULL.
 */
char *t8_delivery_status_json(const char *delivery_link, enum t8_delivery_status status);

/* The same with requestedRetransmissionTime @retrans (NULL or "": none). */
char *t8_delivery_status_json_rt(const char *delivery_link, enum t8_delivery_status status,
				 const char *retrans);

/* One UE's outcome in a group message delivery (GmdResult). */
struct t8_gmd_result {
	char external_id[T8_MAX_ID];
	enum t8_delivery_status status;
	time_t retransmit; /* requestedRetransmissionTime; 0: none */
};

/*
 * A GmdNiddDownlinkDataDeliveryNotification for the group delivery
 * @delivery_link with the @n (>= 1) results @r.  Returns a malloc'd
 * string or NULL.
 */
char *t8_gmd_json(const char *delivery_link, const struct t8_gmd_result *r, size_t n);

/*
 * Parse a ManagePort request body into *@out (appId required; self and
 * manageEntity are read-only and ignored).  Returns 0 or -EINVAL with *@err.
 */
int t8_manage_port_parse(const char *json, size_t len, struct t8_manage_port *out,
			 struct t8_error *err);

/*
 * A ManagePort document with self @self and manageEntity @entity ("UE" or
 * "AS").  Returns a malloc'd string or NULL.
 */
char *t8_manage_port_json(const struct t8_manage_port *p, const char *self, const char *entity);

/* A portId "ueN-efM" (N, M 0..15, the yaml's pattern) into *@ue, *@ef.  Returns 0 or -EINVAL. */
int t8_port_id_parse(const char *s, int *ue, int *ef);

/* @t as an RFC 3339 date-time in UTC ("2030-01-01T00:00:00Z") into @out (>= 21 bytes). */
void t8_time_format(time_t t, char *out, size_t size);

#endif
