/*
 * lwm2md's T8 callback handler (nidd.c) end to end: the input is the JSON
 * body the SCEF POSTs (NiddUplinkDataNotification, delivery or
 * configuration status notification), handled with two NIDD devices on
 * real virtual peers (vpeer.c) whose uplinks go to a UDP socket standing
 * for lwm2md's CoAP endpoint.
 *
 * Properties: no crash or leak; the answer is 204 or 400; at most one
 * datagram reaches the endpoint, only with a 204, from one of the two
 * vpeers, between 1 and 4096 bytes, and it is the base64 "data" member of
 * the body as OpenSSL decodes it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "common/db.h"
#include "nidd.h"
#include "vpeer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct state {
	struct event_base *base;
	struct db *db;
	int endpoint;
	struct vpeers *set;
	struct nidd *nidd;
};

static struct state *state(void)
{
	static struct state s;
	char dir[] = "/tmp/fuzz-nidd-XXXXXX", file[64], why[256];
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	struct nidd_config nc = { .api_root = "http://127.0.0.1:9/",
				  .scs_as_id = "fuzz",
				  .callback_address = "127.0.0.1",
				  .callback_port = 0,
				  .devices = "fuzz1@nidd.test fuzz2@nidd.test",
				  .max_devices = 4,
				  .max_latency_s = 60,
				  .max_inflight = 8,
				  .timeout_s = 1 };

	if (s.nidd)
		return &s;
	if (!mkdtemp(dir))
		abort();
	snprintf(file, sizeof(file), "%s/lwm2md.db", dir);
	s.base = event_base_new();
	if (!s.base || db_open(file, NULL, 0, &s.db, why, sizeof(why)) < 0)
		abort();
	s.endpoint = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s.endpoint < 0 || bind(s.endpoint, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(s.endpoint, (struct sockaddr *)&a, &len) < 0)
		abort();
	if (vpeers_new(s.base, (struct sockaddr *)&a, len, &s.set) < 0)
		abort();
	nc.base = s.base;
	nc.db = s.db;
	nc.vpeers = s.set;
	/* the configuration requests to port 9 stay queued: the loop never runs */
	if (nidd_new(&nc, &s.nidd) < 0)
		abort();
	return &s;
}

/* The "data" member of @body decoded as a reference, or -1 when there is none to compare. */
static int expected(const uint8_t *body, size_t size, uint8_t *out)
{
	json_t *o = json_loadb((const char *)body, size, JSON_REJECT_DUPLICATES, NULL);
	const char *d = json_string_value(json_object_get(o, "data"));
	int n = -1;

	if (d && strlen(d) % 4 == 0 && strlen(d) / 4 * 3 <= 4098) {
		size_t l = strlen(d);

		n = EVP_DecodeBlock(out, (const unsigned char *)d, (int)l);
		if (n >= 0 && l && d[l - 1] == '=')
			n -= 1 + (l > 1 && d[l - 2] == '=');
	}
	json_decref(o);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state *s = state();
	static uint8_t got[70000], want[4098];
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	int status = nidd_callback(s->nidd, data, size);
	ssize_t n = recvfrom(s->endpoint, got, sizeof(got), 0, (struct sockaddr *)&from, &flen);
	struct vpeer *vp;
	int w;

	if (status != 204 && status != 400)
		abort();
	if (n < 0)
		return 0;
	if (status != 204 || n < 1 || n > 4096)
		abort();
	vp = vpeer_find(s->set, (struct sockaddr *)&from, flen);
	if (!vp || strcmp(vpeer_kind(vp), "nidd") != 0)
		abort();
	w = expected(data, size, want);
	if (w != (int)n || memcmp(got, want, (size_t)n) != 0)
		abort();
	/* one datagram per callback at most */
	if (recv(s->endpoint, got, sizeof(got), 0) >= 0)
		abort();
	return 0;
}
