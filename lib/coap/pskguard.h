/*
 * pskguard — the (D)TLS-PSK side of a libcoap server, shared by lwm2md and
 * rdd: hands libcoap the key of a known identity (asking the daemon's
 * credential store through a callback), refuses an unknown one, and
 * watches every handshake so that a failed one is logged with the peer's
 * address and counted.
 *
 * A wrong key does not fail a DTLS handshake visibly: DTLS drops records
 * whose MAC does not verify (RFC 6347 §4.1.2.7), so the client's Finished
 * just vanishes.  A handshake that has not connected within the timeout
 * therefore counts as failed, unless its identity was refused already.
 *
 * The guard leaves the sessions' application data to the daemon.
 */
#ifndef LWGATE_COAP_PSKGUARD_H
#define LWGATE_COAP_PSKGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coap3/coap.h>
#include <event2/event.h>

#define PSKGUARD_KEY_MAX      64  /* bytes of a PSK */
#define PSKGUARD_IDENTITY_MAX 128 /* bytes of a PSK identity */

/*
 * The key of PSK identity @id (@len bytes, not NUL-terminated): a pointer
 * to it (valid until the store changes) and its length in *@key_len, or
 * NULL when the identity is unknown.
 */
typedef const uint8_t *(*pskguard_key_fn)(const uint8_t *id, size_t len, size_t *key_len,
					  void *arg);

struct pskguard;

struct pskguard_stats {
	uint64_t connected;        /* handshakes completed */
	uint64_t failures;         /* handshakes that did not complete in time (wrong key?) */
	uint64_t unknown_identity; /* handshakes refused: identity not known */
};

/* A guard on @base asking @key_of(…, @arg) for keys.  Never NULL. */
struct pskguard *pskguard_new(struct event_base *base, pskguard_key_fn key_of, void *arg,
			      int handshake_timeout_s);

/* Stop watching and free; NULL is fine.  Call before the libcoap context is freed. */
void pskguard_free(struct pskguard *g);

/* Make @ctx ask the guard for PSKs.  0, or -ENOTSUP when libcoap cannot do DTLS/PSK. */
int pskguard_setup(struct pskguard *g, coap_context_t *ctx);

/* Feed libcoap's session events (from the context's event handler). */
void pskguard_event(struct pskguard *g, coap_session_t *s, coap_event_t event);

void pskguard_get_stats(const struct pskguard *g, struct pskguard_stats *out);

/* "[2001:db8::1]:5684" for the peer of @s. */
void pskguard_peer_text(coap_session_t *s, char *buf, size_t size);

/*
 * The PSK identity of @s as a NUL-terminated string in @buf: true when @s
 * is a DTLS or TLS session with an identity that fits (and has no NUL), false
 * otherwise (@buf is then "").
 */
bool pskguard_identity(coap_session_t *s, char *buf, size_t size);

/*
 * Parse a key written as @hex (an even number of hex digits) into @out of
 * @size bytes; returns the byte count or -EINVAL.
 */
int pskguard_parse_hex(const char *hex, uint8_t *out, size_t size);

#endif
