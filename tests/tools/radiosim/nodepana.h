/* nodepana — a simulated node's PANA client: lwgate-pac's protocol
 * (tests/tools/pac) with its own EAP-PSK peer, over the node's IPv6/UDP
 * stack and the mesh, from its global address, UDP port 716 to 716 (RFC
 * 5191), to the PAA.  It reports {"event":"pana","node","state","session",
 * "key_id"}, state being authenticated, reauthenticated, rejected,
 * terminated, terminated_by_paa or timeout. */
#ifndef LWGATE_RADIOSIM_NODEPANA_H
#define LWGATE_RADIOSIM_NODEPANA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct node;
struct nodepana;

#define NODEPANA_PORT 716

/* Start authenticating node @n (it must have its global address) as
 * @identity with @psk against the PAA at @paa.  NULL on a bad identity or
 * allocation failure. */
struct nodepana *nodepana_new(struct node *n, const uint8_t paa[16], const char *identity,
			      const uint8_t psk[16]);

/* Stop (no PTR) and free; NULL is accepted. */
void nodepana_free(struct nodepana *p);

/* A UDP datagram to the node's PANA port: @pkt is the whole IPv6 packet,
 * the UDP header at @off (checksum already checked). */
void nodepana_input(struct nodepana *p, const uint8_t *pkt, size_t len, size_t off);

/* PTR(LOGOUT), once authenticated. */
void nodepana_terminate(struct nodepana *p);

#endif
