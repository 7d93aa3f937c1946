/*
 * lwgate-pac — a PANA Client (RFC 5191, the minimal profile of
 * draft-ietf-lwig-guidance §5.4.1) with its own EAP-PSK peer, built on
 * lib/pana, for the paad tests and the demo.
 *
 *   lwgate-pac [-a ADDR] [-p PORT] [-s SRC] [-r MS] [-c N] -i IDENTITY -k PSKHEX
 *
 * (-s: the source address to send from)
 *
 * It authenticates, prints one JSON line per event on stdout, then reads
 * commands on stdin, one per line, until "quit" or end of input:
 *   reauth      PNR(A) and a new EAP-PSK run (Key-Id rollover)
 *   terminate   PTR(LOGOUT)
 *   tamper      a PNR(A) whose AUTH has one bit flipped (paad must drop it)
 *   replay      the PNR sent before the last one, again (paad must drop it)
 *   status      print the session state
 * A PTR from the PAA is answered with a PTA.  Requests are retransmitted
 * with RFC 3315's algorithm (-r initial timeout, -c count).  Exit status:
 * 0 done, 1 authentication rejected, 2 usage, 3 the PAA did not answer.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pac.h"

static void hex(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

/* One JSON line per event; the MSK once EAP-PSK is done (the tests compare it). */
static void event(struct pac *c, const char *name)
{
	if (!strcmp(name, "rejected")) {
		printf("{\"event\":\"rejected\",\"result\":%u}\n", c->result);
		fflush(stdout);
		return;
	}
	printf("{\"event\":\"%s\",\"session\":%u,\"key_id\":%u", name, c->session_id, c->key_id);
	if (c->eap.state == EAP_PSK_DONE) {
		printf(",\"msk\":\"");
		hex(stdout, c->eap.msk, sizeof(c->eap.msk));
		printf("\"");
	}
	printf("}\n");
	fflush(stdout);
}

static void command(struct pac *c, const char *line)
{
	if (!c->authenticated) {
		fprintf(stderr, "lwgate-pac: not authenticated\n");
	} else if (!strcmp(line, "reauth")) {
		pac_send_pnr(c, false);
	} else if (!strcmp(line, "tamper")) {
		pac_send_pnr(c, true);
	} else if (!strcmp(line, "replay")) {
		pac_replay(c);
	} else if (!strcmp(line, "terminate")) {
		pac_terminate(c);
	} else if (!strcmp(line, "status")) {
		event(c, "status");
	} else {
		fprintf(stderr, "lwgate-pac: unknown command %s\n", line);
	}
}

static int run(struct pac *c)
{
	bool stdin_open = true;
	char line[256];
	size_t line_len = 0;

	pac_start(c);
	while (!c->done) {
		bool ready = c->authenticated && stdin_open && !c->busy && !c->req_len;
		struct pollfd p[2] = { { c->fd, POLLIN, 0 }, { 0, POLLIN, 0 } };
		int wait =
			c->req_len
				? (int)(c->deadline > pac_now_ms() ? c->deadline - pac_now_ms() : 0)
				: -1;
		uint8_t buf[PANA_MAX_MSG];

		if (poll(p, ready ? 2 : 1, wait) < 0 && errno != EINTR)
			return 3;
		if (p[0].revents & POLLIN) {
			ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

			if (n > 0)
				pac_input(c, buf, (size_t)n);
		}
		if (ready && (p[1].revents & (POLLIN | POLLHUP))) {
			char ch;
			ssize_t n = read(0, &ch, 1);

			if (n <= 0) {
				stdin_open = false;
				if (!c->req_len)
					break;
			} else if (ch == '\n' || line_len == sizeof(line) - 1) {
				line[line_len] = '\0';
				line_len = 0;
				if (!strcmp(line, "quit"))
					break;
				command(c, line);
			} else {
				line[line_len++] = ch;
			}
		}
		if (!pac_retransmit(c)) {
			printf("{\"event\":\"timeout\"}\n");
			fflush(stdout);
			return 3;
		}
		if (!stdin_open && !c->req_len && !c->busy && c->authenticated)
			break;
	}
	return c->exit_code;
}

/* A UDP socket connected to [@addr]:@port, from @src when not NULL. */
static int open_socket(const char *addr, const char *port, const char *src)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST }, *ai, *sa;
	int fd;

	if (getaddrinfo(addr, port, &hints, &ai) != 0)
		return -1;
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && src) {
		hints.ai_family = ai->ai_family;
		if (getaddrinfo(src, NULL, &hints, &sa) != 0) {
			close(fd);
			freeaddrinfo(ai);
			return -1;
		}
		if (bind(fd, sa->ai_addr, sa->ai_addrlen) < 0) {
			close(fd);
			fd = -1;
		}
		freeaddrinfo(sa);
	}
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int parse_psk(const char *s, uint8_t psk[16])
{
	if (strlen(s) != 32)
		return -1;
	for (int i = 0; i < 16; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		psk[i] = (uint8_t)v;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct pac c = { .irt_ms = 1000, .mrc = 10 };
	const char *addr = "::1", *port = "716", *src = NULL, *identity = NULL, *psk_hex = NULL;
	uint8_t psk[16];
	int opt;

	while ((opt = getopt(argc, argv, "a:p:s:r:c:i:k:")) != -1) {
		switch (opt) {
		case 'a':
			addr = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 's':
			src = optarg;
			break;
		case 'r':
			c.irt_ms = (unsigned)atoi(optarg);
			break;
		case 'c':
			c.mrc = (unsigned)atoi(optarg);
			break;
		case 'i':
			identity = optarg;
			break;
		case 'k':
			psk_hex = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!identity || !psk_hex || parse_psk(psk_hex, psk) < 0 || c.irt_ms == 0) {
		fprintf(stderr, "usage: lwgate-pac [-a ADDR] [-p PORT] [-s SRC] [-r MS] [-c N] -i "
				"ID -k PSKHEX\n");
		return 2;
	}
	if (eap_psk_peer_init(&c.eap, identity, psk) < 0)
		return 2;
	c.fd = open_socket(addr, port, src);
	if (c.fd < 0) {
		fprintf(stderr, "lwgate-pac: cannot reach [%s]:%s\n", addr, port);
		return 2;
	}
	c.on_event = event;
	return run(&c);
}
