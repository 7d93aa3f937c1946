/*
 * pac — the PaC's protocol (see pac.h).
 */
#include "pac.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/rand.h>

#include "pana/eap.h"
#include "pana/pana_auth.h"

uint64_t pac_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void send_buf(struct pac *c, const uint8_t *buf, size_t len)
{
	if (c->xmit)
		c->xmit(c, buf, len);
	else if (send(c->fd, buf, len, 0) < 0)
		fprintf(stderr, "lwgate-pac: send: %s\n", strerror(errno));
}

/* End @b, sign it with @key when given, send it. Returns the length or -1. */
static int finish(struct pana_builder *b, size_t off, const uint8_t *key)
{
	int len = pana_msg_end(b);

	if (len < 0 || (key && pana_auth_sign(key, b->buf, (size_t)len, off) < 0))
		return -1;
	return len;
}

static void request(struct pac *c, struct pana_builder *b, size_t off, const char *pending)
{
	int len = finish(b, off, off ? c->auth_key : NULL);

	if (len < 0)
		return;
	memcpy(c->req, b->buf, (size_t)len);
	c->req_len = (size_t)len;
	c->rc = 0;
	c->rt_ms = c->irt_ms;
	c->deadline = pac_now_ms() + c->rt_ms;
	c->pending = pending;
	send_buf(c, c->req, c->req_len);
}

static void answer(struct pac *c, struct pana_builder *b, size_t off, const uint8_t *key)
{
	int len = finish(b, off, key);

	if (len < 0)
		return;
	memcpy(c->ans, b->buf, (size_t)len);
	c->ans_len = (size_t)len;
	send_buf(c, c->ans, c->ans_len);
}

static bool verify(const struct pac *c, const uint8_t *key, const uint8_t *buf, size_t len,
		   const struct pana_msg *m)
{
	const struct pana_avp *a = pana_msg_find(m, PANA_AVP_AUTH);

	if (!key)
		return !a;
	return a && pana_auth_verify(key, buf, len, a->value, a->len);
}

/* PAR(C): the result; on success derive the new key, check the PAR with it, confirm. */
static void on_par_complete(struct pac *c, const uint8_t *buf, size_t len, const struct pana_msg *m,
			    uint16_t aflag)
{
	struct pana_builder b;
	uint32_t result = 1, key_id = 0;
	size_t off;

	pana_msg_get_u32(m, PANA_AVP_RESULT_CODE, &result);
	if (result != PANA_SUCCESS || c->eap.state != EAP_PSK_DONE ||
	    pana_msg_get_u32(m, PANA_AVP_KEY_ID, &key_id) < 0) {
		if (!verify(c, c->have_key ? c->auth_key : NULL, buf, len, m))
			return;
		pana_msg_begin(&b, PANA_FLAG_C | aflag, PANA_AUTH, c->session_id, m->seq);
		off = c->have_key ? pana_msg_add_auth(&b) : 0;
		answer(c, &b, off, c->have_key ? c->auth_key : NULL);
		c->result = result;
		c->on_event(c, "rejected");
		c->exit_code = 1;
		c->done = true;
		return;
	}
	{
		struct pana_auth_input in = {
			c->eap.msk,           sizeof(c->eap.msk), c->i_par,     c->i_pan,
			c->i_par_len,         c->i_pan_len,       c->pac_nonce, c->paa_nonce,
			sizeof(c->pac_nonce), c->paa_nonce_len,   key_id
		};

		if (pana_auth_key(&in, c->new_key) < 0 || !verify(c, c->new_key, buf, len, m))
			return;
	}
	memcpy(c->auth_key, c->new_key, sizeof(c->auth_key));
	c->have_key = true;
	c->key_id = key_id;
	pana_msg_begin(&b, PANA_FLAG_C | aflag, PANA_AUTH, c->session_id, m->seq);
	pana_msg_add_u32(&b, PANA_AVP_KEY_ID, key_id);
	off = pana_msg_add_auth(&b);
	answer(c, &b, off, c->auth_key);
	c->on_event(c, c->authenticated ? "reauthenticated" : "authenticated");
	c->authenticated = true;
	c->busy = false;
}

/*
 * An EAP-Request/Identity (what a RADIUS server asks first) gets our ID_P;
 * returns the response's length in @out, or 0 for any other request.
 */
static int identity(const struct pac *c, const uint8_t *eap, size_t len,
		    uint8_t out[EAP_PSK_MAX_MSG])
{
	struct eap_pkt pkt;
	size_t n = EAP_HDR_LEN + 1 + c->eap.id_p_len;

	if (eap_parse(eap, len, &pkt) < 0 || pkt.code != EAP_REQUEST ||
	    pkt.type != EAP_TYPE_IDENTITY)
		return 0;
	eap_put_header(out, EAP_RESPONSE, pkt.id, (uint16_t)n);
	out[4] = EAP_TYPE_IDENTITY;
	memcpy(out + 5, c->eap.id_p, c->eap.id_p_len);
	return (int)n;
}

static void on_par(struct pac *c, const uint8_t *buf, size_t len, const struct pana_msg *m)
{
	struct pana_builder b;
	const struct pana_avp *eap = pana_msg_find(m, PANA_AVP_EAP_PAYLOAD);
	const struct pana_avp *nonce = pana_msg_find(m, PANA_AVP_NONCE);
	uint16_t aflag = m->flags & PANA_FLAG_A;
	uint8_t rand_p[EAP_PSK_RAND_LEN], out[EAP_PSK_MAX_MSG];
	size_t off = 0;
	int n;

	if (aflag && c->req_len && c->busy && m->session_id == c->session_id) {
		/* the re-authentication's PAR came first: our PNA was lost or is late */
		c->req_len = 0;
		c->on_event(c, "reauth_acked");
	}
	if (c->have_par && m->seq == c->last_par_seq) {
		send_buf(c, c->ans, c->ans_len); /* our PAN was lost: the same again */
		return;
	}
	if (m->flags & PANA_FLAG_S) {
		if (c->have_par || len > sizeof(c->i_par))
			return;
		c->session_id = m->session_id;
		c->req_len = 0; /* the PAR answers our PCI */
		memcpy(c->i_par, buf, len);
		c->i_par_len = len;
		pana_msg_begin(&b, PANA_FLAG_S, PANA_AUTH, m->session_id, m->seq);
		pana_msg_add_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA1);
		pana_msg_add_u32(&b, PANA_AVP_INTEGRITY_ALG, PANA_AUTH_HMAC_SHA1_160);
		answer(c, &b, 0, NULL);
		memcpy(c->i_pan, c->ans, c->ans_len);
		c->i_pan_len = c->ans_len;
	} else if (m->flags & PANA_FLAG_C) {
		if (m->session_id != c->session_id)
			return;
		if (eap && c->eap.state == EAP_PSK_SENT_2) {
			/* a Failure right after message 2: the PAA refused our MAC_P */
			c->eap.state = EAP_PSK_FAILED;
		}
		on_par_complete(c, buf, len, m, aflag);
	} else {
		if (m->session_id != c->session_id || !eap ||
		    !verify(c, c->have_key ? c->auth_key : NULL, buf, len, m))
			return;
		RAND_bytes(rand_p, sizeof(rand_p));
		n = identity(c, eap->value, eap->len, out);
		if (n == 0)
			n = eap_psk_peer_input(&c->eap, eap->value, eap->len, rand_p, out,
					       sizeof(out));
		if (n < 0) {
			fprintf(stderr, "lwgate-pac: EAP-PSK refused the PAA's message: %s\n",
				strerror(-n));
			return;
		}
		pana_msg_begin(&b, aflag, PANA_AUTH, c->session_id, m->seq);
		if (nonce) {
			if (nonce->len > sizeof(c->paa_nonce))
				return;
			memcpy(c->paa_nonce, nonce->value, nonce->len);
			c->paa_nonce_len = nonce->len;
			RAND_bytes(c->pac_nonce, sizeof(c->pac_nonce));
			pana_msg_add(&b, PANA_AVP_NONCE, c->pac_nonce, sizeof(c->pac_nonce));
		}
		pana_msg_add(&b, PANA_AVP_EAP_PAYLOAD, out, (size_t)n);
		if (c->have_key)
			off = pana_msg_add_auth(&b);
		answer(c, &b, off, c->have_key ? c->auth_key : NULL);
	}
	c->have_par = true;
	c->last_par_seq = m->seq;
}

void pac_input(struct pac *c, const uint8_t *buf, size_t len)
{
	struct pana_msg m;
	struct pana_builder b;
	size_t off;

	if (pana_msg_parse(buf, len, &m) < 0)
		return;
	if (m.type == PANA_AUTH && (m.flags & PANA_FLAG_R)) {
		on_par(c, buf, len, &m);
	} else if (m.type == PANA_TERMINATION && (m.flags & PANA_FLAG_R)) {
		if (m.session_id != c->session_id || !verify(c, c->auth_key, buf, len, &m))
			return;
		pana_msg_begin(&b, 0, PANA_TERMINATION, c->session_id, m.seq);
		off = pana_msg_add_auth(&b);
		answer(c, &b, off, c->auth_key);
		c->on_event(c, "terminated_by_paa");
		c->done = true;
	} else if (!(m.flags & PANA_FLAG_R) && c->req_len && m.session_id == c->session_id &&
		   m.seq == c->seq_out && verify(c, c->auth_key, buf, len, &m)) {
		c->req_len = 0; /* PNA or PTA */
		if (c->pending)
			c->on_event(c, c->pending);
		if (m.type == PANA_TERMINATION)
			c->done = true;
	}
}

/* PNR(A) (or a tampered one: sent once, never retransmitted, the sequence number not used up). */
void pac_send_pnr(struct pac *c, bool tamper)
{
	struct pana_builder b;
	size_t off;
	int len;

	pana_msg_begin(&b, PANA_FLAG_R | PANA_FLAG_A, PANA_NOTIFICATION, c->session_id,
		       c->seq_out + 1);
	off = pana_msg_add_auth(&b);
	if (tamper) {
		len = finish(&b, off, c->auth_key);
		if (len < 0)
			return;
		b.buf[off + 3] ^= 0x01;
		send_buf(c, b.buf, (size_t)len);
		c->on_event(c, "tampered_sent");
		return;
	}
	c->seq_out++;
	c->busy = true;
	request(c, &b, off, "reauth_acked");
	memcpy(c->prev_pnr, c->last_pnr, c->last_pnr_len);
	c->prev_pnr_len = c->last_pnr_len;
	memcpy(c->last_pnr, c->req, c->req_len);
	c->last_pnr_len = c->req_len;
}

/* The RFC 3315 timer of our outstanding request; false once it is given up. */
bool pac_retransmit(struct pac *c)
{
	if (!c->req_len || pac_now_ms() < c->deadline)
		return true;
	if (c->rc >= c->mrc)
		return false;
	c->rc++;
	c->rt_ms *= 2;
	if (c->rt_ms > 30000)
		c->rt_ms = 30000;
	c->deadline = pac_now_ms() + c->rt_ms;
	send_buf(c, c->req, c->req_len);
	return true;
}

void pac_start(struct pac *c)
{
	struct pana_builder b;
	uint32_t r;

	RAND_bytes((uint8_t *)&r, sizeof(r));
	c->seq_out = r; /* the PaC's first request after PCI starts anywhere (RFC 5191 §4.2) */
	pana_msg_begin(&b, 0, PANA_CLIENT_INITIATION, 0, 0);
	request(c, &b, 0, NULL);
}

void pac_terminate(struct pac *c)
{
	struct pana_builder b;
	size_t off;

	pana_msg_begin(&b, PANA_FLAG_R, PANA_TERMINATION, c->session_id, ++c->seq_out);
	pana_msg_add_u32(&b, PANA_AVP_TERMINATION_CAUSE, PANA_TERM_LOGOUT);
	off = pana_msg_add_auth(&b);
	request(c, &b, off, "terminated");
}

void pac_replay(struct pac *c)
{
	if (!c->prev_pnr_len)
		return;
	send_buf(c, c->prev_pnr, c->prev_pnr_len);
	c->on_event(c, "replayed_sent");
}
