/*
 * radio — a slip-radio dongle on a serial line (lib/lowpan/slip.h and
 * sradio.h say what is on the wire).
 *
 * The radio opens the device, asks for the MAC address ("?M", repeated
 * every second until "!M" comes back), sets channel and PAN ID in the
 * dongle's dialect — found by probing: Contiki-NG answers "?V" with "!V";
 * 6LBR and Zephyr answer it with "EUnknown command" and take "!C"/"!P"
 * instead — and then carries frames.  If the device fails (unplugged,
 * rebooted) it is closed and reopened every second, and the handshake is
 * done again; the rest of the daemon keeps running meanwhile.
 *
 * Sending: frames wait in a bounded queue (full: dropped and counted, the
 * loop never blocks); up to RADIO_IN_FLIGHT are with the dongle at once,
 * each under a session id.  Contiki-NG's slip-radio sends a unicast frame
 * once and reports "no ACK" or "collision": such a frame is sent again, up
 * to the configured number of retries.
 */
#ifndef LWGATE_LOWPAND_RADIO_H
#define LWGATE_LOWPAND_RADIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#define RADIO_IN_FLIGHT 16 /* Contiki-NG's slip-radio keeps 16 session ids */

enum radio_dialect {
	RADIO_DIALECT_AUTO,
	RADIO_DIALECT_CONTIKI_NG, /* "!V" parameters */
	RADIO_DIALECT_6LBR,       /* "!C" / "!P"; Zephyr's wpan_serial speaks the same */
};

struct radio_cfg {
	const char *device;
	int baud;
	bool rtscts;
	int channel;
	int panid;
	enum radio_dialect dialect;
	int retries;   /* extra transmissions after no-ACK / collision */
	int queue_max; /* frames waiting to be sent */
	/* Optional: called (with the radio's arg) each time the handshake completes. */
	void (*on_ready)(void *arg);
	/*
	 * Optional: the sending of @frame ended, acknowledged (@acked) or given
	 * up after the retries, in @transmissions transmissions in all (the
	 * dongle's own MAC retries included): what a link's ETX is made of.
	 * Not called for a frame the dongle could not send at all.
	 */
	void (*on_sent)(void *arg, const uint8_t *frame, size_t len, unsigned transmissions,
			bool acked);
};

struct radio_stats {
	uint64_t rx_frames, tx_frames, tx_ok, tx_noack, tx_collision, tx_failed, tx_retries,
		tx_timeouts, queue_drops, slip_errors, malformed, log_lines, reconnects;
};

/* A received 802.15.4 frame (without FCS); valid during the call only. */
typedef void (*radio_frame_fn)(void *arg, const uint8_t *frame, size_t len);

/* Start working on @cfg->device (copied); frames go to @cb. */
struct radio *radio_new(struct event_base *base, const struct radio_cfg *cfg, radio_frame_fn cb,
			void *arg);

/* Close the device and free; NULL is fine. */
void radio_free(struct radio *r);

/* Queue a frame (without FCS) for sending.  0, -ENOBUFS (queue full), -EMSGSIZE. */
int radio_send(struct radio *r, const uint8_t *frame, size_t len);

/* True once the handshake is done and frames flow. */
bool radio_ready(const struct radio *r);

/* "closed", "waiting for MAC", "configuring", "ready". */
const char *radio_state_name(const struct radio *r);

/* "contiki-ng", "6lbr", or "unknown" before the probe ends. */
const char *radio_dialect_name(enum radio_dialect d);
enum radio_dialect radio_dialect(const struct radio *r);

/* The dongle's EUI-64 (valid once it was read); false before. */
bool radio_eui64(const struct radio *r, uint8_t out[8]);

void radio_get_stats(const struct radio *r, struct radio_stats *out);

#endif
