#define LOG_COMPONENT "ipc"
#include "common/ipc_peer.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"

struct pending {
	struct pending *next, *prev;
	struct ipc_peer *peer;
	json_int_t id;
	char *request; /* kept until sent */
	size_t len;
	struct event *timer;
	ipc_peer_reply_fn cb;
	void *arg;
	struct ipc_response resp; /* records gather here */
	bool failed;              /* completes with resp.code, from the loop */
};

struct ipc_peer {
	struct event_base *base;
	char *path;
	int fd;
	struct event *rd;
	struct event *retry; /* reconnect while subscribed; also flushes failures */
	struct pending *pending;
	unsigned npending;
	json_int_t next_id;
	json_t *topics;
	ipc_peer_event_fn event_cb;
	void *event_arg;
};

static void complete(struct pending *p)
{
	struct ipc_peer *peer = p->peer;

	if (p->prev)
		p->prev->next = p->next;
	else
		peer->pending = p->next;
	if (p->next)
		p->next->prev = p->prev;
	peer->npending--;
	p->cb(&p->resp, p->arg);
	ipc_response_fini(&p->resp);
	event_free(p->timer);
	free(p->request);
	free(p);
}

static void fail_later(struct pending *p, enum ipc_error code, const char *message)
{
	if (p->failed)
		return;
	p->failed = true;
	p->resp.ok = false;
	p->resp.code = code;
	p->resp.message = strdup(message);
	event_active(p->timer, EV_TIMEOUT, 1);
}

static void disconnect(struct ipc_peer *peer, const char *why)
{
	if (peer->fd < 0)
		return;
	log_info("lost control connection path=%s reason=\"%s\"", peer->path, why);
	event_free(peer->rd);
	peer->rd = NULL;
	close(peer->fd);
	peer->fd = -1;
	for (struct pending *p = peer->pending; p; p = p->next)
		fail_later(p, IPC_ERR_UNAVAILABLE, why);
	if (peer->topics) {
		struct timeval one = { 1, 0 };

		evtimer_add(peer->retry, &one);
	}
}

static struct pending *find_pending(struct ipc_peer *peer, json_int_t id)
{
	for (struct pending *p = peer->pending; p; p = p->next)
		if (p->id == id && !p->failed)
			return p;
	return NULL;
}

static void dispatch(struct ipc_peer *peer, struct ipc_message *msg)
{
	struct pending *p;

	if (msg->kind == IPC_MSG_EVENT) {
		if (peer->event_cb)
			peer->event_cb(msg->topic, msg->payload, peer->event_arg);
		return;
	}
	p = find_pending(peer, msg->id);
	if (!p)
		return; /* a late answer to a call that timed out */
	if (msg->kind == IPC_MSG_RECORD) {
		if (!p->resp.records)
			p->resp.records = json_array();
		if (json_array_size(p->resp.records) >= IPC_PEER_MAX_RECORDS) {
			fail_later(p, IPC_ERR_TOO_LARGE, "the daemon streamed too many records");
			return;
		}
		json_array_append(p->resp.records, msg->payload);
		return;
	}
	p->resp.ok = msg->ok;
	if (msg->ok) {
		p->resp.result = json_incref(msg->payload ? msg->payload : json_null());
	} else {
		p->resp.code = msg->code;
		p->resp.message = strdup(msg->message);
	}
	complete(p);
}

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct ipc_peer *peer = arg;
	static uint8_t buf[IPC_MAX_MESSAGE];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	struct ipc_message msg;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		disconnect(peer, n == 0 ? "closed by the daemon" : strerror(errno));
		return;
	}
	if ((size_t)n > sizeof(buf) || ipc_proto_parse_message(buf, (size_t)n, &msg) < 0) {
		if ((size_t)n <= sizeof(buf))
			ipc_message_fini(&msg);
		log_warnx("bad message from daemon path=%s", peer->path);
		return;
	}
	dispatch(peer, &msg);
	ipc_message_fini(&msg);
}

static int send_request(struct ipc_peer *peer, const char *data, size_t len)
{
	/* A local SEQPACKET send either goes at once or the socket buffer is
	 * full, which for a control call means the other daemon is stuck. */
	if (send(peer->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

static void subscribe_now(struct ipc_peer *peer);

static int connect_now(struct ipc_peer *peer)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (peer->fd >= 0)
		return 0;
	if (strlen(peer->path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, peer->path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	peer->fd = fd;
	peer->rd = event_new(peer->base, fd, EV_READ | EV_PERSIST, on_readable, peer);
	if (!peer->rd)
		abort();
	event_add(peer->rd, NULL);
	if (peer->topics)
		subscribe_now(peer);
	return 0;
}

static void on_subscribed(const struct ipc_response *resp, void *arg)
{
	struct ipc_peer *peer = arg;

	if (!resp->ok)
		log_warnx("subscribe failed path=%s error=%s", peer->path,
			  resp->message ? resp->message : "");
}

static void subscribe_now(struct ipc_peer *peer)
{
	ipc_peer_call(peer, "subscribe", json_pack("{s:O}", "topics", peer->topics), 5000,
		      on_subscribed, peer);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct ipc_peer *peer = arg;
	struct timeval one = { 1, 0 };

	if (peer->topics && connect_now(peer) < 0)
		evtimer_add(peer->retry, &one);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct pending *p = arg;

	if (!p->failed) {
		p->resp.ok = false;
		p->resp.code = IPC_ERR_TIMEOUT;
		p->resp.message = strdup("no reply in time");
	}
	complete(p);
}

int ipc_peer_call(struct ipc_peer *peer, const char *cmd, json_t *args_take, int timeout_ms,
		  ipc_peer_reply_fn cb, void *arg)
{
	struct pending *p = calloc(1, sizeof(*p));
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	json_t *req;
	int rc;

	if (!p)
		abort();
	p->peer = peer;
	p->id = peer->next_id++;
	p->cb = cb;
	p->arg = arg;
	req = json_pack("{s:I, s:s, s:o}", "id", p->id, "cmd", cmd, "args",
			args_take ? args_take : json_object());
	p->request = ipc_proto_dump(req, &p->len);
	json_decref(req);
	if (!p->request) {
		free(p);
		return -EMSGSIZE;
	}
	p->timer = evtimer_new(peer->base, on_timer, p);
	if (!p->timer)
		abort();
	evtimer_add(p->timer, &tv);
	p->next = peer->pending;
	if (peer->pending)
		peer->pending->prev = p;
	peer->pending = p;
	if (++peer->npending > IPC_PEER_MAX_PENDING) {
		/* the other daemon is not keeping up: fail fast rather than pile up */
		fail_later(p, IPC_ERR_BUSY, "too many calls await a reply from this daemon");
		return 0;
	}

	rc = connect_now(peer);
	if (rc == 0)
		rc = send_request(peer, p->request, p->len);
	if (rc < 0) {
		char why[160];

		snprintf(why, sizeof(why), "cannot reach %s: %s", peer->path, strerror(-rc));
		fail_later(p, IPC_ERR_UNAVAILABLE, why);
		if (rc != -EAGAIN)
			disconnect(peer, strerror(-rc));
	}
	return 0;
}

void ipc_peer_subscribe(struct ipc_peer *peer, json_t *topics, ipc_peer_event_fn cb, void *arg)
{
	json_decref(peer->topics);
	peer->topics = json_deep_copy(topics);
	peer->event_cb = cb;
	peer->event_arg = arg;
	if (peer->fd >= 0)
		subscribe_now(peer);
	else
		on_retry(-1, 0, peer);
}

bool ipc_peer_connected(const struct ipc_peer *peer)
{
	return peer->fd >= 0;
}

struct ipc_peer *ipc_peer_new(struct event_base *base, const char *path)
{
	struct ipc_peer *peer = calloc(1, sizeof(*peer));

	if (!peer)
		abort();
	peer->base = base;
	peer->path = strdup(path);
	peer->fd = -1;
	peer->next_id = 1;
	peer->retry = evtimer_new(base, on_retry, peer);
	if (!peer->path || !peer->retry)
		abort();
	return peer;
}

void ipc_peer_free(struct ipc_peer *peer)
{
	if (!peer)
		return;
	while (peer->pending) {
		struct pending *p = peer->pending;

		peer->pending = p->next;
		ipc_response_fini(&p->resp);
		event_free(p->timer);
		free(p->request);
		free(p);
	}
	if (peer->rd)
		event_free(peer->rd);
	if (peer->fd >= 0)
		close(peer->fd);
	event_free(peer->retry);
	json_decref(peer->topics);
	free(peer->path);
	free(peer);
}
