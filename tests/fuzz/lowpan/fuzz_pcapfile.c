/* libFuzzer target: the pcap reader.  Invariant: every record lies inside
 * the input and reading terminates. */
#include <stdint.h>
#include <stdlib.h>

#include "lowpan/pcapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lowpan_pcapfile_reader r;
	if (lowpan_pcapfile_open(&r, data, size))
		return 0;
	for (size_t n = 0;; n++) {
		struct lowpan_pcapfile_rec rec;
		if (lowpan_pcapfile_next(&r, &rec) || !rec.data)
			break;
		if (rec.data < data || rec.data + rec.len > data + size || n > size)
			abort();
	}
	return 0;
}
