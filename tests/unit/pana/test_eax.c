/* eax against the test vectors of the EAX paper (Bellare, Rogaway, Wagner 2004, appendix). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pana/eax.h"

struct vec {
	const char *key, *nonce, *header, *msg, *cipher; /* hex; cipher is C | Tag */
};

static const struct vec vecs[] = {
	{ "233952DEE4D5ED5F9B9C6D6FF80FF478", "62EC67F9C3A4A407FCB2A8C49031A8B3",
	  "6BFB914FD07EAE6B", "", "E037830E8389F27B025A2D6527E79D01" },
	{ "91945D3F4DCBEE0BF45EF52255F095A4", "BECAF043B0A23D843194BA972C66DEBD",
	  "FA3BFD4806EB53FA", "F7FB", "19DD5C4C9331049D0BDAB0277408F67967E5" },
	{ "01F74AD64077F2E704C0F60ADA3DD523", "70C3DB4F0D26368400A10ED05D2BFF5E",
	  "234A3463C1264AC6", "1A47CB4933", "D851D5BAE03A59F238A23E39199DC9266626C40F80" },
};

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = strlen(s) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void paper_vectors(void **state)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		uint8_t key[16], nonce[16], hdr[16], msg[64], want[80], ct[64], tag[16], back[64];
		size_t nn = unhex(vecs[i].nonce, nonce), hn = unhex(vecs[i].header, hdr);
		size_t mn = unhex(vecs[i].msg, msg), wn = unhex(vecs[i].cipher, want);
		struct eax_input x = { key, nonce, nn, hdr, hn };

		unhex(vecs[i].key, key);
		assert_int_equal(wn, mn + 16);
		assert_int_equal(eax_encrypt(&x, msg, mn, ct, tag), 0);
		assert_memory_equal(ct, want, mn);
		assert_memory_equal(tag, want + mn, 16);
		assert_int_equal(eax_decrypt(&x, ct, mn, back, tag), 0);
		assert_memory_equal(back, msg, mn);
		/* a changed header, ciphertext or tag is refused */
		hdr[0] ^= 1;
		assert_int_equal(eax_decrypt(&x, ct, mn, back, tag), -EBADMSG);
		hdr[0] ^= 1;
		tag[15] ^= 0x80;
		assert_int_equal(eax_decrypt(&x, ct, mn, back, tag), -EBADMSG);
	}
}

/* RFC 4493 §4, example 2: CMAC-AES-128 of one block. */
static void cmac_rfc4493(void **state)
{
	uint8_t key[16], msg[16], want[16], out[16];

	unhex("2b7e151628aed2a6abf7158809cf4f3c", key);
	unhex("6bc1bee22e409f96e93d7e117393172a", msg);
	unhex("070a16b46b4d4144f79bdd9dd04a287c", want);
	assert_int_equal(eax_cmac(key, msg, sizeof(msg), out), 0);
	assert_memory_equal(out, want, 16);
	unhex("bb1d6929e95937287fa37d129b756746", want);
	assert_int_equal(eax_cmac(key, NULL, 0, out), 0);
	assert_memory_equal(out, want, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paper_vectors),
		cmocka_unit_test(cmac_rfc4493),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
