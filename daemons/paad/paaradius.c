/*
 * paaradius — RADIUS client for EAP pass-through (see paaradius.h).
 */
#define LOG_COMPONENT "radius"
#include "paaradius.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "common/log.h"

struct paaradius_req {
	struct paaradius *r;
	bool busy;
	uint8_t id;
	unsigned tries;
	uint8_t auth[RADIUS_AUTH_LEN];
	uint8_t *pkt;
	size_t len;
	struct event *timer;
	paaradius_cb cb;
	void *ctx;
};

struct paaradius {
	struct paaradius_config cfg;
	char *server, *secret, *nas_id;
	int fd;
	struct event *ev;
	uint8_t next_id;
	struct paaradius_req reqs[256];
	struct paaradius_stats st;
};

static void arm(struct paaradius_req *q)
{
	struct timeval tv = { q->r->cfg.timeout_ms / 1000,
			      (suseconds_t)(q->r->cfg.timeout_ms % 1000) * 1000 };

	event_add(q->timer, &tv);
}

static void release(struct paaradius_req *q)
{
	event_del(q->timer);
	free(q->pkt);
	q->pkt = NULL;
	q->busy = false;
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct paaradius_req *q = arg;
	paaradius_cb cb = q->cb;
	void *ctx = q->ctx;

	if (q->tries >= q->r->cfg.retries) {
		q->r->st.timeouts++;
		log_warnx("no answer from the RADIUS server id=%u", q->id);
		release(q);
		cb(ctx, 0, NULL, NULL);
		return;
	}
	q->tries++;
	q->r->st.retransmits++;
	if (send(q->r->fd, q->pkt, q->len, 0) < 0)
		log_warn("send to the RADIUS server");
	arm(q);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct paaradius *r = arg;
	uint8_t buf[RADIUS_MAX_LEN], auth[RADIUS_AUTH_LEN];
	struct radius_pkt *p = malloc(sizeof(*p));
	ssize_t n;

	if (!p)
		abort();
	while ((n = recv(fd, buf, sizeof(buf), 0)) >= 0) {
		struct paaradius_req *q = &r->reqs[n >= 2 ? buf[1] : 0];
		paaradius_cb cb = q->cb;
		void *ctx = q->ctx;

		if (n < RADIUS_HDR_LEN || !q->busy ||
		    !radius_verify_response(buf, (size_t)n, q->auth, r->secret) ||
		    radius_parse(buf, (size_t)n, p) < 0 ||
		    (p->code != RADIUS_ACCESS_ACCEPT && p->code != RADIUS_ACCESS_REJECT &&
		     p->code != RADIUS_ACCESS_CHALLENGE)) {
			r->st.dropped++;
			continue;
		}
		p->code == RADIUS_ACCESS_ACCEPT   ? r->st.accepts++
		: p->code == RADIUS_ACCESS_REJECT ? r->st.rejects++
						  : r->st.challenges++;
		memcpy(auth, q->auth, sizeof(auth));
		release(q);
		cb(ctx, p->code, p, auth);
	}
	free(p);
}

int paaradius_new(struct event_base *base, const struct paaradius_config *cfg,
		  struct paaradius **out)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST }, *ai;
	struct paaradius *r;
	char port[8];
	int rc;

	snprintf(port, sizeof(port), "%d", cfg->port);
	rc = getaddrinfo(cfg->server, port, &hints, &ai);
	if (rc != 0) {
		log_error("RADIUS server %s: %s", cfg->server, gai_strerror(rc));
		return -EINVAL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	r->fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0 || connect(r->fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		rc = -errno;
		log_error("RADIUS server [%s]:%d: %s", cfg->server, cfg->port, strerror(-rc));
		freeaddrinfo(ai);
		if (r->fd >= 0)
			close(r->fd);
		free(r);
		return rc;
	}
	freeaddrinfo(ai);
	r->cfg = *cfg;
	r->cfg.server = r->server = strdup(cfg->server);
	r->cfg.secret = r->secret = strdup(cfg->secret);
	r->cfg.nas_id = r->nas_id = strdup(cfg->nas_id);
	r->ev = event_new(base, r->fd, EV_READ | EV_PERSIST, on_read, r);
	if (!r->server || !r->secret || !r->nas_id || !r->ev || event_add(r->ev, NULL) < 0)
		abort();
	for (unsigned i = 0; i < 256; i++) {
		r->reqs[i] = (struct paaradius_req){ .r = r, .id = (uint8_t)i };
		r->reqs[i].timer = evtimer_new(base, on_timer, &r->reqs[i]);
		if (!r->reqs[i].timer)
			abort();
	}
	RAND_bytes(&r->next_id, 1);
	log_info("EAP pass-through to RADIUS server [%s]:%d", cfg->server, cfg->port);
	*out = r;
	return 0;
}

void paaradius_free(struct paaradius *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < 256; i++) {
		free(r->reqs[i].pkt);
		event_free(r->reqs[i].timer);
	}
	event_free(r->ev);
	close(r->fd);
	free(r->server);
	free(r->secret);
	free(r->nas_id);
	free(r);
}

struct paaradius_req *paaradius_send(struct paaradius *r, const char *user, const char *station,
				     const uint8_t *state, size_t state_len, const uint8_t *eap,
				     size_t eap_len, paaradius_cb cb, void *ctx)
{
	struct radius_builder *b = malloc(sizeof(*b));
	struct paaradius_req *q = NULL;
	int len;

	if (!b)
		abort();
	for (unsigned i = 0; i < 256 && !q; i++, r->next_id++)
		if (!r->reqs[r->next_id].busy)
			q = &r->reqs[r->next_id];
	if (!q)
		goto out;
	RAND_bytes(q->auth, sizeof(q->auth));
	radius_begin(b, q->id, q->auth);
	radius_add(b, RADIUS_USER_NAME, user, strlen(user));
	radius_add(b, RADIUS_NAS_IDENTIFIER, r->nas_id, strlen(r->nas_id));
	if (station && *station)
		radius_add(b, RADIUS_CALLING_STATION_ID, station, strlen(station));
	if (state_len)
		radius_add(b, RADIUS_STATE, state, state_len);
	radius_add_eap(b, eap, eap_len);
	len = radius_end(b, r->secret);
	if (len < 0) {
		q = NULL;
		goto out;
	}
	q->pkt = malloc((size_t)len);
	if (!q->pkt)
		abort();
	memcpy(q->pkt, b->buf, (size_t)len);
	q->len = (size_t)len;
	q->busy = true;
	q->tries = 0;
	q->cb = cb;
	q->ctx = ctx;
	r->st.requests++;
	if (send(r->fd, q->pkt, q->len, 0) < 0)
		log_warn("send to the RADIUS server");
	arm(q);
out:
	free(b);
	return q;
}

void paaradius_cancel(struct paaradius_req *q)
{
	if (q && q->busy)
		release(q);
}

const char *paaradius_secret(const struct paaradius *r)
{
	return r->secret;
}

void paaradius_get_stats(const struct paaradius *r, struct paaradius_stats *out)
{
	*out = r->st;
}
