/* 6LoWPAN counters, named after the RFC 7388 LOWPAN-MIB objects where one
 * exists, plus one counter per discard reason that the MIB lumps together.
 * Plain data: the caller owns a struct lowpan_mib and hands it to the
 * modules (reassembly, virtual reassembly, rx/tx pipelines) that count. */
#ifndef LWGATE_LOWPAN_MIB_H
#define LWGATE_LOWPAN_MIB_H

#include <stddef.h>
#include <stdint.h>

struct lowpan_mib {
	uint64_t in_receives;      /* lowpanInReceives */
	uint64_t in_hdr_errors;    /* lowpanInHdrErrors */
	uint64_t in_mesh_receives; /* lowpanInMeshReceives */
	uint64_t in_reasm_reqds;   /* lowpanInReasmReqds */
	uint64_t in_reasm_fails;   /* lowpanInReasmFails */
	uint64_t in_reasm_oks;     /* lowpanInReasmOKs */
	uint64_t in_comp_reqds;    /* lowpanInCompReqds */
	uint64_t in_comp_fails;    /* lowpanInCompFails */
	uint64_t in_comp_oks;      /* lowpanInCompOKs */
	uint64_t in_discards;      /* lowpanInDiscards */
	uint64_t in_delivers;      /* lowpanInDelivers */
	uint64_t out_requests;     /* lowpanOutRequests */
	uint64_t out_comp_reqds;   /* lowpanOutCompReqds */
	uint64_t out_comp_fails;   /* lowpanOutCompFails */
	uint64_t out_comp_oks;     /* lowpanOutCompOKs */
	uint64_t out_frag_reqds;   /* lowpanOutFragReqds */
	uint64_t out_frag_fails;   /* lowpanOutFragFails */
	uint64_t out_frag_oks;     /* lowpanOutFragOKs */
	uint64_t out_frag_creates; /* lowpanOutFragCreates */
	uint64_t out_discards;     /* lowpanOutDiscards */
	uint64_t out_transmits;    /* lowpanOutTransmits */
	/* Reassembly failures by reason (each also counts in_reasm_fails). */
	uint64_t reasm_timeouts;        /* lowpanReasmTimeout expired */
	uint64_t reasm_overlaps;        /* overlapping fragment: restarted (RFC 4944 5.3) */
	uint64_t reasm_size_mismatches; /* same tag and addresses, other size */
	uint64_t reasm_evictions;       /* oldest evicted for a new datagram */
	/* Fragments dropped without failing a reassembly. */
	uint64_t reasm_bad_fragments; /* beyond datagram_size or misaligned */
	uint64_t reasm_duplicates;    /* identical copy of received bytes */
	uint64_t reasm_no_room;       /* datagram larger than the byte budget */
	/* Virtual reassembly (forwarding without reassembly). */
	uint64_t vreasm_forwarded; /* fragments forwarded */
	uint64_t vreasm_buffered;  /* FRAGN held until their FRAG1 */
	uint64_t vreasm_dropped;   /* fragments of a datagram given up */
	uint64_t vreasm_timeouts;  /* runt entries timed out */
	uint64_t vreasm_evictions; /* runt entries evicted when full */
};

/* Name and offset of each counter, in struct order, for printing. */
struct lowpan_mib_field {
	const char *name; /* the MIB object name, or lowpan<Reason> */
	size_t offset;    /* offsetof(struct lowpan_mib, ...) */
	unsigned oid;     /* RFC 7388: LOWPAN-MIB::lowpanStats.<oid> (a Counter32); 0: none */
};

/* LOWPAN-MIB::lowpanStats (RFC 7388), 1.3.6.1.2.1.226.1.1: mib-2.lowpanMIB.lowpanObjects.1 */
#define LOWPAN_MIB_STATS_OID 1, 3, 6, 1, 2, 1, 226, 1, 1
/* lowpanStats.1, lowpanReasmTimeout: Unsigned32, seconds */
#define LOWPAN_MIB_REASM_TIMEOUT_OID 1

/* The table of counters; *n is set to its length.  Constant data. */
const struct lowpan_mib_field *lowpan_mib_fields(size_t *n);

/* Value of counter i of the table. */
uint64_t lowpan_mib_get(const struct lowpan_mib *m, size_t i);

#endif
