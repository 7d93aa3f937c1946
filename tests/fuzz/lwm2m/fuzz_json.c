/* libFuzzer target: the json decoder, then the encode/decode round trip. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_lwm2m.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_format(LWM2M_FORMAT_JSON, data, size);
	return 0;
}
