/* dongle — a slip-radio dongle on a pseudo-terminal: the master side talks
 * the serial protocol of one firmware dialect, a symlink points at the
 * slave side for the host (lowpand) to open.
 *
 *   contiki-ng  ?M -> !M eui64; !V param value sets; ?V param -> !V;
 *               !C and !P are unknown commands
 *   6lbr        ?M -> !M eui64; !C channel, !P pan_le16; !V/?V unknown
 *   zephyr      as 6lbr (wpan_serial speaks the same commands)
 *   all         !S sid natt atts frame -> the frame goes on the air,
 *               then !R sid status 1
 * Unknown commands are answered "EUnknown command". */
#ifndef LWGATE_RADIOSIM_DONGLE_H
#define LWGATE_RADIOSIM_DONGLE_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dongle_dialect {
	DONGLE_CONTIKI_NG,
	DONGLE_6LBR,
	DONGLE_ZEPHYR,
};

struct dongle;

/* The host asked to send @frame; returns the Contiki MAC status for !R
 * and sets *@done_us to when the transmission ends (CLOCK_MONOTONIC µs):
 * the !R goes back then. */
typedef uint8_t (*dongle_send_fn)(void *arg, const uint8_t *frame, size_t len, uint64_t *done_us);

/* Parse "contiki-ng", "6lbr" or "zephyr".  Returns 0 or -EINVAL. */
int dongle_dialect_parse(const char *s, enum dongle_dialect *d);

/* Create the pty and the symlink @link (an existing link is replaced) and
 * emit {"event":"ready",...}.  @link is copied.  Returns NULL and sets
 * errno on failure. */
struct dongle *dongle_new(struct event_base *base, const char *link, enum dongle_dialect dialect,
			  const uint8_t eui64[8], dongle_send_fn send, void *arg);

/* Remove the link, close the pty and free (NULL is accepted). */
void dongle_free(struct dongle *d);

/* A frame heard by the dongle's radio: passed to the host when it is
 * addressed to the dongle or broadcast and the pty is there. */
void dongle_receive(struct dongle *d, const uint8_t *frame, size_t len);

/* Close the pty and remove the link ({"event":"unplugged"}), and plug a new
 * one in after @seconds ({"event":"ready"}).  Returns 0 or -EALREADY. */
int dongle_unplug(struct dongle *d, double seconds);

/* Whether the pty is there (not unplugged). */
bool dongle_plugged(const struct dongle *d);

/* Write @len bytes (not SLIP framed) to the host as they are. */
void dongle_raw(struct dongle *d, const uint8_t *bytes, size_t len);

/* Corrupt each byte sent to the host with probability @p (a noisy serial
 * line), drawing random numbers from @rnd(@arg). */
void dongle_set_serial_errors(struct dongle *d, double p, uint64_t (*rnd)(void *arg), void *arg);

/* Serial bytes corrupted so far. */
uint64_t dongle_serial_errors(const struct dongle *d);

/* The PAN ID and channel the host configured (0xffff / 26 until then). */
uint16_t dongle_panid(const struct dongle *d);
uint8_t dongle_channel(const struct dongle *d);

/* Commands received and replies sent, for the status command. */
uint64_t dongle_commands(const struct dongle *d);

#endif
