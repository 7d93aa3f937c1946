#include "common/ipc_client.h"
#include "common/clock.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct ipc_client {
	int fd;
	json_int_t next_id;
	json_t *events; /* [{"event":…,"data":…}, …] waiting for next_event() */
};

void ipc_response_fini(struct ipc_response *resp)
{
	json_decref(resp->result);
	json_decref(resp->records);
	json_decref(resp->error);
	free(resp->message);
	memset(resp, 0, sizeof(*resp));
}

int ipc_client_open(const char *path, struct ipc_client **out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ipc_client *cl;
	int fd, err;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	cl = calloc(1, sizeof(*cl));
	if (!cl)
		abort();
	cl->fd = fd;
	cl->next_id = 1;
	cl->events = json_array();
	*out = cl;
	return 0;
}

void ipc_client_free(struct ipc_client *cl)
{
	if (!cl)
		return;
	close(cl->fd);
	json_decref(cl->events);
	free(cl);
}

int ipc_client_fd(const struct ipc_client *cl)
{
	return cl->fd;
}

/*
 * Receive one record into @msg, waiting until @deadline (-1: forever).
 * A signal interrupts the wait with -EINTR, so that `lwgatectl watch` can
 * stop on Ctrl-C.
 */
static int receive(struct ipc_client *cl, long long deadline, struct ipc_message *msg)
{
	static uint8_t buf[IPC_MAX_MESSAGE];
	struct pollfd pfd = { .fd = cl->fd, .events = POLLIN };
	ssize_t n;

	for (;;) {
		int wait = deadline < 0 ? -1 : (int)(deadline - (long long)clock_ms());
		int rc;

		if (deadline >= 0 && wait <= 0)
			return -ETIMEDOUT;
		rc = poll(&pfd, 1, wait);
		if (rc < 0)
			return -errno;
		if (rc == 0)
			return -ETIMEDOUT;
		n = recv(cl->fd, buf, sizeof(buf), MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		if ((size_t)n > sizeof(buf))
			return -EBADMSG;
		return ipc_proto_parse_message(buf, (size_t)n, msg) < 0 ? -EBADMSG : 0;
	}
}

static void keep_event(struct ipc_client *cl, struct ipc_message *msg)
{
	json_array_append(cl->events, msg->root);
}

int ipc_client_call(struct ipc_client *cl, const char *cmd, json_t *args_take, int timeout_ms,
		    struct ipc_response *resp)
{
	json_int_t id = cl->next_id++;
	long long deadline = timeout_ms < 0 ? -1 : (long long)clock_ms() + timeout_ms;
	json_t *req;
	size_t len;
	char *s;
	int rc;

	memset(resp, 0, sizeof(*resp));
	req = json_pack("{s:I, s:s, s:o}", "id", id, "cmd", cmd, "args",
			args_take ? args_take : json_object());
	s = ipc_proto_dump(req, &len);
	json_decref(req);
	if (!s)
		return -EMSGSIZE;
	rc = send(cl->fd, s, len, MSG_NOSIGNAL) < 0 ? -errno : 0;
	free(s);
	if (rc == -EPIPE)
		return -ECONNRESET;
	if (rc < 0)
		return rc;

	for (;;) {
		struct ipc_message msg;

		rc = receive(cl, deadline, &msg);
		if (rc == -EINTR)
			continue;
		if (rc < 0) {
			if (rc == -EBADMSG)
				ipc_message_fini(&msg);
			ipc_response_fini(resp);
			return rc;
		}
		if (msg.kind == IPC_MSG_EVENT) {
			keep_event(cl, &msg);
		} else if (msg.id != id) {
			/* an answer to an earlier call that timed out: not ours */
		} else if (msg.kind == IPC_MSG_RECORD) {
			if (!resp->records)
				resp->records = json_array();
			json_array_append(resp->records, msg.payload);
		} else {
			resp->ok = msg.ok;
			if (msg.ok) {
				resp->result = json_incref(msg.payload ? msg.payload : json_null());
			} else {
				resp->code = msg.code;
				resp->message = strdup(msg.message);
				resp->error = json_incref(msg.payload);
			}
			ipc_message_fini(&msg);
			return 0;
		}
		ipc_message_fini(&msg);
	}
}

int ipc_client_next_event(struct ipc_client *cl, int timeout_ms, char **topic_out,
			  json_t **data_out)
{
	long long deadline = timeout_ms < 0 ? -1 : (long long)clock_ms() + timeout_ms;

	while (json_array_size(cl->events) == 0) {
		struct ipc_message msg;
		int rc = receive(cl, deadline, &msg);

		if (rc < 0) {
			if (rc == -EBADMSG)
				ipc_message_fini(&msg);
			return rc;
		}
		if (msg.kind == IPC_MSG_EVENT)
			keep_event(cl, &msg);
		ipc_message_fini(&msg);
	}
	json_t *ev = json_array_get(cl->events, 0);
	*topic_out = strdup(json_string_value(json_object_get(ev, "event")));
	*data_out = json_incref(json_object_get(ev, "data"));
	json_array_remove(cl->events, 0);
	return 0;
}
