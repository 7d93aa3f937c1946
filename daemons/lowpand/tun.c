#include "tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* <linux/ipv6.h> conflicts with glibc's headers; this is its in6_ifreq. */
struct in6_ifreq_compat {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

struct tun {
	int fd;
	char name[IFNAMSIZ];
};

static int fail(char *err, size_t len, const char *step)
{
	int e = errno;

	snprintf(err, len, "%s: %s", step, strerror(e));
	errno = e;
	return -e;
}

static int configure(struct tun *t, const struct in6_addr *addr, unsigned prefix_len, char *err,
		     size_t err_len)
{
	struct ifreq ifr = { 0 };
	struct in6_ifreq_compat ifr6 = { 0 };
	int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (s < 0)
		return fail(err, err_len, "socket(AF_INET6)");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", t->name);
	ifr.ifr_mtu = 1280; /* the IPv6 minimum, what 6LoWPAN carries (RFC 4944) */
	if (ioctl(s, SIOCSIFMTU, &ifr) < 0) {
		rc = fail(err, err_len, "set MTU 1280");
		goto out;
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		rc = fail(err, err_len, "get interface flags");
		goto out;
	}
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
		rc = fail(err, err_len, "bring the interface up");
		goto out;
	}
	ifr6.addr = *addr;
	ifr6.prefixlen = prefix_len;
	ifr6.ifindex = (int)if_nametoindex(t->name);
	if (ioctl(s, SIOCSIFADDR, &ifr6) < 0)
		rc = fail(err, err_len, "add the router address");
out:
	close(s);
	return rc;
}

struct tun *tun_open(const char *name, const struct in6_addr *addr, unsigned prefix_len, char *err,
		     size_t err_len)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	struct tun *t = calloc(1, sizeof(*t));

	if (!t)
		abort();
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0) {
		fail(err, err_len, "open /dev/net/tun");
		free(t);
		return NULL;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(t->fd, TUNSETIFF, &ifr) < 0) {
		fail(err, err_len, "create the TUN interface");
		goto fail;
	}
	snprintf(t->name, sizeof(t->name), "%s", ifr.ifr_name);
	if (configure(t, addr, prefix_len, err, err_len) < 0)
		goto fail;
	return t;
fail : {
	int e = errno;

	close(t->fd);
	free(t);
	errno = e;
}
	return NULL;
}

void tun_close(struct tun *t)
{
	if (!t)
		return;
	close(t->fd);
	free(t);
}

int tun_fd(const struct tun *t)
{
	return t->fd;
}

const char *tun_name(const struct tun *t)
{
	return t->name;
}

int tun_read(struct tun *t, uint8_t *buf, size_t cap)
{
	ssize_t n = read(t->fd, buf, cap);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	return (int)n;
}

int tun_write(struct tun *t, const uint8_t *pkt, size_t len)
{
	return write(t->fd, pkt, len) < 0 ? -errno : 0;
}
