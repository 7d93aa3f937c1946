/*
 * niddlog — a device's recent downlinks and their deliveries (see niddlog.h).
 */
#include "niddlog.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "t8/t8.h"

static uint64_t fnv64(const uint8_t *p, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	while (len--)
		h = (h ^ *p++) * 1099511628211ull;
	return h;
}

/* A slot for a new downlink: a free one, else the oldest. */
static struct niddlog_entry *new_slot(struct niddlog *l)
{
	struct niddlog_entry *best = &l->e[0];

	for (unsigned i = 0; i < NIDDLOG_SIZE; i++) {
		if (!l->e[i].seq)
			return &l->e[i];
		if (l->e[i].seq < best->seq)
			best = &l->e[i];
	}
	return best;
}

int niddlog_add(struct niddlog *l, const uint8_t *msg, size_t len, struct niddlog_entry **out)
{
	uint8_t tkl = len ? msg[0] & 0x0f : 0;
	uint64_t hash;
	uint16_t mid;
	struct niddlog_entry *e;

	if (len < 4 || (msg[0] >> 6) != 1 || tkl > 8 || len < 4u + tkl)
		return -EINVAL;
	mid = (uint16_t)(msg[2] << 8 | msg[3]);
	hash = fnv64(msg, len);
	for (unsigned i = 0; i < NIDDLOG_SIZE; i++)
		if (l->e[i].seq && l->e[i].held && l->e[i].mid == mid && l->e[i].hash == hash)
			return -EALREADY;
	e = new_slot(l);
	memset(e, 0, sizeof(*e));
	e->seq = ++l->next_seq;
	e->mid = mid;
	e->tkl = tkl;
	memcpy(e->token, msg + 4, tkl);
	e->hash = hash;
	e->status = "SENDING";
	e->held = true;
	*out = e;
	return 0;
}

struct niddlog_entry *niddlog_get(struct niddlog *l, uint64_t seq)
{
	for (unsigned i = 0; seq && i < NIDDLOG_SIZE; i++)
		if (l->e[i].seq == seq)
			return &l->e[i];
	return NULL;
}

struct niddlog_entry *niddlog_find_link(struct niddlog *l, const char *link)
{
	for (unsigned i = 0; link && *link && i < NIDDLOG_SIZE; i++)
		if (l->e[i].seq && strcmp(l->e[i].link, link) == 0)
			return &l->e[i];
	return NULL;
}

const char *niddlog_status_name(const char *s)
{
	enum t8_delivery_status st;

	/* lib/t8's static name, so that the entry can keep the pointer */
	return t8_delivery_status_parse(s, &st) == 0 ? t8_delivery_status_name(st) : NULL;
}

void niddlog_set_status(struct niddlog_entry *e, const char *status)
{
	e->status = status;
	e->held = !(strncmp(status, "SUCCESS", 7) == 0 || strncmp(status, "FAILURE", 7) == 0 ||
		    strcmp(status, "FAILED") == 0 || strcmp(status, "REFUSED") == 0 ||
		    strcmp(status, "LIMITED") == 0);
}

void niddlog_token_hex(const struct niddlog_entry *e, char out[17])
{
	for (unsigned i = 0; i < e->tkl && i < 8; i++)
		snprintf(out + 2 * i, 3, "%02x", e->token[i]);
	out[2 * (e->tkl < 8 ? e->tkl : 8)] = '\0';
}

json_t *niddlog_json(const struct niddlog *l)
{
	json_t *a = json_array();

	for (uint64_t seq = l->next_seq; seq > 0 && seq + NIDDLOG_SIZE > l->next_seq; seq--)
		for (unsigned i = 0; i < NIDDLOG_SIZE; i++) {
			const struct niddlog_entry *e = &l->e[i];
			char tok[17];

			if (e->seq != seq)
				continue;
			niddlog_token_hex(e, tok);
			json_array_append_new(a, json_pack("{s:i, s:s, s:s, s:s}", "mid", e->mid,
							   "token", tok, "delivery", e->link,
							   "status", e->status));
		}
	return a;
}
