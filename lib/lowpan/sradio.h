/*
 * sradio — the slip-radio serial protocol that stock 802.15.4 dongle
 * firmware speaks inside SLIP frames (Contiki-NG examples/slip-radio, the
 * 6LBR fork, Zephyr's wpan_serial).
 *
 * Host → dongle:
 *   "?M"                               ask for the radio's EUI-64
 *   "!S" sid natt {type val_be16}*natt frame   send an 802.15.4 frame (no FCS)
 *   "!V" param_be16 value_be16         set a radio parameter (Contiki-NG: 1 channel, 2 PAN ID)
 *   "?V" param_be16                    read one
 *   "!C" channel                       set the channel (6LBR, Zephyr)
 *   "!P" pan_le16                      set the PAN ID (6LBR, Zephyr)
 * Dongle → host:
 *   "!M" eui64                         (at least 10 bytes)
 *   "!R" sid status transmissions      a send finished (status: Contiki MAC_TX_*)
 *   "!V" param_be16 value_be16         a parameter's value
 *   "E…"                               an error text, e.g. "EUnknown command"
 *   "\r…" or only printable characters a firmware log line
 *   anything else                      a received 802.15.4 frame without FCS
 *
 * "!M", "!R" and "!V" cannot begin a valid 802.15.4 frame (their second
 * byte gives a reserved addressing mode), so the classification is exact.
 */
#ifndef LWGATE_LOWPAN_SRADIO_H
#define LWGATE_LOWPAN_SRADIO_H

#include <stddef.h>
#include <stdint.h>

/* Contiki-NG radio parameter numbers used with "!V". */
#define LOWPAN_SRADIO_PARAM_CHANNEL 1
#define LOWPAN_SRADIO_PARAM_PAN_ID  2

/* Contiki MAC transmission status codes carried by "!R". */
enum lowpan_sradio_tx_status {
	LOWPAN_SRADIO_TX_OK = 0,
	LOWPAN_SRADIO_TX_COLLISION = 1,
	LOWPAN_SRADIO_TX_NOACK = 2,
	LOWPAN_SRADIO_TX_DEFERRED = 3,
	LOWPAN_SRADIO_TX_ERR = 4,
	LOWPAN_SRADIO_TX_ERR_FATAL = 5,
	LOWPAN_SRADIO_TX_QUEUE_FULL = 6,
};

enum lowpan_sradio_kind {
	LOWPAN_SRADIO_MAC,     /* eui64 */
	LOWPAN_SRADIO_TX_DONE, /* sid, status, transmissions */
	LOWPAN_SRADIO_PARAM,   /* param, value */
	LOWPAN_SRADIO_ERROR,   /* text, text_len (without the 'E') */
	LOWPAN_SRADIO_LOG,     /* text, text_len (without a leading '\r') */
	LOWPAN_SRADIO_FRAME,   /* frame, frame_len */
};

/* One message from the dongle; pointers borrow from the decoded SLIP frame. */
struct lowpan_sradio_msg {
	enum lowpan_sradio_kind kind;
	uint8_t eui64[8];
	uint8_t sid, status, transmissions;
	uint16_t param, value;
	const char *text;
	size_t text_len;
	const uint8_t *frame;
	size_t frame_len;
};

/*
 * Classify one SLIP frame from the dongle.  Returns 0, or -EBADMSG for a
 * command reply that is too short ("!M" under 10 bytes, "!R" under 5,
 * "!V" under 6) or an empty frame.
 */
int lowpan_sradio_parse(const uint8_t *buf, size_t len, struct lowpan_sradio_msg *msg);

/*
 * Builders: each writes one command (before SLIP encoding) into @out
 * (@cap bytes) and returns its length, or -ENOSPC.
 */
int lowpan_sradio_mac_request(uint8_t *out, size_t cap);
int lowpan_sradio_send(uint8_t sid, const uint8_t *frame, size_t len, uint8_t *out, size_t cap);
int lowpan_sradio_set_param(uint16_t param, uint16_t value, uint8_t *out, size_t cap);
int lowpan_sradio_get_param(uint16_t param, uint8_t *out, size_t cap);
int lowpan_sradio_set_channel(uint8_t channel, uint8_t *out, size_t cap);
int lowpan_sradio_set_panid(uint16_t pan, uint8_t *out, size_t cap);

/* "ok", "collision", "no-ack", "deferred", "error", "fatal", "queue-full", or "unknown". */
const char *lowpan_sradio_status_name(uint8_t status);

#endif
