/*
 * paasess — one PANA session of paaserver, and the server's state that its
 * modules share (paaserver: socket and dispatch; paaauth: the EAP run).
 * Private to paad: nothing outside daemons/paad includes it.
 *
 * A session keeps what the seed's §5.4.1.3 table lists (phase, id, the
 * PaC's address, both sequence numbers, the last message sent, the
 * retransmission interval, lifetime, both nonces, the key id and
 * PANA_AUTH_KEY, the algorithms being fixed) plus I_PAR and I_PAN, which
 * a re-authentication needs for the next PANA_AUTH_KEY, and the last
 * answer, to repeat it for a repeated request.  The EAP-PSK state and the
 * MSK exist only during an EAP run.
 */
#ifndef LWGATE_PAAD_PAASESS_H
#define LWGATE_PAAD_PAASESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "common/db.h"
#include "pana/eap.h"
#include "pana/eap_psk.h"
#include "pana/pana_auth.h"
#include "pana/pana_msg.h"
#include "paaradius.h"
#include "paaserver.h"

#define BUCKETS   1024
#define RX_BURST  64 /* datagrams read per wake-up, so the loop stays fair */
#define MIN_NONCE 8  /* RFC 5191 §8.5 asks for at least half the PRF's output; 8 for old PaCs */
#define MAX_NONCE 32

enum phase {
	P_START,    /* PAR(S) sent, waiting for PAN(S) */
	P_EAP,      /* EAP-PSK in PAR/PAN */
	P_COMPLETE, /* PAR(C) sent, waiting for PAN(C) */
	P_ACCESS,
	P_TERM,   /* PTR sent, waiting for PTA */
	P_CLOSED, /* PTA sent: kept a while to answer a repeated PTR */
};

struct sess {
	struct sess *next;      /* hash chain by id */
	struct sess *next_addr; /* hash chain by the PaC's address */
	struct paaserver *srv;
	uint32_t id;
	enum phase phase;
	bool reauth;      /* the EAP run is a re-authentication */
	bool success;     /* the outstanding PAR(C) says PANA_SUCCESS */
	bool established; /* has reached the access phase: admitted, stored */
	bool ended;       /* the down hook has run */
	struct paapeer peer;
	uint32_t seq_out; /* our last request */
	uint32_t seq_in;  /* the PaC's last request */
	bool have_in;
	uint8_t *req, *ans; /* outstanding request; answer to seq_in */
	uint16_t req_len, ans_len;
	unsigned rc; /* retransmissions of req */
	uint32_t rt_ms;
	struct event *rtx, *life;
	uint8_t *i_par, *i_pan; /* the first PAR and PAN, for PANA_AUTH_KEY */
	uint16_t i_par_len, i_pan_len;
	bool have_key;
	uint8_t auth_key[PANA_AUTH_KEY_LEN], new_key[PANA_AUTH_KEY_LEN];
	uint32_t key_id;
	uint8_t paa_nonce[PANA_NONCE_LEN], pac_nonce[MAX_NONCE], pac_nonce_len;
	struct eap_run *run; /* during an EAP run only */
	char device[EAP_PSK_MAX_ID + 1];
	uint32_t lifetime;
	int64_t expires, started;
};

/* What an EAP run needs, freed when it ends. */
struct eap_run {
	uint8_t eap_id; /* Identifier of the last EAP request, for Success/Failure */
	bool got_nonce; /* the PaC's first answer of the run, with its nonce, has come */
	uint8_t msk[EAP_PSK_MSK_LEN];
	struct eap_psk psk; /* local mode */
	/* RADIUS mode: the Access-Request in flight, the server's State, the EAP identity */
	struct paaradius_req *req;
	uint8_t state[253];
	uint8_t state_len;
	char user[EAP_PSK_MAX_ID + 1];
	uint8_t result[EAP_HDR_LEN]; /* the server's EAP-Success/Failure, when it sent one */
	bool have_result;
};

struct paaserver {
	struct event_base *base;
	struct db *db;
	struct paaserver_config cfg;
	char *address, *server_id;
	struct paaserver_hooks hooks;
	struct paaradius *radius; /* NULL: paad's own EAP-PSK server */
	int fd;
	struct event *ev;
	struct sess *buckets[BUCKETS];
	struct sess *by_addr[BUCKETS];
	struct in6_addr relays[PAASERVER_MAX_RELAYS]; /* [relay] allow */
	size_t nrelays;
	struct paaserver_stats st;
};

/* 32 random bits, and @n random bytes (OpenSSL's generator; aborts without one). */
uint32_t paasess_random32(void);
void paasess_random_bytes(uint8_t *p, size_t n);

/* A new session @id of the PaC at @peer in phase P_START, in @srv's tables; never NULL. */
struct sess *paasess_new(struct paaserver *srv, uint32_t id, const struct paapeer *peer);

/* The session with @id, or NULL. */
struct sess *paasess_find(struct paaserver *srv, uint32_t id);

/* Move @s to PaC address @p (the index by address follows). */
void paasess_set_peer(struct sess *s, const struct paapeer *p);

/* The first session in the chain of PaC address @a; walk ->next_addr, comparing addresses. */
struct sess *paasess_by_addr(struct paaserver *srv, const struct in6_addr *a);

/* Take @s out of the table and free it (its keys wiped). */
void paasess_free(struct sess *s);

/*
 * The session's access is over: forget it in the store and run the down
 * hook, once (the struct may live on to finish a PTR exchange).
 */
void paasess_end(struct sess *s, enum paaserver_end why);

/* The session as shown to the operator and the hooks. */
void paasess_info(const struct sess *s, struct paaserver_info *out);

/*
 * Send @len bytes to @to: to the PaC, or wrapped in a PRY to its relay
 * (counted; a failure is logged).
 */
void paasess_xmit(struct paaserver *srv, const uint8_t *buf, size_t len, const struct paapeer *to);

/* Arm timer @ev for @ms milliseconds. */
void paasess_arm(struct event *ev, uint32_t ms);

/*
 * Finish @b (signing it with @key when not NULL: the AUTH value is at
 * @auth_off), keep it as the outstanding request, send it and start the
 * RFC 3315 timer at IRT.
 */
void paasess_send_request(struct sess *s, struct pana_builder *b, size_t auth_off,
			  const uint8_t *key);

/* The outstanding request was answered: stop retransmitting it. */
void paasess_stop_request(struct sess *s);

/* Finish and sign the answer @b with the session's key, send it to @to, cache it. */
void paasess_send_answer(struct sess *s, struct pana_builder *b, size_t auth_off,
			 const struct paapeer *to);

/* Store the established session (batched write). */
void paasess_persist(struct sess *s);

/* Arm the lifetime timer for s->expires. */
void paasess_arm_life(struct sess *s);

#endif
