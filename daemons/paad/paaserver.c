/*
 * paaserver — PANA Authentication Agent: socket, dispatch, access phase (see paaserver.h).
 */
#define LOG_COMPONENT "pana"
#include "paaserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "pana/pana_auth.h"
#include "pana/pana_msg.h"
#include "paaauth.h"
#include "paasess.h"
#include "paastore.h"

const char *paaserver_end_name(enum paaserver_end why)
{
	static const char *const names[] = { "terminated", "administrative", "expired", "rejected",
					     "timeout" };

	return (unsigned)why < sizeof(names) / sizeof(names[0]) ? names[why] : "unknown";
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
	paasess_stop_request(s);
	switch (s->phase) {
	case P_START:
	case P_EAP:
	case P_COMPLETE:
		paaauth_answer(s, buf, len, m);
		break;
	case P_TERM:
		paasess_free(s);
		break;
	case P_ACCESS:
	case P_CLOSED:
		break;
	}
}

/* PNR (re-authentication or ping) and PTR from the PaC, in the access phase. */
static void on_request(struct sess *s, const uint8_t *buf, size_t len, const struct pana_msg *m,
		       const struct paapeer *from)
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
		paasess_xmit(srv, s->ans, s->ans_len, from);
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
	paasess_set_peer(s, from); /* AUTH is good: the PaC may have moved */
	pana_msg_begin(&b, m->flags & (PANA_FLAG_A | PANA_FLAG_P), m->type, s->id, m->seq);
	off = pana_msg_add_auth(&b);
	paasess_send_answer(s, &b, off, from);
	if (m->type == PANA_TERMINATION) {
		srv->st.terminated++;
		paasess_end(s, PAASERVER_END_TERMINATED);
		db_commit(srv->db);
		/* linger for the PaC's retransmissions of a PTR whose PTA is lost */
		s->phase = P_CLOSED;
		paasess_arm(s->life, srv->cfg.mrt_ms * 2);
		return;
	}
	paasess_persist(s);
	if (m->flags & PANA_FLAG_A) {
		s->reauth = true;
		paaauth_begin(s);
	}
}

/* PCI: a new session, answered with PAR(S) (or the same PAR(S) again for a repeated PCI). */
static void on_pci(struct paaserver *srv, const struct pana_msg *m, const struct paapeer *from)
{
	struct pana_builder b;
	struct sess *s;
	uint32_t id;

	if (m->session_id != 0 || m->seq != 0 || (m->flags & PANA_FLAG_R)) {
		srv->st.drop_malformed++;
		return;
	}
	for (s = paasess_by_addr(srv, &from->pac.sin6_addr); s; s = s->next_addr)
		if (s->phase == P_START && paapeer_equal(&s->peer, from)) {
			srv->st.duplicates++;
			paasess_xmit(srv, s->req, s->req_len, &s->peer);
			return;
		}
	if (srv->st.sessions >= srv->cfg.max_sessions) {
		srv->st.drop_full++;
		return;
	}
	do
		id = paasess_random32();
	while (id == 0 || paasess_find(srv, id));
	s = paasess_new(srv, id, from);
	s->seq_out = paasess_random32();
	pana_msg_begin(&b, PANA_FLAG_R | PANA_FLAG_S, PANA_AUTH, id, s->seq_out);
	pana_msg_add_u32(&b, PANA_AVP_PRF_ALG, PANA_PRF_HMAC_SHA1);
	pana_msg_add_u32(&b, PANA_AVP_INTEGRITY_ALG, PANA_AUTH_HMAC_SHA1_160);
	paasess_send_request(s, &b, 0, NULL);
	s->i_par = malloc(s->req_len);
	if (!s->i_par)
		abort();
	memcpy(s->i_par, s->req, s->req_len);
	s->i_par_len = s->req_len;
}

/* One PANA message from @from (parsed as @m), whether it came directly or through a relay. */
static void dispatch(struct paaserver *srv, const uint8_t *buf, size_t len,
		     const struct pana_msg *m, const struct paapeer *from)
{
	struct sess *s;

	if (m->type == PANA_CLIENT_INITIATION) {
		on_pci(srv, m, from);
		return;
	}
	s = paasess_find(srv, m->session_id);
	/* before there is a key, only the address the session began from may speak for it */
	if (!s || (!s->have_key && !paapeer_equal(&s->peer, from))) {
		srv->st.drop_no_session++;
		return;
	}
	if (m->flags & PANA_FLAG_R)
		on_request(s, buf, len, m, from);
	else
		on_answer(s, buf, len, m);
}

/* A relay may speak for PaCs when the config names it, or when it is itself authenticated. */
static bool relay_allowed(struct paaserver *srv, const struct sockaddr_in6 *relay)
{
	for (size_t i = 0; i < srv->nrelays; i++)
		if (!memcmp(&srv->relays[i], &relay->sin6_addr, sizeof(relay->sin6_addr)))
			return true;
	for (struct sess *s = paasess_by_addr(srv, &relay->sin6_addr); s; s = s->next_addr)
		if (s->established && !s->ended && !paapeer_relayed(&s->peer) &&
		    !memcmp(&s->peer.pac.sin6_addr, &relay->sin6_addr, sizeof(relay->sin6_addr)))
			return true;
	return false;
}

/*
 * PRY[PaC-Information, Relayed-Message] (RFC 6345): the PaC's message, from
 * the PaC's address as the relay saw it; the answers go back through @relay.
 */
static void on_relay(struct paaserver *srv, const struct pana_msg *pry, const struct paapeer *via)
{
	const struct pana_avp *info = pana_msg_find(pry, PANA_AVP_PAC_INFORMATION);
	const struct pana_avp *inner = pana_msg_find(pry, PANA_AVP_RELAYED_MESSAGE);
	const struct sockaddr_in6 *relay = &via->pac;
	struct paapeer from = { .relay = *relay, .local = via->local };
	struct pana_msg *m;

	if (!relay_allowed(srv, relay) || !info || !inner || (info->len != 18 && info->len != 6)) {
		srv->st.drop_relay++;
		return;
	}
	from.pac.sin6_family = AF_INET6;
	if (info->len == 6) {
		from.pac.sin6_addr.s6_addr[10] = from.pac.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&from.pac.sin6_addr.s6_addr[12], info->value, 4);
	} else {
		memcpy(&from.pac.sin6_addr, info->value, 16);
	}
	memcpy(&from.pac.sin6_port, info->value + info->len - 2, 2);
	m = malloc(sizeof(*m));
	if (!m)
		abort();
	if (pana_msg_parse(inner->value, inner->len, m) < 0 || m->type == PANA_RELAY) {
		srv->st.drop_relay++;
	} else {
		srv->st.relayed++;
		dispatch(srv, inner->value, inner->len, m, &from);
	}
	free(m);
}

void paaserver_input(struct paaserver *srv, const uint8_t *buf, size_t len,
		     const struct paapeer *from)
{
	struct pana_msg m;

	srv->st.rx++;
	if (len > PANA_MAX_MSG || pana_msg_parse(buf, len, &m) < 0) {
		srv->st.drop_malformed++;
		return;
	}
	if (m.type == PANA_RELAY)
		on_relay(srv, &m, from);
	else
		dispatch(srv, buf, len, &m, from);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct paaserver *srv = arg;
	uint8_t buf[PANA_MAX_MSG + 1];

	for (int i = 0; i < RX_BURST; i++) {
		struct sockaddr_in6 from = { 0 };
		struct in6_addr local = IN6ADDR_ANY_INIT;
		union {
			struct cmsghdr align;
			uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		} ctl;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_name = &from,
				     .msg_namelen = sizeof(from),
				     .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = ctl.buf,
				     .msg_controllen = sizeof(ctl.buf) };
		ssize_t n = recvmsg(fd, &mh, 0);

		if (n < 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO)
				local = ((struct in6_pktinfo *)(void *)CMSG_DATA(c))->ipi6_addr;
		if ((size_t)n > PANA_MAX_MSG || from.sin6_family != AF_INET6 ||
		    (mh.msg_flags & MSG_TRUNC)) {
			srv->st.rx++;
			srv->st.drop_malformed++;
			continue;
		}
		paaserver_input(srv, buf, (size_t)n,
				&(struct paapeer){ .pac = from, .local = local });
	}
}

/* A stored session comes back as it was, unless its lifetime ran out while we were down. */
static void load_one(struct paastore_session *p, void *arg)
{
	struct paaserver *srv = arg;
	struct sess *s;

	if (p->expires <= (int64_t)time(NULL) || paasess_find(srv, p->id) || p->id == 0 ||
	    p->i_par_len > UINT16_MAX || p->i_pan_len > UINT16_MAX) {
		paastore_session_del(srv->db, p->id);
		paastore_session_fini(p);
		return;
	}
	s = paasess_new(srv, p->id, &p->peer);
	memcpy(s->device, p->device, sizeof(s->device));
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
	paasess_arm_life(s);
	paastore_session_fini(p);
}

static int open_socket(const struct paaserver_config *cfg)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons((uint16_t)cfg->port) };
	int fd, off = 0, on = 1;

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
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/*
 * The addresses of @list (numeric IPv6 or IPv4, space-separated) into @out
 * (PAASERVER_MAX_RELAYS entries; NULL: only check).  Their number, or -1.
 */
static int parse_relays(const char *list, struct in6_addr *out)
{
	char word[INET6_ADDRSTRLEN];
	int n = 0;

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, " \t");
		struct in6_addr a = { 0 };

		if (len == 0) {
			p++;
			continue;
		}
		if (len >= sizeof(word) || n == PAASERVER_MAX_RELAYS)
			return -1;
		memcpy(word, p, len);
		word[len] = '\0';
		if (inet_pton(AF_INET6, word, &a) != 1) {
			a.s6_addr[10] = a.s6_addr[11] = 0xff;
			if (inet_pton(AF_INET, word, &a.s6_addr[12]) != 1)
				return -1;
		}
		if (out)
			out[n] = a;
		n++;
		p += len;
	}
	return n;
}

bool paaserver_relays_valid(const char *relays)
{
	return parse_relays(relays, NULL) >= 0;
}

static void copy_config(struct paaserver *srv, const struct paaserver_config *cfg)
{
	int n = parse_relays(cfg->relays ? cfg->relays : "", srv->relays);

	char *address = strdup(cfg->address), *server_id = strdup(cfg->server_id);

	if (!address || !server_id)
		abort();
	free(srv->address);
	free(srv->server_id);
	srv->cfg = *cfg;
	srv->cfg.address = srv->address = address;
	srv->cfg.server_id = srv->server_id = server_id;
	srv->cfg.relays = NULL; /* parsed: srv->relays */
	srv->nrelays = n > 0 ? (size_t)n : 0;
}

int paaserver_open(const struct paaserver_config *cfg)
{
	int fd = open_socket(cfg);

	if (fd < 0)
		log_error("cannot serve PANA on [%s]:%d: %s", cfg->address, cfg->port,
			  strerror(-fd));
	return fd;
}

int paaserver_new(struct event_base *base, struct db *db, int fd,
		  const struct paaserver_config *cfg, struct paaradius *radius,
		  const struct paaserver_hooks *hooks, struct paaserver **out)
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
	srv->radius = radius;
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
			paasess_free(srv->buckets[i]);
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
	paasess_end(s, PAASERVER_END_ADMIN);
	if (!s->have_key || s->phase == P_TERM) {
		if (s->phase != P_TERM)
			paasess_free(s);
		return;
	}
	s->phase = P_TERM;
	pana_msg_begin(&b, PANA_FLAG_R, PANA_TERMINATION, s->id, ++s->seq_out);
	pana_msg_add_u32(&b, PANA_AVP_TERMINATION_CAUSE, PANA_TERM_ADMINISTRATIVE);
	off = pana_msg_add_auth(&b);
	paasess_send_request(s, &b, off, s->auth_key);
}

unsigned paaserver_terminate(struct paaserver *srv, uint32_t id, const char *device)
{
	unsigned n = 0;

	if (id) {
		struct sess *s = paasess_find(srv, id);

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
		paasess_info(all[i], &info);
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
	/*
	 * The struct, its two libevent timers, I_PAR and I_PAN (two 4-byte AVPs
	 * each) and a cached PNA with AUTH; malloc's own overhead aside.
	 */
	return sizeof(struct sess) + 2 * event_get_struct_event_size() +
	       2 * (PANA_HEADER_LEN + 2 * 12) +
	       (PANA_HEADER_LEN + PANA_AVP_HDR_LEN + PANA_AUTH_LEN);
}
