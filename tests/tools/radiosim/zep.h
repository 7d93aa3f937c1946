/* zep — the ZEP side of the simulated air: real 802.15.4 stacks (RIOT
 * native nodes, socket_zep) send their frames as ZEP v2 over UDP to one
 * socket of the simulator, and hear the air through it.
 *
 * Each [zep NAME] station of the topology is bound to the UDP address its
 * frames come from, found by the frame's source EUI-64 the first time;
 * from then on its frames go on the air as any simulated node's, with the
 * same topology and impairments.  Toward such a node the simulator is
 * what a slip-radio's radio is toward RIOT:
 *   - it adds the FCS to what it sends and checks it on what it receives
 *     (a bad one is dropped, as a radio does);
 *   - it acknowledges at once, bypassing every queue, a frame that asks
 *     for an ACK and that its destination received (socket_zep has no
 *     auto-ACK and RIOT waits only 864 µs), and drops the nodes' own
 *     software ACKs so that each frame gets exactly one;
 *   - it spaces the frames toward each node by ZEP_SPACING_US, through a
 *     bounded queue, from each other and from the node's own frames and
 *     their ACKs, because native64's sub-MAC asserts when a frame arrives
 *     before the previous event (a reception, a transmission) was
 *     dispatched. */
#ifndef LWGATE_RADIOSIM_ZEP_H
#define LWGATE_RADIOSIM_ZEP_H

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "pcapw.h"
#include "topo.h"

#define ZEP_SPACING_US   8000
#define ZEP_ACK_DELAY_US 300
#define ZEP_QUEUE_MAX    32 /* frames waiting toward one node; more are dropped */

struct zep;

/* The channel the air uses now (the one the host set on the dongle). */
typedef uint8_t (*zep_channel_fn)(void *arg);

/* Bind UDP [::1]:@port (0: a free port) for the [zep] stations of @t
 * (which must outlive it) on @air; @pcap (may be NULL) also gets the ACKs
 * sent.  Emits {"event":"zep","port":N}.  Returns NULL with errno set. */
struct zep *zep_new(struct event_base *base, struct air *air, const struct topo *t,
		    struct pcapw *pcap, uint16_t port, zep_channel_fn channel, void *arg);

/* Close the socket and free the queues (NULL is accepted). */
void zep_free(struct zep *z);

/* Whether ZEP station @station has been heard (has a UDP address). */
bool zep_present(const struct zep *z, int station);

/* The air delivered @frame to ZEP station @station: queue it toward the
 * node (dropped when the queue is full or the node was never heard). */
void zep_deliver(struct zep *z, int station, const uint8_t *frame, size_t len);

/* [{"name","eui64","port","rx","tx","acks","fcs_errors","queue_drops"}…]
 * for the [zep] stations, and the packets nobody could place. */
json_t *zep_status_json(const struct zep *z);

#endif
