/*
 * paaadmit — paad telling lowpand which nodes are authenticated, for
 * lowpand's [admission] (daemons/lowpand/admission.h): "admit" with the
 * node's address and the lifetime left when a session is established or
 * re-authenticated, "revoke" when it ends, and the whole list again every
 * resync interval, so that a restarted lowpand learns it back.  When
 * lowpand is not there the calls fail quietly (counted); its entries run
 * to their lifetime.
 */
#ifndef LWGATE_PAAD_PAAADMIT_H
#define LWGATE_PAAD_PAAADMIT_H

#include <stdint.h>

#include <event2/event.h>

#include "paaserver.h"

struct paaadmit;

struct paaadmit_stats {
	uint64_t admits, revokes, resyncs, failures;
};

/*
 * Tell lowpand at control socket @socket_path about @srv's sessions
 * (set later with paaadmit_set_server), the whole list every @resync_s
 * seconds.
 */
struct paaadmit *paaadmit_new(struct event_base *base, const char *socket_path, unsigned resync_s);

/* The server whose sessions the resync lists. */
void paaadmit_set_server(struct paaadmit *a, struct paaserver *srv);

void paaadmit_free(struct paaadmit *a);

/* A session entered the access phase: admit its PaC for the lifetime left. */
void paaadmit_up(struct paaadmit *a, const struct paaserver_info *s);

/* A session ended: revoke its PaC. */
void paaadmit_down(struct paaadmit *a, const struct paaserver_info *s);

void paaadmit_get_stats(const struct paaadmit *a, struct paaadmit_stats *out);

#endif
