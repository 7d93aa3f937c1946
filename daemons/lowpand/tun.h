/*
 * tun — the border router's Linux side: a TUN interface (IFF_TUN |
 * IFF_NO_PI, so each read is exactly one IPv6 packet), MTU 1280, up, with
 * the router's address in the mesh prefix (which also installs the
 * on-link route for the prefix).  Closing the device removes the
 * interface and everything the kernel tied to it.
 */
#ifndef LWGATE_LOWPAND_TUN_H
#define LWGATE_LOWPAND_TUN_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct tun;

/*
 * Create interface @name (needs CAP_NET_ADMIN) with @addr/@prefix_len.
 * Returns NULL with errno set; @err says which step failed.
 */
struct tun *tun_open(const char *name, const struct in6_addr *addr, unsigned prefix_len, char *err,
		     size_t err_len);

/* Remove the interface; NULL is fine. */
void tun_close(struct tun *t);

/* The non-blocking descriptor to watch for readability. */
int tun_fd(const struct tun *t);

/* The interface's name as the kernel gave it. */
const char *tun_name(const struct tun *t);

/* Read one packet; returns its length, 0 when none is waiting, or -errno. */
int tun_read(struct tun *t, uint8_t *buf, size_t cap);

/* Write one packet; 0 or -errno. */
int tun_write(struct tun *t, const uint8_t *pkt, size_t len);

#endif
