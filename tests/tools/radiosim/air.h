/* air — the simulated radio medium: who hears whom (struct topo), frame
 * impairments (loss, duplication, reordering, corruption) drawn from a
 * seeded generator, and the pcap of everything transmitted.
 *
 * A transmission is decided at once (which receivers get it, so that the
 * sender learns whether its unicast was acknowledged) but delivered from
 * the event loop, so that a node answering a frame never recurses into
 * the sender. */
#ifndef LWGATE_RADIOSIM_AIR_H
#define LWGATE_RADIOSIM_AIR_H

#include <event2/event.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lowpan/lladdr.h"
#include "pcapw.h"
#include "topo.h"

struct air;

struct air_opts {
	double loss, duplicate, reorder, corrupt; /* probabilities per reception */
	uint64_t seed;
	/* Frames take their 250 kbit/s airtime (32 µs an octet, PHY header
	 * included) one after the other on a single shared channel; without
	 * it the medium is infinitely fast. */
	bool airtime;
};

/* Receives a frame at station @station; @frame is valid during the call. */
typedef void (*air_deliver_fn)(void *arg, int station, const uint8_t *frame, size_t len);

/* Whether station @station has a working radio now (an unplugged dongle
 * neither receives nor acknowledges). */
typedef bool (*air_present_fn)(void *arg, int station);

/* Create the medium for @t (must outlive it; its links may change).
 * @pcap may be NULL; @deliver and @present get @arg.
 * Returns NULL on allocation failure. */
struct air *air_new(struct event_base *base, const struct topo *t, const struct air_opts *o,
		    struct pcapw *pcap, air_deliver_fn deliver, air_present_fn present, void *arg);

/* Free it and the frames in flight (NULL is accepted). */
void air_free(struct air *a);

/* Transmit @frame from station @from.  Returns true when the frame has a
 * unicast destination that received it (the ACK a real radio would get)
 * or is broadcast; false for a unicast frame nobody in range took.  If
 * @done_us is not NULL it is set to when the transmission ends
 * (air_now_us() clock). */
bool air_send(struct air *a, int from, const uint8_t *frame, size_t len, uint64_t *done_us);

/* Microseconds of CLOCK_MONOTONIC. */
uint64_t air_now_us(void);

/* Uniform random numbers from the seeded generator. */
uint64_t air_random(struct air *a);
double air_random01(struct air *a);

/* Counters as a JSON object (sent, delivered, lost, duplicated, reordered,
 * corrupted). */
json_t *air_stats_json(const struct air *a);

#endif
