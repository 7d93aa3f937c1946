/*
 * ipc_server_int — what ipc_server (callers on the control socket) and
 * ipc_local (callers in the daemon's own process) share about a server and
 * a call.  Internal to lib/common: no daemon includes it.
 */
#ifndef LWGATE_COMMON_IPC_SERVER_INT_H
#define LWGATE_COMMON_IPC_SERVER_INT_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/ipc_local.h"
#include "common/ipc_server.h"

#define MAX_TABLES 8

struct ipc_call {
	struct ipc_conn *conn; /* NULL once the client has gone, and for a local call */
	struct ipc_call *next, *prev;
	json_t *id;
	const char *cmd;
	/* an in-process call (ipc_local): */
	bool local;
	struct ipc_server *srv; /* NULL once the server has gone */
	ipc_local_reply_fn cb;  /* NULL once answered (a timeout) */
	void *cb_arg;
	struct event *timer; /* armed when the handler did not answer at once */
	json_t *records;     /* records streamed so far */
	bool overflow;       /* more records than IPC_LOCAL_MAX_RECORDS */
};

struct table {
	const struct ipc_command *cmds;
	void *ctx;
};

struct ipc_server {
	struct event_base *base;
	char *path;
	int fd;
	struct event *accept_ev;
	struct ipc_conn *conns;
	struct table tables[MAX_TABLES];
	size_t ntables;
	size_t queued_total; /* bytes waiting in every connection's queue */
	struct ipc_server_stats stats;
	/* in-process callers (ipc_local.c) */
	struct ipc_server *next_live; /* this process's servers, for ipc_local_find() */
	struct ipc_call *locals;      /* local calls awaiting their handler's answer */
	unsigned nlocals;
	struct ipc_call *calling; /* the local call whose handler runs now */
	ipc_local_event_fn event_cb;
	void *event_arg;
};

/* ipc_server.c */
const struct ipc_command *ipc_server_command(struct ipc_server *srv, const char *name, void **ctx);
bool ipc_server_may_change_state(uid_t uid);

/* ipc_local.c: a local call's answer, and the server's birth and end */
void ipc_local_reply(struct ipc_call *call, json_t *result_take);
void ipc_local_fail(struct ipc_call *call, enum ipc_error code, const char *msg,
		    json_t *detail_take);
int ipc_local_record(struct ipc_call *call, json_t *record_take);
void ipc_local_attach(struct ipc_server *srv);
void ipc_local_detach(struct ipc_server *srv);

#endif
