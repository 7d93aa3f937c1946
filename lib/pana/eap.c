/*
 * eap — EAP header codec (see eap.h).
 */
#include "pana/eap.h"

#include <errno.h>

int eap_parse(const uint8_t *buf, size_t len, struct eap_pkt *out)
{
	if (len < EAP_HDR_LEN)
		return -EBADMSG;
	out->code = buf[0];
	out->id = buf[1];
	out->len = (uint16_t)(buf[2] << 8 | buf[3]);
	out->type = 0;
	out->data = NULL;
	out->data_len = 0;
	if (out->len != len)
		return -EBADMSG;
	switch (out->code) {
	case EAP_SUCCESS:
	case EAP_FAILURE:
		return len == EAP_HDR_LEN ? 0 : -EBADMSG;
	case EAP_REQUEST:
	case EAP_RESPONSE:
		if (len < EAP_HDR_LEN + 1)
			return -EBADMSG;
		out->type = buf[4];
		out->data = buf + 5;
		out->data_len = len - 5;
		return 0;
	default:
		return -EBADMSG;
	}
}

void eap_put_header(uint8_t *out, uint8_t code, uint8_t id, uint16_t len)
{
	out[0] = code;
	out[1] = id;
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
}

size_t eap_build_result(uint8_t code, uint8_t id, uint8_t out[EAP_HDR_LEN])
{
	eap_put_header(out, code, id, EAP_HDR_LEN);
	return EAP_HDR_LEN;
}
