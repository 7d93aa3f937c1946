/*
 * HTTP/2 as a client sends it, over a real connection to an httpsrv: the
 * client preface, then the input as frames (HEADERS with HPACK, DATA,
 * SETTINGS, PING, WINDOW_UPDATE, RST_STREAM, GOAWAY, CONTINUATION …), then
 * end of input.  Drives http2.c (requests out of nghttp2's callbacks,
 * responses and streams back), httpsrv's connection life and h2mem's heap,
 * which must be empty again once the connection has gone.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/log.h"
#include "http/httpsrv.h"

static struct event_base *base;
static struct http_server *srv;

static void handle(struct http_exchange *ex, void *arg)
{
	const struct http_request *r = http_exchange_request(ex);
	if (strcmp(r->path, "/stream") == 0) {
		http_exchange_stream_begin(ex, 200, "text/event-stream");
		http_exchange_stream_write(ex, "data: x\n\n", 9);
		http_exchange_stream_end(ex);
		return;
	}
	if (strcmp(r->path, "/problem") == 0) {
		http_exchange_problem(ex, 404, NULL, "no such thing");
		return;
	}
	http_exchange_add_header(ex, "x-echo", "1");
	http_exchange_respond(ex, 200, "application/octet-stream", r->body, r->body_len);
}

static void init(void)
{
	struct http_server_config cfg;
	log_set_level(LOG_LEVEL_ERROR);
	http_server_config_defaults(&cfg);
	cfg.max_connections = 4;
	cfg.max_streams = 8;
	cfg.max_header_bytes = 2048;
	cfg.max_body = 4096;
	base = event_base_new();
	if (!base || http_server_new(base, &cfg, handle, NULL, &srv) < 0)
		__builtin_trap();
}

/* A socketpair, not TCP: a run's many connections leave no TIME_WAIT behind. */
static int dial(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0)
		__builtin_trap();
	http_server_adopt(srv, sv[1]);
	return sv[0];
}

/* Run the server and read its answers until it closes (bounded: the input may stall it). */
static void pump(int fd, const uint8_t *out, size_t len)
{
	static uint8_t buf[65536];
	bool shut = false;
	for (int i = 0; i < 3000; i++) {
		if (len) {
			ssize_t n = send(fd, out, len, MSG_NOSIGNAL);
			if (n > 0) {
				out += n;
				len -= (size_t)n;
			} else if (n < 0 && errno != EAGAIN) {
				len = 0; /* the server has gone */
			}
		}
		if (!len && !shut) {
			shutdown(fd, SHUT_WR);
			shut = true;
		}
		event_base_loop(base, EVLOOP_NONBLOCK);
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			return;
		if (n < 0) {
			struct pollfd p = { fd, POLLIN, 0 };
			poll(&p, 1, 1);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	if (!base)
		init();
	size_t len = sizeof(preface) - 1 + size;
	uint8_t *all = malloc(len ? len : 1);
	if (!all)
		__builtin_trap();
	memcpy(all, preface, sizeof(preface) - 1);
	if (size)
		memcpy(all + sizeof(preface) - 1, data, size);
	int fd = dial();
	pump(fd, all, len);
	close(fd);
	free(all);
	struct http_server_stats st;
	for (int i = 0; i < 1000; i++) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		http_server_stats(srv, &st);
		if (st.open == 0)
			break;
		usleep(100);
	}
	http_server_stats(srv, &st);
	/* every session gone: nghttp2 gave back all it took */
	if (st.open == 0 && (st.h2_open != 0 || st.h2_heap != 0))
		__builtin_trap();
	return 0;
}
