/*
 * lowpand's admission gate on arbitrary packets, both directions, with a
 * few nodes admitted.  Properties checked: it reads only the packet; a
 * disabled gate lets everything through; a packet from an admitted node's
 * interface identifier passes upward.
 */
#include <stdlib.h>
#include <string.h>

#include "admission.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct admission *on, *off;
	uint8_t *copy;

	if (!on) {
		uint8_t a[16] = { 0xfd };

		on = admission_new(&(struct admission_cfg){ true, 8 });
		off = admission_new(&(struct admission_cfg){ false, 8 });
		for (uint8_t i = 1; i <= 4; i++) {
			a[15] = i;
			CHECK(admission_admit(on, a, 3600, 0) == 0);
		}
	}
	copy = malloc(size ? size : 1); /* exact size, so ASan sees any read past the end */
	CHECK(copy);
	memcpy(copy, data, size);
	(void)admission_check(on, copy, size, true, 1000);
	(void)admission_check(on, copy, size, false, 1000);
	CHECK(admission_check(off, copy, size, false, 1000));
	if (size >= 40 && (copy[0] >> 4) == 6 && copy[8] == 0xfd &&
	    !memcmp(copy + 9, (const uint8_t[14]){ 0 }, 14) && copy[23] >= 1 && copy[23] <= 4)
		CHECK(admission_check(on, copy, size, false, 1000));
	free(copy);
	return 0;
}
