/*
 * paactl — paad's control commands, status and events:
 *
 *   device-add identity= psk=      add a device (or replace its key): 16-byte PSK in hex
 *   device-del identity=           remove it; its sessions are terminated
 *   device-list                    the devices, one record each (never their keys)
 *   sessions                       the sessions, one record each
 *   terminate id=|device=          end a session (PTR, Termination-Cause ADMINISTRATIVE)
 *
 * Events on topic "session": {"event":"up"|"reauth"|"down", "id", "device",
 * "address", "port", "key_id", "lifetime", "reason"(down)}.
 */
#ifndef LWGATE_PAAD_PAACTL_H
#define LWGATE_PAAD_PAACTL_H

#include <jansson.h>

#include "common/daemon.h"
#include "paaadmit.h"
#include "paaradius.h"
#include "paaserver.h"

/* The state every command handler gets: the daemon and its modules. */
struct paad {
	struct daemon *daemon;
	int fd;                   /* the PANA socket between prepare() and start() */
	struct paaradius *radius; /* NULL in local mode */
	struct paaadmit *admit;   /* NULL: lowpand is not told */
	struct paaserver *server;
};

extern const struct ipc_command paactl_commands[];

/* Add paad's counters to a status reply. */
void paactl_status(void *state, json_t *status);

/* The hooks that publish session events (ctx: struct paad). */
void paactl_session_up(const struct paaserver_info *s, bool reauth, void *arg);
void paactl_session_down(const struct paaserver_info *s, enum paaserver_end why, void *arg);

#endif
