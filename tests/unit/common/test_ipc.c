#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "common/ipc_client.h"
#include "common/ipc_peer.h"
#include "common/ipc_server.h"

/* The server runs its own loop in a thread; the test talks to it like lwgatectl would. */
struct fixture {
	char path[108];
	struct event_base *base;
	struct ipc_server *srv;
	pthread_t thread;
	struct ipc_call *never; /* a call left unanswered, for the timeout test */
	struct ipc_call *held[2 * IPC_SERVER_MAX_CALLS]; /* "hold" calls until "release" */
	size_t nheld;
};

static struct fixture fx;

struct later {
	struct ipc_call *call;
	struct event *ev;
	json_t *value;
};

static void cmd_echo(struct ipc_call *call, json_t *args, void *ctx)
{
	ipc_call_reply(call, json_deep_copy(args));
}

static void on_later(evutil_socket_t fd, short what, void *arg)
{
	struct later *l = arg;

	ipc_call_reply(l->call, l->value);
	event_free(l->ev);
	free(l);
}

/* Answers after a few milliseconds, as a handler waiting for a device would. */
static void cmd_later(struct ipc_call *call, json_t *args, void *ctx)
{
	struct later *l = calloc(1, sizeof(*l));
	struct timeval tv = { 0, 5000 };

	l->call = call;
	l->value = json_incref(json_object_get(args, "value"));
	l->ev = evtimer_new(fx.base, on_later, l);
	evtimer_add(l->ev, &tv);
}

static void cmd_list(struct ipc_call *call, json_t *args, void *ctx)
{
	json_int_t n = json_integer_value(json_object_get(args, "n"));
	json_int_t size = json_integer_value(json_object_get(args, "size"));
	char *pad = calloc(1, (size_t)size + 1);

	memset(pad, 'x', (size_t)size);
	for (json_int_t i = 0; i < n; i++)
		if (ipc_call_record(call, json_pack("{s:I, s:s}", "i", i, "pad", pad)) < 0)
			break;
	free(pad);
	ipc_call_reply(call, json_pack("{s:I}", "count", n));
}

static void cmd_emit(struct ipc_call *call, json_t *args, void *ctx)
{
	ipc_server_publish(fx.srv, json_string_value(json_object_get(args, "topic")),
			   json_pack("{s:s}", "hello", "world"));
	ipc_call_reply(call, NULL);
}

static void cmd_never(struct ipc_call *call, json_t *args, void *ctx)
{
	fx.never = call;
}

static void cmd_hold(struct ipc_call *call, json_t *args, void *ctx)
{
	if (fx.nheld == sizeof(fx.held) / sizeof(fx.held[0]))
		fail_msg("the server let more than %zu calls wait", fx.nheld);
	fx.held[fx.nheld++] = call;
}

static void release_held(void)
{
	while (fx.nheld) {
		fx.nheld--;
		ipc_call_reply(fx.held[fx.nheld], json_integer((json_int_t)fx.nheld));
	}
}

static void cmd_release(struct ipc_call *call, json_t *args, void *ctx)
{
	ipc_call_reply(call, json_integer((json_int_t)fx.nheld));
	release_held();
}

static void cmd_change(struct ipc_call *call, json_t *args, void *ctx)
{
	ipc_call_reply(call, json_true());
}

/* As lwm2md fails a call that a device answered with 4.06 Not Acceptable. */
static void cmd_coap(struct ipc_call *call, json_t *args, void *ctx)
{
	ipc_call_fail_detail(call, IPC_ERR_COAP,
			     json_pack("{s:s, s:s, s:s}", "coap_code", "4.06", "code", "not_mine",
				       "message", "nor this"),
			     "dev7: %s", "4.06 Not Acceptable");
}

static void cmd_quit(struct ipc_call *call, json_t *args, void *ctx)
{
	if (fx.never)
		ipc_call_fail(fx.never, IPC_ERR_INTERNAL, "shutting down");
	fx.never = NULL;
	release_held();
	ipc_call_reply(call, NULL);
	event_base_loopbreak(fx.base);
}

static const struct ipc_arg echo_args[] = {
	{ "name", IPC_ARG_STRING, true, "a name" },
	{ "count", IPC_ARG_INT, false, "a count" },
	{ "flag", IPC_ARG_BOOL, false, "a flag" },
	{ "list", IPC_ARG_ARRAY, false, "a list" },
	{ NULL },
};
static const struct ipc_arg later_args[] = { { "value", IPC_ARG_ANY, true, "returned" }, { NULL } };
static const struct ipc_arg list_args[] = {
	{ "n", IPC_ARG_INT, true, "records" },
	{ "size", IPC_ARG_INT, true, "bytes of padding per record" },
	{ NULL },
};
static const struct ipc_arg emit_args[] = { { "topic", IPC_ARG_STRING, true, "topic" }, { NULL } };

static const struct ipc_command commands[] = {
	{ "echo", "return the arguments", echo_args, cmd_echo, false },
	{ "later", "return value after 5 ms", later_args, cmd_later, false },
	{ "list", "stream n records", list_args, cmd_list, false },
	{ "emit", "publish an event", emit_args, cmd_emit, false },
	{ "never", "never answer", NULL, cmd_never, false },
	{ "hold", "answer at the next release", NULL, cmd_hold, false },
	{ "release", "answer the held calls", NULL, cmd_release, false },
	{ "change", "a privileged command", NULL, cmd_change, true },
	{ "coap", "fail as a device's CoAP error", NULL, cmd_coap, false },
	{ "quit", "stop the test server", NULL, cmd_quit, false },
	{ NULL },
};

static void *serve(void *arg)
{
	event_base_dispatch(fx.base);
	return NULL;
}

static int setup(void **state)
{
	memset(&fx, 0, sizeof(fx));
	snprintf(fx.path, sizeof(fx.path), "/tmp/test_ipc_%d.sock", (int)getpid());
	fx.base = event_base_new();
	fx.srv = ipc_server_new(fx.base, fx.path, (gid_t)-1);
	assert_non_null(fx.srv);
	assert_int_equal(ipc_server_add_commands(fx.srv, commands, NULL), 0);
	chmod(fx.path, 0666); /* so that the unprivileged-caller test can connect */
	assert_int_equal(pthread_create(&fx.thread, NULL, serve, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	struct ipc_client *cl;
	struct ipc_response resp;

	assert_int_equal(ipc_client_open(fx.path, &cl), 0);
	assert_int_equal(ipc_client_call(cl, "quit", NULL, 5000, &resp), 0);
	ipc_response_fini(&resp);
	ipc_client_free(cl);
	pthread_join(fx.thread, NULL);
	ipc_server_free(fx.srv);
	event_base_free(fx.base);
	assert_int_equal(access(fx.path, F_OK), -1); /* socket file removed */
	return 0;
}

static struct ipc_client *client(void)
{
	struct ipc_client *cl;

	assert_int_equal(ipc_client_open(fx.path, &cl), 0);
	return cl;
}

static void call_ok(struct ipc_client *cl, const char *cmd, json_t *args, struct ipc_response *r)
{
	assert_int_equal(ipc_client_call(cl, cmd, args, 5000, r), 0);
	if (!r->ok)
		fail_msg("%s failed: %s", cmd, r->message);
}

static void expect_error(struct ipc_client *cl, const char *cmd, json_t *args, enum ipc_error code,
			 const char *what)
{
	struct ipc_response r;

	assert_int_equal(ipc_client_call(cl, cmd, args, 5000, &r), 0);
	assert_false(r.ok);
	assert_int_equal(r.code, code);
	if (!strstr(r.message, what))
		fail_msg("message \"%s\" lacks \"%s\"", r.message, what);
	ipc_response_fini(&r);
}

/* Send raw bytes as one record and return the parsed reply. */
static void raw_exchange(int fd, const void *buf, size_t len, struct ipc_message *msg)
{
	static uint8_t in[IPC_MAX_MESSAGE];
	ssize_t n;

	assert_int_equal(send(fd, buf, len, 0), (ssize_t)len);
	n = recv(fd, in, sizeof(in), 0);
	assert_true(n > 0);
	assert_int_equal(ipc_proto_parse_message(in, (size_t)n, msg), 0);
	assert_int_equal(msg->kind, IPC_MSG_REPLY);
}

static void test_round_trip(void **state)
{
	struct ipc_client *cl = client();
	struct ipc_response r;
	json_t *args = json_pack("{s:s, s:i, s:b, s:[i,i]}", "name", "node", "count", 3, "flag", 1,
				 "list", 1, 2);

	call_ok(cl, "echo", json_incref(args), &r);
	assert_true(json_equal(r.result, args));
	assert_null(r.records);
	ipc_response_fini(&r);
	json_decref(args);
	ipc_client_free(cl);
}

/* An echo request of exactly @len bytes; the caller frees. */
static char *echo_request(size_t len)
{
	static const char head[] = "{\"cmd\":\"echo\",\"args\":{\"name\":\"";
	char *buf = malloc(len);

	memset(buf, 'x', len);
	memcpy(buf, head, sizeof(head) - 1);
	memcpy(buf + len - 3, "\"}}", 3);
	return buf;
}

static void test_oversized_message(void **state)
{
	struct ipc_client *cl = client();
	int fd = ipc_client_fd(cl);
	char *big = echo_request(IPC_MAX_MESSAGE + 1);
	char *limit = echo_request(IPC_MAX_MESSAGE);
	struct ipc_message msg;
	struct ipc_response r;
	int sndbuf = 256 * 1024;

	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	raw_exchange(fd, big, IPC_MAX_MESSAGE + 1, &msg);
	assert_false(msg.ok);
	assert_int_equal(msg.code, IPC_ERR_TOO_LARGE);
	ipc_message_fini(&msg);
	/* exactly 64 KiB is accepted; its echo is just over, so it comes back as too_large
	 * from the reply side, which must not cost the connection either */
	raw_exchange(fd, limit, IPC_MAX_MESSAGE, &msg);
	assert_false(msg.ok);
	assert_int_equal(msg.code, IPC_ERR_TOO_LARGE);
	assert_non_null(strstr(msg.message, "reply over 64 KiB"));
	ipc_message_fini(&msg);
	free(big);
	free(limit);
	/* the connection goes on */
	call_ok(cl, "echo", json_pack("{s:s}", "name", "after"), &r);
	ipc_response_fini(&r);
	ipc_client_free(cl);
}

static void test_bad_json(void **state)
{
	struct ipc_client *cl = client();
	int fd = ipc_client_fd(cl);
	struct ipc_message msg;
	struct ipc_response r;
	static const char *const bad[] = {
		"{\"cmd\":",
		"[1,2]",
		"{\"cmd\":42}",
		"{\"id\":1,\"cmd\":\"echo\",\"args\":[]}",
		"{\"id\":{},\"cmd\":\"echo\"}",
		"\xff\xfe",
		"{\"cmd\":\"a\",\"cmd\":\"b\"}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		raw_exchange(fd, bad[i], strlen(bad[i]), &msg);
		assert_false(msg.ok);
		assert_int_equal(msg.code, IPC_ERR_BAD_REQUEST);
		ipc_message_fini(&msg);
	}
	/* an id that could be read is echoed in the error */
	raw_exchange(fd, "{\"id\":77,\"cmd\":\"\"}", 18, &msg);
	assert_int_equal(msg.id, 77);
	ipc_message_fini(&msg);
	call_ok(cl, "echo", json_pack("{s:s}", "name", "still here"), &r);
	ipc_response_fini(&r);
	ipc_client_free(cl);
}

static void test_unknown_command_and_bad_args(void **state)
{
	struct ipc_client *cl = client();
	struct ipc_response r;

	expect_error(cl, "frobnicate", NULL, IPC_ERR_UNKNOWN_COMMAND, "unknown command");
	expect_error(cl, "echo", NULL, IPC_ERR_BAD_ARGS, "missing argument \"name\"");
	expect_error(cl, "echo", json_pack("{s:i}", "name", 5), IPC_ERR_BAD_ARGS,
		     "\"name\" must be a string");
	expect_error(cl, "echo", json_pack("{s:s, s:s}", "name", "a", "count", "12x"),
		     IPC_ERR_BAD_ARGS, "\"count\" must be an integer");
	expect_error(cl, "echo", json_pack("{s:s, s:s}", "name", "a", "colour", "red"),
		     IPC_ERR_BAD_ARGS, "unknown argument \"colour\"");
	expect_error(cl, "echo", json_pack("{s:s, s:s}", "name", "a", "flag", "perhaps"),
		     IPC_ERR_BAD_ARGS, "\"flag\" must be a boolean");
	/* strings from `lwgatectl cmd count=12 flag=yes` become typed values */
	call_ok(cl, "echo", json_pack("{s:s, s:s, s:s}", "name", "a", "count", "12", "flag", "yes"),
		&r);
	assert_int_equal(json_integer_value(json_object_get(r.result, "count")), 12);
	assert_true(json_is_true(json_object_get(r.result, "flag")));
	ipc_response_fini(&r);
	ipc_client_free(cl);
}

static void test_help(void **state)
{
	struct ipc_client *cl = client();
	struct ipc_response r;
	size_t i;
	json_t *c;
	bool saw_echo = false, saw_help = false;

	call_ok(cl, "help", NULL, &r);
	json_array_foreach (r.result, i, c) {
		const char *name = json_string_value(json_object_get(c, "command"));

		saw_help |= strcmp(name, "help") == 0;
		if (strcmp(name, "echo") == 0) {
			json_t *a0 = json_array_get(json_object_get(c, "args"), 0);

			saw_echo = true;
			assert_string_equal(json_string_value(json_object_get(a0, "name")), "name");
			assert_string_equal(json_string_value(json_object_get(a0, "type")),
					    "string");
			assert_true(json_is_true(json_object_get(a0, "required")));
		}
	}
	assert_true(saw_echo && saw_help);
	ipc_response_fini(&r);
	ipc_client_free(cl);
}

/* An error with detail: the detail arrives, "code" and "message" stay the server's. */
static void test_error_detail(void **state)
{
	struct ipc_client *cl = client();
	struct ipc_response r;

	assert_int_equal(ipc_client_call(cl, "coap", NULL, 5000, &r), 0);
	assert_false(r.ok);
	assert_int_equal(r.code, IPC_ERR_COAP);
	assert_string_equal(r.message, "dev7: 4.06 Not Acceptable");
	assert_string_equal(json_string_value(json_object_get(r.error, "code")), "coap");
	assert_string_equal(json_string_value(json_object_get(r.error, "coap_code")), "4.06");
	assert_string_equal(json_string_value(json_object_get(r.error, "message")),
			    "dev7: 4.06 Not Acceptable");
	ipc_response_fini(&r);
	assert_string_equal(ipc_error_name(IPC_ERR_COAP), "coap");
	assert_int_equal(ipc_error_from_name("coap"), IPC_ERR_COAP);
	ipc_client_free(cl);
}

/* 50 clients with calls in flight at once, answered out of order. */
static void test_concurrent_clients(void **state)
{
	enum { N = 50 };
	struct ipc_client *cl[N];
	int fds[N];

	for (int i = 0; i < N; i++) {
		char req[96];
		int n = snprintf(req, sizeof(req),
				 "{\"id\":%d,\"cmd\":\"later\",\"args\":{\"value\":%d}}", i, i * 3);

		cl[i] = client();
		fds[i] = ipc_client_fd(cl[i]);
		assert_int_equal(send(fds[i], req, (size_t)n, 0), n);
	}
	for (int i = N - 1; i >= 0; i--) {
		uint8_t buf[256];
		struct ipc_message msg;
		ssize_t n = recv(fds[i], buf, sizeof(buf), 0);

		assert_true(n > 0);
		assert_int_equal(ipc_proto_parse_message(buf, (size_t)n, &msg), 0);
		assert_true(msg.ok);
		assert_int_equal(msg.id, i);
		assert_int_equal(json_integer_value(msg.payload), i * 3);
		ipc_message_fini(&msg);
		ipc_client_free(cl[i]);
	}
}

static void test_streamed_records(void **state)
{
	struct ipc_client *cl = client();
	struct ipc_response r;

	call_ok(cl, "list", json_pack("{s:i, s:i}", "n", 300, "size", 100), &r);
	assert_int_equal(json_array_size(r.records), 300);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(r.records, 299), "i")),
			 299);
	assert_int_equal(json_integer_value(json_object_get(r.result, "count")), 300);
	ipc_response_fini(&r);
	ipc_client_free(cl);
}

/* A client that goes away in the middle of a long reply costs the daemon nothing. */
static void test_disconnect_mid_reply(void **state)
{
	struct ipc_client *cl = client();
	const char req[] = "{\"id\":1,\"cmd\":\"list\",\"args\":{\"n\":3000,\"size\":1000}}";
	uint8_t buf[2048];
	struct ipc_response r;

	assert_int_equal(send(ipc_client_fd(cl), req, sizeof(req) - 1, 0),
			 (ssize_t)sizeof(req) - 1);
	assert_true(recv(ipc_client_fd(cl), buf, sizeof(buf), 0) > 0);
	ipc_client_free(cl);

	/* and one that leaves before a deferred answer */
	cl = client();
	const char later[] = "{\"id\":2,\"cmd\":\"later\",\"args\":{\"value\":1}}";
	assert_int_equal(send(ipc_client_fd(cl), later, sizeof(later) - 1, 0),
			 (ssize_t)sizeof(later) - 1);
	ipc_client_free(cl);
	usleep(20000);

	cl = client();
	call_ok(cl, "echo", json_pack("{s:s}", "name", "alive"), &r);
	ipc_response_fini(&r);
	ipc_client_free(cl);
}

static void test_events(void **state)
{
	struct ipc_client *sub = client(), *other = client(), *ctl = client();
	struct ipc_response r;
	char *topic;
	json_t *data;

	call_ok(sub, "subscribe", json_pack("{s:[s]}", "topics", "registration.*"), &r);
	ipc_response_fini(&r);
	call_ok(ctl, "emit", json_pack("{s:s}", "topic", "registration.new"), &r);
	ipc_response_fini(&r);
	call_ok(ctl, "emit", json_pack("{s:s}", "topic", "observation"), &r);
	ipc_response_fini(&r);

	assert_int_equal(ipc_client_next_event(sub, 2000, &topic, &data), 0);
	assert_string_equal(topic, "registration.new");
	assert_string_equal(json_string_value(json_object_get(data, "hello")), "world");
	free(topic);
	json_decref(data);
	/* the other topic did not match; the unsubscribed client got nothing */
	assert_int_equal(ipc_client_next_event(sub, 100, &topic, &data), -ETIMEDOUT);
	assert_int_equal(ipc_client_next_event(other, 100, &topic, &data), -ETIMEDOUT);
	ipc_client_free(sub);
	ipc_client_free(other);
	ipc_client_free(ctl);
}

/* A caller that is neither root nor the daemon's user may not change state. */
static void test_privileged_command(void **state)
{
	struct ipc_client *cl = client();
	struct ipc_response r;
	pid_t pid;
	int status;

	call_ok(cl, "change", NULL, &r); /* we are the daemon's own user */
	ipc_response_fini(&r);
	ipc_client_free(cl);
	if (geteuid() != 0)
		skip();
	pid = fork();
	if (pid == 0) {
		struct passwd *nobody = getpwnam("nobody");

		if (!nobody || setgid(nobody->pw_gid) < 0 || setuid(nobody->pw_uid) < 0)
			_exit(10);
		if (ipc_client_open(fx.path, &cl) < 0)
			_exit(11);
		if (ipc_client_call(cl, "change", NULL, 5000, &r) < 0)
			_exit(12);
		_exit(!r.ok && r.code == IPC_ERR_DENIED ? 0 : 13);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

struct peer_result {
	int calls;
	bool ok;
	enum ipc_error code;
	json_t *result;
	char message[128];
};

static void on_peer_reply(const struct ipc_response *resp, void *arg)
{
	struct peer_result *pr = arg;

	pr->calls++;
	pr->ok = resp->ok;
	pr->code = resp->code;
	pr->result = json_incref(resp->result);
	snprintf(pr->message, sizeof(pr->message), "%s", resp->message ? resp->message : "");
}

static void run_until(struct event_base *base, const int *calls, int want)
{
	for (int i = 0; i < 500 && *calls < want; i++)
		event_base_loop(base, EVLOOP_ONCE);
}

static void test_async_peer(void **state)
{
	struct event_base *base = event_base_new();
	struct ipc_peer *peer = ipc_peer_new(base, fx.path);
	struct ipc_peer *nobody = ipc_peer_new(base, "/tmp/no-such-lwgate-daemon.sock");
	struct peer_result a = { 0 }, b = { 0 }, c = { 0 };

	assert_int_equal(ipc_peer_call(peer, "echo", json_pack("{s:s}", "name", "peer"), 2000,
				       on_peer_reply, &a),
			 0);
	assert_int_equal(a.calls, 0); /* never called back from inside the call */
	run_until(base, &a.calls, 1);
	assert_int_equal(a.calls, 1);
	assert_true(a.ok);
	assert_string_equal(json_string_value(json_object_get(a.result, "name")), "peer");

	ipc_peer_call(nobody, "status", NULL, 2000, on_peer_reply, &b);
	run_until(base, &b.calls, 1);
	assert_int_equal(b.calls, 1);
	assert_false(b.ok);
	assert_int_equal(b.code, IPC_ERR_UNAVAILABLE);

	ipc_peer_call(peer, "never", NULL, 50, on_peer_reply, &c);
	run_until(base, &c.calls, 1);
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.code, IPC_ERR_TIMEOUT);

	json_decref(a.result);
	json_decref(b.result);
	json_decref(c.result);
	ipc_peer_free(peer);
	ipc_peer_free(nobody);
	event_base_free(base);
}

static void test_hello(void **state)
{
	struct ipc_client *cl = client();
	struct ipc_response r;

	call_ok(cl, "hello", NULL, &r);
	assert_int_equal(json_integer_value(json_object_get(r.result, "protocol")),
			 IPC_PROTOCOL_VERSION);
	ipc_response_fini(&r);
	ipc_client_free(cl);
}

static json_t *topics(int from, int to)
{
	json_t *list = json_array();

	for (int i = from; i < to; i++)
		json_array_append_new(list, json_sprintf("t%d", i));
	return json_pack("{s:o}", "topics", list);
}

static int subscribe_count(struct ipc_client *cl, json_t *args)
{
	struct ipc_response r;
	int n;

	call_ok(cl, "subscribe", args, &r);
	n = (int)json_integer_value(json_object_get(r.result, "count"));
	assert_int_equal(json_array_size(json_object_get(r.result, "topics")), n);
	ipc_response_fini(&r);
	return n;
}

/* The attack of the issue: 200 requests of 6,000 topics each; now each is refused whole. */
static void test_subscribe_bounded(void **state)
{
	struct ipc_client *cl = client(), *ctl = client();
	char longest[IPC_SERVER_MAX_TOPIC_LEN + 2];
	struct ipc_response r;
	char *topic;
	json_t *data;

	for (int i = 0; i < 200; i++)
		expect_error(cl, "subscribe", topics(0, 6000), IPC_ERR_BAD_ARGS,
			     "at most 64 topics per connection (0 subscribed now)");
	assert_int_equal(subscribe_count(cl, json_pack("{s:[s,s,s]}", "topics", "a.*", "b", "a.*")),
			 2);
	assert_int_equal(subscribe_count(cl, json_pack("{s:[s,s]}", "topics", "b", "a.*")), 2);
	assert_int_equal(subscribe_count(cl, topics(0, IPC_SERVER_MAX_TOPICS - 2)),
			 IPC_SERVER_MAX_TOPICS);
	/* full: a known topic is still fine, a new one is not */
	assert_int_equal(subscribe_count(cl, topics(0, 10)), IPC_SERVER_MAX_TOPICS);
	expect_error(cl, "subscribe", json_pack("{s:[s]}", "topics", "c"), IPC_ERR_BAD_ARGS,
		     "at most 64 topics per connection (64 subscribed now)");

	memset(longest, 'x', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	expect_error(ctl, "subscribe", json_pack("{s:[s]}", "topics", longest), IPC_ERR_BAD_ARGS,
		     "at most 128 bytes");
	expect_error(ctl, "subscribe", json_pack("{s:[s]}", "topics", ""), IPC_ERR_BAD_ARGS,
		     "non-empty");
	expect_error(ctl, "subscribe", json_pack("{s:[i]}", "topics", 1), IPC_ERR_BAD_ARGS,
		     "strings");

	/* what was subscribed still works, once per event however often it was given */
	call_ok(ctl, "emit", json_pack("{s:s}", "topic", "a.new"), &r);
	ipc_response_fini(&r);
	assert_int_equal(ipc_client_next_event(cl, 2000, &topic, &data), 0);
	assert_string_equal(topic, "a.new");
	free(topic);
	json_decref(data);
	assert_int_equal(ipc_client_next_event(cl, 100, &topic, &data), -ETIMEDOUT);
	ipc_client_free(cl);
	ipc_client_free(ctl);
}

/* A client may have IPC_SERVER_MAX_CALLS calls waiting; the next one is told "busy". */
static void test_open_calls_bounded(void **state)
{
	struct ipc_client *cl = client(), *ctl = client();
	int fd = ipc_client_fd(cl);
	static uint8_t in[IPC_MAX_MESSAGE];
	struct ipc_message msg;
	struct ipc_response r;
	int replies = 0;
	ssize_t n;

	for (int i = 0; i < IPC_SERVER_MAX_CALLS + 1; i++) {
		char req[64];
		int len = snprintf(req, sizeof(req), "{\"id\":%d,\"cmd\":\"hold\"}", i);

		assert_int_equal(send(fd, req, (size_t)len, 0), len);
	}
	n = recv(fd, in, sizeof(in), 0);
	assert_true(n > 0);
	assert_int_equal(ipc_proto_parse_message(in, (size_t)n, &msg), 0);
	assert_false(msg.ok);
	assert_int_equal(msg.id, IPC_SERVER_MAX_CALLS);
	assert_int_equal(msg.code, IPC_ERR_BUSY);
	ipc_message_fini(&msg);

	call_ok(ctl, "release", NULL, &r); /* another connection is not affected */
	assert_int_equal(json_integer_value(r.result), IPC_SERVER_MAX_CALLS);
	ipc_response_fini(&r);
	while (replies < IPC_SERVER_MAX_CALLS && (n = recv(fd, in, sizeof(in), 0)) > 0) {
		assert_int_equal(ipc_proto_parse_message(in, (size_t)n, &msg), 0);
		assert_true(msg.ok);
		ipc_message_fini(&msg);
		replies++;
	}
	assert_int_equal(replies, IPC_SERVER_MAX_CALLS);
	ipc_client_free(cl);
	ipc_client_free(ctl);
}

/* ipc_peer: calls past IPC_PEER_MAX_PENDING fail at once; a reply's records are bounded. */
static void test_peer_bounded(void **state)
{
	struct event_base *base = event_base_new();
	struct ipc_peer *peer = ipc_peer_new(base, fx.path);
	static struct peer_result pr[IPC_PEER_MAX_PENDING + 1];
	struct peer_result list = { 0 };
	int done = 0;

	memset(pr, 0, sizeof(pr));
	for (int i = 0; i < IPC_PEER_MAX_PENDING + 1; i++)
		ipc_peer_call(peer, "echo", json_pack("{s:s}", "name", "x"), 5000, on_peer_reply,
			      &pr[i]);
	for (int i = 0; i < 100000 && done < IPC_PEER_MAX_PENDING + 1; i++) {
		event_base_loop(base, EVLOOP_ONCE);
		done = 0;
		for (int k = 0; k < IPC_PEER_MAX_PENDING + 1; k++)
			done += pr[k].calls;
	}
	assert_int_equal(done, IPC_PEER_MAX_PENDING + 1); /* each exactly once */
	assert_int_equal(pr[IPC_PEER_MAX_PENDING].code, IPC_ERR_BUSY);
	assert_string_equal(pr[IPC_PEER_MAX_PENDING].message,
			    "too many calls await a reply from this daemon");

	ipc_peer_call(peer, "list",
		      json_pack("{s:i, s:i}", "n", IPC_PEER_MAX_RECORDS + 1, "size", 0), 20000,
		      on_peer_reply, &list);
	for (int i = 0; i < 4 * IPC_PEER_MAX_RECORDS && list.calls == 0; i++)
		event_base_loop(base, EVLOOP_ONCE);
	assert_int_equal(list.calls, 1);
	if (list.code != IPC_ERR_TOO_LARGE)
		fail_msg("list ended with %s: %s", ipc_error_name(list.code), list.message);
	for (int i = 0; i < IPC_PEER_MAX_PENDING + 1; i++)
		json_decref(pr[i].result);
	json_decref(list.result);
	ipc_peer_free(peer);
	event_base_free(base);
}

static void test_second_server_refused(void **state)
{
	struct event_base *base = event_base_new();

	assert_null(ipc_server_new(base, fx.path, (gid_t)-1));
	assert_int_equal(errno, EADDRINUSE);
	event_base_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_oversized_message),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_unknown_command_and_bad_args),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_error_detail),
		cmocka_unit_test(test_concurrent_clients),
		cmocka_unit_test(test_streamed_records),
		cmocka_unit_test(test_disconnect_mid_reply),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_privileged_command),
		cmocka_unit_test(test_async_peer),
		cmocka_unit_test(test_second_server_refused),
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_subscribe_bounded),
		cmocka_unit_test(test_open_calls_bounded),
		cmocka_unit_test(test_peer_bounded),
	};

	return cmocka_run_group_tests_name("ipc", tests, setup, teardown);
}
