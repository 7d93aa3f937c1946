/*
 * paaauth — the authentication phase of a PANA session (see paaauth.h).
 */
#define LOG_COMPONENT "pana"
#include "paaauth.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "pana/eap.h"
#include "paastore.h"

/* Start (or restart, for a re-authentication) EAP-PSK: PAR[Nonce, EAP-Payload(PSK 1)]. */
void paaauth_begin(struct sess *s)
{
	struct pana_builder b;
	uint8_t rand_s[EAP_PSK_RAND_LEN], eap[EAP_PSK_MAX_MSG];
	size_t off = 0;
	int n;

	if (!s->eap && !(s->eap = calloc(1, sizeof(*s->eap))))
		abort();
	paasess_random_bytes(rand_s, sizeof(rand_s));
	paasess_random_bytes(s->paa_nonce, sizeof(s->paa_nonce));
	n = eap_psk_server_start(s->eap, s->srv->server_id, rand_s, (uint8_t)paasess_random32(), eap,
				 sizeof(eap));
	if (n < 0)
		return;
	s->phase = P_EAP;
	s->pac_nonce_len = 0;
	pana_msg_begin(&b, PANA_FLAG_R | (s->reauth ? PANA_FLAG_A : 0), PANA_AUTH, s->id,
		       ++s->seq_out);
	pana_msg_add(&b, PANA_AVP_NONCE, s->paa_nonce, sizeof(s->paa_nonce));
	pana_msg_add(&b, PANA_AVP_EAP_PAYLOAD, eap, (size_t)n);
	if (s->have_key)
		off = pana_msg_add_auth(&b);
	paasess_send_request(s, &b, off, s->have_key ? s->auth_key : NULL);
}

/* PAR(C): the result, and on success the new key's id, the lifetime and AUTH under the new key. */
static void eap_complete(struct sess *s, bool ok)
{
	struct pana_builder b;
	uint8_t eap[EAP_HDR_LEN];
	const uint8_t *key = s->have_key ? s->auth_key : NULL;
	size_t off = 0;

	eap_build_result(ok ? EAP_SUCCESS : EAP_FAILURE, s->eap->eap_id, eap);
	s->success = ok;
	if (ok) {
		struct pana_auth_input in = { s->eap->msk, sizeof(s->eap->msk), s->i_par, s->i_pan,
					      s->i_par_len, s->i_pan_len, s->pac_nonce,
					      s->paa_nonce, s->pac_nonce_len, sizeof(s->paa_nonce),
					      s->key_id + 1 };

		if (pana_auth_key(&in, s->new_key) < 0)
			ok = s->success = false;
		else
			key = s->new_key;
	}
	if (!ok)
		s->srv->st.rejected++;
	s->phase = P_COMPLETE;
	pana_msg_begin(&b, PANA_FLAG_R | PANA_FLAG_C | (s->reauth ? PANA_FLAG_A : 0), PANA_AUTH,
		       s->id, ++s->seq_out);
	pana_msg_add_u32(&b, PANA_AVP_RESULT_CODE, ok ? PANA_SUCCESS : PANA_AUTHENTICATION_REJECTED);
	pana_msg_add(&b, PANA_AVP_EAP_PAYLOAD, eap, sizeof(eap));
	if (ok) {
		pana_msg_add_u32(&b, PANA_AVP_KEY_ID, s->key_id + 1);
		pana_msg_add_u32(&b, PANA_AVP_SESSION_LIFETIME, s->srv->cfg.lifetime_s);
	}
	if (key)
		off = pana_msg_add_auth(&b);
	paasess_send_request(s, &b, off, key);
}

/* EAP-PSK message 2: find the device's key (the same device on a re-authentication). */
static void eap_msg2(struct sess *s, const uint8_t *eap, size_t len)
{
	struct pana_builder b;
	uint8_t psk[EAP_PSK_PSK_LEN], out[EAP_PSK_MAX_MSG];
	char id[EAP_PSK_MAX_ID + 1];
	size_t off = 0;
	int n;

	if (eap_psk_server_recv2(s->eap, eap, len) < 0) {
		eap_complete(s, false);
		return;
	}
	memcpy(id, s->eap->id_p, s->eap->id_p_len);
	id[s->eap->id_p_len] = '\0';
	if (strlen(id) != s->eap->id_p_len || (s->reauth && strcmp(id, s->device) != 0) ||
	    paastore_device_psk(s->srv->db, id, psk) < 0) {
		log_info("authentication rejected id=%u device=%s: unknown or not this session's",
			 s->id, id);
		eap_complete(s, false);
		return;
	}
	n = eap_psk_server_send3(s->eap, psk, out, sizeof(out));
	OPENSSL_cleanse(psk, sizeof(psk));
	if (n < 0) {
		log_info("authentication rejected id=%u device=%s: %s", s->id, id,
			 n == -EACCES ? "wrong key (MAC_P)" : strerror(-n));
		eap_complete(s, false);
		return;
	}
	strcpy(s->device, id);
	pana_msg_begin(&b, PANA_FLAG_R | (s->reauth ? PANA_FLAG_A : 0), PANA_AUTH, s->id,
		       ++s->seq_out);
	pana_msg_add(&b, PANA_AVP_EAP_PAYLOAD, out, (size_t)n);
	if (s->have_key)
		off = pana_msg_add_auth(&b);
	paasess_send_request(s, &b, off, s->have_key ? s->auth_key : NULL);
}

/* A PAN of the EAP run: piggybacked EAP-PSK message 2 (with the PaC's nonce) or 4. */
static void on_eap_answer(struct sess *s, const struct pana_msg *m)
{
	const struct pana_avp *eap = pana_msg_find(m, PANA_AVP_EAP_PAYLOAD);
	const struct pana_avp *nonce = pana_msg_find(m, PANA_AVP_NONCE);

	if (!eap) {
		/* the seed's profile piggybacks EAP on every PAN; a bare one leaves nothing to do */
		s->srv->st.drop_unexpected++;
		eap_complete(s, false);
		return;
	}
	if (s->eap->state == EAP_PSK_SENT_1) {
		if (!nonce || nonce->len < MIN_NONCE || nonce->len > MAX_NONCE) {
			eap_complete(s, false);
			return;
		}
		memcpy(s->pac_nonce, nonce->value, nonce->len);
		s->pac_nonce_len = (uint8_t)nonce->len;
		eap_msg2(s, eap->value, eap->len);
		return;
	}
	eap_complete(s, eap_psk_server_recv4(s->eap, eap->value, eap->len) == 0);
}

/* PAN(C): the PaC confirms the new key (or the rejection). */
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
	eap_psk_clear(s->eap);
	free(s->eap);
	s->eap = NULL;
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

/* PAN(S): the PaC takes our algorithms; remember it whole (I_PAN) and start EAP. */
static void on_start_answer(struct sess *s, const uint8_t *buf, size_t len,
			    const struct pana_msg *m)
{
	uint32_t prf = 0, integ = 0;

	if (!(m->flags & PANA_FLAG_S) || pana_msg_get_u32(m, PANA_AVP_PRF_ALG, &prf) < 0 ||
	    pana_msg_get_u32(m, PANA_AVP_INTEGRITY_ALG, &integ) < 0 ||
	    prf != PANA_PRF_HMAC_SHA1 || integ != PANA_AUTH_HMAC_SHA1_160) {
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
