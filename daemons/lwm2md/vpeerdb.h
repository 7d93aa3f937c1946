/*
 * vpeerdb — the ports of lwm2md's database that belong to non-IP devices,
 * told to the vpeer set at start (vpeers_reserve), so that no vpeer ever
 * takes a port that a stored registration of another device names.
 *
 * Read: the clients table's registrations of transport "http2" (their
 * vpeer identity is their endpoint) and "nidd" (their endpoint, which is
 * the externalId unless the endpoint IDs map it), then the owners' own
 * records, which name the identity exactly and win for their port:
 * nidd_devices (nidd.c) and http2_devices (h2dev.c), when they exist.
 */
#ifndef LWM2MD_VPEERDB_H
#define LWM2MD_VPEERDB_H

#include "common/db.h"
#include "vpeer.h"

/* Reserve in @set every port @db names for a vpeer; their count, or -EIO (logged). */
int vpeerdb_reserve(struct vpeers *set, struct db *db);

#endif
