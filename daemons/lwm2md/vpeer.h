/*
 * vpeer — virtual CoAP peers for lwm2md's non-IP transports: LwM2M over
 * 3GPP NIDD through an SCEF (nidd.c, binding N) and LwM2M over HTTP/2 for
 * devices (branch h2dev).
 *
 * lwm2md's whole device-management machinery (registration, dm.c's
 * requests, Observe, Block, queue mode, the reply cache) runs on libcoap
 * sessions keyed by UDP/DTLS/TCP/TLS peer addresses.  Rather than teach
 * libcoap a new transport, each non-IP device gets a *virtual peer*: a UDP
 * socket on loopback inside lwm2md's own process.  What the device sends
 * (a CoAP message carried by the SCEF, or by an HTTP/2 stream) goes from
 * that socket, as one datagram, to lwm2md's own plain-CoAP endpoint
 * (vpeer_uplink); whatever libcoap sends back to that socket is handed to
 * the owner's downlink function, which carries it to the device.  This is
 * an RFC 8075-style cross-proxy kept inside lwm2md: the datagrams bypass
 * nothing, every server rule (endpoint binding, access, limits) applies to
 * them as to any peer's.  A session whose peer address is a vpeer's
 * reports the vpeer's kind as its transport (transport.c), so clients are
 * listed with transport "nidd" or "http2" and their identity.
 *
 * A set is bounded per kind (vpeers_limit); a vpeer asked for at a port
 * (vpeer_new_at) takes it again when it is free, so that a registration
 * stored with that address stays reachable after lwm2md restarts (the
 * owner keeps the port in its database), and no vpeer ever takes a port
 * reserved for another device (vpeers_reserve: vpeerdb.h tells the set
 * the ports stored registrations name), so that a request for one
 * device's registration cannot reach another.
 */
#ifndef LWM2MD_VPEER_H
#define LWM2MD_VPEER_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <sys/socket.h>

#define VPEER_KIND_MAX     16  /* "nidd", "http2" and their terminating NUL */
#define VPEER_IDENTITY_MAX 256 /* an externalId (TS 23.003: local@domain) */

struct vpeers;
struct vpeer;

/*
 * Called with each datagram libcoap sent to the vpeer (one CoAP message,
 * @len bytes, valid during the call only): carry it to the device.
 */
typedef void (*vpeer_downlink_fn)(void *arg, const uint8_t *buf, size_t len);

/*
 * A set of vpeers on @base sending to lwm2md's plain-CoAP endpoint @server
 * (@len bytes; a wildcard address means the loopback of its family).
 * @server NULL (plain CoAP off): the set stays empty, vpeer_new() fails
 * -ENOTSUP.  Returns 0 and *@out, or -EINVAL (not IPv4/IPv6).
 */
int vpeers_new(struct event_base *base, const struct sockaddr *server, socklen_t len,
	       struct vpeers **out);

/* Close every vpeer of @set and free it; NULL is fine. */
void vpeers_free(struct vpeers *set);

/* At most @max vpeers of @kind in @set (default 1024 for every kind). */
void vpeers_limit(struct vpeers *set, const char *kind, size_t max);

/*
 * Port @port is named by a stored registration of the device @identity of
 * @kind (its address is that vpeer's): vpeer_new() and vpeer_new_at() never
 * bind it for another device, so that lwm2md's requests for that
 * registration (queued operations, re-established observations, reads)
 * cannot reach the wrong device.  Each vpeer made reserves its own port so;
 * a later reservation of the same port replaces the earlier (one per port:
 * at most 65535).  Reservations last as long as @set.  0, or -EINVAL (port
 * 0, kind or identity empty or too long).
 */
int vpeers_reserve(struct vpeers *set, uint16_t port, const char *kind, const char *identity);

/* How many ports are reserved in @set. */
size_t vpeers_reserved(const struct vpeers *set);

/* How many vpeers of @kind (NULL: of every kind) @set holds. */
size_t vpeers_count(const struct vpeers *set, const char *kind);

/*
 * A vpeer of @kind ("nidd", "http2") for the device @identity, bound to a
 * free loopback port that no other device's stored registration names
 * (vpeers_reserve), calling @fn(@arg, …) with its downlink.  Returns 0
 * and *@out (owned by @set until vpeer_free), or -EEXIST (that identity of
 * that kind has one), -ENOSPC (vpeers_limit reached), -ENOTSUP (no
 * plain-CoAP endpoint), -EINVAL (kind or identity empty or too long),
 * -EADDRINUSE (the kernel offered only reserved ports), or the socket's
 * -errno (logged).
 */
int vpeer_new(struct vpeers *set, const char *kind, const char *identity, vpeer_downlink_fn fn,
	      void *arg, struct vpeer **out);

/*
 * vpeer_new() at loopback port @port when it is free and not reserved for
 * another device (0, in use or another's: any free port, logged), for a
 * device whose registration was stored with it.
 */
int vpeer_new_at(struct vpeers *set, const char *kind, const char *identity, uint16_t port,
		 vpeer_downlink_fn fn, void *arg, struct vpeer **out);

/* Close @vp's socket and remove it from its set; NULL is fine. */
void vpeer_free(struct vpeer *vp);

/*
 * Send @len bytes (one CoAP message from the device) as a datagram from
 * @vp to lwm2md's CoAP endpoint.  Returns 0, -EMSGSIZE (0 or over 65507
 * bytes), or the socket's -errno.
 */
int vpeer_uplink(struct vpeer *vp, const uint8_t *buf, size_t len);

/*
 * The vpeer whose socket address is @addr (@len bytes; an IPv4-mapped IPv6
 * address matches the IPv4 one), or NULL: a real peer.
 */
struct vpeer *vpeer_find(const struct vpeers *set, const struct sockaddr *addr, socklen_t len);

/* The vpeer of @kind for @identity, or NULL. */
struct vpeer *vpeer_find_identity(const struct vpeers *set, const char *kind, const char *identity);

/* "nidd" or "http2": what it was made with. */
const char *vpeer_kind(const struct vpeer *vp);

/* The device's identity (externalId …) it was made with. */
const char *vpeer_identity(const struct vpeer *vp);

/*
 * The LwM2M endpoint name the device may register as (default: its
 * identity); server.c refuses any other, as a PSK identity binds an
 * endpoint.  @ep is copied; -EINVAL when empty or too long.
 */
int vpeer_set_endpoint(struct vpeer *vp, const char *ep);

/* The endpoint name bound to @vp (see vpeer_set_endpoint). */
const char *vpeer_endpoint(const struct vpeer *vp);

/* The @arg it was made with (its owner's record of the device). */
void *vpeer_arg(const struct vpeer *vp);

/* Its loopback port, host order (what the owner stores for vpeer_new_at). */
uint16_t vpeer_port(const struct vpeer *vp);

/* Datagrams sent up and handed down since it was made. */
void vpeer_counts(const struct vpeer *vp, uint64_t *up, uint64_t *down);

#endif
