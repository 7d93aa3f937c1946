#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lwm2m/lwm2m_base64.h"

/* RFC 4648 section 10 test vectors */
static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
static const char *const coded[] = {
	"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"
};

static void test_rfc4648_vectors(void **state)
{
	for (size_t i = 0; i < 7; i++) {
		struct lwm2m_buf b;
		uint8_t out[16];
		size_t n;

		lwm2m_buf_init(&b);
		assert_int_equal(
			lwm2m_base64_encode((const uint8_t *)plain[i], strlen(plain[i]), false, &b),
			0);
		assert_string_equal(lwm2m_buf_cstr(&b), coded[i]);
		assert_int_equal(lwm2m_base64_decode(coded[i], strlen(coded[i]), out, &n, NULL), 0);
		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(out, plain[i], n);
		lwm2m_buf_fini(&b);
	}
}

static void test_url_alphabet(void **state)
{
	struct lwm2m_buf b;
	uint8_t out[8];
	size_t n;

	lwm2m_buf_init(&b);
	assert_int_equal(lwm2m_base64_encode((const uint8_t *)"\xfb\xff", 2, true, &b), 0);
	assert_string_equal(lwm2m_buf_cstr(&b), "-_8");
	assert_int_equal(lwm2m_base64_decode("-_8", 3, out, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_int_equal(lwm2m_base64_decode("+_8=", 4, out, &n, NULL), -EBADMSG); /* mixed */
	assert_int_equal(lwm2m_base64_decode("Zg=", 3, out, &n, NULL), -EBADMSG);
	assert_int_equal(lwm2m_base64_decode("Z", 1, out, &n, NULL), -EBADMSG);
	assert_int_equal(lwm2m_base64_decode("Zh==", 4, out, &n, NULL),
			 -EBADMSG); /* not canonical */
	assert_int_equal(lwm2m_base64_decode("Zm 9v", 5, out, &n, NULL), -EBADMSG);
	lwm2m_buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors),
		cmocka_unit_test(test_url_alphabet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
