/*
 * EAP and EAP-PSK parsing, and both EAP-PSK state machines, on arbitrary
 * bytes.  Properties checked: a parsed EAP-PSK message's fields lie inside
 * the input; the server, started with fixed RAND_S and identifier, and a
 * peer never accept a message 2/3/4 that the fuzzer forged without the key
 * (they may refuse it or call it malformed, never reach DONE).
 */
#include <stdlib.h>
#include <string.h>

#include "pana/eap.h"
#include "pana/eap_psk.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
	CHECK(!p || (p >= data && p + n <= data + size));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t psk[16] = { 1, 2, 3 }, rand_s[16] = { 9 }, rand_p[16] = { 7 };
	struct eap_pkt pkt;
	struct eap_psk_msg m;
	struct eap_psk s, p;
	uint8_t out[EAP_PSK_MAX_MSG];

	if (eap_parse(data, size, &pkt) == 0)
		inside(pkt.data, pkt.data_len, data, size);
	if (eap_psk_parse(data, size, &m) == 0) {
		inside(m.rand_s, 16, data, size);
		inside(m.rand_p, 16, data, size);
		inside(m.mac, 16, data, size);
		inside(m.id, m.id_len, data, size);
		inside(m.pchannel, m.pchannel_len, data, size);
	}
	eap_psk_server_start(&s, "paad", rand_s, size ? data[1 % size] : 0, out, sizeof(out));
	if (eap_psk_server_recv2(&s, data, size) == 0) {
		CHECK(s.state == EAP_PSK_GOT_2);
		/* MAC_P under a key the input cannot know */
		CHECK(eap_psk_server_send3(&s, psk, out, sizeof(out)) < 0);
	}
	eap_psk_peer_init(&p, "node", psk);
	if (eap_psk_peer_input(&p, data, size, rand_p, out, sizeof(out)) > 0)
		CHECK(p.state == EAP_PSK_SENT_2);
	return 0;
}
