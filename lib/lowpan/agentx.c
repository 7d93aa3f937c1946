#include "lowpan/agentx.h"

#include <errno.h>
#include <string.h>

/* A read position in a PDU's payload, in the PDU's byte order. */
struct rd {
	const uint8_t *p;
	size_t len, off;
	bool nbo;
};

static int get8(struct rd *r, uint8_t *v)
{
	if (r->len - r->off < 1)
		return -EPROTO;
	*v = r->p[r->off++];
	return 0;
}

static int get16(struct rd *r, uint16_t *v)
{
	const uint8_t *q = r->p + r->off;

	if (r->len - r->off < 2)
		return -EPROTO;
	*v = r->nbo ? (uint16_t)(q[0] << 8 | q[1]) : (uint16_t)(q[1] << 8 | q[0]);
	r->off += 2;
	return 0;
}

static uint32_t load32(const uint8_t *q, bool nbo)
{
	if (nbo)
		return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
	return (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
}

static int get32(struct rd *r, uint32_t *v)
{
	if (r->len - r->off < 4)
		return -EPROTO;
	*v = load32(r->p + r->off, r->nbo);
	r->off += 4;
	return 0;
}

/* RFC 2741 §5.3: a 4-octet length, the octets, zero padding to a multiple of 4 */
static int get_octets(struct rd *r, const uint8_t **p, size_t *n)
{
	uint32_t len;
	size_t padded;

	if (get32(r, &len) < 0)
		return -EPROTO;
	if (len > r->len - r->off)
		return -EPROTO;
	padded = ((size_t)len + 3) & ~(size_t)3;
	if (padded > r->len - r->off)
		return -EPROTO;
	*p = r->p + r->off;
	*n = len;
	r->off += padded;
	return 0;
}

/* RFC 2741 §5.1: n_subid, prefix, include, reserved, then n_subid 4-octet sub-identifiers */
static int get_oid(struct rd *r, struct lowpan_agentx_oid *o)
{
	uint8_t n, prefix, include, reserved;
	uint32_t k = 0;

	if (get8(r, &n) < 0 || get8(r, &prefix) < 0 || get8(r, &include) < 0 ||
	    get8(r, &reserved) < 0)
		return -EPROTO;
	if ((size_t)n * 4 > r->len - r->off)
		return -EPROTO;
	if (n + (prefix ? 5u : 0u) > LOWPAN_AGENTX_OID_MAX)
		return -EPROTO;
	if (prefix) {
		static const uint32_t internet[] = { 1, 3, 6, 1 };

		memcpy(o->sub, internet, sizeof(internet));
		o->sub[4] = prefix;
		k = 5;
	}
	for (uint8_t i = 0; i < n; i++)
		(void)get32(r, &o->sub[k++]);
	o->n = k;
	o->include = include != 0;
	return 0;
}

static int get_range(struct rd *r, struct lowpan_agentx_range *sr)
{
	if (get_oid(r, &sr->start) < 0 || get_oid(r, &sr->end) < 0)
		return -EPROTO;
	return 0;
}

static int get_varbind(struct rd *r, struct lowpan_agentx_varbind *vb)
{
	uint16_t type, reserved;
	uint32_t v32;

	memset(vb, 0, offsetof(struct lowpan_agentx_varbind, oid));
	vb->oid.n = 0;
	if (get16(r, &type) < 0 || get16(r, &reserved) < 0 || get_oid(r, &vb->name) < 0)
		return -EPROTO;
	vb->type = type;
	switch (type) {
	case LOWPAN_AGENTX_INTEGER:
	case LOWPAN_AGENTX_COUNTER32:
	case LOWPAN_AGENTX_GAUGE32:
	case LOWPAN_AGENTX_TIMETICKS:
		if (get32(r, &v32) < 0)
			return -EPROTO;
		vb->num = v32;
		return 0;
	case LOWPAN_AGENTX_COUNTER64: {
		uint32_t a, b;

		if (get32(r, &a) < 0 || get32(r, &b) < 0)
			return -EPROTO;
		/* §5.4: a 64-bit value in the PDU's byte order as a whole */
		vb->num = r->nbo ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
		return 0;
	}
	case LOWPAN_AGENTX_OCTET_STRING:
	case LOWPAN_AGENTX_IPADDRESS:
	case LOWPAN_AGENTX_OPAQUE:
		return get_octets(r, &vb->octets, &vb->octets_len);
	case LOWPAN_AGENTX_OBJECT_IDENTIFIER:
		return get_oid(r, &vb->oid);
	case LOWPAN_AGENTX_NULL:
	case LOWPAN_AGENTX_NOSUCHOBJECT:
	case LOWPAN_AGENTX_NOSUCHINSTANCE:
	case LOWPAN_AGENTX_ENDOFMIBVIEW:
		return 0;
	default:
		return -EPROTO;
	}
}

int lowpan_agentx_hdr_parse(const uint8_t *p, size_t len, struct lowpan_agentx_hdr *h)
{
	bool nbo;

	if (len < LOWPAN_AGENTX_HDR_LEN)
		return -EAGAIN;
	if (p[0] != 1)
		return -EPROTO;
	h->type = p[1];
	h->flags = p[2];
	nbo = (h->flags & LOWPAN_AGENTX_F_NETWORK_BYTE_ORDER) != 0;
	h->session_id = load32(p + 4, nbo);
	h->transaction_id = load32(p + 8, nbo);
	h->packet_id = load32(p + 12, nbo);
	h->payload_len = load32(p + 16, nbo);
	if (h->payload_len % 4 != 0)
		return -EPROTO;
	if (h->payload_len > LOWPAN_AGENTX_MAX_PAYLOAD)
		return -EMSGSIZE;
	return 0;
}

/* Check a list of SearchRanges or VarBinds to the end of the payload; count it. */
static int check_list(struct lowpan_agentx_pdu *out, struct rd *r, bool ranges)
{
	out->list = r->p + r->off;
	out->list_len = r->len - r->off;
	out->n_items = 0;
	while (r->off < r->len) {
		/* one at a time: a range is two OIDs of up to 516 octets each */
		struct lowpan_agentx_varbind vb;
		struct lowpan_agentx_range sr;

		if ((ranges ? get_range(r, &sr) : get_varbind(r, &vb)) < 0)
			return -EPROTO;
		out->n_items++;
	}
	return 0;
}

int lowpan_agentx_pdu_parse(const uint8_t *p, size_t len, struct lowpan_agentx_pdu *out)
{
	struct rd r;
	int err = lowpan_agentx_hdr_parse(p, len, &out->h);
	uint8_t t;

	if (err < 0)
		return err;
	if (len - LOWPAN_AGENTX_HDR_LEN < out->h.payload_len)
		return -EAGAIN;
	r = (struct rd){ p + LOWPAN_AGENTX_HDR_LEN, out->h.payload_len, 0,
			 (out->h.flags & LOWPAN_AGENTX_F_NETWORK_BYTE_ORDER) != 0 };
	out->context = NULL;
	out->context_len = 0;
	out->non_repeaters = out->max_repetitions = 0;
	out->sys_uptime = 0;
	out->error = out->index = 0;
	out->close_reason = 0;
	out->n_items = 0;
	out->list = r.p + r.len;
	out->list_len = 0;
	t = out->h.type;
	/* §6.1: the PDUs that may carry a context */
	if ((out->h.flags & LOWPAN_AGENTX_F_NON_DEFAULT_CONTEXT) &&
	    ((t >= LOWPAN_AGENTX_REGISTER && t <= LOWPAN_AGENTX_TESTSET) ||
	     (t >= LOWPAN_AGENTX_NOTIFY && t <= LOWPAN_AGENTX_REMOVEAGENTCAPS)) &&
	    get_octets(&r, &out->context, &out->context_len) < 0)
		return -EPROTO;
	switch (t) {
	case LOWPAN_AGENTX_GET:
	case LOWPAN_AGENTX_GETNEXT:
		return check_list(out, &r, true);
	case LOWPAN_AGENTX_GETBULK:
		if (get16(&r, &out->non_repeaters) < 0 || get16(&r, &out->max_repetitions) < 0)
			return -EPROTO;
		return check_list(out, &r, true);
	case LOWPAN_AGENTX_TESTSET:
	case LOWPAN_AGENTX_NOTIFY:
		return check_list(out, &r, false);
	case LOWPAN_AGENTX_RESPONSE: {
		uint32_t up;

		if (get32(&r, &up) < 0 || get16(&r, &out->error) < 0 || get16(&r, &out->index) < 0)
			return -EPROTO;
		out->sys_uptime = up;
		return check_list(out, &r, false);
	}
	case LOWPAN_AGENTX_CLOSE: {
		uint8_t pad[3];

		if (get8(&r, &out->close_reason) < 0 || get8(&r, &pad[0]) < 0 ||
		    get8(&r, &pad[1]) < 0 || get8(&r, &pad[2]) < 0)
			return -EPROTO;
		return r.off == r.len ? 0 : -EPROTO;
	}
	case LOWPAN_AGENTX_PING:
	case LOWPAN_AGENTX_COMMITSET:
	case LOWPAN_AGENTX_UNDOSET:
	case LOWPAN_AGENTX_CLEANUPSET:
		return r.off == r.len ? 0 : -EPROTO;
	case LOWPAN_AGENTX_OPEN:
	case LOWPAN_AGENTX_REGISTER:
	case LOWPAN_AGENTX_UNREGISTER:
	case LOWPAN_AGENTX_INDEXALLOCATE:
	case LOWPAN_AGENTX_INDEXDEALLOCATE:
	case LOWPAN_AGENTX_ADDAGENTCAPS:
	case LOWPAN_AGENTX_REMOVEAGENTCAPS:
		/* sent by subagents, never to one: carried, not decoded */
		out->list = r.p + r.off;
		out->list_len = r.len - r.off;
		return 0;
	default:
		return -EPROTO;
	}
}

static struct rd list_reader(const struct lowpan_agentx_pdu *pdu, size_t off)
{
	return (struct rd){ pdu->list, pdu->list_len, off,
			    (pdu->h.flags & LOWPAN_AGENTX_F_NETWORK_BYTE_ORDER) != 0 };
}

int lowpan_agentx_next_range(const struct lowpan_agentx_pdu *pdu, size_t *off,
			     struct lowpan_agentx_range *sr)
{
	struct rd r = list_reader(pdu, *off);

	if (r.off >= r.len || get_range(&r, sr) < 0)
		return -ENOENT;
	*off = r.off;
	return 0;
}

int lowpan_agentx_next_varbind(const struct lowpan_agentx_pdu *pdu, size_t *off,
			       struct lowpan_agentx_varbind *vb)
{
	struct rd r = list_reader(pdu, *off);

	if (r.off >= r.len || get_varbind(&r, vb) < 0)
		return -ENOENT;
	*off = r.off;
	return 0;
}

int lowpan_agentx_oid_cmp(const struct lowpan_agentx_oid *a, const struct lowpan_agentx_oid *b)
{
	uint32_t n = a->n < b->n ? a->n : b->n;

	for (uint32_t i = 0; i < n; i++)
		if (a->sub[i] != b->sub[i])
			return a->sub[i] < b->sub[i] ? -1 : 1;
	return a->n < b->n ? -1 : a->n > b->n ? 1 : 0;
}

void lowpan_agentx_oid_set(struct lowpan_agentx_oid *o, const uint32_t *sub, size_t n)
{
	if (n > LOWPAN_AGENTX_OID_MAX)
		n = LOWPAN_AGENTX_OID_MAX;
	memcpy(o->sub, sub, n * sizeof(*sub));
	o->n = (uint32_t)n;
	o->include = false;
}

void lowpan_agentx_begin(struct lowpan_agentx_writer *w, uint8_t *buf, size_t cap,
			 const struct lowpan_agentx_hdr *h)
{
	*w = (struct lowpan_agentx_writer){ buf, cap, 0,
					    (h->flags & LOWPAN_AGENTX_F_NETWORK_BYTE_ORDER) != 0,
					    false };
	lowpan_agentx_put8(w, 1);
	lowpan_agentx_put8(w, h->type);
	lowpan_agentx_put8(w, h->flags);
	lowpan_agentx_put8(w, 0);
	lowpan_agentx_put32(w, h->session_id);
	lowpan_agentx_put32(w, h->transaction_id);
	lowpan_agentx_put32(w, h->packet_id);
	lowpan_agentx_put32(w, 0);
}

static uint8_t *room(struct lowpan_agentx_writer *w, size_t n)
{
	uint8_t *p;

	if (w->overflow || w->cap - w->len < n) {
		w->overflow = true;
		return NULL;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

void lowpan_agentx_put8(struct lowpan_agentx_writer *w, uint8_t v)
{
	uint8_t *p = room(w, 1);

	if (p)
		*p = v;
}

void lowpan_agentx_put16(struct lowpan_agentx_writer *w, uint16_t v)
{
	uint8_t *p = room(w, 2);

	if (!p)
		return;
	p[w->nbo ? 0 : 1] = (uint8_t)(v >> 8);
	p[w->nbo ? 1 : 0] = (uint8_t)v;
}

static void store32(uint8_t *p, uint32_t v, bool nbo)
{
	for (int i = 0; i < 4; i++)
		p[nbo ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

void lowpan_agentx_put32(struct lowpan_agentx_writer *w, uint32_t v)
{
	uint8_t *p = room(w, 4);

	if (p)
		store32(p, v, w->nbo);
}

void lowpan_agentx_put64(struct lowpan_agentx_writer *w, uint64_t v)
{
	lowpan_agentx_put32(w, (uint32_t)(w->nbo ? v >> 32 : v));
	lowpan_agentx_put32(w, (uint32_t)(w->nbo ? v : v >> 32));
}

void lowpan_agentx_put_octets(struct lowpan_agentx_writer *w, const void *src, size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3;
	uint8_t *p;

	if (n > UINT32_MAX) {
		w->overflow = true;
		return;
	}
	lowpan_agentx_put32(w, (uint32_t)n);
	p = room(w, padded);
	if (!p)
		return;
	if (n)
		memcpy(p, src, n);
	memset(p + n, 0, padded - n);
}

void lowpan_agentx_put_oid(struct lowpan_agentx_writer *w, const struct lowpan_agentx_oid *o)
{
	uint32_t k = 0;
	uint8_t prefix = 0;

	if (o->n >= 5 && o->sub[0] == 1 && o->sub[1] == 3 && o->sub[2] == 6 && o->sub[3] == 1 &&
	    o->sub[4] >= 1 && o->sub[4] <= 255) {
		prefix = (uint8_t)o->sub[4];
		k = 5;
	}
	lowpan_agentx_put8(w, (uint8_t)(o->n - k));
	lowpan_agentx_put8(w, prefix);
	lowpan_agentx_put8(w, o->include ? 1 : 0);
	lowpan_agentx_put8(w, 0);
	for (; k < o->n; k++)
		lowpan_agentx_put32(w, o->sub[k]);
}

void lowpan_agentx_put_varbind(struct lowpan_agentx_writer *w,
			       const struct lowpan_agentx_varbind *vb)
{
	lowpan_agentx_put16(w, vb->type);
	lowpan_agentx_put16(w, 0);
	lowpan_agentx_put_oid(w, &vb->name);
	switch (vb->type) {
	case LOWPAN_AGENTX_INTEGER:
	case LOWPAN_AGENTX_COUNTER32:
	case LOWPAN_AGENTX_GAUGE32:
	case LOWPAN_AGENTX_TIMETICKS:
		lowpan_agentx_put32(w, (uint32_t)vb->num);
		break;
	case LOWPAN_AGENTX_COUNTER64:
		lowpan_agentx_put64(w, vb->num);
		break;
	case LOWPAN_AGENTX_OCTET_STRING:
	case LOWPAN_AGENTX_IPADDRESS:
	case LOWPAN_AGENTX_OPAQUE:
		lowpan_agentx_put_octets(w, vb->octets, vb->octets_len);
		break;
	case LOWPAN_AGENTX_OBJECT_IDENTIFIER:
		lowpan_agentx_put_oid(w, &vb->oid);
		break;
	default: /* Null and the exceptions have no data */
		break;
	}
}

void lowpan_agentx_put_response(struct lowpan_agentx_writer *w, uint32_t sys_uptime, uint16_t error,
				uint16_t index)
{
	lowpan_agentx_put32(w, sys_uptime);
	lowpan_agentx_put16(w, error);
	lowpan_agentx_put16(w, index);
}

int lowpan_agentx_finish(struct lowpan_agentx_writer *w)
{
	if (w->overflow || w->len < LOWPAN_AGENTX_HDR_LEN || w->len > INT32_MAX)
		return -EMSGSIZE;
	store32(w->buf + 16, (uint32_t)(w->len - LOWPAN_AGENTX_HDR_LEN), w->nbo);
	return (int)w->len;
}

int lowpan_agentx_build_open(uint8_t *buf, size_t cap, const struct lowpan_agentx_hdr *h,
			     uint8_t timeout, const struct lowpan_agentx_oid *id, const char *descr)
{
	struct lowpan_agentx_writer w;
	struct lowpan_agentx_hdr oh = *h;

	oh.type = LOWPAN_AGENTX_OPEN;
	lowpan_agentx_begin(&w, buf, cap, &oh);
	lowpan_agentx_put8(&w, timeout);
	lowpan_agentx_put8(&w, 0);
	lowpan_agentx_put8(&w, 0);
	lowpan_agentx_put8(&w, 0);
	lowpan_agentx_put_oid(&w, id);
	lowpan_agentx_put_octets(&w, descr, strlen(descr));
	return lowpan_agentx_finish(&w);
}

int lowpan_agentx_build_register(uint8_t *buf, size_t cap, const struct lowpan_agentx_hdr *h,
				 uint8_t timeout, uint8_t priority,
				 const struct lowpan_agentx_oid *subtree)
{
	struct lowpan_agentx_writer w;
	struct lowpan_agentx_hdr rh = *h;

	rh.type = LOWPAN_AGENTX_REGISTER;
	rh.flags &= (uint8_t)~LOWPAN_AGENTX_F_NON_DEFAULT_CONTEXT;
	lowpan_agentx_begin(&w, buf, cap, &rh);
	lowpan_agentx_put8(&w, timeout);
	lowpan_agentx_put8(&w, priority);
	lowpan_agentx_put8(&w, 0); /* range_subid: no range */
	lowpan_agentx_put8(&w, 0);
	lowpan_agentx_put_oid(&w, subtree);
	return lowpan_agentx_finish(&w);
}

int lowpan_agentx_build_close(uint8_t *buf, size_t cap, const struct lowpan_agentx_hdr *h,
			      uint8_t reason)
{
	struct lowpan_agentx_writer w;
	struct lowpan_agentx_hdr ch = *h;

	ch.type = LOWPAN_AGENTX_CLOSE;
	lowpan_agentx_begin(&w, buf, cap, &ch);
	lowpan_agentx_put8(&w, reason);
	lowpan_agentx_put8(&w, 0);
	lowpan_agentx_put8(&w, 0);
	lowpan_agentx_put8(&w, 0);
	return lowpan_agentx_finish(&w);
}

int lowpan_agentx_build_ping(uint8_t *buf, size_t cap, const struct lowpan_agentx_hdr *h)
{
	struct lowpan_agentx_writer w;
	struct lowpan_agentx_hdr ph = *h;

	ph.type = LOWPAN_AGENTX_PING;
	ph.flags &= (uint8_t)~LOWPAN_AGENTX_F_NON_DEFAULT_CONTEXT;
	lowpan_agentx_begin(&w, buf, cap, &ph);
	return lowpan_agentx_finish(&w);
}
