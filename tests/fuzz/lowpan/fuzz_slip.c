/*
 * The serial receive path of a slip-radio dongle: arbitrary bytes, split
 * in two reads at a point the input chooses, through the SLIP decoder into
 * the slip-radio classifier.  Every frame delivered must re-encode to SLIP
 * that decodes to exactly that frame again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lowpan/slip.h"
#include "lowpan/sradio.h"

#define CAP 512

struct expect {
	const uint8_t *frame;
	size_t len;
	unsigned seen;
};

static void check_same(const uint8_t *frame, size_t len, void *arg)
{
	struct expect *e = arg;

	if (len != e->len || memcmp(frame, e->frame, len) != 0)
		abort();
	e->seen++;
}

static void on_frame(const uint8_t *frame, size_t len, void *arg)
{
	uint8_t enc[LOWPAN_SLIP_ENCODED_MAX(CAP)], buf[CAP];
	struct lowpan_sradio_msg msg;
	struct lowpan_slip_decoder d;
	struct expect e = { frame, len, 0 };
	int n;

	(void)arg;
	if (len == 0 || len > CAP)
		abort(); /* the decoder delivers neither empty nor oversized frames */
	if (lowpan_sradio_parse(frame, len, &msg) == 0 && msg.kind == LOWPAN_SRADIO_FRAME &&
	    (msg.frame != frame || msg.frame_len != len))
		abort();
	n = lowpan_slip_encode(frame, len, enc, sizeof(enc));
	if (n < 0)
		abort();
	lowpan_slip_decoder_init(&d, buf, sizeof(buf));
	lowpan_slip_decode(&d, enc, (size_t)n, check_same, &e);
	if (e.seen != 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[CAP];
	struct lowpan_slip_decoder d;
	size_t cut;

	if (size < 1)
		return 0;
	cut = data[0] % size; /* where the first read ends */
	data++;
	size--;
	if (cut > size)
		cut = size;
	lowpan_slip_decoder_init(&d, buf, sizeof(buf));
	lowpan_slip_decode(&d, data, cut, on_frame, NULL);
	lowpan_slip_decode(&d, data + cut, size - cut, on_frame, NULL);
	return 0;
}
