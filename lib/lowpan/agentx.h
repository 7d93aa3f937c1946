/*
 * agentx — the AgentX protocol's PDUs (RFC 2741 §6) for lowpand's
 * LOWPAN-MIB subagent: the 20-octet header, OIDs, SearchRanges, VarBinds
 * and the payloads a subagent sends (Open, Register, Ping, Close,
 * Response) or receives (Get, GetNext, GetBulk, TestSet..CleanupSet,
 * Response).  Multi-octet fields are in network byte order when the
 * header's NETWORK_BYTE_ORDER flag is set, little-endian otherwise (the
 * order of the x86/ARM hosts this runs on; RFC 2741 §5.1).  Pure codec:
 * buffers in, structs or buffers out, every length from the wire checked.
 */
#ifndef LWGATE_LOWPAN_AGENTX_H
#define LWGATE_LOWPAN_AGENTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOWPAN_AGENTX_HDR_LEN 20
/* Largest payload accepted: far beyond a master's requests to a subagent of 22 objects */
#define LOWPAN_AGENTX_MAX_PAYLOAD 65536
/* RFC 2578 §7.1.3: at most 128 sub-identifiers */
#define LOWPAN_AGENTX_OID_MAX 128

enum lowpan_agentx_type {
	LOWPAN_AGENTX_OPEN = 1,
	LOWPAN_AGENTX_CLOSE = 2,
	LOWPAN_AGENTX_REGISTER = 3,
	LOWPAN_AGENTX_UNREGISTER = 4,
	LOWPAN_AGENTX_GET = 5,
	LOWPAN_AGENTX_GETNEXT = 6,
	LOWPAN_AGENTX_GETBULK = 7,
	LOWPAN_AGENTX_TESTSET = 8,
	LOWPAN_AGENTX_COMMITSET = 9,
	LOWPAN_AGENTX_UNDOSET = 10,
	LOWPAN_AGENTX_CLEANUPSET = 11,
	LOWPAN_AGENTX_NOTIFY = 12,
	LOWPAN_AGENTX_PING = 13,
	LOWPAN_AGENTX_INDEXALLOCATE = 14,
	LOWPAN_AGENTX_INDEXDEALLOCATE = 15,
	LOWPAN_AGENTX_ADDAGENTCAPS = 16,
	LOWPAN_AGENTX_REMOVEAGENTCAPS = 17,
	LOWPAN_AGENTX_RESPONSE = 18,
};

/* h.flags (RFC 2741 §6.1) */
#define LOWPAN_AGENTX_F_INSTANCE_REGISTRATION 0x01
#define LOWPAN_AGENTX_F_NEW_INDEX             0x02
#define LOWPAN_AGENTX_F_ANY_INDEX             0x04
#define LOWPAN_AGENTX_F_NON_DEFAULT_CONTEXT   0x08
#define LOWPAN_AGENTX_F_NETWORK_BYTE_ORDER    0x10

/* VarBind types (RFC 2741 §5.4) */
enum lowpan_agentx_vtype {
	LOWPAN_AGENTX_INTEGER = 2,
	LOWPAN_AGENTX_OCTET_STRING = 4,
	LOWPAN_AGENTX_NULL = 5,
	LOWPAN_AGENTX_OBJECT_IDENTIFIER = 6,
	LOWPAN_AGENTX_IPADDRESS = 64,
	LOWPAN_AGENTX_COUNTER32 = 65,
	LOWPAN_AGENTX_GAUGE32 = 66,
	LOWPAN_AGENTX_TIMETICKS = 67,
	LOWPAN_AGENTX_OPAQUE = 68,
	LOWPAN_AGENTX_COUNTER64 = 70,
	LOWPAN_AGENTX_NOSUCHOBJECT = 128,
	LOWPAN_AGENTX_NOSUCHINSTANCE = 129,
	LOWPAN_AGENTX_ENDOFMIBVIEW = 130,
};

/* res.error values used here (RFC 2741 §6.2.16) */
#define LOWPAN_AGENTX_NOERROR          0
#define LOWPAN_AGENTX_GENERR           5
#define LOWPAN_AGENTX_NOTWRITABLE      17
#define LOWPAN_AGENTX_OPENFAILED       256
#define LOWPAN_AGENTX_NOTOPEN          257
#define LOWPAN_AGENTX_DUPLICATEREG     263
#define LOWPAN_AGENTX_CLOSE_SHUTDOWN   5 /* Close's reason */
#define LOWPAN_AGENTX_CLOSE_PROTOERROR 3

struct lowpan_agentx_hdr {
	uint8_t type;  /* enum lowpan_agentx_type */
	uint8_t flags; /* LOWPAN_AGENTX_F_* */
	uint32_t session_id;
	uint32_t transaction_id;
	uint32_t packet_id;
	uint32_t payload_len; /* on parse: checked against LOWPAN_AGENTX_MAX_PAYLOAD */
};

/* An object identifier, the prefix (1.3.6.1.x) expanded. */
struct lowpan_agentx_oid {
	uint32_t n; /* 0: the null OID */
	bool include;
	uint32_t sub[LOWPAN_AGENTX_OID_MAX];
};

struct lowpan_agentx_range {
	struct lowpan_agentx_oid start; /* start.include: the start itself qualifies */
	struct lowpan_agentx_oid end;   /* the null OID: no end */
};

struct lowpan_agentx_varbind {
	uint16_t type;
	struct lowpan_agentx_oid name;
	uint64_t num;          /* INTEGER (as uint32), Counter32, Gauge32, TimeTicks, Counter64 */
	const uint8_t *octets; /* OCTET STRING, Opaque, IpAddress: into the parsed buffer */
	size_t octets_len;     /* on encode: octets are copied */
	struct lowpan_agentx_oid oid; /* OBJECT IDENTIFIER values (only on parse) */
};

/*
 * A received PDU, checked as a whole: the header, then for Get, GetNext
 * and GetBulk the SearchRanges, for TestSet, Response, Notify the
 * VarBinds, all inside payload_len.  The lists stay in the buffer
 * (@list, @list_len) and are read with lowpan_agentx_next_range() or
 * lowpan_agentx_next_varbind().
 */
struct lowpan_agentx_pdu {
	struct lowpan_agentx_hdr h;
	const uint8_t *context; /* NON_DEFAULT_CONTEXT: the context's octets */
	size_t context_len;
	uint16_t non_repeaters, max_repetitions; /* GetBulk */
	uint32_t sys_uptime;                     /* Response */
	uint16_t error, index;                   /* Response */
	uint8_t close_reason;                    /* Close */
	size_t n_items;                          /* SearchRanges or VarBinds in @list */
	const uint8_t *list;
	size_t list_len;
};

/*
 * Parse the header in p[0..len).  Returns 0, -EAGAIN when len < 20,
 * -EPROTO for a version other than 1 or a payload length that is not a
 * multiple of 4, -EMSGSIZE for a payload over LOWPAN_AGENTX_MAX_PAYLOAD.
 */
int lowpan_agentx_hdr_parse(const uint8_t *p, size_t len, struct lowpan_agentx_hdr *h);

/*
 * Parse the whole PDU in p[0..len): len must be at least 20 + payload_len
 * (octets beyond are not looked at).  Returns 0, -EAGAIN when it is
 * shorter, -EPROTO (or -EMSGSIZE) for a malformed PDU.  @out points into @p.
 */
int lowpan_agentx_pdu_parse(const uint8_t *p, size_t len, struct lowpan_agentx_pdu *out);

/* The next SearchRange of @pdu's list (*off: 0 at first); 0 or -ENOENT past the end. */
int lowpan_agentx_next_range(const struct lowpan_agentx_pdu *pdu, size_t *off,
			     struct lowpan_agentx_range *r);

/* The next VarBind of @pdu's list (*off: 0 at first); 0 or -ENOENT past the end. */
int lowpan_agentx_next_varbind(const struct lowpan_agentx_pdu *pdu, size_t *off,
			       struct lowpan_agentx_varbind *vb);

/* <0, 0, >0 as @a sorts before, equal to, after @b (lexicographic; include ignored). */
int lowpan_agentx_oid_cmp(const struct lowpan_agentx_oid *a, const struct lowpan_agentx_oid *b);

/* Set @o to sub[0..n) (n <= LOWPAN_AGENTX_OID_MAX), include false. */
void lowpan_agentx_oid_set(struct lowpan_agentx_oid *o, const uint32_t *sub, size_t n);

/*
 * A PDU being written into a caller's buffer.  Writes past @cap set
 * @overflow and are dropped; lowpan_agentx_finish() then fails.
 */
struct lowpan_agentx_writer {
	uint8_t *buf;
	size_t cap, len;
	bool nbo; /* from h.flags' NETWORK_BYTE_ORDER */
	bool overflow;
};

/* Start a PDU with header @h (payload_len is filled in by lowpan_agentx_finish()). */
void lowpan_agentx_begin(struct lowpan_agentx_writer *w, uint8_t *buf, size_t cap,
			 const struct lowpan_agentx_hdr *h);
void lowpan_agentx_put8(struct lowpan_agentx_writer *w, uint8_t v);
void lowpan_agentx_put16(struct lowpan_agentx_writer *w, uint16_t v);
void lowpan_agentx_put32(struct lowpan_agentx_writer *w, uint32_t v);
void lowpan_agentx_put64(struct lowpan_agentx_writer *w, uint64_t v);
/* An Octet String: length, octets, padding to 4. */
void lowpan_agentx_put_octets(struct lowpan_agentx_writer *w, const void *p, size_t n);
/* An OID, with the 1.3.6.1.x prefix compressed when it applies. */
void lowpan_agentx_put_oid(struct lowpan_agentx_writer *w, const struct lowpan_agentx_oid *o);
/* A VarBind of vb->type (not OBJECT IDENTIFIER values). */
void lowpan_agentx_put_varbind(struct lowpan_agentx_writer *w,
			       const struct lowpan_agentx_varbind *vb);
/* Response header fields: sysUpTime, error, index. */
void lowpan_agentx_put_response(struct lowpan_agentx_writer *w, uint32_t sys_uptime, uint16_t error,
				uint16_t index);
/* Write the payload length; returns the PDU's length, or -EMSGSIZE on overflow. */
int lowpan_agentx_finish(struct lowpan_agentx_writer *w);

/* Open (§6.2.1): @timeout s (0: the master's default), subagent @id, @descr. */
int lowpan_agentx_build_open(uint8_t *buf, size_t cap, const struct lowpan_agentx_hdr *h,
			     uint8_t timeout, const struct lowpan_agentx_oid *id,
			     const char *descr);
/* Register (§6.2.3) of @subtree, default context, no range. */
int lowpan_agentx_build_register(uint8_t *buf, size_t cap, const struct lowpan_agentx_hdr *h,
				 uint8_t timeout, uint8_t priority,
				 const struct lowpan_agentx_oid *subtree);
/* Close (§6.2.2) with @reason. */
int lowpan_agentx_build_close(uint8_t *buf, size_t cap, const struct lowpan_agentx_hdr *h,
			      uint8_t reason);
/* Ping (§6.2.13), default context. */
int lowpan_agentx_build_ping(uint8_t *buf, size_t cap, const struct lowpan_agentx_hdr *h);

#endif
