/*
 * libcoap driven by libevent through coapev: a client and a server context
 * on one loop exchange a confirmable request, and an unanswered request is
 * retransmitted by libcoap's timers until it gives up — which only happens
 * when the loop keeps processing libcoap's timeouts with nothing else going on.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "coap/coapev.h"

static struct event_base *base;
static char payload[64];
static int nacks;
static coap_nack_reason_t nack_reason;

static void hello(coap_resource_t *r, coap_session_t *s, const coap_pdu_t *req,
		  const coap_string_t *query, coap_pdu_t *resp)
{
	coap_pdu_set_code(resp, COAP_RESPONSE_CODE(205));
	coap_add_data(resp, 5, (const uint8_t *)"world");
}

static coap_response_t on_response(coap_session_t *s, const coap_pdu_t *sent,
				   const coap_pdu_t *received, const coap_mid_t mid)
{
	size_t len;
	const uint8_t *data;

	if (coap_get_data(received, &len, &data) && len < sizeof(payload)) {
		memcpy(payload, data, len);
		payload[len] = '\0';
	}
	event_base_loopbreak(base);
	return COAP_RESPONSE_OK;
}

static void on_nack(coap_session_t *s, const coap_pdu_t *sent, const coap_nack_reason_t reason,
		    const coap_mid_t mid)
{
	nacks++;
	nack_reason = reason;
	event_base_loopbreak(base);
}

/* A UDP socket on a free loopback port; the caller closes it. */
static int udp_socket(coap_address_t *addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	coap_address_init(addr);
	addr->size = sizeof(sin);
	memcpy(&addr->addr.sin, &sin, sizeof(sin));
	return fd;
}

static void send_get(coap_session_t *session, const char *path)
{
	coap_pdu_t *pdu =
		coap_pdu_init(COAP_MESSAGE_CON, COAP_REQUEST_CODE_GET, coap_new_message_id(session),
			      coap_session_max_pdu_size(session));

	assert_non_null(pdu);
	coap_add_option(pdu, COAP_OPTION_URI_PATH, strlen(path), (const uint8_t *)path);
	assert_true(coap_send(session, pdu) != COAP_INVALID_MID);
}

static void run_loop(void)
{
	struct timeval limit = { 15, 0 };

	event_base_loopexit(base, &limit); /* a safety net, never reached when all is well */
	event_base_dispatch(base);
}

static void test_request_response(void **state)
{
	coap_context_t *server = coap_new_context(NULL), *client = coap_new_context(NULL);
	coap_address_t addr;
	int fd = udp_socket(&addr);
	struct coapev *sev, *cev;
	coap_resource_t *r;
	coap_session_t *session;

	close(fd); /* the port is free again: the server takes it */
	assert_non_null(coap_new_endpoint(server, &addr, COAP_PROTO_UDP));
	r = coap_resource_init(coap_make_str_const("hello"), 0);
	coap_register_handler(r, COAP_REQUEST_GET, hello);
	coap_add_resource(server, r);
	coap_register_response_handler(client, on_response);

	base = event_base_new();
	sev = coapev_new(base, server);
	cev = coapev_new(base, client);
	assert_non_null(sev);
	assert_non_null(cev);
	session = coap_new_client_session(client, NULL, &addr, COAP_PROTO_UDP);
	send_get(session, "hello");
	coapev_kick(cev);
	run_loop();
	assert_string_equal(payload, "world");
	assert_true(coapev_rounds(sev) > 0);

	coap_session_release(session);
	coapev_free(cev);
	coapev_free(sev);
	coap_free_context(client);
	coap_free_context(server);
	event_base_free(base);
}

static void test_retransmissions_run_from_the_loop(void **state)
{
	coap_context_t *client = coap_new_context(NULL);
	coap_address_t addr;
	int silent = udp_socket(&addr);     /* bound, never answers */
	coap_fixed_point_t fast = { 1, 0 }; /* libcoap ignores an ACK_TIMEOUT under 1 s */
	struct coapev *cev;
	coap_session_t *session;
	char buf[256];
	int received = 0;

	coap_register_nack_handler(client, on_nack);
	base = event_base_new();
	cev = coapev_new(base, client);
	session = coap_new_client_session(client, NULL, &addr, COAP_PROTO_UDP);
	coap_session_set_ack_timeout(session, fast);
	coap_session_set_max_retransmit(session, 1);
	send_get(session, "nobody");
	coapev_kick(cev);
	run_loop();
	assert_int_equal(nacks, 1);
	assert_int_equal(nack_reason, COAP_NACK_TOO_MANY_RETRIES);
	/* the first transmission and one retransmission reached the socket */
	while (recv(silent, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		received++;
	assert_int_equal(received, 2);

	coap_session_release(session);
	coapev_free(cev);
	coap_free_context(client);
	event_base_free(base);
	close(silent);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_response),
		cmocka_unit_test(test_retransmissions_run_from_the_loop),
	};
	int rc;

	coap_startup();
	coap_set_log_level(LOG_WARNING);
	rc = cmocka_run_group_tests_name("coapev", tests, NULL, NULL);
	coap_cleanup();
	return rc;
}
