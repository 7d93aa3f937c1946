#define LOG_COMPONENT "ipc"
#include "common/ipc_server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/ipc_local.h"
#include "common/ipc_server_int.h"
#include "common/log.h"

/* Records read per wake-up, so that one busy client cannot starve others. */
#define READS_PER_EVENT 32

struct out_msg {
	struct out_msg *next;
	size_t len;
	char data[];
};

struct ipc_conn {
	struct ipc_server *srv;
	struct ipc_conn *next, *prev;
	int fd;
	uid_t uid;
	pid_t pid;
	struct event *rd, *wr, *closer;
	struct out_msg *head, *tail;
	size_t queued_bytes;
	json_t *topics;         /* array of distinct strings, NULL when not subscribed */
	struct ipc_call *calls; /* open calls, so that they learn when we go */
	unsigned ncalls;
	bool dead;
};

static void conn_fail(struct ipc_conn *conn, const char *why);

static void conn_free(struct ipc_conn *conn)
{
	struct ipc_server *srv = conn->srv;

	for (struct ipc_call *c = conn->calls; c; c = c->next)
		c->conn = NULL;
	if (conn->prev)
		conn->prev->next = conn->next;
	else
		srv->conns = conn->next;
	if (conn->next)
		conn->next->prev = conn->prev;
	srv->stats.clients--;

	while (conn->head) {
		struct out_msg *m = conn->head;

		conn->head = m->next;
		free(m);
	}
	srv->queued_total -= conn->queued_bytes;
	event_free(conn->rd);
	event_free(conn->wr);
	event_free(conn->closer);
	json_decref(conn->topics);
	close(conn->fd);
	free(conn);
}

static void on_close(evutil_socket_t fd, short what, void *arg)
{
	conn_free(arg);
}

/* Mark the connection for closing; it is freed from the loop, never under a caller's feet. */
static void conn_fail(struct ipc_conn *conn, const char *why)
{
	if (conn->dead)
		return;
	conn->dead = true;
	log_debug("closing client pid=%d uid=%d reason=\"%s\"", (int)conn->pid, (int)conn->uid,
		  why);
	event_active(conn->closer, EV_TIMEOUT, 1);
}

static int queue_msg(struct ipc_conn *conn, const char *data, size_t len)
{
	struct out_msg *m;

	if (conn->queued_bytes + len > IPC_SERVER_MAX_QUEUE ||
	    conn->srv->queued_total + len > IPC_SERVER_MAX_QUEUE_TOTAL) {
		log_warnx("client is not reading its replies; dropping it pid=%d queued=%zu "
			  "queued_all=%zu",
			  (int)conn->pid, conn->queued_bytes, conn->srv->queued_total);
		conn->srv->stats.dropped++;
		conn_fail(conn, "send queue full");
		return -ENOBUFS;
	}
	m = malloc(sizeof(*m) + len);
	if (!m)
		abort();
	m->next = NULL;
	m->len = len;
	memcpy(m->data, data, len);
	if (conn->tail)
		conn->tail->next = m;
	else
		conn->head = m;
	conn->tail = m;
	conn->queued_bytes += len;
	conn->srv->queued_total += len;
	event_add(conn->wr, NULL);
	return 0;
}

static int send_raw(struct ipc_conn *conn, const char *data, size_t len)
{
	ssize_t n;

	if (conn->dead)
		return -EPIPE;
	if (conn->head)
		return queue_msg(conn, data, len);
	n = send(conn->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n >= 0)
		return 0;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return queue_msg(conn, data, len);
	conn_fail(conn, strerror(errno));
	return -EPIPE;
}

/* Send and release @msg_take; a message too big to send becomes an error reply. */
static int send_json(struct ipc_conn *conn, json_t *msg_take)
{
	size_t len;
	char *s = ipc_proto_dump(msg_take, &len);
	int rc;

	if (!s) {
		json_t *id = json_object_get(msg_take, "id");
		json_t *err = ipc_proto_reply_error(id, IPC_ERR_TOO_LARGE,
						    "reply over 64 KiB; ask for fewer items");

		log_warnx("reply too large to send; sent an error instead");
		json_decref(msg_take);
		s = ipc_proto_dump(err, &len);
		json_decref(err);
		if (!s)
			return -ENOMEM;
	} else {
		json_decref(msg_take);
	}
	rc = send_raw(conn, s, len);
	free(s);
	return rc;
}

static void on_writable(evutil_socket_t fd, short what, void *arg)
{
	struct ipc_conn *conn = arg;

	while (conn->head) {
		struct out_msg *m = conn->head;
		ssize_t n = send(fd, m->data, m->len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return; /* still armed */
			conn_fail(conn, strerror(errno));
			return;
		}
		conn->head = m->next;
		if (!conn->head)
			conn->tail = NULL;
		conn->queued_bytes -= m->len;
		conn->srv->queued_total -= m->len;
		free(m);
	}
	event_del(conn->wr);
}

static struct ipc_call *call_new(struct ipc_conn *conn, json_t *id, const char *cmd)
{
	struct ipc_call *call = calloc(1, sizeof(*call));

	if (!call)
		abort();
	call->conn = conn;
	call->id = json_incref(id);
	call->cmd = cmd;
	call->next = conn->calls;
	if (conn->calls)
		conn->calls->prev = call;
	conn->calls = call;
	conn->ncalls++;
	return call;
}

static void call_free(struct ipc_call *call)
{
	struct ipc_conn *conn = call->conn;

	if (conn) {
		if (call->prev)
			call->prev->next = call->next;
		else
			conn->calls = call->next;
		if (call->next)
			call->next->prev = call->prev;
		conn->ncalls--;
	}
	json_decref(call->id);
	free(call);
}

void ipc_call_reply(struct ipc_call *call, json_t *result_take)
{
	if (call->local) {
		ipc_local_reply(call, result_take);
		return;
	}
	if (call->conn)
		send_json(call->conn, ipc_proto_reply_ok(call->id, result_take));
	else
		json_decref(result_take);
	call_free(call);
}

static void send_error_detail(struct ipc_conn *conn, json_t *id, enum ipc_error code,
			      const char *msg, json_t *detail)
{
	json_t *reply = ipc_proto_reply_error(id, code, msg);

	if (detail)
		json_object_update_missing(json_object_get(reply, "error"), detail);
	conn->srv->stats.errors++;
	send_json(conn, reply);
}

static void send_error(struct ipc_conn *conn, json_t *id, enum ipc_error code, const char *msg)
{
	send_error_detail(conn, id, code, msg, NULL);
}

static void __attribute__((format(printf, 4, 0)))
call_fail(struct ipc_call *call, enum ipc_error code, json_t *detail_take, const char *fmt,
	  va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (call->local) {
		ipc_local_fail(call, code, msg, detail_take);
		return;
	}
	if (call->conn)
		send_error_detail(call->conn, call->id, code, msg, detail_take);
	json_decref(detail_take);
	call_free(call);
}

void ipc_call_fail(struct ipc_call *call, enum ipc_error code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	call_fail(call, code, NULL, fmt, ap);
	va_end(ap);
}

void ipc_call_fail_detail(struct ipc_call *call, enum ipc_error code, json_t *detail_take,
			  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	call_fail(call, code, detail_take, fmt, ap);
	va_end(ap);
}

int ipc_call_record(struct ipc_call *call, json_t *record_take)
{
	if (call->local)
		return ipc_local_record(call, record_take);
	if (!call->conn || call->conn->dead) {
		json_decref(record_take);
		return -EPIPE;
	}
	return send_json(call->conn, ipc_proto_record(call->id, record_take));
}

const char *ipc_call_command(const struct ipc_call *call)
{
	return call->cmd;
}

uid_t ipc_call_uid(const struct ipc_call *call)
{
	if (call->local)
		return geteuid(); /* the daemon calling itself */
	return call->conn ? call->conn->uid : (uid_t)-1;
}

const struct ipc_command *ipc_server_command(struct ipc_server *srv, const char *name, void **ctx)
{
	for (size_t t = 0; t < srv->ntables; t++) {
		for (const struct ipc_command *c = srv->tables[t].cmds; c->name; c++) {
			if (strcmp(c->name, name) == 0) {
				*ctx = srv->tables[t].ctx;
				return c;
			}
		}
	}
	return NULL;
}

bool ipc_server_may_change_state(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

static void handle_record(struct ipc_conn *conn, const uint8_t *buf, size_t len)
{
	struct ipc_server *srv = conn->srv;
	struct ipc_request req;
	const struct ipc_command *cmd;
	enum ipc_error rc;
	char why[256];
	void *ctx = NULL;

	srv->stats.requests++;
	rc = ipc_proto_parse_request(buf, len, &req, why, sizeof(why));
	if (rc != IPC_OK) {
		send_error(conn, req.id, rc, why);
		goto out;
	}
	cmd = ipc_server_command(srv, req.cmd, &ctx);
	if (!cmd) {
		snprintf(why, sizeof(why), "unknown command \"%s\" (try \"help\")", req.cmd);
		send_error(conn, req.id, IPC_ERR_UNKNOWN_COMMAND, why);
		goto out;
	}
	if (cmd->privileged && !ipc_server_may_change_state(conn->uid)) {
		snprintf(why, sizeof(why), "\"%s\" changes state: only root or uid %d may use it",
			 cmd->name, (int)geteuid());
		send_error(conn, req.id, IPC_ERR_DENIED, why);
		goto out;
	}
	rc = ipc_proto_check_args(cmd->args, req.args, why, sizeof(why));
	if (rc != IPC_OK) {
		send_error(conn, req.id, rc, why);
		goto out;
	}
	if (conn->ncalls >= IPC_SERVER_MAX_CALLS) {
		snprintf(why, sizeof(why),
			 "%u calls on this connection await their reply; wait for one first",
			 conn->ncalls);
		send_error(conn, req.id, IPC_ERR_BUSY, why);
		goto out;
	}
	cmd->handler(call_new(conn, req.id, cmd->name), req.args, ctx);
out:
	ipc_request_fini(&req);
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct ipc_conn *conn = arg;
	static uint8_t buf[IPC_MAX_MESSAGE];

	for (int i = 0; i < READS_PER_EVENT && !conn->dead; i++) {
		/* MSG_TRUNC makes recv() return the record's real length. */
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				conn_fail(conn, strerror(errno));
			return;
		}
		if (n == 0) {
			conn_fail(conn, "client closed");
			return;
		}
		if ((size_t)n > sizeof(buf)) {
			char why[96];

			conn->srv->stats.requests++;
			snprintf(why, sizeof(why), "message of %zd bytes is over the %d-byte limit",
				 n, IPC_MAX_MESSAGE);
			send_error(conn, json_null(), IPC_ERR_TOO_LARGE, why);
			continue;
		}
		handle_record(conn, buf, (size_t)n);
	}
}

static void on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct ipc_server *srv = arg;
	struct ucred cred = { .pid = -1, .uid = (uid_t)-1, .gid = (gid_t)-1 };
	socklen_t credlen = sizeof(cred);
	struct ipc_conn *conn;
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("accept");
		return;
	}
	if (srv->stats.clients >= IPC_SERVER_MAX_CLIENTS) {
		log_warnx("too many control clients; refusing one max=%d", IPC_SERVER_MAX_CLIENTS);
		srv->stats.refused++;
		close(fd);
		return;
	}
	/* Without credentials we cannot tell root from anyone: refuse rather than guess. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) < 0 ||
	    credlen != sizeof(cred)) {
		log_warn("cannot read a control client's credentials (SO_PEERCRED); refusing it");
		srv->stats.refused++;
		close(fd);
		return;
	}

	conn = calloc(1, sizeof(*conn));
	if (!conn)
		abort();
	conn->srv = srv;
	conn->fd = fd;
	conn->uid = cred.uid;
	conn->pid = cred.pid;
	conn->rd = event_new(srv->base, fd, EV_READ | EV_PERSIST, on_readable, conn);
	conn->wr = event_new(srv->base, fd, EV_WRITE | EV_PERSIST, on_writable, conn);
	conn->closer = evtimer_new(srv->base, on_close, conn);
	if (!conn->rd || !conn->wr || !conn->closer)
		abort();
	event_add(conn->rd, NULL);
	conn->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = conn;
	srv->conns = conn;
	srv->stats.clients++;
	srv->stats.clients_total++;
	log_debug("client connected pid=%d uid=%d", (int)cred.pid, (int)cred.uid);
}

static bool topic_matches(json_t *topics, const char *topic)
{
	size_t i;
	json_t *t;

	json_array_foreach (topics, i, t) {
		const char *s = json_string_value(t);
		size_t n = strlen(s);

		if (strcmp(s, "*") == 0 || strcmp(s, topic) == 0)
			return true;
		/* "registration.*" matches "registration.new" */
		if (n >= 2 && s[n - 1] == '*' && s[n - 2] == '.' && strncmp(s, topic, n - 1) == 0)
			return true;
	}
	return false;
}

void ipc_server_publish(struct ipc_server *srv, const char *topic, json_t *data_take)
{
	json_t *ev = ipc_proto_event(topic, data_take);
	size_t len;
	char *s = ipc_proto_dump(ev, &len);

	if (!s) {
		log_warnx("event too large to publish topic=%s", topic);
		json_decref(ev);
		return;
	}
	/* the in-process listener sees what a socket subscriber would, minus the text */
	if (srv->event_cb)
		srv->event_cb(topic, json_object_get(ev, "data"), srv->event_arg);
	json_decref(ev);
	for (struct ipc_conn *c = srv->conns; c; c = c->next) {
		if (!c->dead && c->topics && topic_matches(c->topics, topic)) {
			send_raw(c, s, len);
			srv->stats.events++;
		}
	}
	free(s);
}

/* Append the "help" entries of a table's commands to @list. */
static void describe(json_t *list, const struct ipc_command *cmds)
{
	for (const struct ipc_command *c = cmds; c->name; c++) {
		json_t *a = json_array();

		for (const struct ipc_arg *p = c->args; p && p->name; p++)
			json_array_append_new(
				a, json_pack("{s:s, s:s, s:b, s:s, s:b}", "name", p->name, "type",
					     ipc_arg_type_name(p->type), "required", p->required,
					     "help", p->help ? p->help : "", "positional",
					     p->positional));
		json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:o}", "command", c->name,
						      "help", c->help ? c->help : "", "privileged",
						      c->privileged, "args", a));
	}
}

static void cmd_help(struct ipc_call *call, json_t *args, void *ctx)
{
	struct ipc_server *srv = ctx;
	json_t *list = json_array();

	for (size_t t = 0; t < srv->ntables; t++)
		describe(list, srv->tables[t].cmds);
	ipc_call_reply(call, list);
}

static bool has_topic(json_t *topics, const char *topic)
{
	size_t i;
	json_t *t;

	json_array_foreach (topics, i, t)
		if (strcmp(json_string_value(t), topic) == 0)
			return true;
	return false;
}

/*
 * Check that every topic is a string of sane length and count those new to
 * @have (NULL: none), stopping past @limit so that a huge request costs no
 * more than a small one.  Returns the count (limit + 1: too many) or -EINVAL.
 */
static int count_new_topics(json_t *topics, json_t *have, size_t limit, char *why, size_t why_len)
{
	json_t *fresh = json_array();
	size_t i;
	json_t *t;
	int n;

	json_array_foreach (topics, i, t) {
		const char *s = json_string_value(t);

		if (!s || *s == '\0' || strlen(s) > IPC_SERVER_MAX_TOPIC_LEN) {
			snprintf(why, why_len,
				 "\"topics\" must hold non-empty strings of at most %d bytes",
				 IPC_SERVER_MAX_TOPIC_LEN);
			json_decref(fresh);
			return -EINVAL;
		}
		if (json_array_size(fresh) > limit)
			continue; /* over: only the types are still checked */
		if (!(have && has_topic(have, s)) && !has_topic(fresh, s))
			json_array_append(fresh, t);
	}
	n = (int)json_array_size(fresh);
	json_decref(fresh);
	return n;
}

/*
 * Subscriptions are kept per connection and matched on every publish, so
 * their number is capped: a topic given again costs nothing, and a request
 * that would pass the cap is refused whole.
 */
static void cmd_subscribe(struct ipc_call *call, json_t *args, void *ctx)
{
	json_t *topics = json_object_get(args, "topics");
	struct ipc_conn *conn = call->conn;
	char why[160];
	size_t have, i;
	json_t *t;
	int fresh;

	have = conn && conn->topics ? json_array_size(conn->topics) : 0;
	fresh = count_new_topics(topics, conn ? conn->topics : NULL, IPC_SERVER_MAX_TOPICS - have,
				 why, sizeof(why));
	if (fresh < 0 || !conn) {
		if (fresh < 0)
			ipc_call_fail(call, IPC_ERR_BAD_ARGS, "%s", why);
		else
			ipc_call_reply(call, NULL);
		return;
	}
	if (have + (size_t)fresh > IPC_SERVER_MAX_TOPICS) {
		ipc_call_fail(call, IPC_ERR_BAD_ARGS,
			      "at most %d topics per connection (%zu subscribed now); "
			      "use \"prefix.*\" or \"*\"",
			      IPC_SERVER_MAX_TOPICS, have);
		return;
	}
	if (!conn->topics)
		conn->topics = json_array();
	json_array_foreach (topics, i, t)
		if (!has_topic(conn->topics, json_string_value(t)))
			json_array_append(conn->topics, t);
	ipc_call_reply(call, json_pack("{s:i, s:O}", "count", (int)json_array_size(conn->topics),
				       "topics", conn->topics));
}

static void cmd_unsubscribe(struct ipc_call *call, json_t *args, void *ctx)
{
	if (call->conn) {
		json_decref(call->conn->topics);
		call->conn->topics = NULL;
	}
	ipc_call_reply(call, NULL);
}

static const struct ipc_arg subscribe_args[] = {
	{ "topics", IPC_ARG_ARRAY, true, "event topics: exact names, \"prefix.*\" or \"*\"" },
	{ NULL },
};

static void cmd_hello(struct ipc_call *call, json_t *args, void *ctx)
{
	ipc_call_reply(call, json_pack("{s:i}", "protocol", IPC_PROTOCOL_VERSION));
}

static const struct ipc_command builtin_commands[] = {
	{ "hello", "the control protocol version this daemon speaks", NULL, cmd_hello, false },
	{ "help", "list this daemon's commands and their arguments", NULL, cmd_help, false },
	{ "subscribe", "receive events on these topics on this connection", subscribe_args,
	  cmd_subscribe, false },
	{ "unsubscribe", "stop receiving events on this connection", NULL, cmd_unsubscribe, false },
	{ NULL },
};

json_t *ipc_server_describe(const struct ipc_command *const *tables, size_t n)
{
	json_t *list = json_array();

	describe(list, builtin_commands);
	for (size_t t = 0; t < n; t++)
		if (tables[t])
			describe(list, tables[t]);
	return list;
}

/* Replace a socket file nobody answers on; refuse to steal a live one. */
static int clear_stale_socket(const struct sockaddr_un *sun)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
		rc = -EADDRINUSE;
	else if (errno == ECONNREFUSED)
		unlink(sun->sun_path);
	close(fd);
	return rc;
}

struct ipc_server *ipc_server_new(struct event_base *base, const char *path, gid_t gid)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ipc_server *srv;
	int rc;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sun.sun_path, path);
	rc = clear_stale_socket(&sun);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}

	srv = calloc(1, sizeof(*srv));
	if (!srv)
		abort();
	srv->base = base;
	srv->path = strdup(path);
	srv->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!srv->path || srv->fd < 0)
		goto fail;
	mode_t old = umask(0117);
	rc = bind(srv->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0)
		goto fail;
	if (chmod(path, 0660) < 0 || (gid != (gid_t)-1 && chown(path, (uid_t)-1, gid) < 0))
		goto fail_unlink;
	if (listen(srv->fd, 64) < 0)
		goto fail_unlink;
	srv->accept_ev = event_new(base, srv->fd, EV_READ | EV_PERSIST, on_accept, srv);
	if (!srv->accept_ev || event_add(srv->accept_ev, NULL) < 0)
		goto fail_unlink;
	ipc_server_add_commands(srv, builtin_commands, srv);
	ipc_local_attach(srv);
	return srv;

fail_unlink:
	rc = errno;
	unlink(path);
	errno = rc;
fail:
	rc = errno;
	if (srv->fd >= 0)
		close(srv->fd);
	free(srv->path);
	free(srv);
	errno = rc;
	return NULL;
}

void ipc_server_free(struct ipc_server *srv)
{
	if (!srv)
		return;
	ipc_local_detach(srv);
	while (srv->conns)
		conn_free(srv->conns);
	event_free(srv->accept_ev);
	close(srv->fd);
	unlink(srv->path);
	free(srv->path);
	free(srv);
}

int ipc_server_add_commands(struct ipc_server *srv, const struct ipc_command *table, void *ctx)
{
	void *unused;

	if (srv->ntables == MAX_TABLES)
		return -ENOSPC;
	for (const struct ipc_command *c = table; c->name; c++)
		if (ipc_server_command(srv, c->name, &unused))
			return -EEXIST;
	srv->tables[srv->ntables].cmds = table;
	srv->tables[srv->ntables].ctx = ctx;
	srv->ntables++;
	return 0;
}

void ipc_server_get_stats(const struct ipc_server *srv, struct ipc_server_stats *out)
{
	*out = srv->stats;
}
