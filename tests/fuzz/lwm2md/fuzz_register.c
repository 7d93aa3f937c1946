/*
 * The registration request checks of lwm2md (regreq): the Uri-Query items
 * and the object-link payload of a Register or Update, as lwm2md's CoAP
 * handler feeds them.
 *
 * Input: byte 0 picks Register or Update; then the query, items separated
 * by '&', up to the first NUL; the rest is the payload.  Properties: no
 * crash or leak; an accepted query has the values the TS allows; accepted
 * links are objects or instances with valid IDs, and printing them back
 * as link format parses to the same list.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regreq.h"

#define MAX_ITEMS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_query(enum regreq_kind kind, const struct regreq_query *q)
{
	if (kind == REGREQ_REGISTER) {
		size_t n = strlen(q->ep);

		if (n == 0 || n > REGREQ_EP_MAX)
			abort();
		if (strcmp(q->version, "1.0") != 0 && strcmp(q->version, "1.1") != 0)
			abort();
		if (q->binding[0] == '\0' || q->lifetime == 0)
			abort();
	} else if (q->present & (REGREQ_HAS_EP | REGREQ_HAS_LWM2M)) {
		abort();
	}
	if ((q->present & REGREQ_HAS_LT) && q->lifetime == 0)
		abort();
	if (strspn(q->binding, "UQSTNH") != strlen(q->binding)) /* regreq's letters */
		abort();
}

static void check_links(const struct regreq_links *l, size_t len)
{
	struct regreq_links again = { 0 };
	char *text, why[160];
	size_t cap = l->count * 40 + REGREQ_ROOT_MAX + 64, o = 0;

	if (l->root[0] != '/' || l->count > len)
		abort();
	text = malloc(cap);
	if (!text)
		abort();
	if (strcmp(l->root, "/") != 0)
		o += (size_t)snprintf(text + o, cap - o, "<%s>;rt=\"oma.lwm2m\"", l->root);
	for (size_t i = 0; i < l->count; i++) {
		const struct regreq_object *ob = &l->objects[i];
		const char *root = strcmp(l->root, "/") == 0 ? "" : l->root;

		if (ob->obj > 65534 || ob->inst > 65534 || ob->inst < -1)
			abort();
		o += (size_t)snprintf(text + o, cap - o, "%s<%s/%u", o ? "," : "", root, ob->obj);
		if (ob->inst >= 0)
			o += (size_t)snprintf(text + o, cap - o, "/%d", ob->inst);
		o += (size_t)snprintf(text + o, cap - o, ">");
		if (ob->ver[0])
			o += (size_t)snprintf(text + o, cap - o, ";ver=%s", ob->ver);
	}
	/* a list with no object link at all cannot be printed back: nothing to compare */
	if (o > 0 && regreq_parse_links((const uint8_t *)text, o, &again, why, sizeof(why)) == 0) {
		if (again.count != l->count || strcmp(again.root, l->root) != 0)
			abort();
		for (size_t i = 0; i < l->count; i++)
			if (again.objects[i].obj != l->objects[i].obj ||
			    again.objects[i].inst != l->objects[i].inst ||
			    strcmp(again.objects[i].ver, l->objects[i].ver) != 0)
				abort();
	} else if (o > 0) {
		abort();
	}
	regreq_links_fini(&again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct regreq_item items[MAX_ITEMS];
	enum regreq_kind kind;
	struct regreq_query q;
	struct regreq_links l;
	const uint8_t *nul, *p, *end;
	char why[160];
	size_t n = 0;

	if (size < 1)
		return 0;
	kind = (data[0] & 1) ? REGREQ_UPDATE : REGREQ_REGISTER;
	nul = memchr(data + 1, 0, size - 1);
	end = nul ? nul : data + size;
	for (p = data + 1; p < end && n < MAX_ITEMS;) {
		const uint8_t *amp = memchr(p, '&', (size_t)(end - p));
		size_t len = amp ? (size_t)(amp - p) : (size_t)(end - p);

		items[n].s = (const char *)p;
		items[n++].len = len;
		p += len + 1;
	}
	if (regreq_parse_query(kind, items, n, &q, why, sizeof(why)) == 0)
		check_query(kind, &q);
	else if (why[0] == '\0')
		abort(); /* every refusal explains itself */
	if (nul) {
		size_t len = size - (size_t)(nul + 1 - data);
		int rc = regreq_parse_links(nul + 1, len, &l, why, sizeof(why));

		if (rc == 0)
			check_links(&l, len);
		else if (rc == REGREQ_EBAD && why[0] == '\0')
			abort();
		regreq_links_fini(&l);
	}
	return 0;
}
