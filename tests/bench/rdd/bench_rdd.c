/*
 * rdd over the network, against the goals: 10,000 endpoints of 10
 * links each registered over CoAP (registrations/s, each committed to
 * SQLite before its 2.01), then resource lookups with two filters over the
 * 100,000 links (lookups/s, median and 99th percentile latency), and the
 * memory rdd holds per stored link (growth of its RSS / links).  libcoap's
 * coap-rd-openssl takes the same registrations for comparison (it keeps
 * them in memory only and has no lookup interface).
 *
 * Usage: bench_rdd RDD_BINARY [ENDPOINTS]
 * The client is libcoap with WINDOW sessions, each keeping one confirmable
 * request outstanding.  Prints figures; never fails on time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <coap3/coap.h>

#include "benchutil.h"

#define WINDOW       32
#define LINKS_PER_EP 10
#define LOOKUPS      2000

static int endpoints = 10000;
static int next_ep, reg_end, done_count, failures, lookups_done;
static coap_session_t *sessions[WINDOW];
static double sent_at[WINDOW], latencies[LOOKUPS];
static enum { REGISTER, LOOKUP, NOTIFY } phase;
static int notes; /* notifications received by the observer */
#define NOTIFY_ROUNDS 200
#define EXPIRY_ROUNDS 5

static int session_index(coap_session_t *s)
{
	for (int i = 0; i < WINDOW; i++)
		if (sessions[i] == s)
			return i;
	return -1;
}

static void send_register(coap_session_t *s, int ep)
{
	coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_CON, COAP_REQUEST_CODE_POST,
					coap_new_message_id(s), coap_session_max_pdu_size(s));
	char query[64], payload[1024];
	uint8_t cf[4];
	size_t n = 0;

	snprintf(query, sizeof(query), "ep=node%05d", ep);
	for (int i = 0; i < LINKS_PER_EP; i++)
		n += (size_t)snprintf(payload + n, sizeof(payload) - n,
				      "%s</sensors/s%d>;rt=\"t%d\";if=\"sensor\";ct=40",
				      i ? "," : "", i, i);
	coap_add_option(pdu, COAP_OPTION_URI_PATH, 2, (const uint8_t *)"rd");
	coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT, coap_encode_var_safe(cf, sizeof(cf), 40),
			cf);
	coap_add_option(pdu, COAP_OPTION_URI_QUERY, strlen(query), (const uint8_t *)query);
	coap_add_data(pdu, n, (const uint8_t *)payload);
	coap_send(s, pdu);
}

/* What the lookup phase asks. */
static enum {
	BY_EP,       /* rt=t3&ep=nodeNNNNN: one link */
	SCAN,        /* rt=t3&if=nosuch: every registration considered, none matches */
	SCAN_PREFIX, /* rt=t3*&if=nosuch*: prefixes defeat the Bloom filters, every link read */
	WELL_KNOWN,  /* GET /.well-known/core, the round-trip floor */
} lookup_kind;

static void send_lookup(coap_session_t *s, int k)
{
	coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_CON, COAP_REQUEST_CODE_GET,
					coap_new_message_id(s), coap_session_max_pdu_size(s));
	char ep[32];

	snprintf(ep, sizeof(ep), "ep=node%05d", (k * 7919) % endpoints);
	if (lookup_kind == WELL_KNOWN) {
		coap_add_option(pdu, COAP_OPTION_URI_PATH, 11, (const uint8_t *)".well-known");
		coap_add_option(pdu, COAP_OPTION_URI_PATH, 4, (const uint8_t *)"core");
		coap_send(s, pdu);
		return;
	}
	coap_add_option(pdu, COAP_OPTION_URI_PATH, 9, (const uint8_t *)"rd-lookup");
	coap_add_option(pdu, COAP_OPTION_URI_PATH, 3, (const uint8_t *)"res");
	if (lookup_kind == SCAN_PREFIX) {
		coap_add_option(pdu, COAP_OPTION_URI_QUERY, 6, (const uint8_t *)"rt=t3*");
		coap_add_option(pdu, COAP_OPTION_URI_QUERY, 10, (const uint8_t *)"if=nosuch*");
		coap_send(s, pdu);
		return;
	}
	coap_add_option(pdu, COAP_OPTION_URI_QUERY, 5, (const uint8_t *)"rt=t3");
	if (lookup_kind == BY_EP)
		coap_add_option(pdu, COAP_OPTION_URI_QUERY, strlen(ep), (const uint8_t *)ep);
	else
		coap_add_option(pdu, COAP_OPTION_URI_QUERY, 9, (const uint8_t *)"if=nosuch");
	coap_send(s, pdu);
}

/* Session 1 observes the endpoint lookup of "watched". */
static void send_observe(coap_session_t *s)
{
	coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_CON, COAP_REQUEST_CODE_GET,
					coap_new_message_id(s), coap_session_max_pdu_size(s));
	uint8_t token[4] = { 0x0b, 0x5e, 0x77, 0xed }, obs[4];

	coap_add_token(pdu, sizeof(token), token);
	coap_add_option(pdu, COAP_OPTION_OBSERVE,
			coap_encode_var_safe(obs, sizeof(obs), COAP_OBSERVE_ESTABLISH), obs);
	coap_add_option(pdu, COAP_OPTION_URI_PATH, 9, (const uint8_t *)"rd-lookup");
	coap_add_option(pdu, COAP_OPTION_URI_PATH, 2, (const uint8_t *)"ep");
	coap_add_option(pdu, COAP_OPTION_URI_QUERY, 10, (const uint8_t *)"ep=watched");
	coap_send(s, pdu);
}

/*
 * Session 0 registers "watched" with lifetime @lt and a registration
 * attribute that differs each time (an endpoint link shows it, not lt), so
 * each registration changes the observed result.
 */
static void send_watched(coap_session_t *s, int lt)
{
	coap_pdu_t *pdu = coap_pdu_init(COAP_MESSAGE_CON, COAP_REQUEST_CODE_POST,
					coap_new_message_id(s), coap_session_max_pdu_size(s));
	static unsigned round;
	char query[32], attr[32];

	snprintf(query, sizeof(query), "lt=%d", lt);
	snprintf(attr, sizeof(attr), "round=%u", ++round);
	coap_add_option(pdu, COAP_OPTION_URI_PATH, 2, (const uint8_t *)"rd");
	coap_add_option(pdu, COAP_OPTION_URI_QUERY, 10, (const uint8_t *)"ep=watched");
	coap_add_option(pdu, COAP_OPTION_URI_QUERY, strlen(query), (const uint8_t *)query);
	coap_add_option(pdu, COAP_OPTION_URI_QUERY, strlen(attr), (const uint8_t *)attr);
	coap_send(s, pdu);
}

/* The Location-Paths answered to registrations, to count the distinct ones. */
#define LOC_MAX 48
static char (*locations)[LOC_MAX];
static int location_count;

static void note_location(const coap_pdu_t *pdu)
{
	coap_opt_iterator_t it;
	coap_opt_t *opt;
	size_t n = 0;
	char *loc;

	if (!locations || location_count >= endpoints)
		return;
	loc = locations[location_count++];
	coap_option_iterator_init(pdu, &it, COAP_OPT_ALL);
	while ((opt = coap_option_next(&it)) != NULL) {
		size_t len = coap_opt_length(opt);

		if (it.number != COAP_OPTION_LOCATION_PATH || n + len + 2 > LOC_MAX)
			continue;
		loc[n++] = '/';
		memcpy(loc + n, coap_opt_value(opt), len);
		n += len;
	}
	loc[n] = '\0';
}

static int cmp_location(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* How many registrations were answered with a location another one also got. */
static int shared_locations(void)
{
	int shared = 0;

	qsort(locations, (size_t)location_count, LOC_MAX, cmp_location);
	for (int i = 1; i < location_count; i++)
		shared += strcmp(locations[i - 1], locations[i]) == 0;
	return shared;
}

static coap_response_t on_response(coap_session_t *s, const coap_pdu_t *sent,
				   const coap_pdu_t *received, const coap_mid_t mid)
{
	int i = session_index(s);
	coap_pdu_code_t code = coap_pdu_get_code(received);

	if (phase == NOTIFY) {
		if (i == 1 && code == COAP_RESPONSE_CODE(205))
			notes++; /* the observer's first answer, then each notification */
		return COAP_RESPONSE_OK;
	}
	if (phase == REGISTER) {
		failures += code != COAP_RESPONSE_CODE(201);
		note_location(received);
		done_count++;
		if (next_ep < reg_end)
			send_register(s, next_ep++);
	} else {
		size_t len;
		const uint8_t *data;

		/* BY_EP: exactly one link matches both filters; SCAN: none */
		if (code != COAP_RESPONSE_CODE(205))
			failures++;
		else if (lookup_kind == BY_EP && (!coap_get_data(received, &len, &data) ||
						  !memmem(data, len, "/sensors/s3>", 12)))
			failures++;
		else if ((lookup_kind == SCAN || lookup_kind == SCAN_PREFIX) &&
			 coap_get_data(received, &len, &data))
			failures++;
		latencies[lookups_done++] = bench_now_s() - sent_at[i];
		if (lookups_done < LOOKUPS) {
			sent_at[i] = bench_now_s();
			send_lookup(s, lookups_done);
		}
	}
	return COAP_RESPONSE_OK;
}

static coap_context_t *client_context(int port, coap_address_t *dst)
{
	coap_context_t *ctx = coap_new_context(NULL);
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };

	inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
	coap_address_init(dst);
	dst->size = sizeof(sin6);
	memcpy(&dst->addr.sin6, &sin6, sizeof(sin6));
	coap_register_response_handler(ctx, on_response);
	for (int i = 0; i < WINDOW; i++)
		sessions[i] = coap_new_client_session(ctx, NULL, dst, COAP_PROTO_UDP);
	return ctx;
}

static void free_client(coap_context_t *ctx)
{
	for (int i = 0; i < WINDOW; i++)
		coap_session_release(sessions[i]);
	coap_free_context(ctx);
}

/* Register every endpoint; returns registrations per second. */
/* Register endpoints first..last-1, WINDOW at a time; returns the seconds taken. */
static double run_registrations(coap_context_t *ctx, int first, int last)
{
	double t0 = bench_now_s();

	phase = REGISTER;
	next_ep = first;
	reg_end = last;
	done_count = 0;
	for (int i = 0; i < WINDOW && next_ep < last; i++)
		send_register(sessions[i], next_ep++);
	while (done_count < last - first && bench_now_s() - t0 < 300)
		coap_io_process(ctx, 1000);
	return bench_now_s() - t0;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/bench-rdd-XXXXXX", ini[128], db[160], port_s[16], sock[160];
	coap_address_t dst;
	coap_context_t *ctx;
	double reg_rate, ref_rate, t0, elapsed;
	long rss0, rss_half, rss1;
	int port;
	pid_t pid;
	FILE *f;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_rdd RDD_BINARY [ENDPOINTS]\n");
		return 2;
	}
	if (argc > 2)
		endpoints = atoi(argv[2]);
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
		"[coap]\naddress = ::1\nport = %d\n[coaps]\nenabled = no\n"
		/* one source registers everything, as fast as it can, past the default caps */
		"[limits]\nsource_rate = 0\nmax_registrations = 0\nmax_links_total = 0\n",
		sock, db, port);
	fclose(f);
	pid = bench_spawn((char *[]){ argv[1], "-f", "-c", ini, NULL }, true);
	usleep(300000); /* until it serves */
	rss0 = bench_rss_kib(pid);

	ctx = client_context(port, &dst);
	/*
	 * In two halves: the growth over the second half is the cost of a
	 * link alone, once the fixed costs (SQLite's page cache, libcoap's
	 * buffers) have been paid in the first.
	 */
	failures = 0;
	locations = calloc((size_t)endpoints, LOC_MAX);
	location_count = 0;
	elapsed = run_registrations(ctx, 0, endpoints / 2);
	rss_half = bench_rss_kib(pid);
	elapsed += run_registrations(ctx, endpoints / 2, endpoints);
	reg_rate = endpoints / elapsed;
	rss1 = bench_rss_kib(pid);
	printf("rdd: %d registrations of %d links, each committed to SQLite before its 2.01: "
	       "%.0f registrations/s (%d failed, %d given a location already given)\n",
	       endpoints, LINKS_PER_EP, reg_rate, failures, shared_locations());
	printf("rdd: RSS %ld KiB -> %ld KiB: %.0f bytes per stored link (whole process growth), "
	       "%.0f bytes per link over the second half\n",
	       rss0, rss1, (double)(rss1 - rss0) * 1024 / (endpoints * LINKS_PER_EP),
	       (double)(rss1 - rss_half) * 1024 / ((endpoints - endpoints / 2) * LINKS_PER_EP));

	/* lookups: one request outstanding, so each latency is a full round trip */
	for (int kind = BY_EP; kind <= WELL_KNOWN; kind++) {
		static const char *const what[] = {
			[BY_EP] = "GET /rd-lookup/res?rt=t3&ep=nodeNNNNN (1 match)",
			[SCAN] = "GET /rd-lookup/res?rt=t3&if=nosuch (0 matches)",
			[SCAN_PREFIX] =
				"GET /rd-lookup/res?rt=t3*&if=nosuch* (0 matches, no Bloom help)",
			[WELL_KNOWN] = "GET /.well-known/core (round-trip floor)",
		};

		lookup_kind = kind;
		phase = LOOKUP;
		failures = lookups_done = 0;
		t0 = bench_now_s();
		sent_at[0] = t0;
		send_lookup(sessions[0], 0);
		while (lookups_done < LOOKUPS && bench_now_s() - t0 < 300)
			coap_io_process(ctx, 1000);
		elapsed = bench_now_s() - t0;
		qsort(latencies, (size_t)lookups_done, sizeof(double), bench_cmp_double);
		printf("rdd: %s over %d links: %.0f/s, median %.3f ms, p99 %.3f ms (%d wrong)\n",
		       what[kind], endpoints * LINKS_PER_EP, lookups_done / elapsed,
		       latencies[lookups_done / 2] * 1e3, latencies[lookups_done * 99 / 100] * 1e3,
		       failures);
	}
	/* observed lookup: from sending a registration to its notification */
	phase = NOTIFY;
	notes = 0;
	send_observe(sessions[1]);
	t0 = bench_now_s();
	while (notes < 1 && bench_now_s() - t0 < 10)
		coap_io_process(ctx, 100);
	failures = 0;
	for (int k = 0; k < NOTIFY_ROUNDS; k++) {
		double t = bench_now_s();
		int want = notes + 1;

		send_watched(sessions[0], 1000 + k);
		while (notes < want && bench_now_s() - t < 5)
			coap_io_process(ctx, 100);
		failures += notes < want;
		latencies[k] = bench_now_s() - t;
	}
	qsort(latencies, NOTIFY_ROUNDS, sizeof(double), bench_cmp_double);
	printf("rdd: observed /rd-lookup/ep?ep=watched, %d registrations changing it among %d "
	       "endpoints: notification median %.3f ms, p99 %.3f ms after the request was sent "
	       "(%d missing)\n",
	       NOTIFY_ROUNDS, endpoints, latencies[NOTIFY_ROUNDS / 2] * 1e3,
	       latencies[NOTIFY_ROUNDS * 99 / 100] * 1e3, failures);

	/*
	 * Expiry: "watched" registered with lt=1 and observed until the
	 * notification of its removal; the lateness is counted from sending
	 * the registration, so it is an upper bound.
	 */
	failures = 0;
	for (int k = 0; k < EXPIRY_ROUNDS; k++) {
		double t = bench_now_s();
		int want = notes + 2; /* the registration, then the expiry */

		send_watched(sessions[0], 1);
		while (notes < want && bench_now_s() - t < 5)
			coap_io_process(ctx, 10);
		failures += notes < want;
		latencies[k] = bench_now_s() - t - 1.0;
	}
	qsort(latencies, EXPIRY_ROUNDS, sizeof(double), bench_cmp_double);
	printf("rdd: lifetime 1 s among %d endpoints: expiry observed at most %.3f s late, "
	       "median %.3f s (%d missing)\n",
	       endpoints, latencies[EXPIRY_ROUNDS - 1], latencies[EXPIRY_ROUNDS / 2], failures);
	free_client(ctx);
	bench_stop(pid);

	/* the same registrations into libcoap's example RD (memory only) */
	port = bench_free_udp_port();
	snprintf(port_s, sizeof(port_s), "%d", port);
	pid = bench_spawn((char *[]){ "/usr/bin/coap-rd-openssl", "-A", "::1", "-p", port_s, NULL },
			  true);
	usleep(300000); /* until it serves */
	ctx = client_context(port, &dst);
	failures = 0;
	location_count = 0;
	ref_rate = endpoints / run_registrations(ctx, 0, endpoints);
	/* its locations come from a clock and a counter: under load two registrations can share one
	 */
	printf("coap-rd-openssl: the same %d registrations, in memory only: %.0f registrations/s "
	       "(%d failed, %d given a location already given: the older one is lost); "
	       "no lookup interface\n",
	       endpoints, ref_rate, failures, shared_locations());
	free(locations);
	locations = NULL;
	free_client(ctx);
	bench_stop(pid);

	unlink(ini);
	unlink(db);
	snprintf(ini, sizeof(ini), "%s/rdd.db-wal", dir);
	unlink(ini);
	snprintf(ini, sizeof(ini), "%s/rdd.db-shm", dir);
	unlink(ini);
	rmdir(dir);
	coap_cleanup();
	return 0;
}
