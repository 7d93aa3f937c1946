/*
 * snmpagent — lowpand's RFC 7388 LOWPAN-MIB counters for SNMP managers,
 * as an AgentX subagent (RFC 2741) of the host's net-snmp snmpd: the
 * objects of lowpanStatsGroup (lowpanReasmTimeout and the Counter32s of
 * lowpanStats, mib-2.226.1.1), read at request time from the forwarding
 * path's counters, 64-bit values wrapping as SMIv2 Counter32s do.
 *
 * The subagent connects to the master's AgentX socket, and reconnects on
 * its own when snmpd is not there yet or was restarted (after 1 s, then
 * backing off up to every @ping_s seconds, also how often it pings the
 * master to check that it is alive).
 */
#ifndef LWGATE_LOWPAND_SNMPAGENT_H
#define LWGATE_LOWPAND_SNMPAGENT_H

#include <stdint.h>

#include <event2/event.h>

#include "lowpan/mib.h"

struct snmpagent_cfg {
	const char *socket;           /* the master's AgentX socket: a path, or tcp:host:port */
	unsigned ping_s;              /* seconds between pings to the master, and reconnects */
	const struct lowpan_mib *mib; /* borrowed; read at each request */
	uint32_t reasm_timeout_s;     /* lowpanReasmTimeout */
};

struct snmpagent;

/*
 * Register the objects and connect to the master on @base's loop.
 * Returns NULL (and logs why) when @cfg->socket is not an address; a master
 * that is not there yet is not an error.  @cfg->mib must outlive the result.
 */
struct snmpagent *snmpagent_new(struct event_base *base, const struct snmpagent_cfg *cfg);

/* Close the session with the master (if open) and free @a; NULL is fine. */
void snmpagent_free(struct snmpagent *a);

#endif
