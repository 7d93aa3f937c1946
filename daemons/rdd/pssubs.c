/*
 * Subscribers of a topic-data resource (see pssubs.h).
 */
#include "pssubs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct sub {
	struct sub *next;
	coap_session_t *session; /* referenced while subscribed */
	uint8_t token[PSSUBS_TOKEN_MAX];
	size_t token_len;
	int64_t last_con_ms; /* when the last confirmable notification went out */
};

struct pssubs {
	struct sub *head; /* newest first */
	size_t count;
};

struct pssubs *pssubs_new(void)
{
	struct pssubs *l = calloc(1, sizeof(*l));

	if (!l)
		abort();
	return l;
}

static void sub_free(struct sub *s)
{
	coap_session_release(s->session);
	free(s);
}

void pssubs_free(struct pssubs *l)
{
	if (!l)
		return;
	while (l->head) {
		struct sub *s = l->head;

		l->head = s->next;
		sub_free(s);
	}
	free(l);
}

size_t pssubs_count(const struct pssubs *l)
{
	return l->count;
}

static struct sub **find(const struct pssubs *l, const coap_session_t *session,
			 const uint8_t *token, size_t len)
{
	struct sub **p = (struct sub **)&l->head;

	for (; *p; p = &(*p)->next)
		if ((*p)->session == session && (*p)->token_len == len &&
		    (len == 0 || memcmp((*p)->token, token, len) == 0))
			return p;
	return NULL;
}

bool pssubs_has(const struct pssubs *l, const coap_session_t *session, const uint8_t *token,
		size_t len)
{
	return find(l, session, token, len) != NULL;
}

int pssubs_add(struct pssubs *l, coap_session_t *session, const uint8_t *token, size_t len,
	       int64_t now_ms)
{
	struct sub *s;

	if (len > PSSUBS_TOKEN_MAX)
		return -EMSGSIZE;
	s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	s->session = coap_session_reference(session);
	if (len)
		memcpy(s->token, token, len);
	s->token_len = len;
	s->last_con_ms = now_ms; /* the answer to the GET counts as a confirmation */
	s->next = l->head;
	l->head = s;
	l->count++;
	return 0;
}

bool pssubs_remove(struct pssubs *l, const coap_session_t *session, const uint8_t *token,
		   size_t len)
{
	struct sub **p = find(l, session, token, len), *gone;

	if (!p)
		return false;
	gone = *p;
	*p = gone->next;
	sub_free(gone);
	l->count--;
	return true;
}

static void add_uint_option(coap_pdu_t *pdu, coap_option_num_t num, uint32_t v)
{
	uint8_t buf[4];

	coap_add_option(pdu, num, coap_encode_var_safe(buf, sizeof(buf), v), buf);
}

/* One notification: 2.05 with @v, or the final 4.04 when @v is NULL. */
static bool send_one(struct sub *s, const struct pssubs_value *v, bool con)
{
	coap_pdu_t *pdu =
		coap_new_pdu(con ? COAP_MESSAGE_CON : COAP_MESSAGE_NON,
			     v ? COAP_RESPONSE_CODE(205) : COAP_RESPONSE_CODE(404), s->session);

	if (!pdu)
		return false;
	coap_add_token(pdu, s->token_len, s->token);
	if (v) {
		add_uint_option(pdu, COAP_OPTION_OBSERVE, v->observe);
		if (v->content_format >= 0)
			add_uint_option(pdu, COAP_OPTION_CONTENT_FORMAT,
					(uint32_t)v->content_format);
		if (v->len)
			coap_add_data(pdu, v->len, v->data);
	}
	return coap_send(s->session, pdu) != COAP_INVALID_MID;
}

size_t pssubs_notify(struct pssubs *l, const struct pssubs_value *v, uint32_t check_s,
		     int64_t now_ms)
{
	size_t sent = 0;

	for (struct sub *s = l->head; s; s = s->next) {
		bool con = now_ms - s->last_con_ms >= (int64_t)check_s * 1000;

		if (con)
			s->last_con_ms = now_ms;
		sent += send_one(s, v, con);
	}
	return sent;
}

size_t pssubs_end(struct pssubs *l, size_t keep)
{
	size_t ended = 0;

	while (l->count > keep) {
		struct sub *s = l->head;

		l->head = s->next;
		l->count--;
		send_one(s, NULL, true); /* confirmable: the last word should arrive */
		sub_free(s);
		ended++;
	}
	return ended;
}
