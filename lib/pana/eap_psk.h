/*
 * eap_psk — EAP-PSK (RFC 4764), both ends, as pure state machines: no
 * sockets, no clock, no random source (the caller supplies RAND_S and
 * RAND_P), so every message is reproducible in a test.
 *
 *   1  server → peer   Flags T=0, RAND_S, ID_S
 *   2  peer → server   Flags T=1, RAND_S, RAND_P, MAC_P = CMAC(AK, ID_P|ID_S|RAND_S|RAND_P), ID_P
 *   3  server → peer   Flags T=2, RAND_S, MAC_S = CMAC(AK, ID_S|RAND_P), PCHANNEL_S_0
 *   4  peer → server   Flags T=3, RAND_S, PCHANNEL_P_1
 *
 * AK and KDK come from the PSK (§3.1), TEK, MSK and EMSK from KDK and
 * RAND_P (§3.2); the protected channel is AES-128-EAX under TEK over the
 * first 22 bytes of the EAP packet, with the 32-bit nonce left-padded to
 * 16 bytes (§3.3).  Only the R flag DONE_SUCCESS is sent; no extension.
 */
#ifndef LWGATE_PANA_EAP_PSK_H
#define LWGATE_PANA_EAP_PSK_H

#include <stddef.h>
#include <stdint.h>

#define EAP_PSK_PSK_LEN  16
#define EAP_PSK_RAND_LEN 16
#define EAP_PSK_MAC_LEN  16
#define EAP_PSK_MSK_LEN  64
#define EAP_PSK_EMSK_LEN 64
#define EAP_PSK_MAX_ID   128 /* longest ID_P or ID_S accepted (an NAI fits) */
#define EAP_PSK_MAX_MSG  (6 + 3 * 16 + EAP_PSK_MAX_ID)

/* R flag values of the protected channel. */
enum { EAP_PSK_R_CONT = 1, EAP_PSK_R_DONE_SUCCESS = 2, EAP_PSK_R_DONE_FAILURE = 3 };

/* A parsed EAP-PSK packet; pointers point into the parsed buffer. */
struct eap_psk_msg {
	uint8_t code, eap_id;
	unsigned t; /* message number - 1, from the Flags */
	const uint8_t *rand_s, *rand_p, *mac;
	const uint8_t *id; /* ID_S (t=0) or ID_P (t=1) */
	size_t id_len;
	const uint8_t *pchannel; /* t=2, t=3 */
	size_t pchannel_len;
};

/*
 * Parse the EAP packet @eap (@len bytes) as an EAP-PSK message.  Returns
 * 0, or -EBADMSG when it is not EAP-PSK, its code does not match T (T=0
 * and 2 are requests, 1 and 3 responses) or a field does not fit; -E2BIG
 * when an identity is over EAP_PSK_MAX_ID.
 */
int eap_psk_parse(const uint8_t *eap, size_t len, struct eap_psk_msg *out);

/* AK and KDK from the PSK (RFC 4764 §3.1).  0 or -EIO. */
int eap_psk_key_setup(const uint8_t psk[EAP_PSK_PSK_LEN], uint8_t ak[16], uint8_t kdk[16]);

/* TEK, MSK and EMSK from KDK and RAND_P (RFC 4764 §3.2).  0 or -EIO. */
int eap_psk_derive(const uint8_t kdk[16], const uint8_t rand_p[EAP_PSK_RAND_LEN], uint8_t tek[16],
		   uint8_t msk[EAP_PSK_MSK_LEN], uint8_t emsk[EAP_PSK_EMSK_LEN]);

enum eap_psk_state {
	EAP_PSK_IDLE,
	EAP_PSK_SENT_1, /* server: waiting for 2 */
	EAP_PSK_GOT_2,  /* server: knows ID_P, needs its PSK */
	EAP_PSK_SENT_2, /* peer: waiting for 3 */
	EAP_PSK_SENT_3, /* server: waiting for 4 */
	EAP_PSK_DONE,   /* msk and emsk are valid */
	EAP_PSK_FAILED,
};

/* One conversation, either end; embedded by value, no pointers inside. */
struct eap_psk {
	enum eap_psk_state state;
	uint8_t eap_id; /* of the last request */
	uint8_t rand_s[EAP_PSK_RAND_LEN], rand_p[EAP_PSK_RAND_LEN], mac_p[EAP_PSK_MAC_LEN];
	uint8_t id_s[EAP_PSK_MAX_ID], id_p[EAP_PSK_MAX_ID];
	size_t id_s_len, id_p_len;
	uint8_t ak[16], kdk[16], tek[16];
	uint8_t msk[EAP_PSK_MSK_LEN], emsk[EAP_PSK_EMSK_LEN];
};

/* Wipe the keys of @c (the struct can be reused). */
void eap_psk_clear(struct eap_psk *c);

/*
 * Server: begin a conversation as @id_s with @rand_s; writes message 1
 * (EAP Identifier @eap_id) to @out.  Returns its length, -EINVAL for an
 * identity over EAP_PSK_MAX_ID, or -EMSGSIZE when @size is too small.
 */
int eap_psk_server_start(struct eap_psk *c, const char *id_s, const uint8_t rand_s[16],
			 uint8_t eap_id, uint8_t *out, size_t size);

/*
 * Server: take message 2.  Returns 0 with ID_P in c->id_p (state GOT_2:
 * look up its PSK and call eap_psk_server_send3()), or -EBADMSG when it is
 * not the answer to our message 1 (wrong identifier, RAND_S or T: ignore it).
 */
int eap_psk_server_recv2(struct eap_psk *c, const uint8_t *eap, size_t len);

/*
 * Server: check MAC_P with @psk and write message 3 to @out.  Returns its
 * length; -EACCES when MAC_P is wrong (state FAILED: send an EAP-Failure
 * with identifier c->eap_id); -EMSGSIZE or -EIO.
 */
int eap_psk_server_send3(struct eap_psk *c, const uint8_t psk[EAP_PSK_PSK_LEN], uint8_t *out,
			 size_t size);

/*
 * Server: take message 4.  Returns 0 when the protected channel opens and
 * says DONE_SUCCESS (state DONE: c->msk is the MSK); -EACCES when its tag
 * is wrong or it says anything else (state FAILED); -EBADMSG when it is
 * not the answer to our message 3 (ignore it).
 */
int eap_psk_server_recv4(struct eap_psk *c, const uint8_t *eap, size_t len);

/* Peer: begin as @id_p with @psk.  0, -EINVAL for an identity over EAP_PSK_MAX_ID, -EIO. */
int eap_psk_peer_init(struct eap_psk *c, const char *id_p, const uint8_t psk[EAP_PSK_PSK_LEN]);

/*
 * Peer: answer the request @eap: message 1 gets message 2 (with @rand_p),
 * message 3 gets message 4 after MAC_S and the protected channel check
 * (state DONE).  Returns the answer's length in @out; -EACCES when MAC_S
 * or the channel is wrong (state FAILED); -EBADMSG for anything else.
 */
int eap_psk_peer_input(struct eap_psk *c, const uint8_t *eap, size_t len,
		       const uint8_t rand_p[EAP_PSK_RAND_LEN], uint8_t *out, size_t size);

#endif
