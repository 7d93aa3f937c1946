/*
 * h2dev — LwM2M over HTTP/2 for devices: the listener, the devices'
 * vpeers, and the bookkeeping that pairs HTTP exchanges with CoAP
 * messages (tokens and message IDs).  The translation itself is h2map.c.
 */
#include "h2dev.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <sqlite3.h>

#include "common/log.h"
#include "h2auth.h"
#include "h2block.h"
#include "h2map.h"
#include "http/httpsrv.h"

#define MAX_UP      16 /* a device's requests waiting for the server */
#define MAX_DOWN    32 /* the server's requests waiting for a device's answer */
#define MAX_ANSWERS 16 /* answers in one POST /lwm2m/responses */
#define MAX_NOTES   16 /* notifications remembered for the server's RST (a passive cancel) */
#define DGRAM_MAX   1472 /* libcoap 4.3 reads no larger datagram (COAP_RXBUFFER_SIZE) */
#define DOWN_MAX    2048 /* one application/http message on the downlink */
#define DOWN_TYPE   "application/http; msgtype=request"

/* Each device's vpeer port, taken again after a restart (its registration names it). */
static const char h2dev_schema[] = "CREATE TABLE IF NOT EXISTS http2_devices ("
				   " ep TEXT PRIMARY KEY,"
				   " port INTEGER NOT NULL);";

struct h2dev;
struct dev;

/* A device's request sent up as CoAP, waiting for the server's answer. */
struct up {
	struct dev *dev;
	struct http_exchange *ex;
	struct event *timer;
	uint8_t token[HTTPCOAP_TOKEN_MAX];
	size_t tlen;
	uint16_t mid;
	bool answered; /* respond() called: the close callback frees it */
	/* a body sent block-wise (Block1): its copy, what went, the request without it */
	uint8_t *body;
	size_t len, sent;
	struct httpcoap_msg *tmpl;
	struct up *next;
};

/* A server request carried down, waiting for the device's answer. */
struct down {
	bool used;
	uint8_t token[HTTPCOAP_TOKEN_MAX];
	size_t tlen;
	uint16_t mid;
	uint8_t type, method;
	unsigned gen;         /* the downlink stream it went on */
	uint64_t target_hash; /* of its path and query, for a Block2 answer's later blocks */
};

/* A notification sent up (NON): the server's RST to its message ID is a passive cancel. */
struct note {
	bool used;
	uint16_t mid;
	uint8_t token[HTTPCOAP_TOKEN_MAX];
	size_t tlen;
};

struct dev {
	struct h2dev *h;
	char ep[VPEER_IDENTITY_MAX];
	struct vpeer *vp;
	struct http_exchange *stream; /* the downlink, or NULL */
	unsigned stream_gen;          /* counts the downlink streams opened */
	struct up *ups;
	size_t n_up;
	struct down down[MAX_DOWN];
	size_t down_next; /* the slot the next one takes (the oldest goes) */
	struct note notes[MAX_NOTES];
	size_t note_next; /* the oldest goes: a RST comes at once or not at all */
	uint16_t next_mid;
	struct h2block_body big; /* the last large answer (the server reads one at a time) */
	struct dev *next;
};

struct h2dev {
	struct event_base *base;
	struct http_server *srv;
	struct vpeers *vpeers;
	struct db *db;
	struct h2auth *auth;
	int timeout_s;
	size_t max_devices, n_devs;
	struct dev *devs;
	uint64_t requests, answers, notifications, resets, unauthorized, refused, dropped;
};

static void on_downlink(void *arg, const uint8_t *buf, size_t len);

static void dev_free(struct dev *d)
{
	h2block_fini(&d->big);
	vpeer_free(d->vp);
	free(d);
}

/*
 * The vpeer port stored for @ep, else its stored registration's (made
 * before http2_devices existed), or 0.
 */
static uint16_t stored_port(struct h2dev *h, const char *ep)
{
	sqlite3_stmt *st =
		db_stmt(h->db, "SELECT port FROM http2_devices WHERE ep = ?1 UNION ALL "
			       "SELECT port FROM clients WHERE ep = ?1 AND transport = 'http2'");
	int port = 0;

	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, ep, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		port = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return port > 0 && port < 65536 ? (uint16_t)port : 0;
}

/* The device of endpoint @ep, made (with its vpeer) on its first request; NULL when full. */
static struct dev *dev_get(struct h2dev *h, const char *ep)
{
	struct vpeer *vp = vpeer_find_identity(h->vpeers, "http2", ep);
	struct dev *d;
	int rc;

	if (vp)
		return vpeer_arg(vp);
	/*
	 * Never one forgotten for another: its registration would still name
	 * its vpeer's port, which the kernel may give the next vpeer.
	 */
	if (h->n_devs >= h->max_devices)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		abort();
	d->h = h;
	snprintf(d->ep, sizeof(d->ep), "%s", ep);
	if (getrandom(&d->next_mid, sizeof(d->next_mid), 0) < 0)
		d->next_mid = 1;
	/* its old port again: its stored registration (and lwm2md's requests) name it */
	rc = vpeer_new_at(h->vpeers, "http2", ep, stored_port(h, ep), on_downlink, d, &d->vp);
	if (rc < 0) {
		log_warnx("http2 device ep=%s: no virtual peer: %s", ep, strerror(-rc));
		free(d);
		return NULL;
	}
	if (db_exec(h->db, "INSERT OR REPLACE INTO http2_devices (ep, port) VALUES (?, ?)", "ti",
		    ep, (int)vpeer_port(d->vp)) < 0)
		log_warnx("http2 device ep=%s: its port not stored", ep);
	d->next = h->devs;
	h->devs = d;
	h->n_devs++;
	log_info("http2 device ep=%s port=%u", ep, vpeer_port(d->vp));
	return d;
}

static void send_empty(struct dev *d, uint8_t type, uint16_t mid)
{
	uint8_t b[4] = { (uint8_t)(0x40 | type << 4), 0, (uint8_t)(mid >> 8), (uint8_t)mid };

	vpeer_uplink(d->vp, b, sizeof(b));
}

/* Encode @m and send it up; 0 or a negative errno. */
static int send_up(struct dev *d, const struct httpcoap_msg *m)
{
	uint8_t buf[DGRAM_MAX];
	int n = httpcoap_encode(m, buf, sizeof(buf));

	return n < 0 ? n : vpeer_uplink(d->vp, buf, (size_t)n);
}

static void up_unlink(struct up *u)
{
	for (struct up **pp = &u->dev->ups; *pp; pp = &(*pp)->next)
		if (*pp == u) {
			*pp = u->next;
			u->dev->n_up--;
			return;
		}
}

static void on_up_close(struct http_exchange *ex, void *arg)
{
	struct up *u = arg;

	up_unlink(u);
	event_free(u->timer);
	free(u->tmpl);
	free(u->body);
	free(u);
}

static void on_up_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct up *u = arg;

	u->answered = true;
	http_exchange_problem(u->ex, 504, NULL, "the LwM2M server did not answer in time");
}

/* Answer the device's request @u with the server's CoAP response @m. */
static void up_answer(struct up *u, const struct httpcoap_msg *m)
{
	struct h2map_answer a;
	char hex[2 * HTTPCOAP_TOKEN_MAX + 1];

	if (h2map_response(m, &a) < 0)
		return;
	u->answered = true;
	httpcoap_token_hex(u->token, u->tlen, hex);
	http_exchange_add_header(u->ex, "lwm2m-token", hex);
	if (a.location[0])
		http_exchange_add_header(u->ex, "location", a.location);
	http_exchange_respond(u->ex, a.status, a.content_type, a.body, a.body_len);
}

static struct up *up_by_token(struct dev *d, const uint8_t *tok, size_t tlen)
{
	for (struct up *u = d->ups; u; u = u->next)
		if (!u->answered && u->tlen == tlen && memcmp(u->token, tok, tlen) == 0)
			return u;
	return NULL;
}

static struct up *up_by_mid(struct dev *d, uint16_t mid)
{
	for (struct up *u = d->ups; u; u = u->next)
		if (!u->answered && u->mid == mid)
			return u;
	return NULL;
}

static struct down *down_by_mid(struct dev *d, uint16_t mid)
{
	for (size_t i = 0; i < MAX_DOWN; i++)
		if (d->down[i].used && d->down[i].mid == mid)
			return &d->down[i];
	return NULL;
}

/* A later block of the large answer in d->big, answered from here; false: not one. */
static bool serve_block(struct dev *d, const struct httpcoap_msg *m)
{
	struct httpcoap_msg r;
	bool last;

	if (!h2block_serve(&d->big, m, d->next_mid, &r, &last))
		return false;
	if (r.type == HTTPCOAP_NON)
		d->next_mid++;
	send_up(d, &r);
	if (last)
		h2block_fini(&d->big);
	return true;
}

/* The server's request @m to the device: onto its downlink stream, remembered by token. */
static void carry_down(struct dev *d, const struct httpcoap_msg *m)
{
	uint8_t buf[DOWN_MAX];
	struct down *slot;
	int n;

	if (serve_block(d, m))
		return;
	/* a retransmission: the device has it, unless it came on a stream since replaced */
	slot = m->type == HTTPCOAP_CON ? down_by_mid(d, m->mid) : NULL;
	if (slot && slot->gen == d->stream_gen && d->stream)
		return;
	if (slot)
		slot->used = false;
	if (!d->stream) {
		log_debug("http2 device ep=%s has no downlink open: request dropped mid=%u", d->ep,
			  m->mid);
		d->h->dropped++;
		return;
	}
	n = h2map_downlink(m, buf, sizeof(buf));
	if (n < 0) {
		log_warnx("http2 device ep=%s: request not carried: %s", d->ep, strerror(-n));
		return;
	}
	if (http_exchange_stream_write(d->stream, buf, (size_t)n) < 0) {
		d->h->dropped++;
		return; /* the close callback forgets the stream */
	}
	slot = &d->down[d->down_next];
	d->down_next = (d->down_next + 1) % MAX_DOWN;
	*slot = (struct down){ .used = true,
			       .tlen = m->token_len,
			       .mid = m->mid,
			       .type = m->type,
			       .method = m->code,
			       .gen = d->stream_gen,
			       .target_hash = h2block_target_hash(m) };
	memcpy(slot->token, m->token, m->token_len);
}

static int next_block(struct up *u);

/* Remember notification @m, sent up, for a RST to it. */
static void note_sent(struct dev *d, const struct httpcoap_msg *m)
{
	struct note *n = &d->notes[d->note_next];

	d->note_next = (d->note_next + 1) % MAX_NOTES;
	*n = (struct note){ .used = true, .mid = m->mid, .tlen = m->token_len };
	memcpy(n->token, m->token, m->token_len);
}

/*
 * The server reset the message @mid: when it was a notification, the
 * observation is cancelled (passively), and the device is told on its
 * downlink with "DELETE /lwm2m/observations/TOKEN", which it does not
 * answer.  Without a stream open it is dropped: the device's next
 * notification is reset again and tells it then.
 */
static void note_reset(struct dev *d, uint16_t mid)
{
	char hex[2 * HTTPCOAP_TOKEN_MAX + 1], msg[160];
	struct note *n = NULL;
	int len;

	for (size_t i = 0; i < MAX_NOTES && !n; i++)
		if (d->notes[i].used && d->notes[i].mid == mid)
			n = &d->notes[i];
	if (!n)
		return;
	n->used = false;
	d->h->resets++;
	httpcoap_token_hex(n->token, n->tlen, hex);
	log_debug("http2 device ep=%s: observation token=%s reset by the server", d->ep, hex);
	len = snprintf(msg, sizeof(msg),
		       "DELETE /lwm2m/observations/%s HTTP/1.1\r\nLwm2m-Token: %s\r\n"
		       "Content-Length: 0\r\n\r\n",
		       hex, hex);
	if (!d->stream || http_exchange_stream_write(d->stream, msg, (size_t)len) < 0)
		d->h->dropped++;
}

/* What libcoap sent to a device's vpeer. */
static void on_downlink(void *arg, const uint8_t *buf, size_t len)
{
	struct dev *d = arg;
	struct httpcoap_msg m;
	struct up *u;

	if (httpcoap_decode(buf, len, &m) < 0) {
		log_debug("http2 device ep=%s: undecodable datagram from the server", d->ep);
		return;
	}
	if (m.code == 0) {
		if (m.type == HTTPCOAP_CON)
			send_empty(d, HTTPCOAP_RST, m.mid); /* a CoAP ping */
		else if (m.type == HTTPCOAP_RST && (u = up_by_mid(d, m.mid))) {
			u->answered = true;
			http_exchange_problem(u->ex, 502, NULL,
					      "the LwM2M server reset the request");
		} else if (m.type == HTTPCOAP_RST) {
			note_reset(d, m.mid);
		}
		return; /* an empty ACK: the response comes separately */
	}
	if (httpcoap_is_request(&m)) {
		carry_down(d, &m);
		return;
	}
	if (!httpcoap_is_response(&m))
		return;
	if (m.type == HTTPCOAP_CON)
		send_empty(d, HTTPCOAP_ACK, m.mid);
	u = up_by_token(d, m.token, m.token_len);
	if (u && m.code == HTTPCOAP_CODE(2, 31) && u->body && u->sent < u->len) {
		if (next_block(u) < 0) {
			u->answered = true;
			http_exchange_problem(u->ex, 502, NULL, "cannot reach the LwM2M server");
		}
		return;
	}
	if (u)
		up_answer(u, &m);
}

static void on_stream_close(struct http_exchange *ex, void *arg)
{
	struct dev *d = arg;

	if (d->stream == ex) {
		d->stream = NULL;
		log_info("http2 device ep=%s downlink closed", d->ep);
	}
}

/* GET /lwm2m/downlink: the long-lived stream of the server's requests (HTT-003). */
static void open_downlink(struct dev *d, struct http_exchange *ex)
{
	if (d->stream)
		http_exchange_stream_end(d->stream); /* the newer one wins */
	if (http_exchange_stream_begin(ex, 200, DOWN_TYPE) < 0)
		return;
	d->stream = ex;
	d->stream_gen++;
	http_exchange_on_close(ex, on_stream_close, d);
	log_info("http2 device ep=%s downlink open (%s)", d->ep, http_exchange_protocol(ex));
}

/* A refusal of this layer, counted. */
static void refuse(struct h2dev *h, struct http_exchange *ex, int status, const char *why)
{
	h->refused++;
	http_exchange_problem(ex, status, NULL, why);
}

static int errno_status(int rc)
{
	switch (rc) {
	case -ENOTSUP:
		return 405;
	case -EPROTO:
		return 415;
	case -EMSGSIZE:
		return 413;
	}
	return 400;
}

/* The Lwm2m-Token of @req into @tok, or a fresh one; byte count or -EBADMSG. */
static int request_token(const struct http_request *req, uint8_t *tok)
{
	const char *hex = http_request_header(req, H2MAP_TOKEN_FIELD);

	if (hex)
		return httpcoap_token_parse(hex, tok);
	if (getrandom(tok, 4, 0) != 4)
		return -EBADMSG;
	return 4;
}

/* The next Block1 block of @u's body, sent up; 0 or a negative errno. */
static int next_block(struct up *u)
{
	struct httpcoap_msg m;
	int rc = h2block_request(u->tmpl, u->body, u->len, &u->sent, u->dev->next_mid++, &m);

	u->mid = m.mid;
	return rc < 0 ? rc : send_up(u->dev, &m);
}

/*
 * The CoAP request for @req in @m, with the body block-wise (the first
 * block, the rest kept in @u) when it passes one datagram.
 */
static int build_request(struct dev *d, const struct http_request *req, const uint8_t *tok,
			 size_t tlen, struct up *u, struct httpcoap_msg *m)
{
	struct http_request head = *req;
	int rc;

	if (req->body_len <= H2MAP_MAX_PAYLOAD || req->body_len > H2BLOCK_MAX)
		return h2map_request(req, tok, tlen, d->next_mid++, m);
	/* the options of the whole request (its Content-Format too), no payload yet */
	head.body_len = 1;
	rc = h2map_request(&head, tok, tlen, 0, m);
	if (rc < 0)
		return rc;
	u->tmpl = malloc(sizeof(*u->tmpl));
	u->body = malloc(req->body_len);
	if (!u->tmpl || !u->body)
		abort();
	httpcoap_msg_copy(u->tmpl, m);
	u->tmpl->payload = NULL;
	u->tmpl->payload_len = 0;
	memcpy(u->body, req->body, req->body_len);
	u->len = req->body_len;
	rc = h2block_request(u->tmpl, u->body, u->len, &u->sent, d->next_mid++, m);
	return rc;
}

/* Any other request: the device's LwM2M request (Register, Update, Send …) sent up as CoAP. */
static void send_request(struct dev *d, struct http_exchange *ex, const struct http_request *req)
{
	struct httpcoap_msg m;
	uint8_t tok[HTTPCOAP_TOKEN_MAX];
	struct up *u;
	int tlen = request_token(req, tok), rc;

	if (tlen < 0) {
		refuse(d->h, ex, 400, "Lwm2m-Token: 1 to 8 bytes in hex");
		return;
	}
	if (d->n_up >= MAX_UP) {
		refuse(d->h, ex, 503, "too many requests waiting for the server");
		return;
	}
	if (up_by_token(d, tok, (size_t)tlen)) {
		refuse(d->h, ex, 409, "Lwm2m-Token: a request with it is waiting");
		return;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		abort();
	rc = build_request(d, req, tok, (size_t)tlen, u, &m);
	/* too large for one datagram (long target and a full block): 413 */
	if (rc == 0 && (rc = send_up(d, &m)) < 0 && rc != -EMSGSIZE)
		rc = -EIO;
	if (rc < 0) {
		free(u->tmpl);
		free(u->body);
		free(u);
		refuse(d->h, ex, rc == -EIO ? 502 : errno_status(rc),
		       rc == -EIO ? "cannot reach the LwM2M server" : NULL);
		return;
	}
	u->dev = d;
	u->ex = ex;
	u->tlen = (size_t)tlen;
	u->mid = m.mid;
	u->next = d->ups;
	memcpy(u->token, tok, (size_t)tlen);
	u->timer = evtimer_new(d->h->base, on_up_timeout, u);
	if (!u->timer)
		abort();
	evtimer_add(u->timer, &(struct timeval){ .tv_sec = d->h->timeout_s });
	d->ups = u;
	d->n_up++;
	d->h->requests++;
	http_exchange_on_close(ex, on_up_close, u);
}

/*
 * Check one answer of a POST /lwm2m/responses and build its CoAP message:
 * to the pending request with its token, else (with Lwm2m-Observe) a
 * notification.  @claimed marks requests already answered in this POST.
 * An answer to a GET or FETCH too large for one datagram becomes its first
 * Block2 block, and *@big its request.  Returns 0 or an HTTP status with @why.
 */
static int check_answer(struct dev *d, const struct httppipe_response *r, bool *claimed,
			struct httpcoap_msg *m, const struct down **big, const char **why)
{
	const char *hex = httppipe_field(r, H2MAP_TOKEN_FIELD);
	uint8_t tok[HTTPCOAP_TOKEN_MAX];
	int tlen = hex ? httpcoap_token_parse(hex, tok) : -EBADMSG, rc;
	struct down *req = NULL;

	if (tlen < 0) {
		*why = "each answer needs an Lwm2m-Token of 1 to 8 bytes in hex";
		return 400;
	}
	for (size_t i = 0; i < MAX_DOWN && !req; i++)
		if (d->down[i].used && !claimed[i] && d->down[i].tlen == (size_t)tlen &&
		    memcmp(d->down[i].token, tok, (size_t)tlen) == 0) {
			req = &d->down[i];
			claimed[i] = true;
		}
	if (!req && !httppipe_field(r, H2MAP_OBSERVE_FIELD)) {
		*why = "no request waits with that Lwm2m-Token (and no Lwm2m-Observe)";
		return 404;
	}
	if (req && r->body_len > H2MAP_MAX_PAYLOAD && r->body_len <= H2BLOCK_MAX &&
	    (req->method == 1 || req->method == 5) && r->status == 200) {
		/* the first block now, the rest when lwm2md asks (serve_block) */
		struct httppipe_response first = *r;

		first.body_len = H2MAP_MAX_PAYLOAD;
		rc = h2map_answer(&first, req->method, m);
		if (rc == 0 &&
		    (httpcoap_add_uint(m, H2BLOCK_OPT_BLOCK2, 1 << 3 | H2BLOCK_SZX) < 0 ||
		     httpcoap_add_uint(m, H2BLOCK_OPT_SIZE2, (uint32_t)r->body_len) < 0))
			rc = -EMSGSIZE;
		*big = req;
	} else {
		rc = h2map_answer(r, req ? req->method : 1, m);
	}
	if (rc < 0) {
		*why = "an answer cannot be mapped to CoAP";
		return errno_status(rc);
	}
	memcpy(m->token, tok, (size_t)tlen);
	m->token_len = (size_t)tlen;
	/* a CON request is answered piggybacked; a NON one, and a notification, as NON */
	if (req && req->type == HTTPCOAP_CON) {
		m->type = HTTPCOAP_ACK;
		m->mid = req->mid;
	} else {
		m->type = HTTPCOAP_NON;
		m->mid = d->next_mid++;
	}
	return 0;
}

/* Keep answer @r to request @q for serve_block() (replacing the one kept before). */
static void keep_big(struct dev *d, const struct down *q, const struct httppipe_response *r)
{
	const char *ct = httppipe_field(r, "content-type");

	h2block_keep(&d->big, q->target_hash, q->method, ct ? httpcoap_content_format(ct) : -1,
		     r->body, r->body_len);
}

/* POST /lwm2m/responses: one or more answers and notifications (HTT-002), all or none. */
static void take_answers(struct dev *d, struct http_exchange *ex, const struct http_request *req)
{
	const char *ct = http_request_header(req, "content-type");
	struct httppipe_response *r = calloc(MAX_ANSWERS, sizeof(*r));
	struct httpcoap_msg *m = calloc(MAX_ANSWERS, sizeof(*m));
	bool claimed[MAX_DOWN] = { false };
	const struct down *big[MAX_ANSWERS] = { NULL };
	const char *why = NULL;
	size_t n = 0;
	int status = 0;

	if (!r || !m)
		abort();
	if (!ct || strncasecmp(ct, "application/http", 16) != 0) {
		status = 415;
		why = "answers come as application/http";
	} else if (httppipe_parse_responses(req->body, req->body_len, r, MAX_ANSWERS, &n) < 0) {
		status = 400;
		why = "not a pipeline of HTTP/1.1 responses, each with a Content-Length";
	}
	for (size_t i = 0; i < n && !status; i++)
		status = check_answer(d, &r[i], claimed, &m[i], &big[i], &why);
	if (!status) {
		for (size_t i = 0; i < n; i++) {
			if (big[i])
				keep_big(d, big[i], &r[i]);
			send_up(d, &m[i]);
			if (m[i].type == HTTPCOAP_ACK ||
			    !httpcoap_find(&m[i], HTTPCOAP_OPT_OBSERVE)) {
				d->h->answers++;
			} else {
				d->h->notifications++;
				note_sent(d, &m[i]);
			}
		}
		for (size_t i = 0; i < MAX_DOWN; i++)
			if (claimed[i])
				d->down[i].used = false;
		http_exchange_respond(ex, 204, NULL, NULL, 0);
	} else {
		refuse(d->h, ex, status, why);
	}
	free(m);
	free(r);
}

/* Whether @ep is a device already (h2auth_known_fn). */
static bool known(void *arg, const char *ep)
{
	const struct h2dev *h = arg;

	return vpeer_find_identity(h->vpeers, "http2", ep) != NULL;
}

static void on_request(struct http_exchange *ex, void *arg)
{
	struct h2dev *h = arg;
	const struct http_request *req = http_exchange_request(ex);
	char ep[VPEER_IDENTITY_MAX];
	struct dev *d;

	if (h2auth_endpoint(h->auth, ex, known, h, ep, sizeof(ep)) < 0) {
		h->unauthorized++;
		http_exchange_add_header(ex, "www-authenticate", "Bearer realm=\"lwm2m\"");
		http_exchange_problem(ex, 401, NULL, "a bearer token of this server is needed");
		return;
	}
	d = dev_get(h, ep);
	if (!d) {
		refuse(h, ex, 503, "no room for another device");
		return;
	}
	if (strcmp(req->path, "/lwm2m/downlink") == 0) {
		if (strcmp(req->method, "GET") != 0)
			refuse(h, ex, 405, NULL);
		else
			open_downlink(d, ex);
	} else if (strcmp(req->path, "/lwm2m/responses") == 0) {
		if (strcmp(req->method, "POST") != 0)
			refuse(h, ex, 405, NULL);
		else
			take_answers(d, ex, req);
	} else if (strncmp(req->path, "/lwm2m/", 7) == 0) {
		refuse(h, ex, 404, NULL);
	} else {
		send_request(d, ex, req);
	}
}

int h2dev_new(struct event_base *base, const struct h2dev_config *cfg, struct vpeers *vpeers,
	      const struct pskstore *creds, struct h2dev **out)
{
	struct http_server_config sc;
	struct h2dev *h;
	int rc;

	*out = NULL;
	if (!cfg->enabled)
		return 0;
	h = calloc(1, sizeof(*h));
	if (!h)
		abort();
	*h = (struct h2dev){ .base = base,
			     .vpeers = vpeers,
			     .db = cfg->db,
			     .timeout_s = cfg->timeout_s,
			     .max_devices = (size_t)cfg->max_devices };
	http_server_config_defaults(&sc);
	sc.max_connections = (size_t)cfg->max_connections;
	sc.max_body = 64 * 1024;
	sc.cert_file = cfg->cert_file;
	sc.key_file = cfg->key_file;
	sc.ca_file = cfg->ca_file;
	vpeers_limit(vpeers, "http2", (size_t)cfg->max_devices);
	rc = h2auth_new(cfg->tokens, creds, &h->auth);
	if (rc == 0)
		rc = db_exec_script(cfg->db, h2dev_schema);
	if (rc == 0)
		rc = http_server_new(base, &sc, on_request, h, &h->srv);
	if (rc == 0)
		rc = http_server_listen(h->srv, cfg->address, (uint16_t)cfg->port);
	if (rc < 0) {
		h2dev_free(h);
		return rc;
	}
	log_info("LwM2M over HTTP/2 for devices address=%s port=%u tls=%s tokens=%zu", cfg->address,
		 h2dev_port(h), cfg->cert_file && *cfg->cert_file ? "yes" : "no",
		 h2auth_tokens(h->auth));
	*out = h;
	return 0;
}

void h2dev_status(const struct h2dev *h, json_t *status)
{
	size_t streams = 0;

	for (const struct dev *d = h->devs; d; d = d->next)
		streams += d->stream != NULL;
	json_object_set_new(status, "http2",
			    json_pack("{s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "port",
				      (int)h2dev_port(h), "devices", (json_int_t)h->n_devs,
				      "downlinks", (json_int_t)streams, "requests",
				      (json_int_t)h->requests, "answers", (json_int_t)h->answers,
				      "notifications", (json_int_t)h->notifications, "resets",
				      (json_int_t)h->resets, "unauthorized",
				      (json_int_t)h->unauthorized, "refused",
				      (json_int_t)h->refused, "dropped", (json_int_t)h->dropped));
}

uint16_t h2dev_port(const struct h2dev *h)
{
	return h && h->srv ? http_server_port(h->srv) : 0;
}

void h2dev_free(struct h2dev *h)
{
	if (!h)
		return;
	/* the exchanges' close callbacks run here, while the devices still exist */
	http_server_free(h->srv);
	while (h->devs) {
		struct dev *d = h->devs;
		h->devs = d->next;
		dev_free(d);
	}
	h2auth_free(h->auth);
	free(h);
}
