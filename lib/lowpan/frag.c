#include "lowpan/frag.h"
#include "lowpan/dispatch.h"
#include "lowpan/error.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

int lowpan_frag_init(struct lowpan_frag *f, const uint8_t *hdr, size_t hlen, size_t ulen,
		     const uint8_t *payload, size_t plen, uint16_t tag, size_t budget)
{
	memset(f, 0, sizeof(*f));
	f->hdr = hdr;
	f->hlen = hlen;
	f->ulen = ulen;
	f->payload = payload;
	f->plen = plen;
	f->budget = budget;
	f->tag = tag;
	if (hlen + plen <= budget)
		return 0;
	size_t size = ulen + plen;
	if (size > LOWPAN_FRAG_MAX_SIZE)
		return LOWPAN_ERR_TOO_BIG;
	/* FRAG1 must carry the whole header and end on an 8-octet boundary
	 * of the uncompressed datagram; a FRAGN must carry 8 octets. */
	if (budget < LOWPAN_FRAG1_HDR_LEN + hlen + 7 || budget < LOWPAN_FRAGN_HDR_LEN + 8)
		return -EMSGSIZE;
	size_t k = lowpan_frag_first_len(budget, hlen, ulen);
	if (ulen + k == 0 || k > plen)
		return -EMSGSIZE;
	f->size = (uint16_t)size;
	f->fragmented = true;
	return 0;
}

bool lowpan_frag_is_fragmented(const struct lowpan_frag *f)
{
	return f->fragmented;
}

int lowpan_frag_next(struct lowpan_frag *f, uint8_t *out, size_t outsize, size_t *outlen)
{
	*outlen = 0;
	if (f->next == SIZE_MAX)
		return 0;
	if (outsize < f->budget && outsize < f->hlen + f->plen)
		return -ENOSPC;
	if (!f->fragmented) {
		memcpy(out, f->hdr, f->hlen);
		if (f->plen)
			memcpy(out + f->hlen, f->payload, f->plen);
		*outlen = f->hlen + f->plen;
		f->next = SIZE_MAX;
		return 0;
	}
	if (f->next == 0) {
		size_t k = lowpan_frag_first_len(f->budget, f->hlen, f->ulen);
		size_t o = lowpan_dispatch_put_frag(out, true, f->size, f->tag, 0);
		memcpy(out + o, f->hdr, f->hlen);
		memcpy(out + o + f->hlen, f->payload, k);
		*outlen = o + f->hlen + k;
		f->next = f->ulen + k;
		return 0;
	}
	size_t step = lowpan_frag_next_len(f->budget);
	size_t left = f->size - f->next;
	size_t n = left < step ? left : step;
	size_t o = lowpan_dispatch_put_frag(out, false, f->size, f->tag, (uint16_t)f->next);
	memcpy(out + o, f->payload + (f->next - f->ulen), n);
	*outlen = o + n;
	f->next += n;
	if (f->next >= f->size)
		f->next = SIZE_MAX;
	return 0;
}
