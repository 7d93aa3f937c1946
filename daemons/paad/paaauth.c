/*
 * paaauth — the authentication phase of a PANA session (see paaauth.h).
 */
#define LOG_COMPONENT "pana"
#include "paaauth.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "pana/eap.h"
#include "paastore.h"

/* PAR[(Nonce,) EAP-Payload] of the run, signed when the session has a key. */
static void send_eap(struct sess *s, bool nonce, const uint8_t *eap, size_t len)
{
	struct pana_builder b;
	size_t off = 0;

	pana_msg_begin(&b, PANA_FLAG_R | (s->reauth ? PANA_FLAG_A : 0), PANA_AUTH, s->id,
		       ++s->seq_out);
	if (nonce)
		pana_msg_add(&b, PANA_AVP_NONCE, s->paa_nonce, sizeof(s->paa_nonce));
	pana_msg_add(&b, PANA_AVP_EAP_PAYLOAD, eap, len);
	if (s->have_key)
		off = pana_msg_add_auth(&b);
	paasess_send_request(s, &b, off, s->have_key ? s->auth_key : NULL);
	if (len >= 2)
		s->run->eap_id = eap[1];
}

/*
 * Start (or restart, for a re-authentication) an EAP run:
 * PAR[Nonce, EAP-PSK 1], or PAR[Nonce, EAP-Request/Identity] for a RADIUS
 * server, which needs the identity first.
 */
void paaauth_begin(struct sess *s)
{
	uint8_t rand_s[EAP_PSK_RAND_LEN], eap[EAP_PSK_MAX_MSG];
	uint8_t id = (uint8_t)paasess_random32();
	int n;

	if (s->run)
		OPENSSL_cleanse(s->run, sizeof(*s->run));
	else if (!(s->run = calloc(1, sizeof(*s->run))))
		abort();
	paasess_random_bytes(s->paa_nonce, sizeof(s->paa_nonce));
	s->pac_nonce_len = 0;
	if (s->srv->radius) {
		eap_put_header(eap, EAP_REQUEST, id, EAP_HDR_LEN + 1);
		eap[4] = EAP_TYPE_IDENTITY;
		n = EAP_HDR_LEN + 1;
	} else {
		paasess_random_bytes(rand_s, sizeof(rand_s));
		n = eap_psk_server_start(&s->run->psk, s->srv->server_id, rand_s, id, eap,
					 sizeof(eap));
		if (n < 0)
			return;
	}
	s->phase = P_EAP;
	send_eap(s, true, eap, (size_t)n);
}

/*
 * PAR(C): the result; on success the new Key-Id, the lifetime, and AUTH
 * under the key derived from the run's MSK.
 */
static void eap_complete(struct sess *s, bool ok)
{
	struct eap_run *run = s->run;
	struct pana_builder b;
	uint8_t eap[EAP_HDR_LEN];
	const uint8_t *key = s->have_key ? s->auth_key : NULL;
	size_t off = 0;

	if (run->have_result && (run->result[0] == EAP_SUCCESS) == ok)
		memcpy(eap, run->result, sizeof(eap));
	else
		eap_build_result(ok ? EAP_SUCCESS : EAP_FAILURE, run->eap_id, eap);
	if (ok) {
		struct pana_auth_input in = {
			run->msk,         sizeof(run->msk),     s->i_par,     s->i_pan,
			s->i_par_len,     s->i_pan_len,         s->pac_nonce, s->paa_nonce,
			s->pac_nonce_len, sizeof(s->paa_nonce), s->key_id + 1
		};

		if (pana_auth_key(&in, s->new_key) < 0)
			ok = false;
		else
			key = s->new_key;
	}
	s->success = ok;
	if (!ok)
		s->srv->st.rejected++;
	s->phase = P_COMPLETE;
	pana_msg_begin(&b, PANA_FLAG_R | PANA_FLAG_C | (s->reauth ? PANA_FLAG_A : 0), PANA_AUTH,
		       s->id, ++s->seq_out);
	pana_msg_add_u32(&b, PANA_AVP_RESULT_CODE,
			 ok ? PANA_SUCCESS : PANA_AUTHENTICATION_REJECTED);
	pana_msg_add(&b, PANA_AVP_EAP_PAYLOAD, eap, sizeof(eap));
	if (ok) {
		pana_msg_add_u32(&b, PANA_AVP_KEY_ID, s->key_id + 1);
		pana_msg_add_u32(&b, PANA_AVP_SESSION_LIFETIME, s->srv->cfg.lifetime_s);
	}
	if (key)
		off = pana_msg_add_auth(&b);
	paasess_send_request(s, &b, off, key);
}

/* The identity the run authenticates: a new session takes it, a re-authentication must keep it. */
static bool take_identity(struct sess *s, const uint8_t *id, size_t len)
{
	char name[EAP_PSK_MAX_ID + 1];

	if (len == 0 || len > EAP_PSK_MAX_ID || memchr(id, '\0', len))
		return false;
	memcpy(name, id, len);
	name[len] = '\0';
	if (s->reauth && strcmp(name, s->device) != 0)
		return false;
	strcpy(s->device, name);
	return true;
}

/* Local mode, EAP-PSK message 2: the device's key from the store. */
static void local_msg2(struct sess *s, const uint8_t *eap, size_t len)
{
	struct eap_psk *c = &s->run->psk;
	uint8_t psk[EAP_PSK_PSK_LEN], out[EAP_PSK_MAX_MSG];
	int n;

	if (eap_psk_server_recv2(c, eap, len) < 0 || !take_identity(s, c->id_p, c->id_p_len) ||
	    paastore_device_psk(s->srv->db, s->device, psk) < 0) {
		log_info("authentication rejected id=%u: unknown identity or not this session's",
			 s->id);
		eap_complete(s, false);
		return;
	}
	n = eap_psk_server_send3(c, psk, out, sizeof(out));
	OPENSSL_cleanse(psk, sizeof(psk));
	if (n < 0) {
		log_info("authentication rejected id=%u device=%s: %s", s->id, s->device,
			 n == -EACCES ? "wrong key (MAC_P)" : strerror(-n));
		eap_complete(s, false);
		return;
	}
	send_eap(s, false, out, (size_t)n);
}

/* Local mode: a PAN of the EAP run carrying EAP-PSK message 2 or 4. */
static void local_answer(struct sess *s, const uint8_t *eap, size_t len)
{
	struct eap_psk *c = &s->run->psk;

	if (c->state == EAP_PSK_SENT_1) {
		local_msg2(s, eap, len);
		return;
	}
	if (eap_psk_server_recv4(c, eap, len) == 0) {
		memcpy(s->run->msk, c->msk, sizeof(s->run->msk));
		eap_complete(s, true);
		return;
	}
	log_info("authentication rejected id=%u device=%s: EAP-PSK message 4", s->id, s->device);
	eap_complete(s, false);
}

/* The RADIUS server's answer: relay its EAP request, or finish with its verdict and keys. */
static void on_radius(void *ctx, int code, const struct radius_pkt *p, const uint8_t *req_auth)
{
	struct sess *s = ctx;
	struct eap_run *run = s->run;
	uint8_t eap[EAP_PSK_MAX_MSG];
	const struct radius_attr *state;
	int n = p ? radius_eap(p, eap, sizeof(eap)) : -ENOENT;

	run->req = NULL;
	if (n >= EAP_HDR_LEN && (eap[0] == EAP_SUCCESS || eap[0] == EAP_FAILURE)) {
		memcpy(run->result, eap, EAP_HDR_LEN);
		run->have_result = true;
	}
	if (code == RADIUS_ACCESS_CHALLENGE && n > EAP_HDR_LEN && eap[0] == EAP_REQUEST) {
		state = radius_find(p, RADIUS_STATE);
		run->state_len = state ? state->len : 0;
		if (state)
			memcpy(run->state, state->value, state->len);
		send_eap(s, false, eap, (size_t)n);
		return;
	}
	if (code == RADIUS_ACCESS_ACCEPT &&
	    radius_msk(p, paaradius_secret(s->srv->radius), req_auth, run->msk) == 0 &&
	    take_identity(s, (const uint8_t *)run->user, strlen(run->user))) {
		eap_complete(s, true);
		return;
	}
	log_info("authentication rejected id=%u user=%s: RADIUS %s", s->id, run->user,
		 code == RADIUS_ACCESS_REJECT   ? "Access-Reject"
		 : code == RADIUS_ACCESS_ACCEPT ? "Access-Accept without usable keys"
						: "server did not answer");
	eap_complete(s, false);
}

/* RADIUS mode: a PAN's EAP response goes to the server (the first one names the user). */
static void radius_answer(struct sess *s, const uint8_t *eap, size_t len)
{
	struct eap_run *run = s->run;
	char station[INET6_ADDRSTRLEN] = "";

	if (!run->user[0]) {
		if (len <= EAP_HDR_LEN + 1 || eap[0] != EAP_RESPONSE ||
		    eap[4] != EAP_TYPE_IDENTITY || len - 5 > EAP_PSK_MAX_ID ||
		    memchr(eap + 5, '\0', len - 5)) {
			eap_complete(s, false);
			return;
		}
		memcpy(run->user, eap + 5, len - 5);
		run->user[len - 5] = '\0';
	}
	paapeer_addr_text(&s->peer.pac, station, sizeof(station));
	run->req = paaradius_send(s->srv->radius, run->user, station, run->state, run->state_len,
				  eap, len, on_radius, s);
	if (!run->req)
		eap_complete(s, false);
}

/* A PAN of the EAP run: the PaC's nonce comes with its first answer. */
static void on_eap_answer(struct sess *s, const struct pana_msg *m)
{
	const struct pana_avp *eap = pana_msg_find(m, PANA_AVP_EAP_PAYLOAD);
	const struct pana_avp *nonce = pana_msg_find(m, PANA_AVP_NONCE);
	struct eap_pkt pkt;

	/* the seed's profile piggybacks EAP on every PAN; a bare one leaves nothing to do */
	if (!eap || eap_parse(eap->value, eap->len, &pkt) < 0 || pkt.code != EAP_RESPONSE ||
	    s->run->req) {
		s->srv->st.drop_unexpected++;
		eap_complete(s, false);
		return;
	}
	if (!s->run->got_nonce) {
		if (!nonce || nonce->len < MIN_NONCE || nonce->len > sizeof(s->pac_nonce)) {
			eap_complete(s, false);
			return;
		}
		memcpy(s->pac_nonce, nonce->value, nonce->len);
		s->pac_nonce_len = (uint8_t)nonce->len;
		s->run->got_nonce = true;
	}
	if (s->srv->radius)
		radius_answer(s, eap->value, eap->len);
	else
		local_answer(s, eap->value, eap->len);
}

static void on_complete_answer(struct sess *s, const struct pana_msg *m)
{
	struct paaserver *srv = s->srv;
	struct paaserver_info info;
	uint32_t key_id = 0;
	bool reauth = s->reauth;

	if (!s->success) {
		paasess_end(s, PAASERVER_END_REJECTED);
		paasess_free(s);
		return;
	}
	if (!(m->flags & PANA_FLAG_C) || pana_msg_get_u32(m, PANA_AVP_KEY_ID, &key_id) < 0 ||
	    key_id != s->key_id + 1) {
		srv->st.drop_unexpected++;
		return;
	}
	memcpy(s->auth_key, s->new_key, sizeof(s->auth_key));
	s->have_key = true;
	s->key_id = key_id;
	s->phase = P_ACCESS;
	s->reauth = false;
	s->lifetime = srv->cfg.lifetime_s;
	s->expires = (int64_t)time(NULL) + s->lifetime;
	OPENSSL_cleanse(s->run, sizeof(*s->run));
	free(s->run);
	s->run = NULL;
	if (!s->established) {
		s->established = true;
		s->started = (int64_t)time(NULL);
		srv->st.established++;
	}
	paasess_arm_life(s);
	paasess_persist(s);
	reauth ? srv->st.reauth_ok++ : srv->st.auth_ok++;
	log_info("session %s id=%u device=%s key_id=%u lifetime=%u",
		 reauth ? "re-authenticated" : "established", s->id, s->device, s->key_id,
		 s->lifetime);
	paasess_info(s, &info);
	if (srv->hooks.up)
		srv->hooks.up(&info, reauth, srv->hooks.arg);
}

static void on_start_answer(struct sess *s, const uint8_t *buf, size_t len,
			    const struct pana_msg *m)
{
	uint32_t prf = 0, integ = 0;

	if (!(m->flags & PANA_FLAG_S) || pana_msg_get_u32(m, PANA_AVP_PRF_ALG, &prf) < 0 ||
	    pana_msg_get_u32(m, PANA_AVP_INTEGRITY_ALG, &integ) < 0 || prf != PANA_PRF_HMAC_SHA1 ||
	    integ != PANA_AUTH_HMAC_SHA1_160) {
		s->srv->st.drop_unexpected++;
		return;
	}
	s->i_pan = malloc(len);
	if (!s->i_pan)
		abort();
	memcpy(s->i_pan, buf, len);
	s->i_pan_len = (uint16_t)len;
	paaauth_begin(s);
}

void paaauth_answer(struct sess *s, const uint8_t *buf, size_t len, const struct pana_msg *m)
{
	switch (s->phase) {
	case P_START:
		on_start_answer(s, buf, len, m);
		break;
	case P_EAP:
		on_eap_answer(s, m);
		break;
	case P_COMPLETE:
		on_complete_answer(s, m);
		break;
	default:
		break;
	}
}
