/*
 * send — the LwM2M Send operation (see send.h).
 */
#define LOG_COMPONENT "send"
#include "send.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "lwm2m/lwm2m_doc.h"
#include "lwm2m/lwm2m_format.h"
#include "lwm2m/lwm2m_path.h"

/* COAP_RESPONSE_CODE(), without libcoap */
#define CODE(c) ((unsigned)(((c) / 100) << 5 | ((c) % 100)))

struct send {
	struct send_config cfg;
	struct send_stats st;
};

struct send *send_new(const struct send_config *cfg)
{
	struct send *sd = calloc(1, sizeof(*sd));

	if (!sd)
		abort();
	sd->cfg = *cfg;
	return sd;
}

void send_free(struct send *sd)
{
	free(sd);
}

/* The formats TS Core §6.4.7 allows for Send. */
static bool send_format(unsigned f)
{
	return f == LWM2M_FORMAT_SENML_JSON || f == LWM2M_FORMAT_SENML_CBOR ||
	       f == LWM2M_FORMAT_CBOR;
}

static unsigned refuse(char *why, size_t size, unsigned code, const char *text)
{
	snprintf(why, size, "%s", text);
	return code;
}

unsigned send_handle(struct send *sd, const char *ep, const char *peer, bool has_format,
		     unsigned format, const uint8_t *payload, size_t len, char *why,
		     size_t why_size)
{
	struct lwm2m_path root = { 0 };
	struct lwm2m_error err = { 0 };
	struct lwm2m_doc doc;
	json_t *values = NULL;
	int rc;

	if (!sd->cfg.enabled) {
		sd->st.refused++;
		log_info("Send refused ([lwm2m] send = no) from %s", ep ? ep : peer);
		return refuse(why, why_size, CODE(405), "Send is disabled on this server");
	}
	if (!ep) {
		sd->st.unregistered++;
		log_warnx("Send from an unregistered peer %s: 4.04", peer);
		return refuse(why, why_size, CODE(404), "not registered: Register first");
	}
	if (!has_format || !send_format(format)) {
		sd->st.unsupported_format++;
		log_warnx("ep=%s: Send in content format %u refused", ep, has_format ? format : 0);
		return refuse(
			why, why_size, has_format ? CODE(415) : CODE(400),
			"Send takes SenML JSON (110), SenML CBOR (112) or LwM2M CBOR (11544)");
	}
	lwm2m_doc_init(&doc);
	rc = lwm2m_format_decode((enum lwm2m_format)format, payload, len, &root, sd->cfg.reg, &doc,
				 &err);
	if (rc == 0 && doc.count == 0)
		snprintf(err.msg, sizeof(err.msg), "no values");
	/* values of resources (or their instances), not of objects or instances */
	for (size_t i = 0; rc == 0 && i < doc.count; i++)
		if (doc.entries[i].path.len < LWM2M_PATH_RESOURCE) {
			char ps[LWM2M_PATH_STR_MAX];

			lwm2m_path_format(&doc.entries[i].path, ps, sizeof(ps));
			snprintf(err.msg, sizeof(err.msg), "a value at %s, which is not a resource",
				 ps);
			rc = -EBADMSG;
		}
	if (rc == 0 && doc.count)
		values = observe_store_values(sd->cfg.observe, ep, &doc, "send");
	lwm2m_doc_fini(&doc);
	if (!values) {
		sd->st.malformed++;
		snprintf(why, why_size, "%s: %s",
			 lwm2m_format_name((enum lwm2m_format)format) ?: "?",
			 err.msg[0] ? err.msg : strerror(rc < 0 ? -rc : EINVAL));
		log_warnx("ep=%s: Send not decoded: %s", ep, why);
		return CODE(400);
	}
	sd->st.accepted++;
	sd->st.values += json_object_size(values);
	if (sd->cfg.ipc)
		ipc_server_publish(sd->cfg.ipc, "send",
				   json_pack("{s:s, s:o, s:o}", "endpoint", ep, "time",
					     clients_iso_time(clients_now_ms()), "values", values));
	else
		json_decref(values);
	why[0] = '\0';
	return CODE(204);
}

void send_get_stats(const struct send *sd, struct send_stats *out)
{
	*out = sd->st;
}

void send_counters(const struct send *sd, json_t *counters)
{
#define C(name, v) json_object_set_new(counters, name, json_integer((json_int_t)(v)))
	C("sends", sd->st.accepted);
	C("send_values", sd->st.values);
	C("send_malformed", sd->st.malformed);
	C("send_unsupported_format", sd->st.unsupported_format);
	C("send_unregistered", sd->st.unregistered);
	C("send_refused", sd->st.refused);
#undef C
}
