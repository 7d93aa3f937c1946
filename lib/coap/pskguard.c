/*
 * pskguard — PSK lookup and DTLS handshake watch (see pskguard.h).
 */
#define LOG_COMPONENT "dtls"
#include "pskguard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

struct handshake;

struct pskguard {
	struct event_base *base;
	pskguard_key_fn key_of;
	void *arg;
	int timeout_s;
	struct handshake *handshakes; /* under watch */
	coap_bin_const_t psk;         /* the key handed to libcoap during a handshake */
	uint64_t connected, failures, unknown_identity;
};

void pskguard_peer_text(coap_session_t *s, char *buf, size_t size)
{
	const coap_address_t *a = coap_session_get_addr_remote(s);
	char ip[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (a->addr.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a->addr.sin6.sin6_addr, ip, sizeof(ip));
		port = ntohs(a->addr.sin6.sin6_port);
	} else if (a->addr.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &a->addr.sin.sin_addr, ip, sizeof(ip));
		port = ntohs(a->addr.sin.sin_port);
	}
	snprintf(buf, size, "[%s]:%u", ip, port);
}

/*
 * A DTLS handshake being watched.  A wrong key does not fail the handshake
 * visibly: DTLS drops records whose MAC does not verify (RFC 6347
 * §4.1.2.7), so the client's Finished just vanishes.  A handshake that has
 * not connected within [coaps] handshake_timeout is therefore logged and
 * counted as failed, unless its identity was refused already.
 */
struct handshake {
	struct pskguard *g;
	/*
	 * Not referenced: libcoap frees a session that fails its handshake
	 * (or a DTLS "hello" session) whatever its references; it says so
	 * with COAP_EVENT_SERVER_SESSION_DEL first, which ends the watch.
	 */
	coap_session_t *session;
	struct event *timer;
	bool done; /* connected, or refused and counted */
	struct handshake *prev, *next;
};

static void handshake_end(struct handshake *h)
{
	if (h->prev)
		h->prev->next = h->next;
	else
		h->g->handshakes = h->next;
	if (h->next)
		h->next->prev = h->prev;
	event_free(h->timer);
	free(h);
}

/*
 * The watch on @s, or NULL.  Found by walking the (short) list of
 * handshakes in progress rather than through the session's app data, which
 * belongs to the daemon (rdd's broker and simple registration use it).
 */
static struct handshake *watch_of(struct pskguard *g, coap_session_t *s)
{
	for (struct handshake *h = g->handshakes; h; h = h->next)
		if (h->session == s)
			return h;
	return NULL;
}

static const char *proto_name(coap_session_t *s)
{
	return coap_session_get_proto(s) == COAP_PROTO_TLS ? "TLS" : "DTLS";
}

static void on_handshake_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct handshake *h = arg;
	char peer[INET6_ADDRSTRLEN + 10];

	if (!h->done) {
		pskguard_peer_text(h->session, peer, sizeof(peer));
		h->g->failures++;
		log_warnx("%s handshake with %s did not complete in %d s (wrong key?)",
			  proto_name(h->session), peer, h->g->timeout_s);
	}
	handshake_end(h);
}

/* A DTLS client names its PSK identity: hand libcoap the key, or refuse. */
static const coap_bin_const_t *on_psk_identity(coap_bin_const_t *identity, coap_session_t *s,
					       void *arg)
{
	struct pskguard *g = arg;
	size_t key_len = 0;
	const uint8_t *key = g->key_of(identity->s, identity->length, &key_len, g->arg);
	struct handshake *h = watch_of(g, s);
	char peer[INET6_ADDRSTRLEN + 10];

	if (!key) {
		pskguard_peer_text(s, peer, sizeof(peer));
		if (h)
			h->done = true;
		g->unknown_identity++;
		log_warnx("%s handshake refused: unknown PSK identity '%.*s' from %s",
			  proto_name(s), (int)(identity->length > 64 ? 64 : identity->length),
			  (const char *)identity->s, peer);
		return NULL;
	}
	g->psk.s = key;
	g->psk.length = key_len;
	return &g->psk;
}

void pskguard_event(struct pskguard *g, coap_session_t *s, coap_event_t event)
{
	struct handshake *h = watch_of(g, s);
	struct timeval tv = { g->timeout_s, 0 };

	log_debug("libcoap event 0x%x", (unsigned)event);
	coap_proto_t proto = coap_session_get_proto(s);
	char peer[INET6_ADDRSTRLEN + 10];

	/*
	 * A DTLS session is new before its handshake; a TLS one may run (and
	 * fail) its whole handshake between TCP_CONNECTED and SERVER_SESSION_NEW,
	 * so its watch starts at the TCP connection.
	 */
	if (!h && ((event == COAP_EVENT_SERVER_SESSION_NEW && proto == COAP_PROTO_DTLS) ||
		   (event == COAP_EVENT_TCP_CONNECTED && proto == COAP_PROTO_TLS))) {
		h = calloc(1, sizeof(*h));
		if (!h)
			abort();
		h->g = g;
		h->session = s;
		h->timer = evtimer_new(g->base, on_handshake_timeout, h);
		if (!h->timer)
			abort();
		evtimer_add(h->timer, &tv);
		h->next = g->handshakes;
		if (h->next)
			h->next->prev = h;
		g->handshakes = h;
	} else if (event == COAP_EVENT_DTLS_CONNECTED) {
		g->connected++;
		if (h)
			handshake_end(h);
	} else if (h &&
		   (event == COAP_EVENT_DTLS_ERROR || event == COAP_EVENT_DTLS_CLOSED ||
		    event == COAP_EVENT_TCP_CLOSED || event == COAP_EVENT_SESSION_CLOSED ||
		    event == COAP_EVENT_SESSION_FAILED || event == COAP_EVENT_SERVER_SESSION_DEL)) {
		/*
		 * The TLS library gave up (a bad certificate, a Finished that does
		 * not verify, an alert), the peer left mid-handshake, or libcoap
		 * let the session go: the watch ends here.
		 */
		if (!h->done) {
			g->failures++;
			pskguard_peer_text(s, peer, sizeof(peer));
			log_warnx("%s handshake with %s failed (wrong key or certificate?)",
				  proto_name(s), peer);
		}
		handshake_end(h);
	}
}

struct pskguard *pskguard_new(struct event_base *base, pskguard_key_fn key_of, void *arg,
			      int handshake_timeout_s)
{
	struct pskguard *g = calloc(1, sizeof(*g));

	if (!g)
		abort();
	g->base = base;
	g->key_of = key_of;
	g->arg = arg;
	g->timeout_s = handshake_timeout_s;
	return g;
}

void pskguard_free(struct pskguard *g)
{
	if (!g)
		return;
	while (g->handshakes)
		handshake_end(g->handshakes);
	free(g);
}

int pskguard_setup(struct pskguard *g, coap_context_t *ctx)
{
	coap_dtls_spsk_t psk = { .version = COAP_DTLS_SPSK_SETUP_VERSION,
				 .validate_id_call_back = on_psk_identity,
				 .id_call_back_arg = g };

	if (!coap_dtls_is_supported() || !coap_context_set_psk2(ctx, &psk))
		return -ENOTSUP;
	return 0;
}

void pskguard_get_stats(const struct pskguard *g, struct pskguard_stats *out)
{
	out->connected = g->connected;
	out->failures = g->failures;
	out->unknown_identity = g->unknown_identity;
}

bool pskguard_identity(coap_session_t *s, char *buf, size_t size)
{
	const coap_bin_const_t *id;

	buf[0] = '\0';
	if (coap_session_get_proto(s) != COAP_PROTO_DTLS &&
	    coap_session_get_proto(s) != COAP_PROTO_TLS)
		return false;
	id = coap_session_get_psk_identity(s);
	if (!id || id->length == 0 || id->length >= size || memchr(id->s, '\0', id->length))
		return false;
	memcpy(buf, id->s, id->length);
	buf[id->length] = '\0';
	return true;
}

int pskguard_parse_hex(const char *hex, uint8_t *out, size_t size)
{
	size_t n = strlen(hex);

	if (n == 0 || n % 2 || n / 2 > size)
		return -EINVAL;
	for (size_t i = 0; i < n; i += 2) {
		int v = 0;

		for (size_t k = 0; k < 2; k++) {
			char ch = hex[i + k];

			v <<= 4;
			if (ch >= '0' && ch <= '9')
				v |= ch - '0';
			else if (ch >= 'a' && ch <= 'f')
				v |= ch - 'a' + 10;
			else if (ch >= 'A' && ch <= 'F')
				v |= ch - 'A' + 10;
			else
				return -EINVAL;
		}
		out[i / 2] = (uint8_t)v;
	}
	return (int)(n / 2);
}
