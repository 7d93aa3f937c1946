/*
 * admission — which mesh nodes lowpand forwards between the mesh and the
 * TUN interface: with [admission] enabled, only the traffic of nodes that
 * paad has authenticated, plus what joining needs (ND and RPL control,
 * PANA to and from the PAA or a relay).  Everything else is dropped and
 * counted by reason.
 *
 * A node is admitted by its interface identifier (the low 64 bits of the
 * address paad saw it authenticate from), so its link-local and its
 * prefix addresses count alike, for the lifetime paad granted; a revoke or
 * the lifetime's end closes the door at the next packet.  paad tells
 * lowpand through the control commands "admit" and "revoke" and repeats
 * its list now and then; when paad is down nothing new is admitted and
 * the entries run to their lifetime.  The table is bounded.
 */
#ifndef LWGATE_LOWPAND_ADMISSION_H
#define LWGATE_LOWPAND_ADMISSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/ipc_server.h"

struct admission;

struct admission_cfg {
	bool enabled;
	unsigned max_nodes;
};

struct admission_stats {
	uint64_t passed;                   /* traffic of admitted nodes */
	uint64_t passed_nd, passed_rpl;    /* joining traffic of any node */
	uint64_t passed_pana;              /* UDP 716, either way */
	uint64_t dropped_up, dropped_down; /* of nodes not admitted, mesh → host and back */
	uint64_t dropped_malformed;        /* not an IPv6 packet we can read */
	uint64_t admits, revokes, full;
};

/* A table for at most @cfg->max_nodes nodes. */
struct admission *admission_new(const struct admission_cfg *cfg);

void admission_free(struct admission *a);

/*
 * Admit the node behind @addr (16 bytes) for @lifetime_s seconds from
 * @now_ms (milliseconds of clock_ms()), replacing an earlier entry.
 * Returns 0, or -ENOSPC when the table is full of live entries.
 */
int admission_admit(struct admission *a, const uint8_t addr[16], uint32_t lifetime_s,
		    uint64_t now_ms);

/* Forget the node behind @addr.  0, or -ENOENT. */
int admission_revoke(struct admission *a, const uint8_t addr[16]);

/*
 * May packet @pkt (@len bytes of IPv6) cross between the mesh and the
 * host?  @to_mesh: it goes host → mesh (else mesh → host).  Always true
 * when admission is disabled; counted either way.
 */
bool admission_check(struct admission *a, const uint8_t *pkt, size_t len, bool to_mesh,
		     uint64_t now_ms);

void admission_get_stats(const struct admission *a, struct admission_stats *out);

/* Live entries now. */
size_t admission_count(const struct admission *a, uint64_t now_ms);

/*
 * The handlers of lowpand's control commands (lowpand's table holds them,
 * so that `lowpand --commands` lists them; it passes its struct admission):
 *   admit nodes:=[{"address":A,"lifetime":S}, …]   (paad; privileged)
 *   revoke address=A                               (paad; privileged)
 *   admitted                                       one record per live node
 */
void admission_cmd_admit(struct ipc_call *call, json_t *args, struct admission *a);
void admission_cmd_revoke(struct ipc_call *call, json_t *args, struct admission *a);
void admission_cmd_admitted(struct ipc_call *call, json_t *args, struct admission *a);

/* The argument tables of admit and revoke. */
extern const struct ipc_arg admission_admit_args[];
extern const struct ipc_arg admission_revoke_args[];

/* {"enabled", "nodes", counters…} for lowpand's status. */
json_t *admission_status(const struct admission *a);

#endif
