/*
 * t8 — the T8 NIDD JSON bodies (see t8.h).  jansson parses and builds the
 * documents; OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock do the base64 of
 * the "data" members (format "byte" in OpenAPI: standard alphabet, padded).
 */
#include "t8/t8.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

static const char *const status_names[T8_DELIVERY_STATUS_COUNT] = {
	"SUCCESS",
	"SUCCESS_NEXT_HOP_ACKNOWLEDGED",
	"SUCCESS_NEXT_HOP_UNACKNOWLEDGED",
	"SUCCESS_ACKNOWLEDGED",
	"SUCCESS_UNACKNOWLEDGED",
	"TRIGGERED",
	"BUFFERING",
	"BUFFERING_TEMPORARILY_NOT_REACHABLE",
	"SENDING",
	"FAILURE",
	"FAILURE_RDS_DISABLED",
	"FAILURE_NEXT_HOP",
	"FAILURE_TIMEOUT",
	"FAILURE_TEMPORARILY_NOT_REACHABLE",
};

static const char *const pdn_names[] = { NULL, "WAIT_FOR_UE", "INDICATE_ERROR", "SEND_TRIGGER" };

const char *t8_delivery_status_name(enum t8_delivery_status s)
{
	return (unsigned)s < T8_DELIVERY_STATUS_COUNT ? status_names[s] : "FAILURE";
}

int t8_delivery_status_parse(const char *name, enum t8_delivery_status *out)
{
	for (unsigned i = 0; name && i < T8_DELIVERY_STATUS_COUNT; i++)
		if (strcmp(name, status_names[i]) == 0) {
			*out = (enum t8_delivery_status)i;
			return 0;
		}
	return -EINVAL;
}

int t8_base64_decode(const char *s, size_t n, uint8_t *out, size_t max)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t body = strspn(s, alphabet), pad = n - body;
	uint8_t last[3];

	/* EVP_DecodeBlock skips blanks and counts padding as data: check first. */
	if (n == 0 || n % 4 || n > INT_MAX || body < n - 2 || strspn(s + body, "=") != pad)
		return -EINVAL;
	if (n / 4 * 3 - pad > max)
		return -EMSGSIZE;
	/* It writes whole 3-byte groups: the last one goes through @last so that
	 * padding never writes past @max. */
	int got = n > 4 ? EVP_DecodeBlock(out, (const unsigned char *)s, (int)(n - 4)) : 0;
	if (got < 0 || EVP_DecodeBlock(last, (const unsigned char *)s + n - 4, 4) != 3)
		return -EINVAL;
	memcpy(out + got, last, 3 - pad);
	return got + 3 - (int)pad;
}

bool t8_delivery_status_final(enum t8_delivery_status s)
{
	/* Only data still held by the SCEF can be replaced or withdrawn. */
	return !(s == T8_TRIGGERED || s == T8_BUFFERING ||
		 s == T8_BUFFERING_TEMPORARILY_NOT_REACHABLE);
}

const char *t8_target_member(enum t8_target_kind k)
{
	switch (k) {
	case T8_EXTERNAL_ID:
		return "externalId";
	case T8_MSISDN:
		return "msisdn";
	default:
		return "externalGroupId";
	}
}

const char *t8_pdn_option_name(enum t8_pdn_option o)
{
	return (unsigned)o < sizeof(pdn_names) / sizeof(pdn_names[0]) ? pdn_names[o] : NULL;
}

__attribute__((format(printf, 4, 5))) static int fail(struct t8_error *err, int status,
						      const char *cause, const char *fmt, ...)
{
	err->status = status;
	err->cause = cause;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Copy string member @name (absent: leave @out) into @out; too long or not a string fails. */
static int get_string(json_t *o, const char *name, char *out, size_t size, struct t8_error *err)
{
	json_t *v = json_object_get(o, name);
	if (!v)
		return 0;
	if (!json_is_string(v))
		return fail(err, 400, "MANDATORY_IE_INCORRECT", "%s must be a string", name);
	if (json_string_length(v) == 0 || json_string_length(v) >= size ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return fail(err, 400, "MANDATORY_IE_INCORRECT",
			    "%s is empty, too long or holds NUL", name);
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int get_bool(json_t *o, const char *name, bool *out, struct t8_error *err)
{
	json_t *v = json_object_get(o, name);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return fail(err, 400, "MANDATORY_IE_INCORRECT", "%s must be a boolean", name);
	*out = json_is_true(v);
	return 0;
}

/* A "local@domain" identity: one '@', neither side empty (TS 23.682 4.6.2). */
static bool external_id_ok(const char *s)
{
	const char *at = strchr(s, '@');
	return at && at != s && at[1] && !strchr(at + 1, '@');
}

/* An MSISDN (TS 23.003 3.3): 5 to 15 digits, E.164 without '+'. */
static bool msisdn_ok(const char *s)
{
	size_t n = strspn(s, "0123456789");
	return s[n] == '\0' && n >= 5 && n <= 15;
}

/* Exactly one of externalId, msisdn, externalGroupId. */
static int get_target(json_t *o, struct t8_target *t, struct t8_error *err)
{
	int found = 0;
	for (int k = T8_EXTERNAL_ID; k <= T8_EXTERNAL_GROUP_ID; k++) {
		const char *m = t8_target_member((enum t8_target_kind)k);
		if (!json_object_get(o, m))
			continue;
		if (found++)
			return fail(err, 400, "MANDATORY_IE_INCORRECT",
				    "only one of externalId, msisdn, externalGroupId (%s too)", m);
		t->kind = (enum t8_target_kind)k;
		if (get_string(o, m, t->id, sizeof(t->id), err) < 0)
			return -EINVAL;
		bool ok = k == T8_MSISDN ? msisdn_ok(t->id) : external_id_ok(t->id);
		if (!ok)
			return fail(err, 400, "MANDATORY_IE_INCORRECT", "%s is malformed", m);
	}
	if (!found)
		return fail(err, 400, "MANDATORY_IE_MISSING", "%s",
			    "one of externalId, msisdn, externalGroupId is required");
	return 0;
}

/* pdnEstablishmentOption; null (in a patch) unsets it. */
static int get_pdn(json_t *o, enum t8_pdn_option *out, struct t8_error *err)
{
	json_t *v = json_object_get(o, "pdnEstablishmentOption");
	if (!v)
		return 0;
	if (json_is_null(v)) {
		*out = T8_PDN_UNSET;
		return 0;
	}
	for (int i = T8_PDN_WAIT_FOR_UE; json_is_string(v) && i <= T8_PDN_SEND_TRIGGER; i++)
		if (strcmp(json_string_value(v), pdn_names[i]) == 0) {
			*out = (enum t8_pdn_option)i;
			return 0;
		}
	return fail(err, 400, "OPTIONAL_IE_INCORRECT", "%s is not a known option",
		    "pdnEstablishmentOption");
}

/* notificationDestination (when present): an absolute http or https URI. */
static int get_destination(json_t *o, char out[T8_MAX_URI], struct t8_error *err)
{
	char uri[T8_MAX_URI] = "";
	if (get_string(o, "notificationDestination", uri, sizeof(uri), err) < 0)
		return -EINVAL;
	if (!json_object_get(o, "notificationDestination"))
		return 0;
	const char *host = strncmp(uri, "http://", 7) == 0    ? uri + 7
			   : strncmp(uri, "https://", 8) == 0 ? uri + 8
							      : NULL;
	if (!host || !*host || *host == '/')
		return fail(err, 400, "MANDATORY_IE_INCORRECT", "%s must be an http(s) URI",
			    "notificationDestination");
	memcpy(out, uri, sizeof(uri));
	return 0;
}

int t8_time_parse(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	int n = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n != 19 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':')
		return -EINVAL;
	const char *p = s + n;
	if (*p == '.' && p[1] >= '0' && p[1] <= '9')
		p += 1 + strspn(p + 1, "0123456789");
	long off = 0;
	int oh, om;
	if ((*p == 'Z' || *p == 'z') && !p[1]) {
		off = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
		   sscanf(p + 1, "%2d:%2d", &oh, &om) == 2 && oh < 24 && om < 60) {
		off = (*p == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
	} else {
		return -EINVAL;
	}
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = timegm(&tm) - off;
	return 0;
}

/* "duration" (when present): an RFC 3339 date-time. */
static int check_duration(const char *d, struct t8_error *err)
{
	time_t t;
	if (d[0] && t8_time_parse(d, &t) < 0)
		return fail(err, 400, "OPTIONAL_IE_INCORRECT", "%s is not an RFC 3339 date-time",
			    "duration");
	return 0;
}

static json_t *load_object(const char *json, size_t len, struct t8_error *err)
{
	json_error_t jerr;
	json_t *o = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o || !json_is_object(o)) {
		json_decref(o);
		fail(err, 400, "INVALID_MSG_FORMAT", "%s",
		     o ? "the body is not a JSON object" : jerr.text);
		return NULL;
	}
	return o;
}

/*
 * websockNotifConfig (TS 29.122 CommonData WebsockNotifConfig): an object
 * whose requestWebsocketUri, when present, is a boolean; websocketUri is
 * the SCEF's to set and is ignored in a request.
 */
static int get_websock(json_t *o, bool *request, struct t8_error *err)
{
	json_t *w = json_object_get(o, "websockNotifConfig");
	if (!w)
		return 0;
	json_t *r = json_is_object(w) ? json_object_get(w, "requestWebsocketUri") : NULL;
	if (!json_is_object(w) || (r && !json_is_boolean(r)))
		return fail(
			err, 400, "OPTIONAL_IE_INCORRECT",
			"websockNotifConfig must be an object with a boolean requestWebsocketUri");
	*request = json_is_true(r);
	return 0;
}

int t8_config_parse(const char *json, size_t len, struct t8_config *out, struct t8_error *err)
{
	json_t *o = load_object(json, len, err);
	if (!o)
		return -EINVAL;
	struct t8_config c = { 0 };
	int rc = get_target(o, &c.target, err);
	if (rc == 0 && !json_object_get(o, "notificationDestination"))
		rc = fail(err, 400, "MANDATORY_IE_MISSING", "%s is required",
			  "notificationDestination");
	if (rc == 0)
		rc = get_destination(o, c.notification_destination, err);
	if (rc == 0)
		rc = get_string(o, "mtcProviderId", c.mtc_provider_id, sizeof(c.mtc_provider_id),
				err);
	if (rc == 0)
		rc = get_string(o, "duration", c.duration, sizeof(c.duration), err);
	if (rc == 0)
		rc = check_duration(c.duration, err);
	if (rc == 0)
		rc = get_bool(o, "reliableDataService", &c.reliable_data_service, err);
	if (rc == 0)
		rc = get_bool(o, "requestTestNotification", &c.request_test_notification, err);
	if (rc == 0)
		rc = get_websock(o, &c.request_websocket_uri, err);
	if (rc == 0)
		rc = get_pdn(o, &c.pdn_option, err);
	json_decref(o);
	if (rc == 0)
		*out = c;
	return rc;
}

int t8_config_patch(const char *json, size_t len, struct t8_config *cfg, struct t8_error *err)
{
	json_t *o = load_object(json, len, err);
	if (!o)
		return -EINVAL;
	struct t8_config c = *cfg;
	int rc = 0;
	json_t *v;
	if ((v = json_object_get(o, "duration")) && json_is_null(v))
		c.duration[0] = '\0';
	else
		rc = get_string(o, "duration", c.duration, sizeof(c.duration), err);
	if (rc == 0)
		rc = check_duration(c.duration, err);
	if (rc == 0 && (v = json_object_get(o, "reliableDataService")) && json_is_null(v))
		c.reliable_data_service = false;
	else if (rc == 0)
		rc = get_bool(o, "reliableDataService", &c.reliable_data_service, err);
	if (rc == 0)
		rc = get_pdn(o, &c.pdn_option, err);
	if (rc == 0)
		rc = get_destination(o, c.notification_destination, err);
	json_decref(o);
	if (rc == 0)
		*cfg = c;
	return rc;
}

char *t8_config_json(const struct t8_config *cfg, const char *self, const char *status,
		     unsigned max_packet_bits)
{
	return t8_config_json_ws(cfg, self, status, max_packet_bits, NULL);
}

char *t8_config_json_ws(const struct t8_config *cfg, const char *self, const char *status,
			unsigned max_packet_bits, const char *websocket_uri)
{
	json_t *o = json_object();
	json_object_set_new(o, "self", json_string(self));
	json_object_set_new(o, t8_target_member(cfg->target.kind), json_string(cfg->target.id));
	json_object_set_new(o, "notificationDestination",
			    json_string(cfg->notification_destination));
	if (cfg->mtc_provider_id[0])
		json_object_set_new(o, "mtcProviderId", json_string(cfg->mtc_provider_id));
	if (cfg->duration[0])
		json_object_set_new(o, "duration", json_string(cfg->duration));
	json_object_set_new(o, "reliableDataService", json_boolean(cfg->reliable_data_service));
	if (cfg->pdn_option != T8_PDN_UNSET)
		json_object_set_new(o, "pdnEstablishmentOption",
				    json_string(t8_pdn_option_name(cfg->pdn_option)));
	if (cfg->request_websocket_uri && websocket_uri)
		json_object_set_new(o, "websockNotifConfig",
				    json_pack("{s:s, s:b}", "websocketUri", websocket_uri,
					      "requestWebsocketUri", 1));
	json_object_set_new(o, "maximumPacketSize", json_integer(max_packet_bits));
	json_object_set_new(o, "status", json_string(status));
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* Base64 "data" into @out (T8_MAX_DATA bytes); its length in *@len. */
static int get_data(json_t *o, uint8_t *out, size_t *len, struct t8_error *err)
{
	json_t *v = json_object_get(o, "data");
	if (!json_is_string(v))
		return fail(err, 400, v ? "MANDATORY_IE_INCORRECT" : "MANDATORY_IE_MISSING",
			    "%s must be a base64 string", "data");
	int got = t8_base64_decode(json_string_value(v), json_string_length(v), out, T8_MAX_DATA);
	if (got == -EMSGSIZE)
		return fail(err, 403, "DATA_TOO_LARGE", "%s is larger than the SCEF can hold",
			    "data");
	if (got < 0)
		return fail(err, 400, "MANDATORY_IE_INCORRECT", "%s is not padded base64", "data");
	*len = (size_t)got;
	return 0;
}

/* A Port: an integer 0..65535. */
static int get_port(json_t *o, const char *name, int32_t *out, struct t8_error *err)
{
	json_t *v = json_object_get(o, name);
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 65535)
		return fail(err, 400, "OPTIONAL_IE_INCORRECT", "rdsPort.%s must be a port 0..65535",
			    name);
	*out = (int32_t)json_integer_value(v);
	return 0;
}

/* rdsPort {portUE, portSCEF}, both required in an RdsPort. */
static int get_rds_port(json_t *o, struct t8_downlink *d, struct t8_error *err)
{
	json_t *v = json_object_get(o, "rdsPort");
	if (!v)
		return 0;
	if (!json_is_object(v))
		return fail(err, 400, "OPTIONAL_IE_INCORRECT", "%s must be an RdsPort", "rdsPort");
	int32_t ue = -1, scef = -1;
	if (get_port(v, "portUE", &ue, err) < 0 || get_port(v, "portSCEF", &scef, err) < 0)
		return -EINVAL;
	d->rds_port_ue = ue;
	d->rds_port_scef = scef;
	return 0;
}

static int get_downlink_options(json_t *o, struct t8_downlink *d, struct t8_error *err)
{
	int rc = get_bool(o, "reliableDataService", &d->reliable_data_service, err);
	json_t *v = json_object_get(o, "maximumLatency");
	if (rc == 0 && v && (!json_is_integer(v) || json_integer_value(v) < 0))
		rc = fail(err, 400, "OPTIONAL_IE_INCORRECT", "%s must be seconds >= 0",
			  "maximumLatency");
	else if (rc == 0 && v)
		d->maximum_latency = json_integer_value(v);
	v = json_object_get(o, "priority");
	if (rc == 0 && v && !json_is_integer(v))
		rc = fail(err, 400, "OPTIONAL_IE_INCORRECT", "%s must be an integer", "priority");
	else if (rc == 0 && v)
		d->priority = json_integer_value(v);
	if (rc == 0)
		rc = get_pdn(o, &d->pdn_option, err);
	if (rc == 0)
		rc = get_rds_port(o, d, err);
	return rc;
}

int t8_downlink_parse(const char *json, size_t len, struct t8_downlink *out, struct t8_error *err)
{
	json_t *o = load_object(json, len, err);
	if (!o)
		return -EINVAL;
	struct t8_downlink *d = out;
	memset(d, 0, sizeof(*d));
	d->maximum_latency = -1;
	d->rds_port_ue = d->rds_port_scef = -1;
	int rc = get_target(o, &d->target, err);
	if (rc == 0)
		rc = get_data(o, d->data, &d->data_len, err);
	if (rc == 0)
		rc = get_downlink_options(o, d, err);
	json_decref(o);
	return rc;
}

int t8_downlink_patch(const char *json, size_t len, struct t8_downlink *dl, struct t8_error *err)
{
	json_t *o = load_object(json, len, err);
	if (!o)
		return -EINVAL;
	static struct t8_downlink d; /* 1.6 KiB: kept off the stack of fuzzers and daemons */
	d = *dl;
	int rc = 0;
	if (json_object_get(o, "data"))
		rc = get_data(o, d.data, &d.data_len, err);
	if (rc == 0)
		rc = get_downlink_options(o, &d, err);
	json_decref(o);
	if (rc == 0)
		*dl = d;
	return rc;
}

/* "data" as padded standard base64 into @o. */
static void set_data(json_t *o, const uint8_t *data, size_t len)
{
	char b64[(T8_MAX_DATA + 2) / 3 * 4 + 1];
	if (len > T8_MAX_DATA)
		len = T8_MAX_DATA; /* the callers' buffers are that size: never cut */
	EVP_EncodeBlock((unsigned char *)b64, data, (int)len);
	json_object_set_new(o, "data", json_string(b64));
}

static char *dump(json_t *o)
{
	char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

char *t8_uplink_json(const char *config_link, const struct t8_target *target, const uint8_t *data,
		     size_t len)
{
	json_t *o = json_pack("{s:s, s:s}", "niddConfiguration", config_link,
			      t8_target_member(target->kind), target->id);
	if (o)
		set_data(o, data, len);
	return dump(o);
}

char *t8_config_status_json(const char *config_link, const struct t8_target *target,
			    const char *status)
{
	return dump(json_pack("{s:s, s:s, s:s}", "niddConfiguration", config_link,
			      t8_target_member(target->kind), target->id, "status", status));
}

char *t8_test_notification_json(const char *link)
{
	return dump(json_pack("{s:s}", "subscription", link));
}

char *t8_delivery_status_json(const char *delivery_link, enum t8_delivery_status status)
{
	return t8_delivery_status_json_rt(delivery_link, status, NULL);
}

char *t8_delivery_status_json_rt(const char *delivery_link, enum t8_delivery_status status,
				 const char *retrans)
{
	json_t *o = json_pack("{s:s, s:s}", "niddDownlinkDataTransfer", delivery_link,
			      "deliveryStatus", t8_delivery_status_name(status));
	if (o && retrans && retrans[0])
		json_object_set_new(o, "requestedRetransmissionTime", json_string(retrans));
	return dump(o);
}

char *t8_gmd_json(const char *delivery_link, const struct t8_gmd_result *r, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < n; i++) {
		json_t *o = json_pack("{s:s, s:s}", "externalId", r[i].external_id,
				      "deliveryStatus", t8_delivery_status_name(r[i].status));
		if (o && r[i].retransmit) {
			char when[32];
			t8_time_format(r[i].retransmit, when, sizeof(when));
			json_object_set_new(o, "requestedRetransmissionTime", json_string(when));
		}
		json_array_append_new(arr, o);
	}
	return dump(json_pack("{s:s, s:o}", "niddDownlinkDataTransfer", delivery_link, "gmdResults",
			      arr));
}

static const char *const format_names[] = { "CBOR", "JSON", "XML" };

/* A SerializationFormat string into its bit; 0 for another. */
static unsigned format_bit(json_t *v)
{
	for (unsigned i = 0; json_is_string(v) && i < 3; i++)
		if (strcmp(json_string_value(v), format_names[i]) == 0)
			return 1u << i;
	return 0;
}

static int get_formats(json_t *o, struct t8_manage_port *p, struct t8_error *err)
{
	json_t *v = json_object_get(o, "supportedFormats"), *e;
	size_t i;
	if (v && (!json_is_array(v) || json_array_size(v) == 0))
		return fail(err, 400, "OPTIONAL_IE_INCORRECT", "%s must be a non-empty array",
			    "supportedFormats");
	json_array_foreach (v, i, e) {
		unsigned bit = format_bit(e);
		if (!bit)
			return fail(err, 400, "OPTIONAL_IE_INCORRECT",
				    "supportedFormats: CBOR, JSON or XML");
		p->formats |= bit;
	}
	v = json_object_get(o, "configuredFormat");
	if (v && !(p->configured = format_bit(v)))
		return fail(err, 400, "OPTIONAL_IE_INCORRECT",
			    "configuredFormat: CBOR, JSON or XML");
	return 0;
}

int t8_manage_port_parse(const char *json, size_t len, struct t8_manage_port *out,
			 struct t8_error *err)
{
	json_t *o = load_object(json, len, err);
	if (!o)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	int rc = json_object_get(o, "appId")
			 ? get_string(o, "appId", out->app_id, sizeof(out->app_id), err)
			 : fail(err, 400, "MANDATORY_IE_MISSING", "%s is required", "appId");
	if (rc == 0)
		rc = get_bool(o, "skipUeInquiry", &out->skip_ue_inquiry, err);
	if (rc == 0)
		rc = get_formats(o, out, err);
	json_decref(o);
	return rc;
}

char *t8_manage_port_json(const struct t8_manage_port *p, const char *self, const char *entity)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "self", self, "appId", p->app_id,
			      "manageEntity", entity, "skipUeInquiry", p->skip_ue_inquiry);
	json_t *arr = p->formats ? json_array() : NULL;
	for (unsigned i = 0; arr && i < 3; i++)
		if (p->formats & (1u << i))
			json_array_append_new(arr, json_string(format_names[i]));
	if (o && arr)
		json_object_set_new(o, "supportedFormats", arr);
	for (unsigned i = 0; o && i < 3; i++)
		if (p->configured == (1u << i))
			json_object_set_new(o, "configuredFormat", json_string(format_names[i]));
	return dump(o);
}

/* [0-9]|1[0-5] at @s (the yaml's portId parts); -1 if none.  *@end after it. */
static int port_number(const char *s, const char **end)
{
	if (s[0] < '0' || s[0] > '9')
		return -1;
	if (s[0] == '1' && s[1] >= '0' && s[1] <= '5') {
		*end = s + 2;
		return 10 + (s[1] - '0');
	}
	*end = s + 1;
	return s[0] - '0';
}

int t8_port_id_parse(const char *s, int *ue, int *ef)
{
	const char *p;
	int u = strncmp(s, "ue", 2) == 0 ? port_number(s + 2, &p) : -1;
	int f = u >= 0 && strncmp(p, "-ef", 3) == 0 ? port_number(p + 3, &p) : -1;
	if (f < 0 || *p)
		return -EINVAL;
	*ue = u;
	*ef = f;
	return 0;
}

void t8_time_format(time_t t, char *out, size_t size)
{
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "%s", "");
}

char *t8_downlink_json(const struct t8_downlink *dl, const char *self,
		       enum t8_delivery_status status, const char *retrans)
{
	json_t *o = json_object();
	if (self)
		json_object_set_new(o, "self", json_string(self));
	json_object_set_new(o, t8_target_member(dl->target.kind), json_string(dl->target.id));
	set_data(o, dl->data, dl->data_len);
	json_object_set_new(o, "reliableDataService", json_boolean(dl->reliable_data_service));
	if (dl->maximum_latency >= 0)
		json_object_set_new(o, "maximumLatency", json_integer(dl->maximum_latency));
	if (dl->priority)
		json_object_set_new(o, "priority", json_integer(dl->priority));
	if (dl->pdn_option != T8_PDN_UNSET)
		json_object_set_new(o, "pdnEstablishmentOption",
				    json_string(t8_pdn_option_name(dl->pdn_option)));
	if (dl->rds_port_ue >= 0)
		json_object_set_new(o, "rdsPort",
				    json_pack("{s:i, s:i}", "portUE", (int)dl->rds_port_ue,
					      "portSCEF", (int)dl->rds_port_scef));
	json_object_set_new(o, "deliveryStatus", json_string(t8_delivery_status_name(status)));
	if (retrans && retrans[0])
		json_object_set_new(o, "requestedRetransmissionTime", json_string(retrans));
	return dump(o);
}

char *t8_problem_json(int status, const char *title, const char *detail, const char *cause,
		      bool failure, const char *retrans)
{
	json_t *p = json_pack("{s:s, s:i}", "title", title, "status", status);
	if (detail)
		json_object_set_new(p, "detail", json_string(detail));
	if (cause)
		json_object_set_new(p, "cause", json_string(cause));
	if (failure) {
		p = json_pack("{s:o}", "problemDetail", p);
		if (retrans && retrans[0])
			json_object_set_new(p, "requestedRetransmissionTime", json_string(retrans));
	}
	char *s = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	return s;
}
