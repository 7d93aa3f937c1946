/*
 * rdd's publish-subscribe broker over the network, against the issue's
 * goal of 10,000 notifications/s fanned out to 100 subscribers: one topic,
 * SUBSCRIBERS observers (each its own UDP socket), publishers putting
 * PUBLICATIONS values (each committed to SQLite before its 2.04), and the
 * notifications counted as they arrive.  Then the memory per topic: RSS
 * growth of rdd over TOPICS topics created and published to.
 *
 * Usage: bench_pubsub RDD_BINARY [PUBLICATIONS]
 * Prints figures (and how many notifications were lost, if any); never
 * fails on time.
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <coap3/coap.h>

#include "benchutil.h"

#define SUBSCRIBERS 100
#define PUBLISHERS  4
#define TOPICS      1000
#define CF_PUBSUB   606
#define VALUE_SIZE  32

static int publications = 2000;
static coap_session_t *subs[SUBSCRIBERS], *pubs[PUBLISHERS];
static long notes, subscribed, answered, failures, sent;
static char data_path[64];
static enum { CREATE, SUBSCRIBE, PUBLISH } phase;

static void add_path(coap_pdu_t *pdu, const char *path)
{
	char copy[128], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", path);
	for (char *seg = strtok_r(copy, "/", &save); seg; seg = strtok_r(NULL, "/", &save))
		coap_add_option(pdu, COAP_OPTION_URI_PATH, strlen(seg), (const uint8_t *)seg);
}

/* POST /ps {0: name, 2: "core.ps.data"}, encoded by hand (names are short). */
static void send_create(coap_session_t *s, const char *name)
{
	coap_pdu_t *pdu = coap_new_pdu(COAP_MESSAGE_CON, COAP_REQUEST_CODE_POST, s);
	uint8_t body[64], cf[4];
	size_t n = 0, len = strlen(name);

	body[n++] = 0xa2;
	body[n++] = 0x00;
	body[n++] = (uint8_t)(0x60 | len); /* names below 24 bytes */
	memcpy(body + n, name, len);
	n += len;
	body[n++] = 0x02;
	body[n++] = 0x6c;
	memcpy(body + n, "core.ps.data", 12);
	n += 12;
	coap_add_token(pdu, 1, (const uint8_t *)"c");
	add_path(pdu, "ps");
	coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT,
			coap_encode_var_safe(cf, sizeof(cf), CF_PUBSUB), cf);
	coap_add_data(pdu, n, body);
	coap_send(s, pdu);
}

static void send_publish(coap_session_t *s, const char *path, long k)
{
	coap_pdu_t *pdu = coap_new_pdu(COAP_MESSAGE_CON, COAP_REQUEST_CODE_PUT, s);
	char value[VALUE_SIZE + 1];

	snprintf(value, sizeof(value), "%0*ld", VALUE_SIZE, k);
	coap_add_token(pdu, 1, (const uint8_t *)"p");
	add_path(pdu, path);
	coap_add_data(pdu, VALUE_SIZE, (const uint8_t *)value);
	coap_send(s, pdu);
	sent++;
}

static void send_subscribe(coap_session_t *s, int i)
{
	coap_pdu_t *pdu = coap_new_pdu(COAP_MESSAGE_CON, COAP_REQUEST_CODE_GET, s);
	uint8_t tok[2] = { 's', (uint8_t)i };

	coap_add_token(pdu, sizeof(tok), tok);
	coap_add_option(pdu, COAP_OPTION_OBSERVE, 0, NULL);
	add_path(pdu, data_path);
	coap_send(s, pdu);
}

/* The topic-data path from the 2.01's CBOR map: key 1, a text of fewer than 24 bytes. */
static void take_data_path(const uint8_t *d, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (d[i] == 0x01 && (d[i + 1] & 0xe0) == 0x60 && i + 2 + (d[i + 1] & 0x1f) <= len) {
			size_t n = d[i + 1] & 0x1f;

			memcpy(data_path, d + i + 2, n);
			data_path[n] = '\0';
			return;
		}
	}
}

static coap_response_t on_response(coap_session_t *s, const coap_pdu_t *sent_pdu,
				   const coap_pdu_t *rcvd, const coap_mid_t mid)
{
	coap_pdu_code_t code = coap_pdu_get_code(rcvd);
	coap_opt_iterator_t it;
	const uint8_t *d;
	size_t len;

	(void)sent_pdu;
	(void)mid;
	if (phase == CREATE) {
		answered++;
		if (code != COAP_RESPONSE_CODE(201))
			failures++;
		else if (!data_path[0] && coap_get_data(rcvd, &len, &d))
			take_data_path(d, len);
		return COAP_RESPONSE_OK;
	}
	if (coap_check_option(rcvd, COAP_OPTION_OBSERVE, &it)) {
		if (phase == SUBSCRIBE)
			subscribed++;
		else
			notes++;
		return COAP_RESPONSE_OK;
	}
	if (phase == PUBLISH) {
		answered++;
		if (code != COAP_RESPONSE_CODE(204) && code != COAP_RESPONSE_CODE(201))
			failures++;
		if (sent < publications)
			send_publish(s, data_path, sent);
	}
	return COAP_RESPONSE_OK;
}

static coap_session_t *session_to(coap_context_t *ctx, int port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	coap_address_t dst;

	inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
	coap_address_init(&dst);
	dst.size = sizeof(sin6);
	memcpy(&dst.addr.sin6, &sin6, sizeof(sin6));
	return coap_new_client_session(ctx, NULL, &dst, COAP_PROTO_UDP);
}

static void wait_until(coap_context_t *ctx, long *counter, long want, double seconds)
{
	double t0 = bench_now_s();

	while (*counter < want && bench_now_s() - t0 < seconds)
		coap_io_process(ctx, 100);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/bench-pubsub-XXXXXX", ini[128], db[160], sock[160], name[24];
	coap_context_t *ctx;
	double t0, elapsed, last;
	long rss0, rss1, before;
	int port;
	pid_t pid;
	FILE *f;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_pubsub RDD_BINARY [PUBLICATIONS]\n");
		return 2;
	}
	if (argc > 2)
		publications = atoi(argv[2]);
	coap_startup();
	coap_set_log_level(LOG_EMERG);
	if (!mkdtemp(dir))
		return 1;
	port = bench_free_udp_port();
	snprintf(ini, sizeof(ini), "%s/rdd.ini", dir);
	snprintf(db, sizeof(db), "%s/rdd.db", dir);
	snprintf(sock, sizeof(sock), "%s/rdd.sock", dir);
	f = fopen(ini, "w");
	fprintf(f,
		"[daemon]\nsocket = %s\ndatabase = %s\nuser =\nlog_level = warning\n"
		"[coap]\naddress = ::1\nport = %d\n[pubsub]\npublish_interval_ms = 0\n"
		"max_topics = %d\n",
		sock, db, port, TOPICS + 1);
	fclose(f);
	pid = bench_spawn((char *[]){ argv[1], "-f", "-c", ini, NULL }, true);
	usleep(300000); /* until it serves */

	ctx = coap_new_context(NULL);
	coap_register_response_handler(ctx, on_response);
	for (int i = 0; i < PUBLISHERS; i++)
		pubs[i] = session_to(ctx, port);
	for (int i = 0; i < SUBSCRIBERS; i++)
		subs[i] = session_to(ctx, port);

	phase = CREATE;
	send_create(pubs[0], "bench");
	wait_until(ctx, &answered, 1, 5);
	phase = PUBLISH;
	answered = 0;
	sent = publications - 1; /* one publication: the topic is fully created */
	send_publish(pubs[0], data_path, 0);
	wait_until(ctx, &answered, 1, 5);
	phase = SUBSCRIBE;
	for (int i = 0; i < SUBSCRIBERS; i++)
		send_subscribe(subs[i], i);
	wait_until(ctx, &subscribed, SUBSCRIBERS, 10);

	phase = PUBLISH;
	answered = failures = sent = notes = 0;
	t0 = bench_now_s();
	for (int i = 0; i < PUBLISHERS; i++)
		send_publish(pubs[i], data_path, sent);
	last = t0;
	before = -1;
	/* until every notification came, or none came for a second */
	while (notes < (long)publications * SUBSCRIBERS && bench_now_s() - last < 1.0) {
		coap_io_process(ctx, 50);
		if (notes != before) {
			before = notes;
			last = bench_now_s();
		}
	}
	elapsed = last - t0;
	wait_until(ctx, &answered, publications,
		   5); /* the last 2.04s may trail the notifications */
	printf("rdd pub/sub: %d publications (%d bytes, each committed before its 2.04) to one "
	       "topic with %ld subscribers: %.0f publications/s, %.0f notifications/s received "
	       "(%ld of %ld, %ld lost; %ld publications refused)\n",
	       publications, VALUE_SIZE, subscribed, answered / elapsed, notes / elapsed, notes,
	       (long)publications * SUBSCRIBERS, (long)publications * SUBSCRIBERS - notes,
	       failures);

	/* memory per topic: TOPICS more topics, each with one value */
	rss0 = bench_rss_kib(pid);
	phase = CREATE;
	answered = failures = 0;
	for (int k = 0; k < TOPICS; k++) {
		snprintf(name, sizeof(name), "t%05d", k);
		send_create(pubs[k % PUBLISHERS], name);
		if (k % PUBLISHERS == PUBLISHERS - 1)
			wait_until(ctx, &answered, k + 1, 5);
	}
	wait_until(ctx, &answered, TOPICS, 10);
	rss1 = bench_rss_kib(pid);
	printf("rdd pub/sub: RSS %ld KiB -> %ld KiB over %d topics created: %.0f bytes per topic "
	       "(two libcoap resources each; %ld failed)\n",
	       rss0, rss1, TOPICS, (double)(rss1 - rss0) * 1024 / TOPICS, failures);

	for (int i = 0; i < SUBSCRIBERS; i++)
		coap_session_release(subs[i]);
	for (int i = 0; i < PUBLISHERS; i++)
		coap_session_release(pubs[i]);
	coap_free_context(ctx);
	bench_stop(pid);
	unlink(ini);
	unlink(db);
	snprintf(ini, sizeof(ini), "%s/rdd.db-wal", dir);
	unlink(ini);
	snprintf(ini, sizeof(ini), "%s/rdd.db-shm", dir);
	unlink(ini);
	unlink(sock);
	rmdir(dir);
	coap_cleanup();
	return 0;
}
