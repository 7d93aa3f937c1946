#include "lowpan/mib.h"

#include <string.h>

#define F(name, field)                                   \
	{                                                \
		name, offsetof(struct lowpan_mib, field) \
	}
static const struct lowpan_mib_field fields[] = {
	F("lowpanInReceives", in_receives),
	F("lowpanInHdrErrors", in_hdr_errors),
	F("lowpanInMeshReceives", in_mesh_receives),
	F("lowpanInReasmReqds", in_reasm_reqds),
	F("lowpanInReasmFails", in_reasm_fails),
	F("lowpanInReasmOKs", in_reasm_oks),
	F("lowpanInCompReqds", in_comp_reqds),
	F("lowpanInCompFails", in_comp_fails),
	F("lowpanInCompOKs", in_comp_oks),
	F("lowpanInDiscards", in_discards),
	F("lowpanInDelivers", in_delivers),
	F("lowpanOutRequests", out_requests),
	F("lowpanOutCompReqds", out_comp_reqds),
	F("lowpanOutCompFails", out_comp_fails),
	F("lowpanOutCompOKs", out_comp_oks),
	F("lowpanOutFragReqds", out_frag_reqds),
	F("lowpanOutFragFails", out_frag_fails),
	F("lowpanOutFragOKs", out_frag_oks),
	F("lowpanOutFragCreates", out_frag_creates),
	F("lowpanOutDiscards", out_discards),
	F("lowpanOutTransmits", out_transmits),
	F("lowpanReasmTimeouts", reasm_timeouts),
	F("lowpanReasmOverlaps", reasm_overlaps),
	F("lowpanReasmSizeMismatches", reasm_size_mismatches),
	F("lowpanReasmEvictions", reasm_evictions),
	F("lowpanReasmBadFragments", reasm_bad_fragments),
	F("lowpanReasmDuplicates", reasm_duplicates),
	F("lowpanReasmNoRoom", reasm_no_room),
	F("lowpanVreasmForwarded", vreasm_forwarded),
	F("lowpanVreasmBuffered", vreasm_buffered),
	F("lowpanVreasmDropped", vreasm_dropped),
	F("lowpanVreasmTimeouts", vreasm_timeouts),
	F("lowpanVreasmEvictions", vreasm_evictions),
};
#undef F

_Static_assert(sizeof(fields) / sizeof(fields[0]) == sizeof(struct lowpan_mib) / sizeof(uint64_t),
	       "one table row per counter");

const struct lowpan_mib_field *lowpan_mib_fields(size_t *n)
{
	*n = sizeof(fields) / sizeof(fields[0]);
	return fields;
}

uint64_t lowpan_mib_get(const struct lowpan_mib *m, size_t i)
{
	uint64_t v;
	memcpy(&v, (const char *)m + fields[i].offset, sizeof(v));
	return v;
}
