/*
 * paasess — PANA sessions: table, timers, sending (see paasess.h).
 */
#define LOG_COMPONENT "pana"
#include "paasess.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/log.h"
#include "paastore.h"

static const char *const phase_names[] = { "auth", "auth", "auth", "access", "terminating",
					   "closed" };

uint32_t paasess_random32(void)
{
	uint32_t v = 0;

	if (RAND_bytes((uint8_t *)&v, sizeof(v)) != 1)
		abort(); /* no randomness: nothing here would be secure */
	return v;
}

void paasess_random_bytes(uint8_t *p, size_t n)
{
	if (RAND_bytes(p, (int)n) != 1)
		abort();
}

static struct sess **bucket(struct paaserver *srv, uint32_t id)
{
	return &srv->buckets[(id * 2654435761u) >> 22];
}

struct sess *paasess_find(struct paaserver *srv, uint32_t id)
{
	for (struct sess *s = *bucket(srv, id); s; s = s->next)
		if (s->id == id)
			return s;
	return NULL;
}

void paasess_info(const struct sess *s, struct paaserver_info *out)
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

void paasess_free(struct sess *s)
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
	if (s->run) {
		paaradius_cancel(s->run->req);
		OPENSSL_cleanse(s->run, sizeof(*s->run));
		free(s->run);
	}
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

/* The session is over for the PaC's access: forget it in the store, tell the hooks once. */
void paasess_end(struct sess *s, enum paaserver_end why)
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
	paasess_info(s, &info);
	log_info("session ended id=%u device=%s reason=%s", s->id, s->device,
		 paaserver_end_name(why));
	if (srv->hooks.down)
		srv->hooks.down(&info, why, srv->hooks.arg);
}

void paasess_xmit(struct paaserver *srv, const uint8_t *buf, size_t len,
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
	return (int32_t)((int64_t)rt * ((int32_t)(paasess_random32() % 2001) - 1000) / 10000);
}

void paasess_arm(struct event *ev, uint32_t ms)
{
	struct timeval tv = { ms / 1000, (suseconds_t)(ms % 1000) * 1000 };

	event_add(ev, &tv);
}

/*
 * Finish @b (signing it with @key when given), keep it as the outstanding
 * request and send it; the RFC 3315 timer starts at IRT.
 */
void paasess_send_request(struct sess *s, struct pana_builder *b, size_t auth_off,
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
	paasess_xmit(srv, s->req, s->req_len, &s->peer, s->peer_len);
	paasess_arm(s->rtx, s->rt_ms);
}

void paasess_stop_request(struct sess *s)
{
	free(s->req);
	s->req = NULL;
	s->req_len = 0;
	event_del(s->rtx);
}

/* Finish, sign and send the answer @b to @to, and cache it for a repeated request. */
void paasess_send_answer(struct sess *s, struct pana_builder *b, size_t auth_off,
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
	paasess_xmit(s->srv, s->ans, s->ans_len, to, to_len);
}

void paasess_persist(struct sess *s)
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
		paasess_end(s, PAASERVER_END_TIMEOUT);
		paasess_free(s);
		return;
	}
	s->rc++;
	s->rt_ms = 2 * s->rt_ms + (uint32_t)jitter(s->rt_ms);
	if (mrt && s->rt_ms > mrt)
		s->rt_ms = mrt + (uint32_t)jitter(mrt);
	srv->st.retransmits++;
	paasess_xmit(srv, s->req, s->req_len, &s->peer, s->peer_len);
	paasess_arm(s->rtx, s->rt_ms);
}

/* Lifetime over: the seed's profile sends no PTR, the session just ends on both sides. */
static void on_life(evutil_socket_t fd, short what, void *arg)
{
	struct sess *s = arg;

	if (s->phase != P_CLOSED) {
		s->srv->st.expired++;
		paasess_end(s, PAASERVER_END_EXPIRED);
	}
	paasess_free(s);
}

void paasess_arm_life(struct sess *s)
{
	int64_t left = s->expires - (int64_t)time(NULL);

	paasess_arm(s->life, left > 0 ? (uint32_t)(left > 86400 * 30 ? 86400 * 30 : left) * 1000 : 0);
}

struct sess *paasess_new(struct paaserver *srv, uint32_t id)
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

