/*
 * vpeer: a virtual peer's datagrams reach a real UDP socket standing for
 * lwm2md's CoAP endpoint and come back through the downlink function; the
 * set finds vpeers by address (IPv4-mapped too) and identity, keeps its
 * per-kind bound, re-binds a stored port when free, never gives a port a
 * stored registration of another device names, and refuses bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "vpeer.h"

struct got {
	uint8_t buf[2048];
	size_t len;
	int calls;
};

static void on_down(void *arg, const uint8_t *buf, size_t len)
{
	struct got *g = arg;

	memcpy(g->buf, buf, len < sizeof(g->buf) ? len : sizeof(g->buf));
	g->len = len;
	g->calls++;
}

/* A UDP socket on 127.0.0.1 standing for lwm2md's endpoint; its address into *@a. */
static int endpoint(struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)a, sizeof(*a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)a, &len), 0);
	return fd;
}

static void test_up_and_down(void **state)
{
	struct event_base *base = event_base_new();
	struct sockaddr_in ep, from;
	socklen_t flen = sizeof(from);
	int fd = endpoint(&ep);
	struct vpeers *set;
	struct vpeer *vp;
	struct got g = { 0 };
	uint8_t buf[64];
	const uint8_t msg[] = { 0x40, 0x02, 0x12, 0x34, 0xb2, 'r', 'd' };
	const uint8_t ack[] = { 0x60, 0x41, 0x12, 0x34 };
	ssize_t n;

	assert_int_equal(vpeers_new(base, (struct sockaddr *)&ep, sizeof(ep), &set), 0);
	assert_int_equal(vpeer_new(set, "nidd", "dev1@nidd.test", on_down, &g, &vp), 0);
	assert_string_equal(vpeer_kind(vp), "nidd");
	assert_string_equal(vpeer_identity(vp), "dev1@nidd.test");
	assert_string_equal(vpeer_endpoint(vp), "dev1@nidd.test");
	assert_ptr_equal(vpeer_arg(vp), &g);
	assert_int_equal(vpeer_uplink(vp, msg, sizeof(msg)), 0);
	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
	assert_int_equal(n, (ssize_t)sizeof(msg));
	assert_memory_equal(buf, msg, sizeof(msg));
	assert_int_equal(ntohs(from.sin_port), vpeer_port(vp));
	assert_ptr_equal(vpeer_find(set, (struct sockaddr *)&from, flen), vp);
	assert_ptr_equal(vpeer_find_identity(set, "nidd", "dev1@nidd.test"), vp);
	assert_null(vpeer_find_identity(set, "http2", "dev1@nidd.test"));

	/* what the endpoint sends back reaches the downlink function, as sent */
	assert_int_equal(sendto(fd, ack, sizeof(ack), 0, (struct sockaddr *)&from, flen),
			 (ssize_t)sizeof(ack));
	while (g.calls == 0)
		event_base_loop(base, EVLOOP_ONCE);
	assert_int_equal(g.len, sizeof(ack));
	assert_memory_equal(g.buf, ack, sizeof(ack));

	uint64_t up, down;

	vpeer_counts(vp, &up, &down);
	assert_int_equal(up, 1);
	assert_int_equal(down, 1);
	assert_int_equal(vpeer_uplink(vp, msg, 0), -EMSGSIZE);
	vpeers_free(set);
	close(fd);
	event_base_free(base);
}

static void test_find_mapped_and_real(void **state)
{
	struct event_base *base = event_base_new();
	struct sockaddr_in ep, other;
	int fd = endpoint(&ep);
	struct vpeers *set;
	struct vpeer *vp;
	struct got g = { 0 };
	struct sockaddr_in6 mapped = { .sin6_family = AF_INET6 };

	assert_int_equal(vpeers_new(base, (struct sockaddr *)&ep, sizeof(ep), &set), 0);
	assert_int_equal(vpeer_new(set, "nidd", "a@b", on_down, &g, &vp), 0);
	/* a dual-stack socket sees 127.0.0.1 as ::ffff:127.0.0.1 */
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &mapped.sin6_addr);
	mapped.sin6_port = htons(vpeer_port(vp));
	assert_ptr_equal(vpeer_find(set, (struct sockaddr *)&mapped, sizeof(mapped)), vp);
	/* the same port on another address is a real peer */
	other = ep;
	inet_pton(AF_INET, "127.0.0.2", &other.sin_addr);
	other.sin_port = htons(vpeer_port(vp));
	assert_null(vpeer_find(set, (struct sockaddr *)&other, sizeof(other)));
	other.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	other.sin_port = htons((uint16_t)(vpeer_port(vp) ^ 1));
	assert_null(vpeer_find(set, (struct sockaddr *)&other, sizeof(other)));
	vpeers_free(set);
	close(fd);
	event_base_free(base);
}

static void test_limits_and_errors(void **state)
{
	struct event_base *base = event_base_new();
	struct sockaddr_in ep;
	int fd = endpoint(&ep);
	struct vpeers *set, *off;
	struct vpeer *a, *b, *c;
	struct got g = { 0 };
	char longid[VPEER_IDENTITY_MAX + 1];

	assert_int_equal(vpeers_new(base, (struct sockaddr *)&ep, sizeof(ep), &set), 0);
	vpeers_limit(set, "nidd", 2);
	assert_int_equal(vpeer_new(set, "nidd", "a@x", on_down, &g, &a), 0);
	assert_int_equal(vpeer_new(set, "nidd", "a@x", on_down, &g, &c), -EEXIST);
	assert_int_equal(vpeer_new(set, "nidd", "b@x", on_down, &g, &b), 0);
	assert_int_equal(vpeer_new(set, "nidd", "c@x", on_down, &g, &c), -ENOSPC);
	/* another kind has its own bound */
	assert_int_equal(vpeer_new(set, "http2", "c@x", on_down, &g, &c), 0);
	assert_int_equal(vpeers_count(set, "nidd"), 2);
	assert_int_equal(vpeers_count(set, NULL), 3);
	vpeer_free(b);
	assert_int_equal(vpeers_count(set, "nidd"), 1);
	assert_null(vpeer_find_identity(set, "nidd", "b@x"));
	assert_int_equal(vpeer_new(set, "nidd", "c@x", on_down, &g, &c), 0);
	memset(longid, 'x', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(vpeer_new(set, "nidd", longid, on_down, &g, &c), -EINVAL);
	assert_int_equal(vpeer_new(set, "", "d@x", on_down, &g, &c), -EINVAL);
	assert_int_equal(vpeer_set_endpoint(a, ""), -EINVAL);
	assert_int_equal(vpeer_set_endpoint(a, "node-a"), 0);
	assert_string_equal(vpeer_endpoint(a), "node-a");
	vpeers_free(set);

	/* plain CoAP off: no vpeer can be made */
	assert_int_equal(vpeers_new(base, NULL, 0, &off), 0);
	assert_int_equal(vpeer_new(off, "nidd", "a@x", on_down, &g, &a), -ENOTSUP);
	vpeers_free(off);
	close(fd);
	event_base_free(base);
}

static void test_port_again(void **state)
{
	struct event_base *base = event_base_new();
	struct sockaddr_in ep;
	int fd = endpoint(&ep);
	struct vpeers *set;
	struct vpeer *a, *b;
	struct got g = { 0 };
	uint16_t port;

	assert_int_equal(vpeers_new(base, (struct sockaddr *)&ep, sizeof(ep), &set), 0);
	assert_int_equal(vpeer_new(set, "nidd", "a@x", on_down, &g, &a), 0);
	port = vpeer_port(a);
	vpeer_free(a);
	/* as after a restart: the stored port again */
	assert_int_equal(vpeer_new_at(set, "nidd", "a@x", port, on_down, &g, &a), 0);
	assert_int_equal(vpeer_port(a), port);
	/* taken: another port, still a vpeer */
	assert_int_equal(vpeer_new_at(set, "nidd", "b@x", port, on_down, &g, &b), 0);
	assert_int_not_equal(vpeer_port(b), port);
	vpeers_free(set);
	close(fd);
	event_base_free(base);
}

/*
 * A port reserved for one device (its stored registration names it) is
 * never another's: not another identity's, not another kind's, and not
 * one a vpeer had before it was freed (as after a restart).
 */
static void test_reserved_port(void **state)
{
	struct event_base *base = event_base_new();
	struct sockaddr_in ep;
	int fd = endpoint(&ep);
	struct vpeers *set;
	struct vpeer *a, *b, *c;
	struct got g = { 0 };
	uint16_t port, port_b;

	assert_int_equal(vpeers_new(base, (struct sockaddr *)&ep, sizeof(ep), &set), 0);
	assert_int_equal(vpeer_new(set, "http2", "a", on_down, &g, &a), 0);
	port = vpeer_port(a);
	vpeer_free(a);
	/* free, but a's registration names it */
	assert_int_equal(vpeer_new_at(set, "http2", "b", port, on_down, &g, &b), 0);
	assert_int_not_equal(vpeer_port(b), port);
	assert_int_equal(vpeer_new_at(set, "nidd", "a", port, on_down, &g, &c), 0);
	assert_int_not_equal(vpeer_port(c), port);
	vpeer_free(c);
	assert_int_equal(vpeer_new_at(set, "http2", "a", port, on_down, &g, &a), 0);
	assert_int_equal(vpeer_port(a), port);
	vpeer_free(a);
	/* told from the database (a fresh set, as after a restart) */
	port_b = vpeer_port(b);
	vpeers_free(set);
	assert_int_equal(vpeers_new(base, (struct sockaddr *)&ep, sizeof(ep), &set), 0);
	assert_int_equal(vpeers_reserve(set, port_b, "http2", "b"), 0);
	assert_int_equal(vpeers_reserve(set, port_b, "http2", "b"), 0);
	assert_int_equal(vpeers_reserved(set), 1);
	assert_int_equal(vpeer_new_at(set, "http2", "a", port_b, on_down, &g, &a), 0);
	assert_int_not_equal(vpeer_port(a), port_b);
	assert_int_equal(vpeer_new_at(set, "http2", "b", port_b, on_down, &g, &b), 0);
	assert_int_equal(vpeer_port(b), port_b);
	assert_int_equal(vpeers_reserve(set, 0, "http2", "b"), -EINVAL);
	assert_int_equal(vpeers_reserve(set, 1, "", "b"), -EINVAL);
	assert_int_equal(vpeers_reserve(set, 1, "http2", ""), -EINVAL);
	vpeers_free(set);
	/* every port another's: the kernel's choices are all refused */
	assert_int_equal(vpeers_new(base, (struct sockaddr *)&ep, sizeof(ep), &set), 0);
	for (unsigned p = 1; p < 65536; p++)
		assert_int_equal(vpeers_reserve(set, (uint16_t)p, "http2", "z"), 0);
	assert_int_equal(vpeer_new(set, "http2", "a", on_down, &g, &a), -EADDRINUSE);
	assert_int_equal(vpeers_count(set, NULL), 0);
	assert_int_equal(vpeer_new(set, "http2", "z", on_down, &g, &a), 0);
	vpeers_free(set);
	close(fd);
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_up_and_down),
		cmocka_unit_test(test_find_mapped_and_real),
		cmocka_unit_test(test_limits_and_errors),
		cmocka_unit_test(test_port_again),
		cmocka_unit_test(test_reserved_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
