#define LOG_COMPONENT "ipc"
#include "common/ipc_local.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/ipc_server_int.h"
#include "common/log.h"

/* This process's servers: a daemon runs one, a test may run a few. */
static struct ipc_server *live;

void ipc_local_attach(struct ipc_server *srv)
{
	srv->next_live = live;
	live = srv;
}

static void complete(struct ipc_call *call, struct ipc_response *resp);

/* A failure as a socket caller reads it: the error object {"code","message"} and both fields. */
static struct ipc_response failure(enum ipc_error code, const char *msg)
{
	struct ipc_response resp = { .ok = false, .code = code };
	resp.error = json_pack("{s:s, s:s}", "code", ipc_error_name(code), "message", msg);
	resp.message = strdup(msg);
	if (!resp.error || !resp.message)
		abort();
	return resp;
}

void ipc_local_detach(struct ipc_server *srv)
{
	for (struct ipc_server **p = &live; *p; p = &(*p)->next_live)
		if (*p == srv) {
			*p = srv->next_live;
			break;
		}
	/* a caller still waiting learns the daemon is going; the handler keeps its call */
	while (srv->locals) {
		struct ipc_call *call = srv->locals;
		struct ipc_response resp = failure(IPC_ERR_UNAVAILABLE, "the daemon is stopping");
		srv->locals = call->next;
		call->srv = NULL;
		complete(call, &resp);
	}
	srv->nlocals = 0;
}

struct ipc_server *ipc_local_find(const char *path)
{
	for (struct ipc_server *s = live; s; s = s->next_live)
		if (path && strcmp(s->path, path) == 0)
			return s;
	return NULL;
}

void ipc_local_subscribe(struct ipc_server *srv, ipc_local_event_fn cb, void *arg)
{
	srv->event_cb = cb;
	srv->event_arg = arg;
}

/* Hand @resp to the caller (once) and release it; the call itself lives on until answered. */
static void complete(struct ipc_call *call, struct ipc_response *resp)
{
	ipc_local_reply_fn cb = call->cb;
	call->cb = NULL;
	if (call->timer) {
		event_free(call->timer);
		call->timer = NULL;
	}
	if (cb)
		cb(resp, call->cb_arg);
	ipc_response_fini(resp);
}

static void call_free(struct ipc_call *call)
{
	struct ipc_server *srv = call->srv;
	if (srv) {
		if (call->prev)
			call->prev->next = call->next;
		else
			srv->locals = call->next;
		if (call->next)
			call->next->prev = call->prev;
		srv->nlocals--;
		if (srv->calling == call)
			srv->calling = NULL;
	}
	if (call->timer)
		event_free(call->timer);
	json_decref(call->records);
	free(call);
}

void ipc_local_reply(struct ipc_call *call, json_t *result_take)
{
	struct ipc_response resp = { .ok = true };
	if (call->overflow) {
		json_decref(result_take);
		ipc_local_fail(call, IPC_ERR_TOO_LARGE, "the daemon streamed too many records",
			       NULL);
		return;
	}
	resp.result = result_take ? result_take : json_null();
	resp.records = call->records;
	call->records = NULL;
	complete(call, &resp);
	call_free(call);
}

void ipc_local_fail(struct ipc_call *call, enum ipc_error code, const char *msg,
		    json_t *detail_take)
{
	struct ipc_response resp = failure(code, msg);
	/* the detail as on the socket: members beside "code" and "message", never over them */
	if (detail_take)
		json_object_update_missing(resp.error, detail_take);
	json_decref(detail_take);
	if (call->srv)
		call->srv->stats.errors++;
	complete(call, &resp);
	call_free(call);
}

int ipc_local_record(struct ipc_call *call, json_t *record_take)
{
	if (!call->cb || call->overflow) {
		json_decref(record_take);
		return -EPIPE; /* the caller has its answer (a timeout) or will get too_large */
	}
	if (!call->records)
		call->records = json_array();
	if (json_array_size(call->records) >= IPC_LOCAL_MAX_RECORDS) {
		call->overflow = true;
		json_decref(record_take);
		return -EPIPE;
	}
	json_array_append_new(call->records, record_take);
	return 0;
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct ipc_call *call = arg;
	struct ipc_response resp = failure(IPC_ERR_TIMEOUT, "no reply in time");
	/* the handler still holds the call: its answer, when it comes, is dropped */
	complete(call, &resp);
}

/* Answer before any handler runs: an unknown command, bad arguments, busy. */
static void refuse(struct ipc_server *srv, enum ipc_error code, const char *why,
		   ipc_local_reply_fn cb, void *arg)
{
	struct ipc_response resp = failure(code, why);
	srv->stats.errors++;
	cb(&resp, arg);
	ipc_response_fini(&resp);
}

static struct ipc_call *call_new(struct ipc_server *srv, const char *cmd, ipc_local_reply_fn cb,
				 void *arg)
{
	struct ipc_call *call = calloc(1, sizeof(*call));
	if (!call)
		abort();
	call->local = true;
	call->srv = srv;
	call->cmd = cmd;
	call->id = json_null();
	call->cb = cb;
	call->cb_arg = arg;
	call->next = srv->locals;
	if (srv->locals)
		srv->locals->prev = call;
	srv->locals = call;
	srv->nlocals++;
	return call;
}

void ipc_local_call(struct ipc_server *srv, const char *cmd, json_t *args_take, int timeout_ms,
		    ipc_local_reply_fn cb, void *arg)
{
	json_t *args = args_take ? args_take : json_object();
	char why[256];
	void *ctx = NULL;
	srv->stats.requests++;
	/* the same checks, in the same order and words, as handle_record() in ipc_server.c */
	const struct ipc_command *c = ipc_server_command(srv, cmd, &ctx);
	enum ipc_error rc = IPC_OK;
	if (!c) {
		snprintf(why, sizeof(why), "unknown command \"%s\" (try \"help\")", cmd);
		rc = IPC_ERR_UNKNOWN_COMMAND;
	} else if (c->privileged && !ipc_server_may_change_state(geteuid())) {
		snprintf(why, sizeof(why), "\"%s\" changes state: only root or uid %d may use it",
			 c->name, (int)geteuid());
		rc = IPC_ERR_DENIED;
	} else if (!json_is_object(args)) {
		snprintf(why, sizeof(why), "\"args\" must be an object");
		rc = IPC_ERR_BAD_REQUEST;
	} else {
		rc = ipc_proto_check_args(c->args, args, why, sizeof(why));
	}
	if (rc == IPC_OK && srv->nlocals >= IPC_LOCAL_MAX_CALLS) {
		snprintf(why, sizeof(why), "%u calls await their reply; wait for one first",
			 srv->nlocals);
		rc = IPC_ERR_BUSY;
	}
	if (rc != IPC_OK) {
		refuse(srv, rc, why, cb, arg);
		json_decref(args);
		return;
	}
	struct ipc_call *call = call_new(srv, c->name, cb, arg);
	struct ipc_call *outer = srv->calling;
	srv->calling = call;
	c->handler(call, args, ctx);
	json_decref(args);
	/* still open when the handler has returned: it waits on something, so time it */
	if (srv->calling == call && call->cb) {
		struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
		call->timer = evtimer_new(srv->base, on_timeout, call);
		if (!call->timer)
			abort();
		evtimer_add(call->timer, &tv);
	}
	srv->calling = outer;
}
