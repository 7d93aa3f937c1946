/*
 * pac — the protocol of lwgate-pac, a PANA client (RFC 5191, the LWIG
 * minimal profile) with its own EAP-PSK peer, on lib/pana; shared by the
 * tool (main.c), the paad benchmark, which runs many at once, and the
 * simulated mesh nodes of lwgate-radiosim.  The caller owns the transport
 * (a socket connected to the PAA, or an xmit hook) and the loop: it hands
 * each datagram to pac_input() and calls pac_retransmit() when
 * pac->deadline passes.
 */
#ifndef LWGATE_TOOLS_PAC_H
#define LWGATE_TOOLS_PAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pana/eap_psk.h"
#include "pana/pana_auth.h"
#include "pana/pana_msg.h"

struct pac {
	int fd; /* a UDP socket connected to the PAA, unless xmit is set */
	/* when set, how a message goes out instead of send(fd) (a simulated node's stack) */
	void (*xmit)(struct pac *c, const uint8_t *buf, size_t len);
	unsigned irt_ms, mrc;
	struct eap_psk eap;
	uint32_t session_id, seq_out, last_par_seq;
	bool have_par, authenticated, done;
	bool busy; /* a re-authentication runs: commands wait */
	int exit_code;
	uint8_t i_par[PANA_MAX_MSG], i_pan[PANA_MAX_MSG];
	size_t i_par_len, i_pan_len;
	uint8_t pac_nonce[PANA_NONCE_LEN], paa_nonce[64];
	size_t paa_nonce_len;
	bool have_key;
	uint8_t auth_key[PANA_AUTH_KEY_LEN], new_key[PANA_AUTH_KEY_LEN];
	uint32_t key_id;
	/* the outstanding request, the answer to the last PAR, the PNR before the last one */
	uint8_t req[PANA_MAX_MSG], ans[PANA_MAX_MSG], prev_pnr[PANA_MAX_MSG],
		last_pnr[PANA_MAX_MSG];
	size_t req_len, ans_len, prev_pnr_len, last_pnr_len;
	unsigned rc;
	uint32_t rt_ms;
	uint64_t deadline;
	const char *pending; /* the event to report when the request is answered */
	uint32_t result;     /* Result-Code of a rejection */
	/* each event: "authenticated", "reauth_acked", "reauthenticated", "rejected", … */
	void (*on_event)(struct pac *c, const char *name);
	void *arg;
};

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t pac_now_ms(void);

/* Send the PCI (after eap_psk_peer_init(&c->eap, …), with c->fd, irt_ms, mrc, on_event set). */
void pac_start(struct pac *c);

/* One datagram from the PAA. */
void pac_input(struct pac *c, const uint8_t *buf, size_t len);

/* Retransmit the outstanding request if its time has come; false once it is given up. */
bool pac_retransmit(struct pac *c);

/* PNR(A): re-authenticate; with @tamper, a PNR with a bad AUTH, sent once. */
void pac_send_pnr(struct pac *c, bool tamper);

/* PTR(LOGOUT). */
void pac_terminate(struct pac *c);

/* The PNR before the last one, again. */
void pac_replay(struct pac *c);

#endif
