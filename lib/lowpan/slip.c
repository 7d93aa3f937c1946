#include "lowpan/slip.h"

#include <errno.h>

enum state {
	IN_FRAME,  /* collecting bytes */
	AFTER_ESC, /* the previous byte was ESC */
	DISCARD,   /* a protocol error happened: skip to the next END */
};

int lowpan_slip_encode(const uint8_t *in, size_t len, uint8_t *out, size_t out_len)
{
	size_t o = 0;

	if (out_len < 2)
		return -ENOSPC;
	out[o++] = LOWPAN_SLIP_END;
	for (size_t i = 0; i < len; i++) {
		uint8_t b = in[i];

		if (b == LOWPAN_SLIP_END || b == LOWPAN_SLIP_ESC) {
			if (o + 2 > out_len - 1)
				return -ENOSPC;
			out[o++] = LOWPAN_SLIP_ESC;
			out[o++] = b == LOWPAN_SLIP_END ? LOWPAN_SLIP_ESC_END : LOWPAN_SLIP_ESC_ESC;
		} else {
			if (o + 1 > out_len - 1)
				return -ENOSPC;
			out[o++] = b;
		}
	}
	out[o++] = LOWPAN_SLIP_END;
	return (int)o;
}

void lowpan_slip_decoder_init(struct lowpan_slip_decoder *d, uint8_t *buf, size_t cap)
{
	d->buf = buf;
	d->cap = cap;
	d->len = 0;
	d->state = IN_FRAME;
	d->stats = (struct lowpan_slip_stats){ 0 };
}

void lowpan_slip_decoder_reset(struct lowpan_slip_decoder *d)
{
	d->len = 0;
	d->state = IN_FRAME;
}

static void store(struct lowpan_slip_decoder *d, uint8_t b)
{
	if (d->len == d->cap) {
		d->stats.overflow++;
		d->state = DISCARD;
		return;
	}
	d->buf[d->len++] = b;
}

unsigned lowpan_slip_decode(struct lowpan_slip_decoder *d, const uint8_t *in, size_t len,
			    lowpan_slip_frame_fn cb, void *arg)
{
	unsigned delivered = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t b = in[i];

		if (b == LOWPAN_SLIP_END) {
			/* empty frames are the encoder's leading END: not counted */
			if (d->state == IN_FRAME && d->len > 0) {
				d->stats.frames++;
				delivered++;
				cb(d->buf, d->len, arg);
			}
			d->len = 0;
			d->state = IN_FRAME;
			continue;
		}
		switch (d->state) {
		case DISCARD:
			break;
		case AFTER_ESC:
			if (b == LOWPAN_SLIP_ESC_END || b == LOWPAN_SLIP_ESC_ESC) {
				d->state = IN_FRAME;
				store(d,
				      b == LOWPAN_SLIP_ESC_END ? LOWPAN_SLIP_END : LOWPAN_SLIP_ESC);
			} else {
				d->stats.bad_escape++;
				d->state = DISCARD;
			}
			break;
		case IN_FRAME:
			if (b == LOWPAN_SLIP_ESC)
				d->state = AFTER_ESC;
			else
				store(d, b);
			break;
		}
	}
	return delivered;
}
