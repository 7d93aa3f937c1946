/*
 * devices — the emulated NB-IoT devices behind scefd.  Each has an
 * externalId, an MSISDN, a state and a UDP port on [devices] address: a
 * datagram from that address to scefd's device port is uplink non-IP data
 * of that device, and downlink data goes to it as one datagram.  The list
 * comes from the INI ("EXTID,MSISDN,PORT[,STATE][,KEY=VALUE…]" separated
 * by blanks).
 *
 * The radio is emulated too: a device may lose a percentage of its
 * datagrams each way (drawn from one seeded PRNG, so a run is replayable
 * with the same seed), and may follow a PSM or eDRX cycle: reachable for
 * an active time after each activity (uplink, downlink, wake-up), then
 * asleep for a period, then awake again (the periodic TAU, or the next
 * paging window) without any data.
 */
#ifndef LWGATE_SCEFD_DEVICES_H
#define LWGATE_SCEFD_DEVICES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/event.h>

#include "quota.h"
#include "t8/t8.h"

#define DEVICES_MAX 1024

/*
 * What the network knows of a device: reachable now, asleep in PSM or in
 * an eDRX cycle (data is buffered until it wakes), or attached without a
 * PDN connection (the configuration's pdnEstablishmentOption decides).
 */
enum device_state { DEVICE_REACHABLE, DEVICE_PSM, DEVICE_EDRX, DEVICE_NO_PDN, DEVICE_STATE_COUNT };

/* What the INI gives every device unless its item says otherwise. */
struct device_defaults {
	unsigned loss;            /* percent of datagrams lost each way, 0..100 */
	unsigned sleep, active;   /* psm=SLEEP/ACTIVE seconds; sleep 0: no cycle */
	enum device_state sleeps; /* DEVICE_PSM, or DEVICE_EDRX for edrx= */
	struct quota_limit quota[QUOTA_COUNT];
};

struct devices;

struct device {
	char external_id[T8_MAX_ID];
	char msisdn[16];
	uint16_t port;
	enum device_state state;
	struct sockaddr_storage addr; /* [devices] address, port */
	socklen_t addr_len;
	unsigned loss;            /* percent, each way */
	unsigned sleep, active;   /* the cycle in seconds; sleep 0: none */
	enum device_state sleeps; /* the state it sleeps in: PSM or EDRX */
	time_t next_change;       /* when the cycle changes its state next; 0: never */
	uint64_t uplinks, downlinks, uplinks_lost, downlinks_lost;
	struct device_quota quota; /* rate control and byte quotas */
	struct event *cycle; /* the cycle's timer (NULL without one) */
	struct devices *owner;
};

/* "reachable", "psm", "edrx", "no-pdn". */
const char *device_state_name(enum device_state s);

/* The state named @name.  Returns 0 or -EINVAL. */
int device_state_parse(const char *name, enum device_state *out);

/*
 * "SLEEP/ACTIVE" (seconds, SLEEP 1..86400*31, ACTIVE 0..86400) into
 * *@sleep, *@active; "" or "off" is no cycle (0, 0).  Returns 0 or -EINVAL.
 */
int device_cycle_parse(const char *s, unsigned *sleep, unsigned *active);

/*
 * Parse the device list @spec into a malloc'd array *@out of *@n (at most
 * DEVICES_MAX; duplicate externalIds, MSISDNs or ports refused), each
 * starting from @def; an item's options after the port are a STATE and
 * "loss=PCT", "psm=SLEEP/ACTIVE", "edrx=SLEEP/ACTIVE", and the quota
 * limits "plmn_ul=N", "apn_dl=N/hour", "bytes_ul=N/day", … (quota.h).  Returns 0, or
 * -EINVAL with the reason in @why.  Pure.
 */
int devices_parse(const char *spec, const struct device_defaults *def, struct device **out,
		  size_t *n, char *why, size_t size);

/* Uplink datagram @data (@len bytes) from device @dev (a lost one never comes). */
typedef void (*devices_uplink_fn)(struct device *dev, const uint8_t *data, size_t len, void *arg);

/* The cycle of @dev says it is now in @state (asleep, or awake again). */
typedef void (*devices_cycle_fn)(struct device *dev, enum device_state state, void *arg);

/*
 * The devices of @spec (with @def) at numeric address @address, and
 * scefd's UDP socket on @address port @port (0: any free one) that they
 * talk to; the loss PRNG starts from @seed (0: a random seed, logged).
 * Returns 0 and *@out, or -errno (logged).
 */
int devices_new(struct event_base *base, const char *spec, const struct device_defaults *def,
		uint64_t seed, const char *address, uint16_t port, devices_uplink_fn fn, void *arg,
		struct devices **out);

/*
 * Start the cycles: from now on @fn is called when a device's cycle
 * changes its state, and each device's timer is armed from its state.
 */
void devices_start_cycles(struct devices *d, devices_cycle_fn fn, void *arg);

/*
 * Re-arm @dev's cycle from its state (after a change, or activity of a
 * reachable device): reachable sleeps after its active time, psm/edrx
 * wakes after its sleep, no-pdn stays.  No-op without a cycle.
 */
void devices_schedule(struct device *dev);

/* Set @dev's loss to @pct (0..100). */
void devices_set_loss(struct device *dev, unsigned pct);

/* The PRNG's seed (for the log and status: a run is replayed with it). */
uint64_t devices_seed(const struct devices *d);

/* Close the socket and free; NULL is fine. */
void devices_free(struct devices *d);

/* The device whose @kind identity is @id, or NULL (groups never match). */
struct device *devices_find(struct devices *d, enum t8_target_kind kind, const char *id);

/* The @i-th device (i < devices_count()). */
struct device *devices_at(struct devices *d, size_t i);
size_t devices_count(const struct devices *d);

/* scefd's device-facing UDP port. */
uint16_t devices_port(const struct devices *d);

/*
 * Send @len bytes to @dev as one datagram, unless the radio loses it
 * (counted; the SCEF cannot tell, so that is a success too).  Returns 0
 * or -errno.
 */
int devices_send(struct devices *d, struct device *dev, const uint8_t *data, size_t len);

#endif
