/*
 * paapeer — where a PaC is: its address and UDP port, and the RFC 6345
 * relay (PRE) it speaks through, if any.  Every address is IPv6 (paad's
 * socket is dual-stack: an IPv4 PaC appears as ::ffff:a.b.c.d).
 */
#ifndef LWGATE_PAAD_PAAPEER_H
#define LWGATE_PAAD_PAAPEER_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>

struct paapeer {
	struct sockaddr_in6 pac;
	struct sockaddr_in6 relay; /* sin6_family 0: the PaC speaks to paad directly */
	/* paad's address the PaC (or relay) wrote to, which answers must come from: a
	 * socket bound to :: would otherwise pick a source the PaC does not expect */
	struct in6_addr local;
};

/* True when @a and @b are the same PaC through the same relay (or both direct); @local aside. */
bool paapeer_equal(const struct paapeer *a, const struct paapeer *b);

/* True when the PaC speaks through a relay. */
bool paapeer_relayed(const struct paapeer *p);

/*
 * The address of @a as text ("2001:db8::1", "192.0.2.1" for a mapped IPv4
 * one) into @buf (INET6_ADDRSTRLEN bytes), "" when it is unset.
 */
void paapeer_addr_text(const struct sockaddr_in6 *a, char *buf, size_t size);

#endif
