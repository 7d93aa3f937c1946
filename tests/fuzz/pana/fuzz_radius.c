/*
 * The RADIUS codec on arbitrary bytes, as paad meets a server's answers.
 * Properties checked: attribute values lie inside the packet's Length; the
 * EAP-Message attributes reassemble to at most the packet's size; a forged
 * answer never verifies against a request authenticator and secret the
 * input cannot know; MPPE key decryption reads only the attributes.
 */
#include <stdlib.h>
#include <string.h>

#include "pana/radius.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t req_auth[16] = { 0x5a, 0xa5 };
	static struct radius_pkt p;
	uint8_t eap[RADIUS_MAX_LEN], msk[RADIUS_MSK_LEN];
	int n;

	if (radius_parse(data, size, &p) < 0)
		return 0;
	for (size_t i = 0; i < p.nattrs; i++)
		CHECK(p.attrs[i].value >= data + 20 &&
		      p.attrs[i].value + p.attrs[i].len <= data + p.len);
	n = radius_eap(&p, eap, sizeof(eap));
	CHECK(n < 0 || (size_t)n <= p.len);
	CHECK(!radius_verify_response(data, size, req_auth, "a secret the fuzzer does not have"));
	(void)radius_msk(&p, "s3cret", req_auth, msk);
	return 0;
}
