/*
 * niddmsg — T8 NIDD callback bodies (see niddmsg.h).
 */
#include "niddmsg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "niddlog.h"

/* Base64 @s (padded, no blanks) into @out (NIDDMSG_DATA_MAX + 2 bytes): its length, or -1 when not
 * base64, empty or too long. */
static int b64_decode(const char *s, uint8_t *out)
{
	size_t n = strlen(s);
	int got, pad = 0;

	if (n == 0 || n % 4 || n / 4 * 3 > NIDDMSG_DATA_MAX + 2)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '=' && i >= n - 2) {
			pad++;
			continue;
		}
		if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			     (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return -1;
	}
	/* EVP_DecodeBlock counts the padding as data: taken off */
	got = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	return got < 0 || got - pad < 1 || got - pad > NIDDMSG_DATA_MAX ? -1 : got - pad;
}

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
	const char *data = json_string_value(json_object_get(o, "data"));
	int n;

	if (copy_member(o, "externalId", out->external_id, sizeof(out->external_id)) < 0)
		return -EINVAL;
	if (json_object_get(o, "data")) {
		out->kind = NIDDMSG_UPLINK;
		if (!data ||
		    copy_member(o, "niddConfiguration", out->link, sizeof(out->link)) < 0 ||
		    (!out->external_id[0] && !out->link[0]))
			return -EINVAL;
		n = b64_decode(data, out->data);
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
