/*
 * paasess — PANA sessions: table, timers, sending (see paasess.h).
 */
#define LOG_COMPONENT "pana"
#include "paasess.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/log.h"
#include "paastore.h"

static const char *const phase_names[] = {
	"auth", "auth", "auth", "access", "terminating", "closed"
};

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

static struct sess **addr_bucket(struct paaserver *srv, const struct in6_addr *a)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ a->s6_addr[i]) * 16777619u;
	return &srv->by_addr[h % BUCKETS];
}

static void addr_unlink(struct sess *s)
{
	struct sess **pp = addr_bucket(s->srv, &s->peer.pac.sin6_addr);

	while (*pp && *pp != s)
		pp = &(*pp)->next_addr;
	if (*pp)
		*pp = s->next_addr;
	s->next_addr = NULL;
}

void paasess_set_peer(struct sess *s, const struct paapeer *p)
{
	struct sess **head;

	addr_unlink(s);
	s->peer = *p;
	head = addr_bucket(s->srv, &p->pac.sin6_addr);
	s->next_addr = *head;
	*head = s;
}

struct sess *paasess_by_addr(struct paaserver *srv, const struct in6_addr *a)
{
	return *addr_bucket(srv, a);
}

void paasess_free(struct sess *s)
{
	struct sess **pp = bucket(s->srv, s->id);

	while (*pp != s)
		pp = &(*pp)->next;
	*pp = s->next;
	addr_unlink(s);
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

/* sendto(), from @local when it is a (non-mapped) IPv6 address. */
static ssize_t send_from(int fd, const uint8_t *buf, size_t len, const struct sockaddr_in6 *dst,
			 const struct in6_addr *local)
{
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} ctl;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_name = (void *)dst,
			     .msg_namelen = sizeof(*dst),
			     .msg_iov = &iov,
			     .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (!IN6_IS_ADDR_UNSPECIFIED(local) && !IN6_IS_ADDR_V4MAPPED(local)) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
		((struct in6_pktinfo *)(void *)CMSG_DATA(c))->ipi6_addr = *local;
	}
	return sendmsg(fd, &mh, 0);
}

void paasess_xmit(struct paaserver *srv, const uint8_t *buf, size_t len, const struct paapeer *to)
{
	const struct sockaddr_in6 *dst = &to->pac;
	struct pana_builder *b = NULL;
	int n;

	if (paapeer_relayed(to)) {
		/* PRY[PaC-Information, Relayed-Message] to the relay (RFC 6345 §4, §5) */
		const uint8_t *a = to->pac.sin6_addr.s6_addr;
		bool v4 = IN6_IS_ADDR_V4MAPPED(&to->pac.sin6_addr);
		uint8_t info[18];
		size_t alen = v4 ? 4 : 16;

		memcpy(info, a + 16 - alen, alen);
		memcpy(info + alen, &to->pac.sin6_port, 2);
		b = malloc(sizeof(*b));
		if (!b)
			abort();
		pana_msg_begin(b, 0, PANA_RELAY, 0, 0);
		pana_msg_add(b, PANA_AVP_PAC_INFORMATION, info, alen + 2);
		pana_msg_add(b, PANA_AVP_RELAYED_MESSAGE, buf, len);
		n = pana_msg_end(b);
		if (n < 0) {
			free(b);
			return;
		}
		buf = b->buf;
		len = (size_t)n;
		dst = &to->relay;
	}
	if (send_from(srv->fd, buf, len, dst, &to->local) < 0)
		log_warn("sendto");
	else
		srv->st.tx++;
	free(b);
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
	paasess_xmit(srv, s->req, s->req_len, &s->peer);
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
			 const struct paapeer *to)
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
	paasess_xmit(s->srv, s->ans, s->ans_len, to);
}

void paasess_persist(struct sess *s)
{
	struct paastore_session p = { .id = s->id,
				      .peer = s->peer,
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
	paasess_xmit(srv, s->req, s->req_len, &s->peer);
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

	paasess_arm(s->life,
		    left > 0 ? (uint32_t)(left > 86400 * 30 ? 86400 * 30 : left) * 1000 : 0);
}

struct sess *paasess_new(struct paaserver *srv, uint32_t id, const struct paapeer *peer)
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
	paasess_set_peer(s, peer);
	srv->st.sessions++;
	return s;
}
