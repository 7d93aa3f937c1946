#include "lowpan/mib.h"

#include <string.h>

/*
 * The sub-identifier is the object's under lowpanStats (RFC 7388 §6:
 * mib-2.226.1.1.N), 0 for the counters the MIB does not have.  The MESH
 * header objects other than lowpanInMeshReceives (5, 6, 23..27) are not
 * here: lowpand does route-over, never mesh-under forwarding.
 */
#define F(name, field, oid)                                   \
	{                                                     \
		name, offsetof(struct lowpan_mib, field), oid \
	}
static const struct lowpan_mib_field fields[] = {
	F("lowpanInReceives", in_receives, 2),
	F("lowpanInHdrErrors", in_hdr_errors, 3),
	F("lowpanInMeshReceives", in_mesh_receives, 4),
	F("lowpanInReasmReqds", in_reasm_reqds, 7),
	F("lowpanInReasmFails", in_reasm_fails, 8),
	F("lowpanInReasmOKs", in_reasm_oks, 9),
	F("lowpanInCompReqds", in_comp_reqds, 10),
	F("lowpanInCompFails", in_comp_fails, 11),
	F("lowpanInCompOKs", in_comp_oks, 12),
	F("lowpanInDiscards", in_discards, 13),
	F("lowpanInDelivers", in_delivers, 14),
	F("lowpanOutRequests", out_requests, 15),
	F("lowpanOutCompReqds", out_comp_reqds, 16),
	F("lowpanOutCompFails", out_comp_fails, 17),
	F("lowpanOutCompOKs", out_comp_oks, 18),
	F("lowpanOutFragReqds", out_frag_reqds, 19),
	F("lowpanOutFragFails", out_frag_fails, 20),
	F("lowpanOutFragOKs", out_frag_oks, 21),
	F("lowpanOutFragCreates", out_frag_creates, 22),
	F("lowpanOutDiscards", out_discards, 28),
	F("lowpanOutTransmits", out_transmits, 29),
	F("lowpanReasmTimeouts", reasm_timeouts, 0),
	F("lowpanReasmOverlaps", reasm_overlaps, 0),
	F("lowpanReasmSizeMismatches", reasm_size_mismatches, 0),
	F("lowpanReasmEvictions", reasm_evictions, 0),
	F("lowpanReasmBadFragments", reasm_bad_fragments, 0),
	F("lowpanReasmDuplicates", reasm_duplicates, 0),
	F("lowpanReasmNoRoom", reasm_no_room, 0),
	F("lowpanVreasmForwarded", vreasm_forwarded, 0),
	F("lowpanVreasmBuffered", vreasm_buffered, 0),
	F("lowpanVreasmDropped", vreasm_dropped, 0),
	F("lowpanVreasmTimeouts", vreasm_timeouts, 0),
	F("lowpanVreasmEvictions", vreasm_evictions, 0),
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
