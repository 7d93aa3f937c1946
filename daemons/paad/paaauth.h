/*
 * paaauth — the authentication and re-authentication phase of a PANA
 * session in the seed's piggybacked form:
 *
 *   PAR(S)[PRF, Integrity]                  PAN(S)[PRF, Integrity]      (paaserver sends the PAR)
 *   PAR[Nonce, EAP-PSK 1]                   PAN[Nonce, EAP-PSK 2]
 *   PAR[EAP-PSK 3]                          PAN[EAP-PSK 4]
 *   PAR(C)[Result-Code, EAP-Success, Key-Id, Session-Lifetime, AUTH]
 *                                           PAN(C)[Key-Id, AUTH]
 *
 * A re-authentication runs the same from the Nonce PAR on, with the A flag
 * and AUTH under the current key; its PAR(C)/PAN(C) carry AUTH under the
 * new one (Key-Id + 1).  A wrong key or an unknown device gets a PAR(C)
 * with PANA_AUTHENTICATION_REJECTED and an EAP-Failure.
 */
#ifndef LWGATE_PAAD_PAAAUTH_H
#define LWGATE_PAAD_PAAAUTH_H

#include <stddef.h>
#include <stdint.h>

#include "pana/pana_msg.h"
#include "paasess.h"

/* Start an EAP-PSK run: PAR[Nonce, EAP-PSK 1] (with AUTH when the session has a key). */
void paaauth_begin(struct sess *s);

/*
 * Take the PAN @m (@len bytes at @buf, sequence number and AUTH already
 * checked) that answers the session's outstanding PAR in phase P_START,
 * P_EAP or P_COMPLETE, and send what comes next.
 */
void paaauth_answer(struct sess *s, const uint8_t *buf, size_t len, const struct pana_msg *m);

#endif
