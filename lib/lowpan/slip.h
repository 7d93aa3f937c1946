/*
 * slip — RFC 1055 SLIP framing, as slip-radio dongles speak it on the
 * serial line (Contiki-NG slip-radio, 6LBR, Zephyr).
 *
 * END (0xC0) closes a frame; ESC (0xDB) + ESC_END (0xDC) / ESC_ESC (0xDD)
 * stand for those two bytes inside one.  The encoder also starts each frame
 * with END, as Contiki does, so that line noise before it is flushed as an
 * (empty or bad) frame of its own instead of corrupting ours.
 *
 * The decoder is incremental: feed it whatever read() returned; it calls
 * back once per complete frame.  A frame longer than the decoder's buffer,
 * or an ESC followed by anything but ESC_END/ESC_ESC, is a protocol error:
 * the frame is dropped (and counted) up to the next END, never delivered
 * truncated or altered.
 */
#ifndef LWGATE_LOWPAN_SLIP_H
#define LWGATE_LOWPAN_SLIP_H

#include <stddef.h>
#include <stdint.h>

#define LOWPAN_SLIP_END     0xC0
#define LOWPAN_SLIP_ESC     0xDB
#define LOWPAN_SLIP_ESC_END 0xDC
#define LOWPAN_SLIP_ESC_ESC 0xDD

/* The largest frame a decoder accepts by default (a slip-radio command with a 127-byte frame fits
 * easily). */
#define LOWPAN_SLIP_MAX_FRAME 2048

/*
 * The encoded size of @len bytes in the worst case (every byte escaped,
 * plus the leading and trailing END).
 */
#define LOWPAN_SLIP_ENCODED_MAX(len) (2 * (len) + 2)

/*
 * Encode @len bytes of @in into @out (@out_len bytes).  Returns the number
 * of bytes written, or -ENOSPC when @out is too small (nothing useful
 * written).
 */
int lowpan_slip_encode(const uint8_t *in, size_t len, uint8_t *out, size_t out_len);

/* Called with each complete, non-empty frame; @frame is valid during the call only. */
typedef void (*lowpan_slip_frame_fn)(const uint8_t *frame, size_t len, void *arg);

struct lowpan_slip_stats {
	uint64_t frames;     /* delivered */
	uint64_t bad_escape; /* ESC followed by a byte other than ESC_END / ESC_ESC */
	uint64_t overflow;   /* frame longer than the buffer */
};

/* A decoder; plain data so that it can be embedded.  Initialise with lowpan_slip_decoder_init(). */
struct lowpan_slip_decoder {
	uint8_t *buf;
	size_t cap, len;
	unsigned char state; /* internal */
	struct lowpan_slip_stats stats;
};

/*
 * Prepare @d to collect frames of up to @cap bytes into @buf (owned by the
 * caller, at least @cap bytes, alive as long as @d is used).
 */
void lowpan_slip_decoder_init(struct lowpan_slip_decoder *d, uint8_t *buf, size_t cap);

/*
 * Feed @len received bytes; @cb runs for every frame they complete.
 * Returns the number of frames delivered by this call.
 */
unsigned lowpan_slip_decode(struct lowpan_slip_decoder *d, const uint8_t *in, size_t len,
			    lowpan_slip_frame_fn cb, void *arg);

/*
 * Forget a partly received frame, for instance after the serial device was
 * reopened.  The counters are kept.
 */
void lowpan_slip_decoder_reset(struct lowpan_slip_decoder *d);

#endif
