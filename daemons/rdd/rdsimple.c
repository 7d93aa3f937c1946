/*
 * Fetching /.well-known/core for simple registration (see rdsimple.h).
 */
#include "rdsimple.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CF_LINK_FORMAT 40

struct fetch {
	struct rdsimple *rs;
	coap_session_t *session;
	rdsimple_done_fn fn;
	void *arg;
	struct fetch *next;
};

struct rdsimple {
	coap_context_t *ctx;
	struct fetch *running;
	/* sessions whose fetch ended inside a libcoap callback, released after it */
	struct fetch *finished;
	struct event *reaper;
};

static void reap(evutil_socket_t fd, short what, void *arg)
{
	struct rdsimple *rs = arg;

	while (rs->finished) {
		struct fetch *f = rs->finished;

		rs->finished = f->next;
		coap_session_release(f->session);
		free(f);
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
	coap_session_set_app_data(f->session, NULL);
	f->next = rs->finished;
	rs->finished = f;
	event_active(rs->reaper, EV_TIMEOUT, 0);
	f->fn(f->arg, err, code, body, len);
}

static coap_response_t on_response(coap_session_t *s, const coap_pdu_t *sent,
				   const coap_pdu_t *received, const coap_mid_t mid)
{
	struct fetch *f = coap_session_get_app_data(s);
	coap_pdu_code_t code = coap_pdu_get_code(received);
	const uint8_t *data = NULL;
	size_t len = 0, offset = 0, total = 0;
	int c = (int)(code >> 5) * 100 + (code & 0x1f);

	/* server sessions carry another module's data (pubsub's) */
	if (!f || coap_session_get_type(s) != COAP_SESSION_TYPE_CLIENT)
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
	struct fetch *f = coap_session_get_app_data(s);

	if (f && coap_session_get_type(s) == COAP_SESSION_TYPE_CLIENT)
		finish(f, -ETIMEDOUT, 0, NULL, 0);
}

struct rdsimple *rdsimple_new(struct event_base *base, coap_context_t *ctx)
{
	struct rdsimple *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	rs->ctx = ctx;
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
		coap_session_release(f->session);
		free(f);
	}
	event_free(rs->reaper);
	free(rs);
}

int rdsimple_fetch(struct rdsimple *rs, const coap_address_t *dst, rdsimple_done_fn fn, void *arg)
{
	coap_fixed_point_t ack_timeout = { 1, 0 };
	struct fetch *f = calloc(1, sizeof(*f));
	coap_pdu_t *pdu;
	uint8_t cf[4];

	if (!f)
		return -ENOMEM;
	f->session = coap_new_client_session(rs->ctx, NULL, dst, COAP_PROTO_UDP);
	if (!f->session) {
		free(f);
		return -EIO;
	}
	/* 1 s, then 2 retransmissions: a silent endpoint is given up after about 7 s */
	coap_session_set_ack_timeout(f->session, ack_timeout);
	coap_session_set_max_retransmit(f->session, 2);
	pdu = coap_pdu_init(COAP_MESSAGE_CON, COAP_REQUEST_CODE_GET,
			    coap_new_message_id(f->session), coap_session_max_pdu_size(f->session));
	if (!pdu) {
		coap_session_release(f->session);
		free(f);
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
		coap_session_release(f->session);
		free(f);
		return -EIO;
	}
	return 0;
}
