/*
 * paapeer — a PaC's address and relay (see paapeer.h).
 */
#include "paapeer.h"

#include <arpa/inet.h>
#include <string.h>

static bool same_addr(const struct sockaddr_in6 *a, const struct sockaddr_in6 *b)
{
	return a->sin6_family == b->sin6_family && a->sin6_port == b->sin6_port &&
	       memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
}

bool paapeer_equal(const struct paapeer *a, const struct paapeer *b)
{
	return same_addr(&a->pac, &b->pac) && same_addr(&a->relay, &b->relay);
}

bool paapeer_relayed(const struct paapeer *p)
{
	return p->relay.sin6_family == AF_INET6;
}

void paapeer_addr_text(const struct sockaddr_in6 *a, char *buf, size_t size)
{
	buf[0] = '\0';
	if (a->sin6_family != AF_INET6)
		return;
	if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr))
		inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], buf, (socklen_t)size);
	else
		inet_ntop(AF_INET6, &a->sin6_addr, buf, (socklen_t)size);
}
