/*
 * paaserver — PANA Authentication Agent: socket, sessions, timers (see paaserver.h).
 */
#define LOG_COMPONENT "pana"
#include "paaserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/log.h"
#include "pana/eap.h"
#include "pana/eap_psk.h"
#include "pana/pana_auth.h"
#include "pana/pana_msg.h"
#include "paastore.h"

#define BUCKETS        1024
#define RX_BURST       64 /* datagrams read per wake-up, so the loop stays fair */
#define MIN_NONCE      8  /* RFC 5191 §8.5 asks for at least half the PRF's output; 8 for old PaCs */
#define MAX_NONCE      32

enum phase {
	P_START,    /* PAR(S) sent, waiting for PAN(S) */
	P_EAP,      /* EAP-PSK in PAR/PAN */
	P_COMPLETE, /* PAR(C) sent, waiting for PAN(C) */
	P_ACCESS,
	P_TERM,     /* PTR sent, waiting for PTA */
	P_CLOSED,   /* PTA sent: kept a while to answer a repeated PTR */
};

static const char *const phase_names[] = { "auth", "auth", "auth", "access", "terminating",
					   "closed" };

struct sess {
	struct sess *next; /* hash chain */
	struct paaserver *srv;
	uint32_t id;
	enum phase phase;
	bool reauth;      /* the EAP run is a re-authentication */
	bool success;     /* the outstanding PAR(C) says PANA_SUCCESS */
	bool established; /* has reached the access phase: admitted, stored */
	bool ended;       /* the down hook has run */
	struct sockaddr_storage peer;
	socklen_t peer_len;
	uint32_t seq_out;       /* our last request */
	uint32_t seq_in;        /* the PaC's last request */
	bool have_in;
	uint8_t *req, *ans;     /* outstanding request; answer to seq_in */
	uint16_t req_len, ans_len;
	unsigned rc;            /* retransmissions of req */
	uint32_t rt_ms;
	struct event *rtx, *life;
	uint8_t *i_par, *i_pan; /* the first PAR and PAN, for PANA_AUTH_KEY */
	uint16_t i_par_len, i_pan_len;
	bool have_key;
	uint8_t auth_key[PANA_AUTH_KEY_LEN], new_key[PANA_AUTH_KEY_LEN];
	uint32_t key_id;
	uint8_t paa_nonce[PANA_NONCE_LEN], pac_nonce[MAX_NONCE], pac_nonce_len;
	struct eap_psk *eap; /* during an EAP run only */
	char device[EAP_PSK_MAX_ID + 1];
	uint32_t lifetime;
	int64_t expires, started;
};

struct paaserver {
	struct event_base *base;
	struct db *db;
	struct paaserver_config cfg;
	char *address, *server_id;
	struct paaserver_hooks hooks;
	int fd;
	struct event *ev;
	struct sess *buckets[BUCKETS];
	struct paaserver_stats st;
};

const char *paaserver_end_name(enum paaserver_end why)
{
	static const char *const names[] = { "terminated", "administrative", "expired", "rejected",
					     "timeout" };

	return (unsigned)why < sizeof(names) / sizeof(names[0]) ? names[why] : "unknown";
}

static uint32_t random32(void)
{
	uint32_t v = 0;

	if (RAND_bytes((uint8_t *)&v, sizeof(v)) != 1)
		abort(); /* no randomness: nothing here would be secure */
	return v;
}

static void random_bytes(uint8_t *p, size_t n)
{
	if (RAND_bytes(p, (int)n) != 1)
		abort();
}

static struct sess **bucket(struct paaserver *srv, uint32_t id)
{
	return &srv->buckets[(id * 2654435761u) >> 22];
}

static struct sess *find(struct paaserver *srv, uint32_t id)
{
	for (struct sess *s = *bucket(srv, id); s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

static void info_of(const struct sess *s, struct paaserver_info *out)
{
	*out = (struct paaserver_info){ .id = s->id,
					.device = s->device,
					.phase = s->established && s->phase != P_TERM
							 ? (s->reauth ? "reauth" : "access")
							 : phase_names[s->phase],
					.peer = &s->peer,
					.key_id = s->key_id,
					.lifetime = s->lifetime,
					.expires = s->established ? s->expires : 0,
					.started = s->started };
}

static void sess_free(struct sess *s)
{
	struct sess **pp = bucket(s->srv, s->id);

	while (*pp != s)
		pp = &(*pp)->next;
	*pp = s->next;
	s->srv->st.sessions--;
	if (s->established && !s->ended)
		s->srv->st.established--;
	event_free(s->rtx);
	event_free(s->life);
	free(s->req);
	free(s->ans);
	free(s->i_par);
	free(s->i_pan);
	if (s->eap) {
		eap_psk_clear(s->eap);
		free(s->eap);
	}
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

/* The session is over for the PaC's access: forget it in the store, tell the hooks once. */
static void sess_end(struct sess *s, enum paaserver_end why)
{
	struct paaserver *srv = s->srv;
	struct paaserver_info info;

	if (s->ended)
		return;
	s->ended = true;
	if (!s->established)
		return;
	srv->st.established--;
	paastore_session_del(srv->db, s->id);
	info_of(s, &info);
	log_info("session ended id=%u device=%s reason=%s", s->id, s->device,
		 paaserver_end_name(why));
	if (srv->hooks.down)
		srv->hooks.down(&info, why, srv->hooks.arg);
}

static void xmit(struct paaserver *srv, const uint8_t *buf, size_t len,
		 const struct sockaddr_storage *to, socklen_t to_len)
{
	if (sendto(srv->fd, buf, len, 0, (const struct sockaddr *)to, to_len) < 0)
		log_warn("sendto");
	else
		srv->st.tx++;
}

/* RAND * rt, RAND uniform in [-0.1, 0.1] (RFC 3315 §14). */
static int32_t jitter(uint32_t rt)
{
	return (int32_t)((int64_t)rt * ((int32_t)(random32() % 2001) - 1000) / 10000);
}

static void arm(struct event *ev, uint32_t ms)
{
	struct timeval tv = { ms / 1000, (suseconds_t)(ms % 1000) * 1000 };

	event_add(ev, &tv);
}

/*
 * Finish @b (signing it with @key when given), keep it as the outstanding
 * request and send it; the RFC 3315 timer starts at IRT.
 */
static void send_request(struct sess *s, struct pana_builder *b, size_t auth_off,
			 const uint8_t *key)
{
	struct paaserver *srv = s->srv;
	int len = pana_msg_end(b);

	if (len < 0 || (key && pana_auth_sign(key, b->buf, (size_t)len, auth_off) < 0)) {
		log_warnx("request not built id=%u: %s", s->id, strerror(len < 0 ? -len : EINVAL));
		return;
	}
	free(s->req);
	s->req = malloc((size_t)len);
	if (!s->req)
		abort();
	memcpy(s->req, b->buf, (size_t)len);
	s->req_len = (uint16_t)len;
	s->rc = 0;
	s->rt_ms = srv->cfg.irt_ms + (uint32_t)jitter(srv->cfg.irt_ms);
	xmit(srv, s->req, s->req_len, &s->peer, s->peer_len);
	arm(s->rtx, s->rt_ms);
}

static void stop_request(struct sess *s)
{
	free(s->req);
	s->req = NULL;
	s->req_len = 0;
	event_del(s->rtx);
}

/* Finish, sign and send the answer @b to @to, and cache it for a repeated request. */
static void send_answer(struct sess *s, struct pana_builder *b, size_t auth_off,
			const struct sockaddr_storage *to, socklen_t to_len)
{
	int len = pana_msg_end(b);

	if (len < 0 || pana_auth_sign(s->auth_key, b->buf, (size_t)len, auth_off) < 0)
		return;
	free(s->ans);
	s->ans = malloc((size_t)len);
	if (!s->ans)
		abort();
	memcpy(s->ans, b->buf, (size_t)len);
	s->ans_len = (uint16_t)len;
	xmit(s->srv, s->ans, s->ans_len, to, to_len);
}

static void persist(struct sess *s)
{
	struct paastore_session p = { .id = s->id,
				      .peer = s->peer,
				      .peer_len = s->peer_len,
				      .key_id = s->key_id,
				      .i_par = s->i_par,
				      .i_pan = s->i_pan,
				      .i_par_len = s->i_par_len,
				      .i_pan_len = s->i_pan_len,
				      .seq_out = s->seq_out,
				      .seq_in = s->seq_in,
				      .have_in = s->have_in,
				      .lifetime = s->lifetime,
				      .expires = s->expires,
				      .started = s->started };

	memcpy(p.device, s->device, sizeof(p.device));
	memcpy(p.auth_key, s->auth_key, sizeof(p.auth_key));
	paastore_session_put(s->srv->db, &p);
	OPENSSL_cleanse(p.auth_key, sizeof(p.auth_key));
}

static void on_rtx(evutil_socket_t fd, short what, void *arg)
{
	struct sess *s = arg;
	struct paaserver *srv = s->srv;
	uint32_t mrt = srv->cfg.mrt_ms;

	if (s->rc >= srv->cfg.mrc) {
		log_info("PaC stopped answering id=%u device=%s", s->id, s->device);
		srv->st.timeouts++;
		sess_end(s, PAASERVER_END_TIMEOUT);
		sess_free(s);
		return;
	}
	s->rc++;
	s->rt_ms = 2 * s->rt_ms + (uint32_t)jitter(s->rt_ms);
	if (mrt && s->rt_ms > mrt)
		s->rt_ms = mrt + (uint32_t)jitter(mrt);
	srv->st.retransmits++;
	xmit(srv, s->req, s->req_len, &s->peer, s->peer_len);
	arm(s->rtx, s->rt_ms);
}

/* Lifetime over: the seed's profile sends no PTR, the session just ends on both sides. */
static void on_life(evutil_socket_t fd, short what, void *arg)
{
	struct sess *s = arg;

	if (s->phase != P_CLOSED) {
		s->srv->st.expired++;
		sess_end(s, PAASERVER_END_EXPIRED);
	}
	sess_free(s);
}

static void arm_life(struct sess *s)
{
	int64_t left = s->expires - (int64_t)time(NULL);

	arm(s->life, left > 0 ? (uint32_t)(left > 86400 * 30 ? 86400 * 30 : left) * 1000 : 0);
}

static struct sess *sess_new(struct paaserver *srv, uint32_t id)
{
	struct sess *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	s->srv = srv;
	s->id = id;
	s->rtx = evtimer_new(srv->base, on_rtx, s);
	s->life = evtimer_new(srv->base, on_life, s);
	if (!s->rtx || !s->life)
		abort();
	s->next = *bucket(srv, id);
	*bucket(srv, id) = s;
	srv->st.sessions++;
	return s;
}

/* Start (or restart, for a re-authentication) EAP-PSK: PAR[Nonce, EAP-Payload(PSK 1)]. */
static void eap_begin(struct sess *s)
{
	struct pana_builder b;
	uint8_t rand_s[EAP_PSK_RAND_LEN], eap[EAP_PSK_MAX_MSG];
	size_t off = 0;
	int n;

	if (!s->eap && !(s->eap = calloc(1, sizeof(*s->eap))))
		abort();
	random_bytes(rand_s, sizeof(rand_s));
	random_bytes(s->paa_nonce, sizeof(s->paa_nonce));
	n = eap_psk_server_start(s->eap, s->srv->server_id, rand_s, (uint8_t)random32(), eap,
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
	send_request(s, &b, off, s->have_key ? s->auth_key : NULL);
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
	send_request(s, &b, off, key);
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
	send_request(s, &b, off, s->have_key ? s->auth_key : NULL);
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
		sess_end(s, PAASERVER_END_REJECTED);
		sess_free(s);
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
	arm_life(s);
	persist(s);
	reauth ? srv->st.reauth_ok++ : srv->st.auth_ok++;
	log_info("session %s id=%u device=%s key_id=%u lifetime=%u",
		 reauth ? "re-authenticated" : "established", s->id, s->device, s->key_id,
		 s->lifetime);
	info_of(s, &info);
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
	eap_begin(s);
}

/* The key a message from the PaC must be signed with now; NULL: none expected yet. */
static const uint8_t *rx_key(const struct sess *s, const struct pana_msg *m)
{
	if (s->phase == P_COMPLETE && s->success && !(m->flags & PANA_FLAG_R))
		return s->new_key;
	return s->have_key ? s->auth_key : NULL;
}

/* False when the message's AUTH is missing, extra or wrong (counted). */
static bool auth_ok(struct sess *s, const uint8_t *buf, size_t len, const struct pana_msg *m)
{
	const uint8_t *key = rx_key(s, m);
	const struct pana_avp *auth = pana_msg_find(m, PANA_AVP_AUTH);
	bool ok = key ? auth && pana_auth_verify(key, buf, len, auth->value, auth->len) : !auth;

	if (!ok)
		s->srv->st.drop_auth++;
	return ok;
}

static void on_answer(struct sess *s, const uint8_t *buf, size_t len, const struct pana_msg *m)
{
	struct paaserver *srv = s->srv;

	if (!s->req || m->seq != s->seq_out) {
		srv->st.drop_seq++;
		return;
	}
	if (m->type != ((s->req[6] << 8) | s->req[7])) {
		srv->st.drop_unexpected++;
		return;
	}
	if (!auth_ok(s, buf, len, m))
		return;
	stop_request(s);
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
	case P_TERM:
		sess_free(s);
		break;
	case P_ACCESS:
	case P_CLOSED:
		break;
	}
}

/* PNR (re-authentication or ping) and PTR from the PaC, in the access phase. */
static void on_request(struct sess *s, const uint8_t *buf, size_t len, const struct pana_msg *m,
		       const struct sockaddr_storage *from, socklen_t from_len)
{
	struct paaserver *srv = s->srv;
	struct pana_builder b;
	size_t off;

	if (!s->established || s->phase == P_TERM) {
		srv->st.drop_unexpected++;
		return;
	}
	if (!auth_ok(s, buf, len, m))
		return;
	if (s->have_in && m->seq == s->seq_in && s->ans) {
		srv->st.duplicates++;
		xmit(srv, s->ans, s->ans_len, from, from_len);
		return;
	}
	if (s->phase == P_CLOSED) {
		srv->st.drop_seq++;
		return;
	}
	/* the PaC's first request after PCI sets its numbering; then each is the last + 1 */
	if ((s->have_in && m->seq != s->seq_in + 1) || s->phase != P_ACCESS ||
	    (m->type != PANA_NOTIFICATION && m->type != PANA_TERMINATION)) {
		srv->st.drop_seq++;
		return;
	}
	s->seq_in = m->seq;
	s->have_in = true;
	memcpy(&s->peer, from, from_len); /* AUTH is good: the PaC may have moved */
	s->peer_len = from_len;
	pana_msg_begin(&b, m->flags & (PANA_FLAG_A | PANA_FLAG_P), m->type, s->id, m->seq);
	off = pana_msg_add_auth(&b);
	send_answer(s, &b, off, from, from_len);
	if (m->type == PANA_TERMINATION) {
		srv->st.terminated++;
		sess_end(s, PAASERVER_END_TERMINATED);
		db_commit(srv->db);
		/* linger for the PaC's retransmissions of a PTR whose PTA is lost */
		s->phase = P_CLOSED;
		arm(s->life, srv->cfg.mrt_ms * 2);
		return;
	}
	persist(s);
	if (m->flags & PANA_FLAG_A) {
		s->reauth = true;
		eap_begin(s);
	}
}

static bool same_peer(const struct sess *s, const struct sockaddr_storage *a, socklen_t len)
{
	return s->peer_len == len && memcmp(&s->peer, a, len) == 0;
}

/* PCI: a new session, answered with PAR(S) (or the same PAR(S) again for a repeated PCI). */
static void on_pci(struct paaserver *srv, const struct pana_msg *m,
		   const struct sockaddr_storage *from, socklen_t from_len)
{
	struct pana_builder b;
	struct sess *s;
	uint32_t id;

	if (m->session_id != 0 || m->seq != 0 || (m->flags & PANA_FLAG_R)) {
		srv->st.drop_malformed++;
		return;
	}
	for (unsigned i = 0; i < BUCKETS; i++)
		for (s = srv->buckets[i]; s; s = s->next)
			if (s->phase == P_START && same_peer(s, from, from_len)) {
				srv->st.duplicates++;
				xmit(srv, s->req, s->req_len, &s->peer, s->peer_len);
				return;
			}
	if (srv->st.sessions >= srv->cfg.max_sessions) {
		srv->st.drop_full++;
		return;
	}
	do
		id = random32();
	while (id == 0 || find(srv, id));
	s = sess_new(srv, id);
	memcpy(&s->peer, from, from_len);
	s->peer_len = from_len;
	s->seq_out = random32();
	pana_msg_begin(&b, PANA_FLAG_R | PANA_FLAG_S, PANA_AUTH, id, s->seq_out);
	pana_msg_add_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA1);
	pana_msg_add_u32(&b, PANA_AVP_INTEGRITY_ALG, PANA_AUTH_HMAC_SHA1_160);
	send_request(s, &b, 0, NULL);
	s->i_par = malloc(s->req_len);
	if (!s->i_par)
		abort();
	memcpy(s->i_par, s->req, s->req_len);
	s->i_par_len = s->req_len;
}

static void handle(struct paaserver *srv, const uint8_t *buf, size_t len,
		   const struct sockaddr_storage *from, socklen_t from_len)
{
	struct pana_msg m;
	struct sess *s;

	srv->st.rx++;
	if (pana_msg_parse(buf, len, &m) < 0) {
		srv->st.drop_malformed++;
		return;
	}
	if (m.type == PANA_CLIENT_INITIATION) {
		on_pci(srv, &m, from, from_len);
		return;
	}
	s = find(srv, m.session_id);
	/* before there is a key, only the address the session began from may speak for it */
	if (!s || (!s->have_key && !same_peer(s, from, from_len))) {
		srv->st.drop_no_session++;
		return;
	}
	if (m.flags & PANA_FLAG_R)
		on_request(s, buf, len, &m, from, from_len);
	else
		on_answer(s, buf, len, &m);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct paaserver *srv = arg;
	uint8_t buf[PANA_MAX_MSG + 1];

	for (int i = 0; i < RX_BURST; i++) {
		struct sockaddr_storage from;
		socklen_t from_len = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len);

		if (n < 0)
			return;
		if ((size_t)n > PANA_MAX_MSG) {
			srv->st.rx++;
			srv->st.drop_malformed++;
			continue;
		}
		handle(srv, buf, (size_t)n, &from, from_len);
	}
}

/* A stored session comes back as it was, unless its lifetime ran out while we were down. */
static void load_one(struct paastore_session *p, void *arg)
{
	struct paaserver *srv = arg;
	struct sess *s;

	if (p->expires <= (int64_t)time(NULL) || find(srv, p->id) || p->id == 0 ||
	    p->i_par_len > UINT16_MAX || p->i_pan_len > UINT16_MAX) {
		paastore_session_del(srv->db, p->id);
		paastore_session_fini(p);
		return;
	}
	s = sess_new(srv, p->id);
	memcpy(s->device, p->device, sizeof(s->device));
	s->peer = p->peer;
	s->peer_len = p->peer_len;
	s->key_id = p->key_id;
	memcpy(s->auth_key, p->auth_key, sizeof(s->auth_key));
	s->have_key = true;
	s->i_par = p->i_par;
	s->i_pan = p->i_pan;
	s->i_par_len = (uint16_t)p->i_par_len;
	s->i_pan_len = (uint16_t)p->i_pan_len;
	p->i_par = p->i_pan = NULL;
	s->seq_out = p->seq_out;
	s->seq_in = p->seq_in;
	s->have_in = p->have_in;
	s->lifetime = p->lifetime;
	s->expires = p->expires;
	s->started = p->started;
	s->phase = P_ACCESS;
	s->established = true;
	srv->st.established++;
	arm_life(s);
	paastore_session_fini(p);
}

static int open_socket(const struct paaserver_config *cfg)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)cfg->port) };
	int fd, off = 0;

	if (inet_pton(AF_INET6, cfg->address, &a.sin6_addr) != 1) {
		struct in_addr v4;

		/* an IPv4 address is served through its mapped form on the dual-stack socket */
		if (inet_pton(AF_INET, cfg->address, &v4) != 1)
			return -EINVAL;
		a.sin6_addr.s6_addr[10] = a.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&a.sin6_addr.s6_addr[12], &v4, 4);
	}
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static void copy_config(struct paaserver *srv, const struct paaserver_config *cfg)
{
	char *address = strdup(cfg->address), *server_id = strdup(cfg->server_id);

	if (!address || !server_id)
		abort();
	free(srv->address);
	free(srv->server_id);
	srv->cfg = *cfg;
	srv->cfg.address = srv->address = address;
	srv->cfg.server_id = srv->server_id = server_id;
}

int paaserver_open(const struct paaserver_config *cfg)
{
	int fd = open_socket(cfg);

	if (fd < 0)
		log_error("cannot serve PANA on [%s]:%d: %s", cfg->address, cfg->port, strerror(-fd));
	return fd;
}

int paaserver_new(struct event_base *base, struct db *db, int fd,
		  const struct paaserver_config *cfg, const struct paaserver_hooks *hooks,
		  struct paaserver **out)
{
	struct paaserver *srv = calloc(1, sizeof(*srv));
	int rc;

	if (!srv) {
		close(fd);
		return -ENOMEM;
	}
	srv->base = base;
	srv->db = db;
	srv->hooks = *hooks;
	copy_config(srv, cfg);
	srv->fd = fd;
	srv->ev = event_new(base, srv->fd, EV_READ | EV_PERSIST, on_read, srv);
	if (!srv->ev || event_add(srv->ev, NULL) < 0)
		abort();
	rc = paastore_session_each(db, load_one, srv);
	if (rc < 0) {
		paaserver_free(srv);
		return rc;
	}
	log_info("serving PANA on [%s]:%d sessions=%u", cfg->address, cfg->port,
		 srv->st.established);
	*out = srv;
	return 0;
}

void paaserver_free(struct paaserver *srv)
{
	if (!srv)
		return;
	for (unsigned i = 0; i < BUCKETS; i++)
		while (srv->buckets[i])
			sess_free(srv->buckets[i]);
	event_free(srv->ev);
	if (srv->fd >= 0)
		close(srv->fd);
	free(srv->address);
	free(srv->server_id);
	free(srv);
}

void paaserver_reload(struct paaserver *srv, const struct paaserver_config *cfg)
{
	char *keep_address = strdup(srv->address);
	int port = srv->cfg.port;

	if (!keep_address)
		abort();
	copy_config(srv, cfg);
	/* the socket stays where it was bound: address and port need a restart */
	free(srv->address);
	srv->cfg.address = srv->address = keep_address;
	srv->cfg.port = port;
}

/* PTR[Termination-Cause ADMINISTRATIVE]: the access ends now, the PTR is a courtesy. */
static void terminate(struct sess *s)
{
	struct pana_builder b;
	size_t off;

	s->srv->st.terminated++;
	sess_end(s, PAASERVER_END_ADMIN);
	if (!s->have_key || s->phase == P_TERM) {
		if (s->phase != P_TERM)
			sess_free(s);
		return;
	}
	s->phase = P_TERM;
	pana_msg_begin(&b, PANA_FLAG_R, PANA_TERMINATION, s->id, ++s->seq_out);
	pana_msg_add_u32(&b, PANA_AVP_TERMINATION_CAUSE, PANA_TERM_ADMINISTRATIVE);
	off = pana_msg_add_auth(&b);
	send_request(s, &b, off, s->auth_key);
}

unsigned paaserver_terminate(struct paaserver *srv, uint32_t id, const char *device)
{
	unsigned n = 0;

	if (id) {
		struct sess *s = find(srv, id);

		if (!s || s->phase >= P_TERM)
			return 0;
		terminate(s);
		return 1;
	}
	for (unsigned i = 0; i < BUCKETS; i++) {
		struct sess *s = srv->buckets[i], *next;

		for (; s; s = next) {
			next = s->next;
			if (s->phase < P_TERM && device && strcmp(s->device, device) == 0) {
				terminate(s);
				n++;
			}
		}
	}
	return n;
}

static int cmp_id(const void *a, const void *b)
{
	uint32_t x = (*(struct sess *const *)a)->id, y = (*(struct sess *const *)b)->id;

	return x < y ? -1 : x > y;
}

void paaserver_each(struct paaserver *srv, void (*fn)(const struct paaserver_info *, void *),
		    void *arg)
{
	struct sess **all = calloc(srv->st.sessions + 1, sizeof(*all));
	struct paaserver_info info;
	size_t n = 0;

	if (!all)
		abort();
	for (unsigned i = 0; i < BUCKETS; i++)
		for (struct sess *s = srv->buckets[i]; s; s = s->next)
			if (s->phase != P_CLOSED)
				all[n++] = s;
	qsort(all, n, sizeof(*all), cmp_id);
	for (size_t i = 0; i < n; i++) {
		info_of(all[i], &info);
		fn(&info, arg);
	}
	free(all);
}

void paaserver_get_stats(const struct paaserver *srv, struct paaserver_stats *out)
{
	*out = srv->st;
}

size_t paaserver_session_bytes(const struct paaserver *srv)
{
	/* the struct, I_PAR and I_PAN (two 16-byte AVPs each) and a cached PNA with AUTH */
	return sizeof(struct sess) + 2 * (PANA_HEADER_LEN + 2 * 12) +
	       (PANA_HEADER_LEN + PANA_AVP_HDR_LEN + PANA_AUTH_LEN);
}
