/*
 * niddmsg — T8 NIDD callback bodies (see niddmsg.h).
 */
#include "niddmsg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "niddlog.h"
#include "t8/t8.h"

/* Member @key of @o as a string into @buf: 0 (absent: ""), or -EINVAL (not a string, too long). */
static int copy_member(json_t *o, const char *key, char *buf, size_t size)
{
	json_t *v = json_object_get(o, key);

	buf[0] = '\0';
	if (!v)
		return 0;
	if (!json_is_string(v) || json_string_length(v) >= size ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return -EINVAL;
	memcpy(buf, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int parse_object(json_t *o, struct niddmsg *out)
{
	json_t *data = json_object_get(o, "data");
	int n;

	if (copy_member(o, "externalId", out->external_id, sizeof(out->external_id)) < 0)
		return -EINVAL;
	if (data) {
		out->kind = NIDDMSG_UPLINK;
		if (!json_is_string(data) ||
		    copy_member(o, "niddConfiguration", out->link, sizeof(out->link)) < 0 ||
		    (!out->external_id[0] && !out->link[0]))
			return -EINVAL;
		n = t8_base64_decode(json_string_value(data), json_string_length(data), out->data,
				     NIDDMSG_DATA_MAX);
		if (n < 0)
			return -EINVAL;
		out->data_len = (size_t)n;
		return 0;
	}
	if (json_object_get(o, "deliveryStatus")) {
		out->kind = NIDDMSG_DELIVERY_STATUS;
		out->delivery_status = niddlog_status_name(
			json_string_value(json_object_get(o, "deliveryStatus")));
		if (!out->delivery_status ||
		    copy_member(o, "niddDownlinkDataTransfer", out->link, sizeof(out->link)) < 0 ||
		    !out->link[0])
			return -EINVAL;
		return 0;
	}
	if (json_object_get(o, "status")) {
		out->kind = NIDDMSG_CONFIG_STATUS;
		if (copy_member(o, "status", out->config_status, sizeof(out->config_status)) < 0 ||
		    !out->config_status[0] ||
		    copy_member(o, "niddConfiguration", out->link, sizeof(out->link)) < 0 ||
		    !out->link[0])
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

int niddmsg_parse(const uint8_t *body, size_t len, struct niddmsg *out)
{
	json_t *o = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, NULL);
	int rc = json_is_object(o) ? parse_object(o, out) : -EINVAL;

	json_decref(o);
	return rc;
}
