/*
 * Fetching /.well-known/core for simple registration (see rdsimple.h).
 */
#include "rdsimple.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "coap/coapev.h"
#include "coap/pskguard.h"

#define CF_LINK_FORMAT 40

struct fetch {
	struct rdsimple *rs;
	coap_session_t *session;
	rdsimple_done_fn fn;
	void *arg;
	bool dtls;
	bool connected;          /* the DTLS handshake completed */
	int failed;              /* how the handshake failed, reported on the next turn */
	struct event *handshake; /* its deadline (DTLS only) */
	/* the PSK, kept while libcoap may still point into it */
	uint8_t identity[PSKGUARD_IDENTITY_MAX], key[PSKGUARD_KEY_MAX];
	struct fetch *next;
};

struct rdsimple {
	struct event_base *base;
	coap_context_t *ctx;
	/*
	 * Fetches with rdd's certificate go out on a context of their own,
	 * made at the first: libcoap 4.3.1 offers a client only PSK cipher
	 * suites when its context serves PSKs, as rdd's does, and a device
	 * with a certificate then answers "no shared cipher".
	 */
	coap_context_t *pki_ctx;
	struct coapev *pki_ev;
	int handshake_timeout_s;
	struct fetch *running;
	/* sessions whose fetch ended inside a libcoap callback, released after it */
	struct fetch *finished;
	struct event *reaper;
};

static void fetch_free(struct fetch *f)
{
	if (f->handshake)
		event_free(f->handshake);
	coap_session_release(f->session);
	free(f);
}

static void reap(evutil_socket_t fd, short what, void *arg)
{
	struct rdsimple *rs = arg;

	while (rs->finished) {
		struct fetch *f = rs->finished;

		rs->finished = f->next;
		fetch_free(f);
	}
}

/* Report once and move @f to the finished list. */
static void finish(struct fetch *f, int err, int code, const uint8_t *body, size_t len)
{
	struct rdsimple *rs = f->rs;
	struct fetch **p = &rs->running;

	while (*p && *p != f)
		p = &(*p)->next;
	if (!*p)
		return; /* already reported */
	*p = f->next;
	if (f->handshake)
		event_del(f->handshake);
	coap_session_set_app_data(f->session, NULL);
	f->next = rs->finished;
	rs->finished = f;
	event_active(rs->reaper, EV_TIMEOUT, 0);
	f->fn(f->arg, err, code, body, len);
}

/* The fetch of a client session, or NULL (server sessions carry pubsub's data). */
static struct fetch *fetch_of(coap_session_t *s)
{
	if (coap_session_get_type(s) != COAP_SESSION_TYPE_CLIENT)
		return NULL;
	return coap_session_get_app_data(s);
}

static coap_response_t on_response(coap_session_t *s, const coap_pdu_t *sent,
				   const coap_pdu_t *received, const coap_mid_t mid)
{
	struct fetch *f = fetch_of(s);
	coap_pdu_code_t code = coap_pdu_get_code(received);
	const uint8_t *data = NULL;
	size_t len = 0, offset = 0, total = 0;
	int c = (int)(code >> 5) * 100 + (code & 0x1f);

	if (!f)
		return COAP_RESPONSE_OK;
	if (code != COAP_RESPONSE_CODE(205)) {
		finish(f, -EPROTO, c, NULL, 0);
		return COAP_RESPONSE_OK;
	}
	coap_get_data_large(received, &len, &data, &offset, &total);
	if (offset != 0 || len != total)
		finish(f, -EPROTO, c, NULL, 0);
	else
		finish(f, 0, c, data, len);
	return COAP_RESPONSE_OK;
}

void rdsimple_on_nack(coap_session_t *s, const coap_pdu_t *sent, const coap_nack_reason_t reason,
		      const coap_mid_t mid)
{
	struct fetch *f = fetch_of(s);

	if (!f)
		return;
	/* the request queued behind a handshake that failed */
	if (f->dtls && !f->connected && reason == COAP_NACK_ICMP_ISSUE)
		finish(f, -EHOSTUNREACH, 0, NULL, 0);
	else if (f->dtls && !f->connected && reason == COAP_NACK_TLS_FAILED)
		finish(f, f->failed ? f->failed : -ECONNREFUSED, 0, NULL, 0);
	else
		finish(f, -ETIMEDOUT, 0, NULL, 0);
}

void rdsimple_event(coap_session_t *s, coap_event_t event)
{
	struct fetch *f = fetch_of(s);

	if (!f || !f->dtls)
		return;
	switch (event) {
	case COAP_EVENT_DTLS_CONNECTED:
		f->connected = true;
		event_del(f->handshake); /* the request's retransmissions take over */
		break;
	case COAP_EVENT_DTLS_ERROR:
	case COAP_EVENT_DTLS_CLOSED:
	case COAP_EVENT_SESSION_FAILED:
	case COAP_EVENT_SESSION_CLOSED:
		if (f->connected) {
			finish(f, -ECONNRESET, 0, NULL, 0);
		} else if (!f->failed) {
			/*
			 * libcoap NACKs the queued request right after this
			 * event, saying whether an ICMP error was the cause:
			 * report on the loop's next turn, unless that comes.
			 */
			struct timeval now = { 0, 0 };

			f->failed = -ECONNREFUSED;
			evtimer_add(f->handshake, &now);
		}
		break;
	default:
		break;
	}
}

static void on_handshake_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct fetch *f = arg;

	if (!f->connected)
		finish(f, f->failed ? f->failed : -ECONNABORTED, 0, NULL, 0);
}

static int on_pki_event(coap_session_t *s, const coap_event_t event)
{
	rdsimple_event(s, event);
	return 0;
}

/* The context for certificate fetches, trusting the CAs of @certs; 0 or -EIO. */
static int pki_context(struct rdsimple *rs, const struct certs *certs)
{
	if (rs->pki_ctx)
		return 0;
	rs->pki_ctx = coap_new_context(NULL);
	if (!rs->pki_ctx)
		return -EIO;
	coap_context_set_block_mode(rs->pki_ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
	coap_register_response_handler(rs->pki_ctx, on_response);
	coap_register_nack_handler(rs->pki_ctx, rdsimple_on_nack);
	coap_register_event_handler(rs->pki_ctx, on_pki_event);
	rs->pki_ev = coapev_new(rs->base, rs->pki_ctx);
	if (!rs->pki_ev || certs_trust(certs, rs->pki_ctx) < 0) {
		coapev_free(rs->pki_ev);
		coap_free_context(rs->pki_ctx);
		rs->pki_ev = NULL;
		rs->pki_ctx = NULL;
		return -EIO;
	}
	return 0;
}

struct rdsimple *rdsimple_new(struct event_base *base, coap_context_t *ctx, int handshake_timeout_s)
{
	struct rdsimple *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	rs->base = base;
	rs->ctx = ctx;
	rs->handshake_timeout_s = handshake_timeout_s > 0 ? handshake_timeout_s : 1;
	rs->reaper = event_new(base, -1, 0, reap, rs);
	if (!rs->reaper) {
		free(rs);
		return NULL;
	}
	coap_register_response_handler(ctx, on_response);
	coap_register_nack_handler(ctx, rdsimple_on_nack);
	return rs;
}

void rdsimple_free(struct rdsimple *rs)
{
	if (!rs)
		return;
	reap(-1, 0, rs);
	while (rs->running) {
		struct fetch *f = rs->running;

		rs->running = f->next;
		coap_session_set_app_data(f->session, NULL);
		fetch_free(f);
	}
	coapev_free(rs->pki_ev);
	if (rs->pki_ctx)
		coap_free_context(rs->pki_ctx);
	event_free(rs->reaper);
	free(rs);
}

/* A client session to @dst: plain, DTLS with @psk (copied into @f), or DTLS with @certs. */
static coap_session_t *open_session(struct rdsimple *rs, struct fetch *f, const coap_address_t *dst,
				    const struct rdsimple_psk *psk, const struct certs *certs)
{
	coap_dtls_cpsk_t setup = { .version = COAP_DTLS_CPSK_SETUP_VERSION };

	if (certs)
		return pki_context(rs, certs) == 0 ? certs_client_session(certs, rs->pki_ctx, dst)
						   : NULL;
	if (!psk)
		return coap_new_client_session(rs->ctx, NULL, dst, COAP_PROTO_UDP);
	memcpy(f->identity, psk->identity, psk->identity_len);
	memcpy(f->key, psk->key, psk->key_len);
	setup.psk_info.identity.s = f->identity;
	setup.psk_info.identity.length = psk->identity_len;
	setup.psk_info.key.s = f->key;
	setup.psk_info.key.length = psk->key_len;
	return coap_new_client_session_psk2(rs->ctx, NULL, dst, COAP_PROTO_DTLS, &setup);
}

int rdsimple_fetch(struct rdsimple *rs, const coap_address_t *dst, const struct rdsimple_psk *psk,
		   const struct certs *certs, rdsimple_done_fn fn, void *arg)
{
	coap_fixed_point_t ack_timeout = { 1, 0 };
	struct timeval deadline = { rs->handshake_timeout_s, 0 };
	struct fetch *f;
	coap_pdu_t *pdu;
	uint8_t cf[4];

	if (psk && certs)
		return -EINVAL;
	if (psk && (psk->identity_len == 0 || psk->identity_len > PSKGUARD_IDENTITY_MAX ||
		    psk->key_len == 0 || psk->key_len > PSKGUARD_KEY_MAX))
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->dtls = psk || certs;
	if (f->dtls && !(f->handshake = evtimer_new(rs->base, on_handshake_deadline, f))) {
		free(f);
		return -ENOMEM;
	}
	f->session = open_session(rs, f, dst, psk, certs);
	if (!f->session) {
		if (f->handshake)
			event_free(f->handshake);
		free(f);
		return -EIO;
	}
	/* 1 s, then 2 retransmissions: a silent endpoint is given up after about 7 s */
	coap_session_set_ack_timeout(f->session, ack_timeout);
	coap_session_set_max_retransmit(f->session, 2);
	pdu = coap_pdu_init(COAP_MESSAGE_CON, COAP_REQUEST_CODE_GET,
			    coap_new_message_id(f->session), coap_session_max_pdu_size(f->session));
	if (!pdu) {
		fetch_free(f);
		return -ENOMEM;
	}
	coap_add_option(pdu, COAP_OPTION_URI_PATH, 11, (const uint8_t *)".well-known");
	coap_add_option(pdu, COAP_OPTION_URI_PATH, 4, (const uint8_t *)"core");
	coap_add_option(pdu, COAP_OPTION_ACCEPT,
			coap_encode_var_safe(cf, sizeof(cf), CF_LINK_FORMAT), cf);
	f->rs = rs;
	f->fn = fn;
	f->arg = arg;
	f->next = rs->running;
	rs->running = f;
	coap_session_set_app_data(f->session, f);
	if (coap_send(f->session, pdu) == COAP_INVALID_MID) {
		rs->running = f->next;
		coap_session_set_app_data(f->session, NULL);
		fetch_free(f);
		return -EIO;
	}
	if (f->dtls && !f->connected)
		evtimer_add(f->handshake, &deadline);
	return 0;
}
