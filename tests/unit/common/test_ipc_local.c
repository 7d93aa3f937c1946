/*
 * ipc_local against the control socket: for every kind of answer (a
 * result, records, each refusal, an error with detail, a late reply) the
 * in-process call must give what a socket client reads on the wire, as
 * lwgatectl --json prints it.  One thread: the server, a raw SEQPACKET
 * client and the local calls share the test's loop.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "common/ipc_local.h"
#include "common/ipc_server.h"

struct fixture {
	char path[108];
	struct event_base *base;
	struct ipc_server *srv;
	struct ipc_call *held[IPC_LOCAL_MAX_CALLS + 1];
	size_t nheld;
	struct event *later;
	struct ipc_call *later_call;
};

static struct fixture fx;

static void cmd_echo(struct ipc_call *call, json_t *args, void *ctx)
{
	ipc_call_reply(call, json_deep_copy(args));
}

static void cmd_list(struct ipc_call *call, json_t *args, void *ctx)
{
	json_int_t n = json_integer_value(json_object_get(args, "n"));
	for (json_int_t i = 0; i < n; i++)
		if (ipc_call_record(call, json_pack("{s:I}", "i", i)) < 0)
			break;
	ipc_call_reply(call, json_pack("{s:I}", "count", n));
}

static void cmd_coap(struct ipc_call *call, json_t *args, void *ctx)
{
	ipc_call_fail_detail(call, IPC_ERR_COAP,
			     json_pack("{s:s, s:s}", "coap_code", "4.04", "code", "not_mine"),
			     "dev7: %s", "4.04 Not Found");
}

static void cmd_change(struct ipc_call *call, json_t *args, void *ctx)
{
	ipc_call_reply(call, json_pack("{s:b}", "uid_is_ours", ipc_call_uid(call) == geteuid()));
}

static void on_later(evutil_socket_t fd, short what, void *arg)
{
	struct ipc_call *call = fx.later_call;
	fx.later_call = NULL;
	ipc_call_reply(call, json_string("late"));
}

/* Answers from the loop, as a handler waiting on a device does. */
static void cmd_later(struct ipc_call *call, json_t *args, void *ctx)
{
	struct timeval tv = { 0, 1000 };
	fx.later_call = call;
	evtimer_add(fx.later, &tv);
}

static void cmd_hold(struct ipc_call *call, json_t *args, void *ctx)
{
	if (fx.nheld == sizeof(fx.held) / sizeof(fx.held[0]))
		fail_msg("more than %zu local calls were let wait", fx.nheld);
	fx.held[fx.nheld++] = call;
}

static void cmd_emit(struct ipc_call *call, json_t *args, void *ctx)
{
	ipc_server_publish(fx.srv, "thing.new", json_pack("{s:s}", "ep", "dev7"));
	ipc_call_reply(call, NULL);
}

static const struct ipc_arg echo_args[] = {
	{ "name", IPC_ARG_STRING, true, "a name" },
	{ "count", IPC_ARG_INT, false, "a count" },
	{ NULL },
};
static const struct ipc_arg list_args[] = { { "n", IPC_ARG_INT, true, "records" }, { NULL } };

static const struct ipc_command commands[] = {
	{ "echo", "return the arguments", echo_args, cmd_echo, false },
	{ "list", "stream n records", list_args, cmd_list, false },
	{ "coap", "fail as a device's CoAP error", NULL, cmd_coap, false },
	{ "change", "a privileged command", NULL, cmd_change, true },
	{ "later", "answer from the loop", NULL, cmd_later, false },
	{ "hold", "never answer until the test does", NULL, cmd_hold, false },
	{ "emit", "publish thing.new", NULL, cmd_emit, false },
	{ NULL },
};

static int setup(void **state)
{
	memset(&fx, 0, sizeof(fx));
	snprintf(fx.path, sizeof(fx.path), "/tmp/test_ipc_local_%d.sock", (int)getpid());
	fx.base = event_base_new();
	fx.srv = ipc_server_new(fx.base, fx.path, (gid_t)-1);
	assert_non_null(fx.srv);
	assert_int_equal(ipc_server_add_commands(fx.srv, commands, NULL), 0);
	fx.later = evtimer_new(fx.base, on_later, NULL);
	return 0;
}

static int teardown(void **state)
{
	while (fx.nheld)
		ipc_call_reply(fx.held[--fx.nheld], NULL);
	event_free(fx.later);
	ipc_server_free(fx.srv);
	event_base_free(fx.base);
	return 0;
}

/* What a socket client reads for one request: the reply with the records gathered. */
static json_t *wire_call(const char *cmd, const char *args)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	strcpy(sun.sun_path, fx.path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	char req[512];
	int len = snprintf(req, sizeof(req), "{\"id\":7,\"cmd\":\"%s\",\"args\":%s}", cmd, args);
	assert_int_equal(send(fd, req, (size_t)len, 0), len);
	json_t *records = json_array(), *reply = NULL;
	static char buf[IPC_MAX_MESSAGE];
	while (!reply) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 0) == 0) {
			event_base_loop(fx.base, EVLOOP_ONCE);
			continue;
		}
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		assert_true(n > 0);
		json_t *msg = json_loadb(buf, (size_t)n, 0, NULL);
		assert_non_null(msg);
		if (json_object_get(msg, "record")) {
			json_array_append(records, json_object_get(msg, "record"));
			json_decref(msg);
		} else {
			reply = msg;
		}
	}
	close(fd);
	json_object_del(reply, "id");
	if (json_array_size(records))
		json_object_set(reply, "records", records);
	json_decref(records);
	return reply;
}

struct local_result {
	int calls;
	json_t *reply; /* shaped as wire_call's */
};

static void on_local(const struct ipc_response *resp, void *arg)
{
	struct local_result *r = arg;
	r->calls++;
	r->reply = resp->ok ? json_pack("{s:b, s:O}", "ok", 1, "result", resp->result)
			    : json_pack("{s:b, s:O}", "ok", 0, "error", resp->error);
	if (resp->records)
		json_object_set(r->reply, "records", resp->records);
	if (!resp->ok) {
		/* the separate fields agree with the error object */
		assert_int_equal(resp->code, ipc_error_from_name(json_string_value(
						     json_object_get(resp->error, "code"))));
		assert_string_equal(resp->message,
				    json_string_value(json_object_get(resp->error, "message")));
	}
}

static json_t *local_call(const char *cmd, const char *args, bool *at_once)
{
	struct local_result r = { 0 };
	ipc_local_call(fx.srv, cmd, json_loads(args, 0, NULL), 5000, on_local, &r);
	if (at_once)
		*at_once = r.calls == 1;
	for (int i = 0; i < 1000 && r.calls == 0; i++)
		event_base_loop(fx.base, EVLOOP_ONCE);
	assert_int_equal(r.calls, 1);
	return r.reply;
}

static void test_same_answers(void **state)
{
	static const char *const cases[][2] = {
		{ "echo",
		  "{\"name\":\"a\",\"count\":\"5\"}" },     /* "5" converted, as for lwgatectl */
		{ "echo", "{\"count\":1}" },                /* a required argument missing */
		{ "echo", "{\"name\":\"a\",\"bogus\":1}" }, /* an unknown one */
		{ "echo", "{\"name\":3}" },                 /* of the wrong type */
		{ "nosuch", "{}" },
		{ "list", "{\"n\":3}" },
		{ "list", "{\"n\":0}" },
		{ "coap", "{}" },
		{ "change", "{}" },
		{ "later", "{}" },
		{ "hello", "{}" },
		{ "help", "{}" },
		{ "subscribe", "{\"topics\":[\"x\"]}" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *wire = wire_call(cases[i][0], cases[i][1]);
		json_t *local = local_call(cases[i][0], cases[i][1], NULL);
		if (strcmp(cases[i][0], "subscribe") == 0) {
			/* a socket subscribes its connection; a local caller has
			 * ipc_local_subscribe, and gets null */
			assert_true(json_is_true(json_object_get(wire, "ok")));
			assert_true(json_is_null(json_object_get(local, "result")));
		} else if (!json_equal(wire, local)) {
			char *a = json_dumps(wire, JSON_COMPACT),
			     *b = json_dumps(local, JSON_COMPACT);
			fail_msg("%s %s: socket %s, local %s", cases[i][0], cases[i][1], a, b);
		}
		json_decref(wire);
		json_decref(local);
	}
}

/* A handler's answer at once completes the call inside ipc_local_call(); a later one from the loop.
 */
static void test_at_once_or_later(void **state)
{
	bool at_once;
	json_t *r = local_call("echo", "{\"name\":\"x\"}", &at_once);
	assert_true(at_once);
	json_decref(r);
	r = local_call("later", "{}", &at_once);
	assert_false(at_once);
	assert_string_equal(json_string_value(json_object_get(r, "result")), "late");
	json_decref(r);
}

/* No answer in time: IPC_ERR_TIMEOUT, once; the handler's answer after it is dropped. */
static void test_timeout(void **state)
{
	struct local_result r = { 0 };
	ipc_local_call(fx.srv, "hold", NULL, 20, on_local, &r);
	for (int i = 0; i < 1000 && r.calls == 0; i++)
		event_base_loop(fx.base, EVLOOP_ONCE);
	assert_int_equal(r.calls, 1);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(r.reply, "error"), "code")),
		"timeout");
	ipc_call_reply(fx.held[--fx.nheld], json_string("too late"));
	assert_int_equal(r.calls, 1);
	json_decref(r.reply);
}

/* Calls waiting on their handler are bounded; one more is refused busy, at once. */
static void test_bounded(void **state)
{
	struct local_result r = { 0 };
	for (int i = 0; i < IPC_LOCAL_MAX_CALLS; i++)
		ipc_local_call(fx.srv, "hold", NULL, 60000, on_local, &r);
	assert_int_equal(r.calls, 0);
	ipc_local_call(fx.srv, "hold", NULL, 60000, on_local, &r);
	assert_int_equal(r.calls, 1);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(r.reply, "error"), "code")),
		"busy");
	json_decref(r.reply);
	r.reply = NULL;
	while (fx.nheld) {
		ipc_call_reply(fx.held[--fx.nheld], NULL);
		json_decref(r.reply);
		r.reply = NULL;
	}
	assert_int_equal(r.calls, 1 + IPC_LOCAL_MAX_CALLS);
	/* and served again */
	json_decref(local_call("echo", "{\"name\":\"y\"}", NULL));
}

/* A reply may not stream more than IPC_LOCAL_MAX_RECORDS records. */
static void test_records_bounded(void **state)
{
	char args[64];
	snprintf(args, sizeof(args), "{\"n\":%d}", IPC_LOCAL_MAX_RECORDS + 1);
	json_t *r = local_call("list", args, NULL);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "error"), "code")),
			    "too_large");
	json_decref(r);
}

struct seen {
	int n;
	char topic[32];
	json_t *data;
};

static void on_event(const char *topic, json_t *data, void *arg)
{
	struct seen *s = arg;
	s->n++;
	snprintf(s->topic, sizeof(s->topic), "%s", topic);
	json_decref(s->data);
	s->data = json_incref(data);
}

/* The local listener gets what ipc_server_publish() sends, until it leaves. */
static void test_events(void **state)
{
	struct seen s = { 0 };
	ipc_local_subscribe(fx.srv, on_event, &s);
	json_decref(local_call("emit", "{}", NULL));
	assert_int_equal(s.n, 1);
	assert_string_equal(s.topic, "thing.new");
	assert_string_equal(json_string_value(json_object_get(s.data, "ep")), "dev7");
	ipc_local_subscribe(fx.srv, NULL, NULL);
	json_decref(local_call("emit", "{}", NULL));
	assert_int_equal(s.n, 1);
	json_decref(s.data);
}

/* ipc_local_find knows this process's servers by path, and forgets a freed one. */
static void test_find_and_gone(void **state)
{
	assert_ptr_equal(ipc_local_find(fx.path), fx.srv);
	assert_null(ipc_local_find("/tmp/no-such-lwgate.sock"));
	assert_null(ipc_local_find(NULL));
	/* a call still waiting when the server goes learns it; the handler's answer is dropped */
	struct local_result r = { 0 };
	ipc_local_call(fx.srv, "hold", NULL, 60000, on_local, &r);
	ipc_server_free(fx.srv);
	assert_int_equal(r.calls, 1);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(r.reply, "error"), "code")),
		"unavailable");
	assert_null(ipc_local_find(fx.path));
	ipc_call_reply(fx.held[--fx.nheld], NULL);
	assert_int_equal(r.calls, 1);
	json_decref(r.reply);
	fx.srv = ipc_server_new(fx.base, fx.path, (gid_t)-1); /* for teardown */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_at_once_or_later, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_records_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_and_gone, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
