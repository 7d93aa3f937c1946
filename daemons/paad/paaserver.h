/*
 * paaserver — the PANA Authentication Agent on UDP 716 (RFC 5191 in the
 * minimal profile of draft-ietf-lwig-guidance §5.4.1): PaC-initiated
 * sessions, EAP piggybacked on PAR/PAN, EAP-PSK as the method with the
 * devices' keys in paastore, PaC-initiated re-authentication with Key-Id
 * rollover, termination by either side, no ping and no PTR on expiry.
 *
 * Requests are retransmitted with the RFC 3315 algorithm (§9: IRT, MRT,
 * MRC from the config); a repeated request is answered from the cached
 * answer; answers must carry the outstanding request's sequence number;
 * after the handshake every message must carry a correct AUTH.  What is
 * dropped is counted by reason.  Established sessions are stored and
 * resumed after a restart.
 */
#ifndef LWGATE_PAAD_PAASERVER_H
#define LWGATE_PAAD_PAASERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "paapeer.h"

#include <event2/event.h>

#include "common/db.h"

struct paaserver;

#define PAASERVER_MAX_RELAYS 64

struct paaserver_config {
	const char *address; /* numeric; "::" for every address */
	int port;
	const char *server_id;   /* EAP-PSK ID_S */
	unsigned lifetime_s;     /* Session-Lifetime granted */
	unsigned max_sessions;   /* sessions (any phase) held at once */
	unsigned irt_ms, mrt_ms; /* retransmission: initial and maximum timeout */
	unsigned mrc;            /* retransmissions before giving up */
	const char *relays;      /* RFC 6345 relays allowed, numeric addresses, space-separated */
};

/* True when @relays is a list of at most PAASERVER_MAX_RELAYS numeric addresses. */
bool paaserver_relays_valid(const char *relays);

/* Why a session ended. */
enum paaserver_end {
	PAASERVER_END_TERMINATED, /* PTR from the PaC */
	PAASERVER_END_ADMIN,      /* lwgatectl paad terminate, or its device deleted */
	PAASERVER_END_EXPIRED,    /* lifetime over without re-authentication */
	PAASERVER_END_REJECTED,   /* authentication failed */
	PAASERVER_END_TIMEOUT,    /* the PaC stopped answering */
};

const char *paaserver_end_name(enum paaserver_end why);

/* A session as shown to the operator and to lowpand's admission. */
struct paaserver_info {
	uint32_t id;
	const char *device;
	const char *phase; /* "auth", "access", "reauth", "terminating" */
	const struct paapeer *peer;
	uint32_t key_id;
	uint32_t lifetime;
	int64_t expires; /* wall clock seconds; 0 before access */
	int64_t started;
};

struct paaserver_hooks {
	/* A session entered the access phase (first time or after a re-authentication). */
	void (*up)(const struct paaserver_info *s, bool reauth, void *arg);
	/* A session ended (after access, or a failed handshake: then device may be ""). */
	void (*down)(const struct paaserver_info *s, enum paaserver_end why, void *arg);
	void *arg;
};

struct paaserver_stats {
	uint64_t rx, tx, retransmits, duplicates;
	uint64_t auth_ok, reauth_ok, rejected, expired, terminated, timeouts;
	uint64_t relayed; /* messages that came through an RFC 6345 relay */
	uint64_t drop_malformed, drop_no_session, drop_seq, drop_auth, drop_unexpected, drop_full;
	uint64_t drop_relay; /* PRY from a relay neither allowed nor authenticated, or malformed */
	unsigned sessions, established;
};

/*
 * Open the UDP socket of @cfg (address, port), before privileges are
 * dropped: 716 is a privileged port.  Returns the descriptor or a negative
 * errno (logged).
 */
int paaserver_open(const struct paaserver_config *cfg);

struct paaradius;

/*
 * Serve on socket @fd (taken: closed by paaserver_free, or here on error),
 * load the stored sessions.  @cfg is copied (its strings too).  With
 * @radius (borrowed; it must outlive the server) EAP goes to that RADIUS
 * server; without, paad's own EAP-PSK server uses the devices' keys.
 * Returns 0 and *out, or a negative errno (logged).
 */
int paaserver_new(struct event_base *base, struct db *db, int fd,
		  const struct paaserver_config *cfg, struct paaradius *radius,
		  const struct paaserver_hooks *hooks, struct paaserver **out);

/* Close the socket and free every session (they stay stored).  NULL is fine. */
void paaserver_free(struct paaserver *srv);

/* Apply the reloadable part of @cfg: lifetime, limits and timers for what comes next. */
void paaserver_reload(struct paaserver *srv, const struct paaserver_config *cfg);

/*
 * End session @id (or, with id 0, every session of @device): a PTR with
 * Termination-Cause ADMINISTRATIVE goes to the PaC and the session is
 * closed at once.  Returns the number of sessions ended.
 */
unsigned paaserver_terminate(struct paaserver *srv, uint32_t id, const char *device);

/* Call @fn for each session in order of id. */
void paaserver_each(struct paaserver *srv, void (*fn)(const struct paaserver_info *, void *),
		    void *arg);

void paaserver_get_stats(const struct paaserver *srv, struct paaserver_stats *out);

/*
 * Take one datagram of @len bytes from @from (its relay field unset: as it
 * arrived on the socket), exactly as the socket reader does; for the fuzz
 * target, which drives the whole PAA without a network.
 */
void paaserver_input(struct paaserver *srv, const uint8_t *buf, size_t len,
		     const struct paapeer *from);

/* Bytes one established session holds in memory (for the status and the seed's §5.4.1.3 table). */
size_t paaserver_session_bytes(const struct paaserver *srv);

#endif
