/* node — one simulated 6LoWPAN node running a small RPL node (RFC 6550
 * non-storing mode, as Contiki-NG's RPL Lite):
 *   - a multicast DIS when it starts (again every few seconds until it
 *     hears a DIO);
 *   - on DIOs, the neighbour with the lowest rank becomes the parent, the
 *     node's rank is the parent's plus MinHopRankIncrease, its global
 *     address the PIO prefix (A flag) plus its EUI-64 IID;
 *   - a DAO (K flag, target = its global address, transit parent = the
 *     parent's global address, lifetime from the DODAG configuration) to
 *     the DODAG ID through the parent, repeated until a DAO-ACK and
 *     refreshed at half its lifetime;
 *   - DIOs of its own on a trickle timer (1 s doubling to 16 s, reset on a
 *     multicast DIS) so that nodes further away can join;
 *   - upward forwarding to the parent — fragments one by one as they come,
 *     without reassembly (lib/lowpan/vreasm) —, downward forwarding by the
 *     RFC 6554 source routing header, decapsulation of IPv6-in-IPv6
 *     (RFC 9008);
 *   - ICMPv6 echo replies and a UDP echo service on port 7.
 * 6LoWPAN by lib/lowpan: IPHC with context 0 = fd00::/64, fragmentation and
 * reassembly, 802.15.4-2006 frames (no FCS) between extended addresses. */
#ifndef LWGATE_RADIOSIM_NODE_H
#define LWGATE_RADIOSIM_NODE_H

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "air.h"

struct node;

/* The PAN ID to send with (the one the host set on the dongle). */
typedef uint16_t (*node_panid_fn)(void *arg);

/* Create node @name (copied) with @eui64 as station @station of @air.  It
 * starts at once (its first DIS goes out after a short random delay).
 * Returns NULL on allocation failure. */
struct node *node_new(struct event_base *base, struct air *air, int station, const char *name,
		      const uint8_t eui64[8], node_panid_fn panid, void *panid_arg);

/* Free it (NULL is accepted). */
void node_free(struct node *n);

/* With @on, the packets the node originates towards a global address
 * carry an RPL option (RFC 6553) in a hop-by-hop header, inserted at the
 * source and updated by forwarders, as Contiki-NG RPL Lite does. */
void node_set_rpl_option(struct node *n, bool on);

/* A frame the air delivered to this node. */
void node_input(struct node *n, const uint8_t *frame, size_t len);

/* Send an ICMPv6 echo request of @size payload octets (a pattern derived
 * from @seq) from the node's global address to @dst.  The reply, when it
 * comes, is reported as {"event":"echo-reply","node","from","seq","size",
 * "intact"}.  Returns 0, -ENETUNREACH (no global address yet) or -EMSGSIZE. */
int node_ping(struct node *n, const uint8_t dst[16], size_t size, uint16_t seq);

/* Authenticate the node with PANA and EAP-PSK (nodepana.h) as @identity
 * with @psk against the PAA at @paa, replacing an earlier client.  Returns
 * 0, -ENETUNREACH (no global address yet) or -EINVAL. */
int node_pana(struct node *n, const uint8_t paa[16], const char *identity, const uint8_t psk[16]);

/* End the node's PANA session (PTR).  0, or -ENOENT when it has none. */
int node_pana_terminate(struct node *n);

/* {"name","address","parent","rank","joined", counters...} */
json_t *node_status_json(const struct node *n);

#endif
