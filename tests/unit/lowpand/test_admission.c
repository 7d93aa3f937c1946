/* admission: the gate's decisions on IPv6 packets laid out here byte by byte. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "admission.h"

static uint8_t node[16], other[16], host[16];

static int setup(void **state)
{
	inet_pton(AF_INET6, "fd00::212:4b00:1:2", node);
	inet_pton(AF_INET6, "fd00::212:4b00:1:3", other);
	inet_pton(AF_INET6, "fd00:1::1", host);
	return 0;
}

/* An IPv6 packet from @src to @dst with next header @nh and @payload (8 bytes shown). */
static size_t packet(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint8_t nh,
		     const uint8_t *payload, size_t plen)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = nh;
	p[7] = 64;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	memcpy(p + 40, payload, plen);
	return 40 + plen;
}

static void disabled_passes_all(void **state)
{
	struct admission *a = admission_new(&(struct admission_cfg){ false, 4 });
	uint8_t p[128], udp[8] = { 0x16, 0x33, 0x16, 0x33, 0, 8, 0, 0 };
	size_t n = packet(p, node, host, 17, udp, sizeof(udp));

	assert_true(admission_check(a, p, n, false, 1000));
	assert_true(admission_check(a, p, n, true, 1000));
	admission_free(a);
}

static void admitted_until_revoked_or_expired(void **state)
{
	struct admission *a = admission_new(&(struct admission_cfg){ true, 4 });
	uint8_t p[128], q[128], udp[8] = { 0x16, 0x33, 0x16, 0x33, 0, 8, 0, 0 };
	uint8_t link_local[16] = { 0xfe, 0x80 };
	size_t up = packet(p, node, host, 17, udp, sizeof(udp));
	size_t down = packet(q, host, node, 17, udp, sizeof(udp));
	struct admission_stats st;

	assert_false(admission_check(a, p, up, false, 1000));
	assert_false(admission_check(a, q, down, true, 1000));
	assert_int_equal(admission_admit(a, node, 10, 1000), 0);
	assert_true(admission_check(a, p, up, false, 1000));
	assert_true(admission_check(a, q, down, true, 10999));
	/* the link-local address with the same interface identifier is the same node */
	memcpy(link_local + 8, node + 8, 8);
	up = packet(p, link_local, host, 17, udp, sizeof(udp));
	assert_true(admission_check(a, p, up, false, 2000));
	/* the lifetime's end closes the door */
	assert_false(admission_check(a, q, down, true, 11000));
	assert_int_equal(admission_admit(a, node, 10, 20000), 0);
	assert_true(admission_check(a, q, down, true, 20000));
	assert_int_equal(admission_revoke(a, node), 0);
	assert_false(admission_check(a, q, down, true, 20001));
	assert_int_equal(admission_revoke(a, node), -ENOENT);
	admission_get_stats(a, &st);
	assert_int_equal(st.passed, 4);
	assert_int_equal(st.dropped_up, 1);
	assert_int_equal(st.dropped_down, 3);
	admission_free(a);
}

static void joining_traffic_passes(void **state)
{
	struct admission *a = admission_new(&(struct admission_cfg){ true, 4 });
	uint8_t p[128], ns[8] = { 135 }, dio[8] = { 155, 1 }, echo[8] = { 128 };
	uint8_t pana_up[8] = { 0x12, 0x34, 0x02, 0xcc, 0, 8, 0, 0 };
	uint8_t pana_down[8] = { 0x02, 0xcc, 0x12, 0x34, 0, 8, 0, 0 };
	uint8_t hbh_ns[16] = { 58, 0, 1, 4, 0, 0, 0, 0, 135 };
	struct admission_stats st;

	assert_true(admission_check(a, p, packet(p, other, host, 58, ns, 8), false, 1));
	assert_true(admission_check(a, p, packet(p, host, other, 58, dio, 8), true, 1));
	assert_true(admission_check(a, p, packet(p, other, host, 17, pana_up, 8), false, 1));
	assert_true(admission_check(a, p, packet(p, host, other, 17, pana_down, 8), true, 1));
	/* ND behind a hop-by-hop header is still ND */
	assert_true(admission_check(a, p, packet(p, other, host, 0, hbh_ns, 16), false, 1));
	/* but an echo request, or PANA's port in the wrong direction, is not joining */
	assert_false(admission_check(a, p, packet(p, other, host, 58, echo, 8), false, 1));
	assert_false(admission_check(a, p, packet(p, host, other, 17, pana_up, 8), true, 1));
	/* a truncated or non-IPv6 packet */
	assert_false(admission_check(a, p, 39, false, 1));
	p[0] = 0x45;
	assert_false(admission_check(a, p, 60, false, 1));
	admission_get_stats(a, &st);
	assert_int_equal(st.passed_nd, 2);
	assert_int_equal(st.passed_rpl, 1);
	assert_int_equal(st.passed_pana, 2);
	assert_int_equal(st.dropped_malformed, 2);
	admission_free(a);
}

static void bounded(void **state)
{
	struct admission *a = admission_new(&(struct admission_cfg){ true, 2 });
	uint8_t n[16];

	memcpy(n, node, 16);
	for (int i = 0; i < 2; i++) {
		n[15] = (uint8_t)i;
		assert_int_equal(admission_admit(a, n, 5, 0), 0);
	}
	n[15] = 9;
	assert_int_equal(admission_admit(a, n, 5, 0), -ENOSPC);
	/* renewing one that is there is not a new entry */
	n[15] = 1;
	assert_int_equal(admission_admit(a, n, 5, 0), 0);
	/* once they expire, room again */
	n[15] = 9;
	assert_int_equal(admission_admit(a, n, 5, 5000), 0);
	assert_int_equal(admission_count(a, 5000), 1);
	admission_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(disabled_passes_all),
		cmocka_unit_test(admitted_until_revoked_or_expired),
		cmocka_unit_test(joining_traffic_passes),
		cmocka_unit_test(bounded),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
