/*
 * Control-socket throughput: request/reply round trips per second on one
 * connection, and streamed records per second, against a real ipc_server
 * on its own loop thread.  Prints figures; never fails on time.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/ipc_client.h"
#include "common/ipc_server.h"

static struct event_base *base;

static void cmd_echo(struct ipc_call *call, json_t *args, void *ctx)
{
	ipc_call_reply(call, json_incref(args));
}

static void cmd_list(struct ipc_call *call, json_t *args, void *ctx)
{
	json_int_t n = json_integer_value(json_object_get(args, "n"));

	for (json_int_t i = 0; i < n; i++)
		ipc_call_record(call, json_pack("{s:I, s:s, s:i}", "i", i, "ep", "urn:dev:abc",
						"lifetime", 300));
	ipc_call_reply(call, NULL);
}

static void cmd_quit(struct ipc_call *call, json_t *args, void *ctx)
{
	ipc_call_reply(call, NULL);
	event_base_loopbreak(base);
}

static const struct ipc_arg echo_args[] = { { "name", IPC_ARG_STRING, true, "" }, { NULL } };
static const struct ipc_arg list_args[] = { { "n", IPC_ARG_INT, true, "" }, { NULL } };
static const struct ipc_command commands[] = {
	{ "echo", "", echo_args, cmd_echo, false },
	{ "list", "", list_args, cmd_list, false },
	{ "quit", "", NULL, cmd_quit, false },
	{ NULL },
};

static void *serve(void *arg)
{
	event_base_dispatch(base);
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	char path[64];
	struct ipc_server *srv;
	struct ipc_client *cl;
	struct ipc_response r;
	pthread_t thread;
	const int calls = 20000, records = 20000; /* ~1.2 MiB queued at once: under the 4 MiB per-client bound */
	double t0, t1;

	snprintf(path, sizeof(path), "/tmp/bench_ipc_%d.sock", (int)getpid());
	base = event_base_new();
	srv = ipc_server_new(base, path, (gid_t)-1);
	if (!srv || ipc_server_add_commands(srv, commands, NULL) < 0)
		return 1;
	pthread_create(&thread, NULL, serve, NULL);
	if (ipc_client_open(path, &cl) < 0)
		return 1;

	t0 = now();
	for (int i = 0; i < calls; i++) {
		if (ipc_client_call(cl, "echo", json_pack("{s:s}", "name", "node-1"), 5000, &r) <
			    0 ||
		    !r.ok)
			return 1;
		ipc_response_fini(&r);
	}
	t1 = now();
	printf("ipc round trip (echo, one client): %d calls in %.3f s = %.0f calls/s, %.1f "
	       "us/call\n",
	       calls, t1 - t0, calls / (t1 - t0), (t1 - t0) / calls * 1e6);

	t0 = now();
	if (ipc_client_call(cl, "list", json_pack("{s:i}", "n", records), 60000, &r) < 0 || !r.ok)
		return 1;
	t1 = now();
	printf("ipc streamed list: %zu records in %.3f s = %.0f records/s\n",
	       json_array_size(r.records), t1 - t0, (double)json_array_size(r.records) / (t1 - t0));
	ipc_response_fini(&r);

	ipc_client_call(cl, "quit", NULL, 5000, &r);
	ipc_response_fini(&r);
	ipc_client_free(cl);
	pthread_join(thread, NULL);
	ipc_server_free(srv);
	event_base_free(base);
	return 0;
}
