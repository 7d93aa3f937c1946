/*
 * devices — the emulated NB-IoT devices behind scefd.  Each has an
 * externalId, an MSISDN, a state and a UDP port on [devices] address: a
 * datagram from that address to scefd's device port is uplink non-IP data
 * of that device, and downlink data goes to it as one datagram.  The list
 * comes from the INI ("EXTID,MSISDN,PORT[,STATE]" separated by blanks).
 */
#ifndef LWGATE_SCEFD_DEVICES_H
#define LWGATE_SCEFD_DEVICES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "t8/t8.h"

#define DEVICES_MAX 1024

/*
 * What the network knows of a device: reachable now, asleep in PSM or in
 * an eDRX cycle (data is buffered until it wakes), or attached without a
 * PDN connection (the configuration's pdnEstablishmentOption decides).
 */
enum device_state { DEVICE_REACHABLE, DEVICE_PSM, DEVICE_EDRX, DEVICE_NO_PDN, DEVICE_STATE_COUNT };

struct device {
	char external_id[T8_MAX_ID];
	char msisdn[16];
	uint16_t port;
	enum device_state state;
	struct sockaddr_storage addr; /* [devices] address, port */
	socklen_t addr_len;
};

/* "reachable", "psm", "edrx", "no-pdn". */
const char *device_state_name(enum device_state s);

/* The state named @name.  Returns 0 or -EINVAL. */
int device_state_parse(const char *name, enum device_state *out);

/*
 * Parse the device list @spec into a malloc'd array *@out of *@n (at most
 * DEVICES_MAX; duplicate externalIds, MSISDNs or ports refused).  Returns
 * 0, or -EINVAL with the reason in @why.  Pure.
 */
int devices_parse(const char *spec, struct device **out, size_t *n, char *why, size_t size);

struct devices;

/* Uplink datagram @data (@len bytes) from device @dev. */
typedef void (*devices_uplink_fn)(struct device *dev, const uint8_t *data, size_t len, void *arg);

/*
 * The devices of @spec at numeric address @address, and scefd's UDP socket
 * on @address port @port (0: any free one) that they talk to.  Returns 0
 * and *@out, or -errno (logged).
 */
int devices_new(struct event_base *base, const char *spec, const char *address, uint16_t port,
		devices_uplink_fn fn, void *arg, struct devices **out);

/* Close the socket and free; NULL is fine. */
void devices_free(struct devices *d);

/* The device whose @kind identity is @id, or NULL (groups never match). */
struct device *devices_find(struct devices *d, enum t8_target_kind kind, const char *id);

/* The @i-th device (i < devices_count()). */
struct device *devices_at(struct devices *d, size_t i);
size_t devices_count(const struct devices *d);

/* scefd's device-facing UDP port. */
uint16_t devices_port(const struct devices *d);

/* Send @len bytes to @dev as one datagram.  Returns 0 or -errno. */
int devices_send(struct devices *d, const struct device *dev, const uint8_t *data, size_t len);

#endif
