/*
 * pana_msg_parse() on arbitrary bytes.  Properties checked: a parsed
 * message rebuilt with the builder (its IETF AVPs, in order) parses to the
 * same header and AVPs; every AVP value lies inside the input; AUTH
 * verification of any AUTH AVP reads only the message.
 */
#include <stdlib.h>
#include <string.h>

#include "pana/pana_auth.h"
#include "pana/pana_msg.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x))        \
			abort(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[PANA_AUTH_KEY_LEN];
	struct pana_msg m, r;
	struct pana_builder b;
	size_t n = 0;

	if (pana_msg_parse(data, size, &m) < 0)
		return 0;
	pana_msg_begin(&b, m.flags, m.type, m.session_id, m.seq);
	for (size_t i = 0; i < m.navps; i++) {
		const struct pana_avp *a = &m.avps[i];

		CHECK(a->value >= data && a->value + a->len <= data + size);
		if (a->flags & PANA_AVP_FLAG_V)
			continue;
		pana_msg_add(&b, a->code, a->value, a->len);
		n++;
		if (a->code == PANA_AVP_AUTH)
			(void)pana_auth_verify(key, data, size, a->value, a->len);
	}
	if (pana_msg_end(&b) < 0)
		return 0; /* flags in AVP headers were dropped, never grown: only a size limit */
	CHECK(pana_msg_parse(b.buf, b.len, &r) == 0);
	CHECK(r.flags == m.flags && r.type == m.type && r.session_id == m.session_id &&
	      r.seq == m.seq && r.navps == n);
	for (size_t i = 0, j = 0; i < m.navps; i++) {
		if (m.avps[i].flags & PANA_AVP_FLAG_V)
			continue;
		CHECK(r.avps[j].code == m.avps[i].code && r.avps[j].len == m.avps[i].len);
		CHECK(!m.avps[i].len || !memcmp(r.avps[j].value, m.avps[i].value, m.avps[i].len));
		j++;
	}
	return 0;
}
