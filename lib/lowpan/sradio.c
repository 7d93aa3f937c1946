#include "lowpan/sradio.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static bool printable(const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if ((c < 0x20 || c > 0x7e) && c != '\r' && c != '\n' && c != '\t')
			return false;
	}
	return true;
}

int lowpan_sradio_parse(const uint8_t *buf, size_t len, struct lowpan_sradio_msg *msg)
{
	memset(msg, 0, sizeof(*msg));
	if (len == 0)
		return -EBADMSG;
	if (len >= 2 && buf[0] == '!') {
		switch (buf[1]) {
		case 'M':
			if (len < 10)
				return -EBADMSG;
			msg->kind = LOWPAN_SRADIO_MAC;
			memcpy(msg->eui64, buf + 2, 8);
			return 0;
		case 'R':
			if (len < 5)
				return -EBADMSG;
			msg->kind = LOWPAN_SRADIO_TX_DONE;
			msg->sid = buf[2];
			msg->status = buf[3];
			msg->transmissions = buf[4];
			return 0;
		case 'V':
			if (len < 6)
				return -EBADMSG;
			msg->kind = LOWPAN_SRADIO_PARAM;
			msg->param = (uint16_t)(buf[2] << 8 | buf[3]);
			msg->value = (uint16_t)(buf[4] << 8 | buf[5]);
			return 0;
		}
	}
	if (buf[0] == '\r' || printable(buf, len)) {
		bool error = buf[0] == 'E' && printable(buf, len);
		size_t skip = buf[0] == '\r' || error ? 1 : 0;

		msg->kind = error ? LOWPAN_SRADIO_ERROR : LOWPAN_SRADIO_LOG;
		msg->text = (const char *)buf + skip;
		msg->text_len = len - skip;
		return 0;
	}
	msg->kind = LOWPAN_SRADIO_FRAME;
	msg->frame = buf;
	msg->frame_len = len;
	return 0;
}

static int put(uint8_t *out, size_t cap, const uint8_t *cmd, size_t len)
{
	if (len > cap)
		return -ENOSPC;
	memcpy(out, cmd, len);
	return (int)len;
}

int lowpan_sradio_mac_request(uint8_t *out, size_t cap)
{
	return put(out, cap, (const uint8_t *)"?M", 2);
}

int lowpan_sradio_send(uint8_t sid, const uint8_t *frame, size_t len, uint8_t *out, size_t cap)
{
	if (len + 4 > cap)
		return -ENOSPC;
	out[0] = '!';
	out[1] = 'S';
	out[2] = sid;
	out[3] = 0; /* no packet attributes: the frame carries everything */
	memcpy(out + 4, frame, len);
	return (int)len + 4;
}

int lowpan_sradio_set_param(uint16_t param, uint16_t value, uint8_t *out, size_t cap)
{
	const uint8_t cmd[] = { '!', 'V', param >> 8, param & 0xff, value >> 8, value & 0xff };

	return put(out, cap, cmd, sizeof(cmd));
}

int lowpan_sradio_get_param(uint16_t param, uint8_t *out, size_t cap)
{
	const uint8_t cmd[] = { '?', 'V', param >> 8, param & 0xff };

	return put(out, cap, cmd, sizeof(cmd));
}

int lowpan_sradio_set_channel(uint8_t channel, uint8_t *out, size_t cap)
{
	const uint8_t cmd[] = { '!', 'C', channel };

	return put(out, cap, cmd, sizeof(cmd));
}

int lowpan_sradio_set_panid(uint16_t pan, uint8_t *out, size_t cap)
{
	const uint8_t cmd[] = { '!', 'P', pan & 0xff, pan >> 8 }; /* little-endian, as on the air */

	return put(out, cap, cmd, sizeof(cmd));
}

const char *lowpan_sradio_status_name(uint8_t status)
{
	static const char *const names[] = { "ok",    "collision", "no-ack",    "deferred",
					     "error", "fatal",     "queue-full" };

	return status < sizeof(names) / sizeof(names[0]) ? names[status] : "unknown";
}
