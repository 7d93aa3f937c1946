/*
 * A stream of AgentX PDUs from a master, as lowpand's subagent reads it:
 * each parsed PDU's lists are walked to the end, every item must lie in
 * the input, and a VarBind list re-encoded must parse back the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lowpan/agentx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_varbinds(const struct lowpan_agentx_pdu *pdu)
{
	static uint8_t out[4 * LOWPAN_AGENTX_MAX_PAYLOAD];
	struct lowpan_agentx_writer w;
	struct lowpan_agentx_varbind vb;
	struct lowpan_agentx_pdu back;
	size_t off = 0, n = 0;
	int len;

	lowpan_agentx_begin(&w, out, sizeof(out), &pdu->h);
	out[1] = LOWPAN_AGENTX_RESPONSE;
	lowpan_agentx_put_response(&w, 0, 0, 0);
	while (lowpan_agentx_next_varbind(pdu, &off, &vb) == 0) {
		if (vb.octets && (vb.octets < pdu->list ||
				  vb.octets + vb.octets_len > pdu->list + pdu->list_len))
			abort();
		lowpan_agentx_put_varbind(&w, &vb);
		n++;
	}
	if (n != pdu->n_items || off != pdu->list_len)
		abort();
	len = lowpan_agentx_finish(&w);
	if (len < 0)
		return; /* re-encoded OIDs may grow past the payload limit */
	if (lowpan_agentx_pdu_parse(out, (size_t)len, &back) != 0 || back.n_items != n)
		abort();
}

static void check_ranges(const struct lowpan_agentx_pdu *pdu)
{
	struct lowpan_agentx_range r;
	size_t off = 0, n = 0;

	while (lowpan_agentx_next_range(pdu, &off, &r) == 0) {
		if (r.start.n > LOWPAN_AGENTX_OID_MAX || r.end.n > LOWPAN_AGENTX_OID_MAX)
			abort();
		n++;
	}
	if (n != pdu->n_items || off != pdu->list_len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	while (size > 0) {
		struct lowpan_agentx_pdu pdu;
		size_t total;

		if (lowpan_agentx_pdu_parse(data, size, &pdu) != 0)
			return 0;
		total = LOWPAN_AGENTX_HDR_LEN + pdu.h.payload_len;
		if (total > size || pdu.list < data || pdu.list + pdu.list_len > data + total)
			abort();
		switch (pdu.h.type) {
		case LOWPAN_AGENTX_GET:
		case LOWPAN_AGENTX_GETNEXT:
		case LOWPAN_AGENTX_GETBULK:
			check_ranges(&pdu);
			break;
		case LOWPAN_AGENTX_RESPONSE:
		case LOWPAN_AGENTX_TESTSET:
		case LOWPAN_AGENTX_NOTIFY:
			check_varbinds(&pdu);
			break;
		default:
			break;
		}
		data += total;
		size -= total;
	}
	return 0;
}
